import { z } from 'zod';

// Shapes of https://developers.cloudflare.com/api/resources/turnstile/subresources/widgets/
// (spec/turnstile-widgets.openapi.json). Read tolerantly, write exactly: a response must carry
// only what the action uses, may carry null or nothing in every other field, and keeps fields
// added later (the `widget` output shows them). Request bodies have exactly these fields.

export const MODES = ['managed', 'non-interactive', 'invisible'] as const;
export const CLEARANCE_LEVELS = ['no_clearance', 'jschallenge', 'managed', 'interactive'] as const;
export const REGIONS = ['world', 'china'] as const;

const message = z.object({ code: z.number().nullish(), message: z.string().nullish() }).loose();
const messages = z
  .array(message)
  .nullish()
  .transform((list) => list ?? []);

/** The envelope every Cloudflare API v4 response uses, successful or not. */
export const envelopeSchema = z
  .object({
    success: z.boolean(),
    errors: messages,
    messages,
    result: z.unknown().optional(),
    result_info: z.object({ total_count: z.number().nullish() }).loose().nullish(),
  })
  .loose();
export type ApiMessage = z.infer<typeof message>;

export const widgetSummarySchema = z
  .object({
    // What the action uses:
    sitekey: z.string().min(1),
    name: z.string(),
    domains: z.array(z.string()),
    mode: z.string(),
    created_on: z.string(),
    // What it only passes on (PUT keeps it, the output shows it), when present:
    modified_on: z.string().nullish(),
    region: z.string().nullish(),
    bot_fight_mode: z.boolean().nullish(),
    offlabel: z.boolean().nullish(),
    clearance_level: z.string().nullish(),
    ephemeral_id: z.boolean().nullish(),
    last_modified_via: z.string().nullish(),
  })
  .loose();

/** The list endpoint omits `secret`; get, create, update and rotate_secret return it. */
export const widgetSchema = widgetSummarySchema.extend({ secret: z.string().min(1) });

export type WidgetSummary = z.infer<typeof widgetSummarySchema>;
export type Widget = z.infer<typeof widgetSchema>;

/**
 * The body of create (POST) and update (PUT). Optional fields are sent only when known. A PUT echoes
 * the widget's own values for what the user left alone, so a mode or clearance level Cloudflare adds
 * later survives an update: no enum here.
 */
export const widgetConfigSchema = z.strictObject({
  name: z.string(),
  domains: z.array(z.string()),
  mode: z.string(),
  clearance_level: z.string().optional(),
  bot_fight_mode: z.boolean().optional(),
  offlabel: z.boolean().optional(),
  ephemeral_id: z.boolean().optional(),
  region: z.string().optional(),
});
export type WidgetConfig = z.infer<typeof widgetConfigSchema>;

import { z } from 'zod';

// A run parses each schema a handful of times: zod's JIT (compiling parsers with new Function)
// costs more than it saves here, measured at 1-4 ms of start-up.
z.config({ jitless: true });

// Shapes of https://developers.cloudflare.com/api/resources/turnstile/subresources/widgets/
// (spec/turnstile-widgets.openapi.json plus the newer fields the current reference documents).

export const MODES = ['managed', 'non-interactive', 'invisible'] as const;
export const CLEARANCE_LEVELS = ['no_clearance', 'jschallenge', 'managed', 'interactive'] as const;
export const REGIONS = ['world', 'china'] as const;

const message = z.object({ code: z.number(), message: z.string() }).loose();

/** The envelope every Cloudflare API v4 response uses, successful or not. */
export const envelopeSchema = z.object({
  success: z.boolean(),
  errors: z.array(message).default([]),
  messages: z.array(message).default([]),
  result: z.unknown().optional(),
  result_info: z
    .object({ page: z.number(), per_page: z.number(), count: z.number(), total_count: z.number() })
    .loose()
    .optional(),
});
export type Envelope = z.infer<typeof envelopeSchema>;
export type ApiMessage = z.infer<typeof message>;

// Responses are read leniently where Cloudflare may add values (region, clearance level), and
// unknown fields are kept (`loose`) so the `widget` output shows everything the API returned.
export const widgetSummarySchema = z
  .object({
    sitekey: z.string().min(1),
    name: z.string(),
    domains: z.array(z.string()),
    mode: z.string(),
    created_on: z.string(),
    modified_on: z.string(),
    region: z.string(),
    bot_fight_mode: z.boolean(),
    offlabel: z.boolean(),
    clearance_level: z.string(),
    ephemeral_id: z.boolean().optional(),
  })
  .loose();

/** The list endpoint omits `secret`; get, create, update and rotate_secret return it. */
export const widgetSchema = widgetSummarySchema.extend({ secret: z.string().min(1) });

export type WidgetSummary = z.infer<typeof widgetSummarySchema>;
export type Widget = z.infer<typeof widgetSchema>;

/** The body of create (POST) and update (PUT): the widget's whole configuration. */
export interface WidgetConfig {
  name: string;
  domains: string[];
  mode: (typeof MODES)[number];
  clearance_level?: (typeof CLEARANCE_LEVELS)[number];
  bot_fight_mode?: boolean;
  offlabel?: boolean;
  ephemeral_id?: boolean;
  region?: (typeof REGIONS)[number];
}

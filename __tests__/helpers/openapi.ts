// Validation against Cloudflare's published contract: spec/turnstile-widgets.openapi.json.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const SPEC_PATH = resolve(import.meta.dirname, '..', '..', 'spec', 'turnstile-widgets.openapi.json');
const spec = JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as Json;

// The extract is from 2024. ../shared/cloudflare-api/README.md lists what the API documents since;
// exactly those changes are applied to this in-memory copy, nothing else:
const schemas = spec.components.schemas as Json;
schemas.turnstile_region.enum = ['world', 'china']; // region: world | china
const paths = spec.paths as Json;
const collection = paths['/accounts/{account_id}/challenges/widgets'];
const single = paths['/accounts/{account_id}/challenges/widgets/{sitekey}'];
for (const body of [collection.post, single.put].map(
  (operation: Json) => operation.requestBody.content['application/json'].schema,
)) {
  body.properties.ephemeral_id = { type: 'boolean' }; // ephemeral_id in create/update bodies
  body.properties.region = { $ref: '#/components/schemas/turnstile_region' }; // PUT accepts region
  // Not in the spec: unknown request fields are caught here rather than ignored by a lenient check.
  body.additionalProperties = false;
  body.type = 'object';
}
// The list/create `filter` query parameter (field:value, field name or sitekey).
collection.parameters.push({
  in: 'query',
  name: 'filter',
  schema: { type: 'string', pattern: '^(|(name|sitekey):.*)$' },
});

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats.default(ajv);
const compiled = new Map<unknown, ValidateFunction>();
function validator(schema: Json): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    // Inline schemas refer to '#/components/...': compile them with the components beside them.
    validate = ajv.compile({ ...schema, components: spec.components });
    compiled.set(schema, validate);
  }
  return validate;
}

const TEMPLATES = Object.keys(paths).map((template) => ({
  template,
  pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
}));

/** The spec's path template for a concrete path below /client/v4. */
export function matchPath(path: string): string | undefined {
  return TEMPLATES.find(({ pattern }) => pattern.test(path))?.template;
}

function operation(method: string, template: string): Json {
  const found = paths[template]?.[method.toLowerCase()];
  if (!found) throw new Error(`the spec has no ${method} ${template}`);
  return found;
}

function errorsOf(validate: ValidateFunction): string[] {
  return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message}`);
}

/** Schema violations of a request (body and query parameters); empty when it conforms. */
export function requestViolations(
  method: string,
  path: string,
  query: Record<string, string>,
  body: unknown,
): string[] {
  const template = matchPath(path);
  if (!template) return [`no path of the spec matches ${path}`];
  const op = operation(method, template);
  const problems: string[] = [];
  const bodySchema = op.requestBody?.content?.['application/json']?.schema;
  if (bodySchema) {
    const validate = validator(bodySchema);
    if (!validate(body)) problems.push(...errorsOf(validate).map((e) => `body${e}`));
  } else if (body !== undefined && method !== 'POST') {
    problems.push('body sent where the spec defines none');
  }
  const parameters = [...(paths[template].parameters ?? []), ...(op.parameters ?? [])].filter(
    (p: Json) => p.in === 'query',
  );
  for (const [name, raw] of Object.entries(query)) {
    const parameter = parameters.find((p: Json) => p.name === name);
    if (!parameter) {
      problems.push(`query parameter ${name} is not in the spec`);
      continue;
    }
    const value = parameter.schema.type === 'number' ? Number(raw) : raw;
    const validate = validator(parameter.schema);
    if (!validate(value)) problems.push(...errorsOf(validate).map((e) => `query ${name}${e}`));
  }
  return problems;
}

/** Schema violations of a response for its status (200, or the 4XX range); empty when it conforms. */
export function responseViolations(method: string, path: string, status: number, body: unknown): string[] {
  const template = matchPath(path);
  if (!template) return [`no path of the spec matches ${path}`];
  const responses = operation(method, template).responses as Json;
  const key = String(status) in responses ? String(status) : `${String(status)[0]}XX`;
  const schema = responses[key]?.content?.['application/json']?.schema;
  if (!schema) return [`the spec defines no ${status} response for ${method} ${template}`];
  const validate = validator(schema);
  return validate(body) ? [] : errorsOf(validate);
}

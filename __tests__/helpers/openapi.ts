// Validation against Cloudflare's published contract: spec/turnstile-widgets.openapi.json (a copy of
// ../shared/cloudflare-api/). Every validator returns the list of violations: empty when it conforms.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const SPEC_PATH = resolve(import.meta.dirname, '..', '..', 'spec', 'turnstile-widgets.openapi.json');
/** Where the shared contract lives when this checkout sits beside it. */
export const SHARED_SPEC_PATH = resolve(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'shared',
  'cloudflare-api',
  'turnstile-widgets.openapi.json',
);

const spec = JSON.parse(readFileSync(SPEC_PATH, 'utf8')) as Json;
const schemas = spec.components.schemas as Json;
const paths = spec.paths as Json;
const COLLECTION = '/accounts/{account_id}/challenges/widgets';
const WIDGET = '/accounts/{account_id}/challenges/widgets/{sitekey}';
const ROTATE = '/accounts/{account_id}/challenges/widgets/{sitekey}/rotate_secret';
const bodySchema = (operation: Json): Json => operation.requestBody.content['application/json'].schema;
const createBody = bodySchema(paths[COLLECTION].post);
const updateBody = bodySchema(paths[WIDGET].put);
const rotateBody = bodySchema(paths[ROTATE].post);

// The extract is from 2024. ../shared/cloudflare-api/README.md ("Known differences from newer
// upstream"), create-widget-docs.txt and turnstile-widgets.2026.openapi.json document what the API
// has gained since; exactly the changes about region, ephemeral_id, filter and the read-only
// deployed_via/last_modified_via are applied to this in-memory copy, nothing else:
schemas.turnstile_region.enum = ['world', 'china']; // region: world | china
updateBody.properties.region = { $ref: '#/components/schemas/turnstile_region' }; // the PUT body accepts region
for (const body of [createBody, updateBody]) body.properties.ephemeral_id = { type: 'boolean' }; // optional in bodies
// turnstile_deployed_via / turnstile_last_modified_via of the 2026 extract: optional (absent on
// widgets older than the fields), server-derived, never in a request body (the bodies stay closed).
const origin = { type: 'string', enum: ['wrangler', 'dashboard', 'spin', 'api', 'unknown'], readOnly: true };
for (const widget of [schemas.turnstile_widget_detail, schemas.turnstile_widget_list]) {
  widget.properties.ephemeral_id = { type: 'boolean' }; // required on widget objects
  widget.required.push('ephemeral_id');
  widget.properties.deployed_via = origin;
  widget.properties.last_modified_via = origin;
}
paths[COLLECTION].parameters.push({
  // list and create: filter=field:value, field name or sitekey; an empty value returns everything
  in: 'query',
  name: 'filter',
  schema: { type: 'string', pattern: '^$|^(name|sitekey):' },
});

// Not upstream: the bodies accept any extra field and (lacking "type": "object") even `[]`. Closing
// them here makes a misspelt or invented field in a request a contract failure instead of a field
// Cloudflare silently ignores.
for (const body of [createBody, updateBody, rotateBody]) {
  body.type = 'object';
  body.additionalProperties = false;
}

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats.default(ajv);
const compiled = new Map<Json, ValidateFunction>();
function validator(schema: Json): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    // Inline schemas refer to '#/components/...': compile them with the components beside them.
    validate = ajv.compile({ ...schema, components: spec.components });
    compiled.set(schema, validate);
  }
  return validate;
}

function violations(validate: ValidateFunction, value: unknown, where: string): string[] {
  if (validate(value)) return [];
  return (validate.errors ?? []).map((error) => `${where}${error.instancePath || '/'} ${error.message}`);
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** Every operation of the spec, e.g. { method: 'PUT', template: '/accounts/{account_id}/...' }. */
export const OPERATIONS: { method: string; template: string; operationId: string }[] = Object.entries(paths).flatMap(
  ([template, item]: [string, Json]) =>
    METHODS.filter((method) => item[method]).map((method) => ({
      method: method.toUpperCase(),
      template,
      operationId: item[method].operationId as string,
    })),
);

const TEMPLATES = Object.keys(paths).map((template) => ({
  template,
  pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
}));

/**
 * The spec's path template (e.g. '/accounts/{account_id}/challenges/widgets/{sitekey}') of a
 * concrete path, with or without the /client/v4 prefix and a query; undefined when no path of the
 * spec matches or that path has no such method.
 */
export function matchPath(method: string, concretePath: string): string | undefined {
  const path = concretePath.replace(/[?#].*$/, '').replace(/^\/client\/v4(?=\/)/, '');
  const found = TEMPLATES.find(({ pattern }) => pattern.test(path))?.template;
  return found !== undefined && paths[found][method.toLowerCase()] ? found : undefined;
}

function operation(method: string, template: string): Json | undefined {
  return paths[template]?.[method.toLowerCase()] as Json | undefined;
}

/** Violations of a request body (`undefined` = no body) against the operation's requestBody. */
export function validateRequestBody(method: string, template: string, body: unknown): string[] {
  const op = operation(method, template);
  if (!op) return [`the spec has no ${method} ${template}`];
  if (!op.requestBody) return body === undefined ? [] : [`${method} ${template} takes no request body`];
  if (body === undefined) return op.requestBody.required ? [`${method} ${template} requires a request body`] : [];
  return violations(validator(bodySchema(op)), body, 'body');
}

/** Violations of a JSON response body; the status picks the response (exact, else e.g. `4XX`). */
export function validateResponse(method: string, template: string, status: number, body: unknown): string[] {
  const op = operation(method, template);
  if (!op) return [`the spec has no ${method} ${template}`];
  const responses = op.responses as Json;
  const key = [String(status), `${String(status)[0]}XX`, 'default'].find((candidate) => candidate in responses);
  const schema = key === undefined ? undefined : responses[key]?.content?.['application/json']?.schema;
  if (!schema) return [`the spec defines no ${status} response for ${method} ${template}`];
  return violations(validator(schema), body, 'response');
}

/** Violations of a whole request below /client/v4: its body and its query parameters. */
export function requestViolations(
  method: string,
  path: string,
  query: Record<string, string>,
  body: unknown,
): string[] {
  const template = matchPath(method, path);
  if (!template) return [`the spec has no ${method} ${path}`];
  const problems = validateRequestBody(method, template, body);
  const parameters = [...(paths[template].parameters ?? []), ...(operation(method, template)?.parameters ?? [])];
  for (const [name, raw] of Object.entries(query)) {
    const parameter = parameters.find((p: Json) => p.in === 'query' && p.name === name);
    if (!parameter) {
      problems.push(`query parameter ${name} is not in the spec`);
      continue;
    }
    const value = parameter.schema.type === 'number' ? Number(raw) : raw;
    problems.push(...violations(validator(parameter.schema), value, `query ${name}`));
  }
  return problems;
}

/** Violations of the response to a concrete path below /client/v4. */
export function responseViolations(method: string, path: string, status: number, body: unknown): string[] {
  const template = matchPath(method, path);
  if (!template) return [`the spec has no ${method} ${path}`];
  return validateResponse(method, template, status, body);
}

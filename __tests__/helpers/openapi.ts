// Validation against Cloudflare's published contract, the two extracts vendored in spec/ (what each
// is and where it comes from: spec/README.md): the checked 2024 extract, adjusted in memory by the
// newer changes listed below, and the 2026 extract as it is. Every validator returns the list of
// violations: empty when it conforms. The top-level exports validate against the 2024 extract;
// CONTRACTS holds both, for tests that check an answer against each.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const SPEC_DIR = resolve(import.meta.dirname, '..', '..', 'spec');
export const SPEC_PATH = resolve(SPEC_DIR, 'turnstile-widgets.openapi.json');
export const SPEC_2026_PATH = resolve(SPEC_DIR, 'turnstile-widgets.2026.openapi.json');

const COLLECTION = '/accounts/{account_id}/challenges/widgets';
const WIDGET = '/accounts/{account_id}/challenges/widgets/{sitekey}';
const ROTATE = '/accounts/{account_id}/challenges/widgets/{sitekey}/rotate_secret';
const bodySchema = (operation: Json): Json => operation.requestBody.content['application/json'].schema;

/**
 * The 2024 extract with what the API has gained since (spec/README.md, and the 2026 extract):
 * exactly the changes about region, ephemeral_id, filter and the read-only deployed_via and
 * last_modified_via are applied to the in-memory copy, nothing else.
 */
function withNewerChanges(spec: Json): void {
  const schemas = spec.components.schemas as Json;
  const paths = spec.paths as Json;
  const createBody = bodySchema(paths[COLLECTION].post);
  const updateBody = bodySchema(paths[WIDGET].put);
  schemas.turnstile_region.enum = ['world', 'china']; // region: world | china
  updateBody.properties.region = { $ref: '#/components/schemas/turnstile_region' }; // the PUT body accepts region
  for (const body of [createBody, updateBody]) body.properties.ephemeral_id = { type: 'boolean' }; // optional in bodies
  // turnstile_deployed_via / turnstile_last_modified_via: optional (absent on widgets older than the
  // fields), server-derived, never in a request body (the bodies stay closed).
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
}

/**
 * Not upstream, in either extract: the bodies accept any extra field (and in 2024, lacking
 * "type": "object", even `[]`). Closing them makes a misspelt or invented field in a request a
 * contract failure instead of a field Cloudflare silently ignores.
 */
function withClosedBodies(spec: Json): void {
  const paths = spec.paths as Json;
  for (const body of [paths[COLLECTION].post, paths[WIDGET].put, paths[ROTATE].post].map(bodySchema)) {
    body.type = 'object';
    body.additionalProperties = false;
  }
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

export interface Contract {
  /** spec/ file name, e.g. turnstile-widgets.2026.openapi.json. */
  file: string;
  /** Every operation of the spec, e.g. { method: 'PUT', template: '/accounts/{account_id}/...' }. */
  operations: { method: string; template: string; operationId: string }[];
  matchPath: (method: string, concretePath: string) => string | undefined;
  validateRequestBody: (method: string, template: string, body: unknown) => string[];
  validateResponse: (method: string, template: string, status: number, body: unknown) => string[];
  requestViolations: (method: string, path: string, query: Record<string, string>, body: unknown) => string[];
  responseViolations: (method: string, path: string, status: number, body: unknown) => string[];
}

function loadContract(path: string, adjust: ((spec: Json) => void)[]): Contract {
  const spec = JSON.parse(readFileSync(path, 'utf8')) as Json;
  for (const change of adjust) change(spec);
  const paths = spec.paths as Json;

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

  const templates = Object.keys(paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }));
  const operation = (method: string, template: string) => paths[template]?.[method.toLowerCase()] as Json | undefined;

  const contract: Contract = {
    file: path.slice(SPEC_DIR.length + 1),
    operations: Object.entries(paths).flatMap(([template, item]: [string, Json]) =>
      METHODS.filter((method) => item[method]).map((method) => ({
        method: method.toUpperCase(),
        template,
        operationId: item[method].operationId as string,
      })),
    ),

    /**
     * The spec's path template (e.g. '/accounts/{account_id}/challenges/widgets/{sitekey}') of a
     * concrete path, with or without the /client/v4 prefix and a query; undefined when no path of
     * the spec matches or that path has no such method.
     */
    matchPath: (method, concretePath) => {
      const below = concretePath.replace(/[?#].*$/, '').replace(/^\/client\/v4(?=\/)/, '');
      const found = templates.find(({ pattern }) => pattern.test(below))?.template;
      return found !== undefined && paths[found][method.toLowerCase()] ? found : undefined;
    },

    /** Violations of a request body (`undefined` = no body) against the operation's requestBody. */
    validateRequestBody: (method, template, body) => {
      const op = operation(method, template);
      if (!op) return [`the spec has no ${method} ${template}`];
      if (!op.requestBody) return body === undefined ? [] : [`${method} ${template} takes no request body`];
      if (body === undefined) return op.requestBody.required ? [`${method} ${template} requires a request body`] : [];
      return violations(validator(bodySchema(op)), body, 'body');
    },

    /** Violations of a JSON response body; the status picks the response (exact, else e.g. `4XX`). */
    validateResponse: (method, template, status, body) => {
      const op = operation(method, template);
      if (!op) return [`the spec has no ${method} ${template}`];
      const responses = op.responses as Json;
      const key = [String(status), `${String(status)[0]}XX`, 'default'].find((candidate) => candidate in responses);
      const schema = key === undefined ? undefined : responses[key]?.content?.['application/json']?.schema;
      if (!schema) return [`the spec defines no ${status} response for ${method} ${template}`];
      return violations(validator(schema), body, 'response');
    },

    /** Violations of a whole request below /client/v4: its body and its query parameters. */
    requestViolations: (method, path, query, body) => {
      const template = contract.matchPath(method, path);
      if (!template) return [`the spec has no ${method} ${path}`];
      const problems = contract.validateRequestBody(method, template, body);
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
    },

    /** Violations of the response to a concrete path below /client/v4. */
    responseViolations: (method, path, status, body) => {
      const template = contract.matchPath(method, path);
      if (!template) return [`the spec has no ${method} ${path}`];
      return contract.validateResponse(method, template, status, body);
    },
  };
  return contract;
}

/** Both extracts: every answer of the emulator must conform to each. */
export const CONTRACTS = {
  2024: loadContract(SPEC_PATH, [withNewerChanges, withClosedBodies]),
  2026: loadContract(SPEC_2026_PATH, [withClosedBodies]),
} as const;

const { 2024: checked } = CONTRACTS;
export const OPERATIONS = checked.operations;
export const {
  matchPath,
  validateRequestBody,
  validateResponse,
  requestViolations,
  responseViolations,
}: Omit<Contract, 'file' | 'operations'> = checked;

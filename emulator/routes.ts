// The endpoints of https://developers.cloudflare.com/api/resources/turnstile/subresources/widgets/
// as spec/turnstile-widgets.2026.openapi.json describes them (spec/README.md): the list/create
// `filter`, read-only deployed_via/last_modified_via, ephemeral_id on every widget, and PATCH
// refused with 405 and code 10405 as Cloudflare documents.
import { ApiFailure, CODES, MESSAGES, failure, success, type ApiResponse } from './errors.ts';
import { micros, type WidgetRecord, type WidgetStore } from './store.ts';

export interface Credentials {
  accountId: string;
  apiToken: string;
  apiEmail: string;
  apiKey: string;
}

export interface ApiRequest {
  method: string;
  /** Path below /client/v4, without the query (undefined when the URL is not below /client/v4). */
  path: string | undefined;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** Marks a body that did not parse as JSON (answered with 400 once the request is authenticated). */
export const INVALID_JSON = Symbol('invalid JSON');

type Target = 'collection' | 'widget' | 'rotate';
const ROUTE = /^\/accounts\/([^/]+)\/challenges\/widgets(?:\/([^/]+)(\/rotate_secret)?)?\/?$/;
const METHODS: Record<Target, string[]> = {
  collection: ['GET', 'POST'],
  widget: ['GET', 'PUT', 'DELETE'],
  rotate: ['POST'],
};
const ORDER_FIELDS = ['id', 'sitekey', 'name', 'created_on', 'modified_on'];
const FILTER_FIELDS = ['name', 'sitekey'] as const;

/** The detail shape (get, create, update, rotate, delete): the current secret only. */
function detail(widget: WidgetRecord): object {
  const { previous_secret: _previous, ...shown } = widget;
  return structuredClone(shown);
}
/** The list shape has no secret at all. */
function summary(widget: WidgetRecord): object {
  const { secret: _secret, previous_secret: _previous, ...shown } = widget;
  return structuredClone(shown);
}

export function handle(store: WidgetStore, credentials: Credentials, request: ApiRequest): ApiResponse {
  try {
    return route(store, credentials, request);
  } catch (error) {
    if (error instanceof ApiFailure) return failure(error.status, error.code, error.message);
    throw error;
  }
}

function route(store: WidgetStore, credentials: Credentials, request: ApiRequest): ApiResponse {
  // Cloudflare routes before it authenticates: unknown routes and malformed ids fail either way.
  const match = request.path === undefined ? null : ROUTE.exec(request.path);
  const [, accountId = '', rawSitekey, rotate] = match ?? [];
  const target: Target = rawSitekey === undefined ? 'collection' : rotate ? 'rotate' : 'widget';
  const { method } = request;
  if (!match) throw new ApiFailure(404, CODES.noRoute, MESSAGES.noRoute);
  if (!METHODS[target].includes(method)) throw new ApiFailure(405, CODES.methodNotAllowed, MESSAGES.methodNotAllowed);
  if (!/^[0-9a-f]{32}$/.test(accountId)) {
    throw new ApiFailure(
      400,
      CODES.invalidIdentifier,
      `Could not route to ${request.path}, perhaps your object identifier is invalid?`,
    );
  }
  authenticate(credentials, request.headers);
  if (accountId !== credentials.accountId)
    throw new ApiFailure(403, CODES.unauthorizedAccount, MESSAGES.unauthorizedAccount);
  if (request.body === INVALID_JSON) throw new ApiFailure(400, CODES.invalidJson, MESSAGES.invalidJson);

  const sitekey = decode(rawSitekey ?? '');
  switch (`${method} ${target}`) {
    case 'GET collection':
      return list(store, request.query);
    case 'POST collection':
      return success(detail(store.create(request.body)));
    case 'GET widget':
      return success(detail(store.get(sitekey)));
    case 'PUT widget':
      return success(detail(store.update(sitekey, request.body)));
    case 'DELETE widget':
      return success(detail(store.delete(sitekey)));
    default:
      return success(detail(store.rotateSecret(sitekey, request.body)));
  }
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // a malformed escape is simply a sitekey that does not exist
  }
}

/** `Authorization: Bearer <token>`, or the legacy X-Auth-Email + X-Auth-Key pair. */
function authenticate(credentials: Credentials, headers: ApiRequest['headers']): void {
  const { authorization, 'x-auth-email': email, 'x-auth-key': key } = headers;
  if (typeof authorization === 'string') {
    if (authorization === `Bearer ${credentials.apiToken}`) return;
    throw new ApiFailure(403, CODES.authentication, MESSAGES.authentication);
  }
  if (typeof email === 'string' && typeof key === 'string') {
    if (email === credentials.apiEmail && key === credentials.apiKey) return;
    throw new ApiFailure(403, CODES.authentication, MESSAGES.authentication);
  }
  throw new ApiFailure(400, CODES.missingAuth, MESSAGES.missingAuth);
}

function integer(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = query.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isInteger(value) || value < min || value > max)
    throw new ApiFailure(400, CODES.badQuery, `${name} must be an integer from ${min} to ${max}`);
  return value;
}

function oneOf(query: URLSearchParams, name: string, allowed: string[], fallback: string): string {
  const value = query.get(name) ?? fallback;
  if (!allowed.includes(value))
    throw new ApiFailure(400, CODES.badQuery, `${name} must be one of ${allowed.join(', ')}`);
  return value;
}

/**
 * `filter=field:value`: `name:` a case-insensitive substring match, as the API reference documents
 * it; `sitekey:` an exact match, as the `cloudflare` SDK 7.3.0 documents it (the reference page says
 * substring for both; spec/README.md). An empty value matches everything.
 */
function filterFor(raw: string | null): (widget: WidgetRecord) => boolean {
  if (!raw) return () => true;
  const separator = raw.indexOf(':');
  const field = FILTER_FIELDS.find((name) => name === raw.slice(0, separator));
  if (separator === -1 || !field) {
    throw new ApiFailure(
      400,
      CODES.badQuery,
      `Invalid filter "${raw}": expected field:value where field is ${FILTER_FIELDS.join(' or ')}`,
    );
  }
  const value = raw.slice(separator + 1);
  if (value === '') return () => true;
  if (field === 'sitekey') return (widget) => widget.sitekey === value;
  return (widget) => widget.name.toLowerCase().includes(value.toLowerCase());
}

function list(store: WidgetStore, query: URLSearchParams): ApiResponse {
  const page = integer(query, 'page', 1, 1, Number.MAX_SAFE_INTEGER);
  const perPage = integer(query, 'per_page', 25, 5, 1000);
  const order = oneOf(query, 'order', ORDER_FIELDS, 'id');
  const direction = oneOf(query, 'direction', ['asc', 'desc'], 'asc');
  let widgets = store.all().filter(filterFor(query.get('filter'))); // insertion order = id order
  if (order !== 'id') {
    const key = order as 'sitekey' | 'name' | 'created_on' | 'modified_on';
    // Times compare as instants, so a seeded '2024-01-01T00:00:00Z' sorts right among microsecond ones.
    const value = (widget: WidgetRecord) => (key.endsWith('_on') ? (micros(widget[key]) ?? 0n) : widget[key]);
    widgets.sort((a, b) => (value(a) < value(b) ? -1 : value(a) > value(b) ? 1 : 0));
  }
  if (direction === 'desc') widgets = widgets.reverse();
  const items = widgets.slice((page - 1) * perPage, page * perPage);
  return success(items.map(summary), { page, per_page: perPage, count: items.length, total_count: widgets.length });
}

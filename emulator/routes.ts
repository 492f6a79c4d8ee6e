// The endpoints of https://developers.cloudflare.com/api/resources/turnstile/subresources/widgets/
// as spec/turnstile-widgets.openapi.json describes them, plus the newer list/create `filter`.
import { ApiFailure, CODES, type WidgetRecord, type WidgetStore } from './store.ts';

export interface Credentials {
  accountId: string;
  apiToken: string;
  apiEmail: string;
  apiKey: string;
}

export interface ApiRequest {
  method: string;
  /** Path below /client/v4, without the query. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface ApiResponse {
  status: number;
  body: unknown;
}

const ROUTE = /^\/accounts\/([^/]+)\/challenges\/widgets(?:\/([^/]+)(\/rotate_secret)?)?\/?$/;
const ORDER_FIELDS = ['id', 'sitekey', 'name', 'created_on', 'modified_on'];

export function success(result: unknown, resultInfo?: object): ApiResponse {
  return {
    status: 200,
    body: { success: true, errors: [], messages: [], result, ...(resultInfo ? { result_info: resultInfo } : {}) },
  };
}

export function failure(status: number, code: number, message: string): ApiResponse {
  return { status, body: { success: false, errors: [{ code, message }], messages: [], result: null } };
}

/** The detail shape (get, create, update, rotate, delete); the list shape has no secret. */
function detail(widget: WidgetRecord): object {
  const { previous_secret: _previous, ...shown } = widget;
  return { ...shown, domains: [...shown.domains] };
}
function summary(widget: WidgetRecord): object {
  const { secret: _secret, previous_secret: _previous, ...shown } = widget;
  return { ...shown, domains: [...shown.domains] };
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
  authenticate(credentials, request.headers);
  const match = ROUTE.exec(request.path);
  if (!match) throw new ApiFailure(404, CODES.noRoute, 'No route for that URI');
  const [, accountId = '', sitekey, rotate] = match;
  if (!/^[0-9a-f]{32}$/.test(accountId)) {
    throw new ApiFailure(
      400,
      CODES.badRoute,
      `Could not route to /accounts/${accountId}/challenges/widgets, perhaps your object identifier is invalid?`,
    );
  }
  if (accountId !== credentials.accountId)
    throw new ApiFailure(403, CODES.unauthorizedAccount, 'Unauthorized to access requested resource');
  const { method } = request;
  if (request.body === INVALID_JSON) throw new ApiFailure(400, CODES.invalidJson, 'Invalid JSON in request body');

  if (sitekey === undefined) {
    if (method === 'GET') return list(store, request.query);
    if (method === 'POST') return success(detail(store.create(request.body)));
  } else if (rotate) {
    if (method === 'POST') return success(detail(store.rotateSecret(decodeURIComponent(sitekey), request.body)));
  } else {
    const key = decodeURIComponent(sitekey);
    if (method === 'GET') return success(detail(store.get(key)));
    if (method === 'PUT') return success(detail(store.update(key, request.body)));
    if (method === 'DELETE') return success(detail(store.delete(key)));
  }
  throw new ApiFailure(405, CODES.noRoute, `Method ${method} not allowed for that URI`);
}

/** Marks a body that did not parse as JSON (the route answers 400 after auth and routing). */
export const INVALID_JSON = Symbol('invalid JSON');

function authenticate(credentials: Credentials, headers: ApiRequest['headers']): void {
  const authorization = headers.authorization;
  const email = headers['x-auth-email'];
  const key = headers['x-auth-key'];
  if (typeof authorization === 'string') {
    if (authorization === `Bearer ${credentials.apiToken}`) return;
    throw new ApiFailure(403, CODES.authentication, 'Authentication error');
  }
  if (typeof email === 'string' && typeof key === 'string') {
    if (email === credentials.apiEmail && key === credentials.apiKey) return;
    throw new ApiFailure(403, CODES.authentication, 'Authentication error');
  }
  throw new ApiFailure(400, CODES.missingAuth, 'Missing X-Auth-Key, X-Auth-Email or Authorization headers');
}

function integer(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = query.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ApiFailure(400, CODES.badQuery, `${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

function list(store: WidgetStore, query: URLSearchParams): ApiResponse {
  const page = integer(query, 'page', 1, 1, Number.MAX_SAFE_INTEGER);
  const perPage = integer(query, 'per_page', 25, 5, 1000);
  const order = query.get('order') ?? 'id';
  if (!ORDER_FIELDS.includes(order))
    throw new ApiFailure(400, CODES.badQuery, `order must be one of ${ORDER_FIELDS.join(', ')}`);
  const direction = query.get('direction') ?? 'asc';
  if (direction !== 'asc' && direction !== 'desc')
    throw new ApiFailure(400, CODES.badQuery, 'direction must be asc or desc');

  let widgets = store.all(); // insertion order = id order
  const filter = query.get('filter');
  if (filter) {
    const separator = filter.indexOf(':');
    const field = separator === -1 ? '' : filter.slice(0, separator);
    if (field !== 'name' && field !== 'sitekey') {
      throw new ApiFailure(
        400,
        CODES.badQuery,
        `Invalid filter "${filter}": expected field:value with field name or sitekey`,
      );
    }
    // Cloudflare: case-insensitive substring match; an empty value returns everything.
    const needle = filter.slice(separator + 1).toLowerCase();
    widgets = widgets.filter((widget) => widget[field].toLowerCase().includes(needle));
  }
  if (order !== 'id') {
    const key = order as 'sitekey' | 'name' | 'created_on' | 'modified_on';
    widgets = [...widgets].sort((a, b) => (a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : 0));
  }
  if (direction === 'desc') widgets = [...widgets].reverse();
  const items = widgets.slice((page - 1) * perPage, page * perPage);
  return success(items.map(summary), { page, per_page: perPage, count: items.length, total_count: widgets.length });
}

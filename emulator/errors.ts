// Cloudflare's response envelopes and the error codes the emulator answers with. The codes are
// exported so the emulator's tests and the action's tests can name them instead of repeating numbers.

export const CODES = {
  /** 400: no Authorization header and no X-Auth-Email + X-Auth-Key pair. */
  missingAuth: 9106,
  /** 403: a token (or email + key) that is not valid. */
  authentication: 10000,
  /** 403: a well-formed account id the credentials cannot access. */
  unauthorizedAccount: 9109,
  /** 400: an account id that is not 32 hexadecimal characters ("Could not route to ..."). */
  invalidIdentifier: 7003,
  /** 404: no such route (the spec's own example code). */
  noRoute: 7003,
  /** 405: a method the route does not have, e.g. PATCH on a widget (documented by Cloudflare). */
  methodNotAllowed: 10405,
  /** 400: the body is not JSON, or not a JSON object. */
  invalidJson: 10001,
  /**
   * 400: a body field with a wrong type or value; the message names the field. Also the answer to
   * more hostnames than the account's plan allows (Free 10, Enterprise up to 200), with Cloudflare's
   * text; this status and code are the emulator's own (Cloudflare documents neither), so nothing
   * should key on them.
   */
  invalidField: 10002,
  /** 400: a query parameter out of range (page, per_page, order, direction, filter). */
  badQuery: 10003,
  /** 404: no widget with that sitekey in the account. */
  notFound: 10404,
  /** 400: the account already has as many widgets as its plan allows (the emulator's own code:
   *  Cloudflare documents the limit, 20 on Free, not the code or text of the refusal). */
  widgetLimit: 10040,
  /** 413: a request body over the emulator's limit (1 MiB by default), refused unread before
   *  authentication (the emulator's own code: Cloudflare documents no answer to such a body). */
  bodyTooLarge: 10413,
  /** 400: rotate_secret while the secret replaced by the previous rotation is still valid (the
   *  emulator's own code: what Cloudflare answers to a second rotation is not documented). */
  rotationInGracePeriod: 10041,
} as const;

export const MESSAGES = {
  missingAuth: 'Missing X-Auth-Key, X-Auth-Email or Authorization headers',
  authentication: 'Authentication error',
  unauthorizedAccount: 'Unauthorized to access requested resource',
  noRoute: 'No route for the URI',
  methodNotAllowed: 'Method not allowed',
  invalidJson: 'Invalid JSON',
  notFound: 'Not Found: widget does not exist',
} as const;

/** A request the API refuses, with the HTTP status and Cloudflare error code to answer with. */
export class ApiFailure extends Error {
  readonly status: number;
  readonly code: number;
  constructor(status: number, code: number, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export interface ApiResponse {
  status: number;
  body: unknown;
}

export function success(result: unknown, resultInfo?: object): ApiResponse {
  return {
    status: 200,
    body: { success: true, errors: [], messages: [], result, ...(resultInfo ? { result_info: resultInfo } : {}) },
  };
}

export function failure(status: number, code: number, message: string): ApiResponse {
  return { status, body: { success: false, errors: [{ code, message }], messages: [], result: null } };
}

// Faults the emulator can inject, to prove the action survives what real networks and APIs do.
import { STATUS_CODES } from 'node:http';

export type Fault = {
  /** Only requests with this method (any when unset). */
  method?: string;
  /** Only requests whose path below /client/v4 matches (any when unset). */
  path?: RegExp;
  /** How many matching requests this fault applies to (default 1). */
  times?: number;
} &
  /** Answer with this status instead; a string body is sent as HTML, anything else as JSON. */
  (
    | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string | object }
    /** Destroy the socket without answering (ECONNRESET on the client). */
    | { kind: 'reset' }
    /** Accept and never answer (until the emulator closes). */
    | { kind: 'hang' }
    /** Carry the request out (e.g. create the widget), then drop the connection instead of replying. */
    | { kind: 'lost-response' }
    /** Answer normally after an extra delay. */
    | { kind: 'delay'; ms: number }
    /**
     * Carry the request out (e.g. create the widget), then answer with this status and body instead
     * of the real answer: a write that happened behind an unreadable reply.
     */
    | { kind: 'replaced-response'; status: number; headers?: Record<string, string>; body?: string | object }
  );

export type StatusFault = Extract<Fault, { kind: 'status' | 'replaced-response' }>;

export class FaultQueue {
  private faults: { fault: Fault; left: number }[] = [];

  add(fault: Fault): void {
    this.faults.push({ fault, left: fault.times ?? 1 });
  }

  clear(): void {
    this.faults = [];
  }

  /** The first queued fault that matches the request, consumed once. */
  take(method: string, path: string): Fault | undefined {
    const entry = this.faults.find(({ fault }) => {
      if (fault.method && fault.method.toUpperCase() !== method) return false;
      if (!fault.path) return true;
      fault.path.lastIndex = 0; // a /g or /y pattern would otherwise match only every other time
      return fault.path.test(path);
    });
    if (!entry) return undefined;
    entry.left--;
    if (entry.left <= 0) this.faults.splice(this.faults.indexOf(entry), 1);
    return entry.fault;
  }
}

/** What a status fault sends: its body, or by default a Cloudflare failure envelope. */
export function faultResponse(fault: StatusFault): { type: string; text: string; json?: unknown } {
  if (typeof fault.body === 'string') return { type: 'text/html', text: fault.body };
  const json = fault.body ?? {
    success: false,
    // 1000 is the lowest code the spec allows; this stands for "some error" without meaning more.
    errors: [{ code: 1000, message: STATUS_CODES[fault.status] ?? `HTTP ${fault.status}` }],
    messages: [],
    result: null,
  };
  return { type: 'application/json', text: JSON.stringify(json), json };
}

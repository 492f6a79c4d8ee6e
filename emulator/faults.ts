// Faults the emulator can inject, to prove the action survives what real networks and APIs do.

export type Fault = {
  /** Only requests with this method (any when unset). */
  method?: string;
  /** Only requests whose path below /client/v4 matches (any when unset). */
  path?: RegExp;
  /** How many matching requests this fault applies to (default 1). */
  times?: number;
} & (
  | { kind: 'status'; status: number; headers?: Record<string, string>; body?: string | object }
  /** Destroy the socket without answering (ECONNRESET on the client). */
  | { kind: 'reset' }
  /** Accept and never answer (until the emulator closes). */
  | { kind: 'hang' }
  /** Carry the request out (e.g. create the widget), then drop the connection instead of replying. */
  | { kind: 'lost-response' }
  /** Answer normally after an extra delay. */
  | { kind: 'delay'; ms: number }
);

export class FaultQueue {
  private faults: { fault: Fault; left: number }[] = [];

  add(fault: Fault): void {
    this.faults.push({ fault, left: fault.times ?? 1 });
  }

  clear(): void {
    this.faults = [];
  }

  /** The first queued fault that matches, consumed once. */
  take(method: string, path: string): Fault | undefined {
    const entry = this.faults.find(
      ({ fault }) => (!fault.method || fault.method === method) && (!fault.path || fault.path.test(path)),
    );
    if (!entry) return undefined;
    entry.left--;
    if (entry.left <= 0) this.faults.splice(this.faults.indexOf(entry), 1);
    return entry.fault;
  }
}

/** Time, as the action uses it; tests pass a virtual clock so that no test waits for real. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
  timeout(ms: number): AbortSignal;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  timeout: (ms) => AbortSignal.timeout(ms),
};

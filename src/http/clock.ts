/** Time, as the action uses it; tests pass a virtual clock so that no test waits for real. */
export type Clock = typeof systemClock;

export const systemClock = {
  now: () => Date.now(),
  sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  timeout: (ms: number) => AbortSignal.timeout(ms),
};

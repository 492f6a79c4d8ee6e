import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../src/cloudflare/rate-limit.ts';

describe('RateLimiter', () => {
  it('lets `limit` requests through per window, then waits for the oldest to leave it', async () => {
    let now = 0;
    const waits: number[] = [];
    const limiter = new RateLimiter({
      limit: 3,
      windowMs: 1000,
      now: () => now,
      sleep: async (ms) => {
        waits.push(ms);
        now += ms;
      },
    });
    for (let i = 0; i < 3; i++) {
      await limiter.acquire();
      now += 100;
    }
    expect(waits).toEqual([]);
    await limiter.acquire(); // at t=300, the first request (t=0) leaves the window at t=1000
    expect(waits).toEqual([700]);
    await limiter.acquire(); // the second (t=100) leaves at t=1100
    expect(waits).toEqual([700, 100]);
  });
});

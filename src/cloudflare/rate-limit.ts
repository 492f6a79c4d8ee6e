/**
 * Keeps this run inside Cloudflare's global API rate limit: 1200 requests per 5 minutes per user
 * (https://developers.cloudflare.com/fundamentals/api/reference/limits/). It exists for prune: the
 * README promises that prune pauses rather than exceed that limit, and a prune of more than ~1200
 * widgets (the benchmark prunes 2000) would otherwise spend its retries on 429s. A sliding window
 * over the requests this run sent; a 429 from requests made elsewhere is still handled by the retries.
 */
export class RateLimiter {
  private readonly sent: number[] = [];
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly onWait: (ms: number) => void;

  constructor(options: {
    limit: number;
    windowMs: number;
    now: () => number;
    sleep: (ms: number) => Promise<void>;
    onWait?: (ms: number) => void;
  }) {
    this.limit = options.limit;
    this.windowMs = options.windowMs;
    this.now = options.now;
    this.sleep = options.sleep;
    this.onWait = options.onWait ?? (() => {});
  }

  /** Resolves when one more request fits in the window, and counts it. */
  async acquire(): Promise<void> {
    for (;;) {
      const now = this.now();
      while (this.sent.length > 0 && this.sent[0]! <= now - this.windowMs) this.sent.shift();
      if (this.sent.length < this.limit) {
        this.sent.push(now);
        return;
      }
      const wait = this.sent[0]! + this.windowMs - now;
      this.onWait(wait);
      await this.sleep(wait);
    }
  }
}

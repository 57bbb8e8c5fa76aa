import { rateLimited } from '../errors.ts';

interface Window {
  count: number;
  resetAt: number;
}

/**
 * Fixed-window counters kept in this process. Each node limits on its own, so with N nodes the
 * effective limit is at most N times the configured one; acceptable for abuse control.
 */
export class RateLimiter {
  private readonly windows = new Map<string, Window>();
  private readonly now: () => number;
  private sweepAt = 0;

  constructor(now: () => number = Date.now) {
    this.now = now;
  }

  /** Counts one hit; throws `rate_limited` (429 + Retry-After) once `limit` is passed within the window. */
  hit(key: string, limit: number, windowMs: number): void {
    const now = this.now();
    this.sweep(now);
    let w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      w = { count: 0, resetAt: now + windowMs };
      this.windows.set(key, w);
    }
    w.count += 1;
    if (w.count > limit) throw rateLimited((w.resetAt - now) / 1000);
  }

  reset(key: string): void {
    this.windows.delete(key);
  }

  private sweep(now: number): void {
    if (now < this.sweepAt) return;
    this.sweepAt = now + 60_000;
    for (const [key, w] of this.windows) if (w.resetAt <= now) this.windows.delete(key);
  }
}

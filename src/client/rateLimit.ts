/**
 * Client-side pacing from Pipedrive's x-ratelimit-* headers, shared by every client that uses the
 * same credentials in this process, so a "fetch all" loop slows down before the burst limit
 * instead of collecting 429s.
 */
export interface RateLimitSnapshot {
  /** Burst limit per window (x-ratelimit-limit). */
  limit?: number;
  /** Requests left in the current window (x-ratelimit-remaining), as last reported. */
  remaining?: number;
  /** When the current window resets (epoch ms), from x-ratelimit-reset. */
  resetAt?: number;
  /** Daily token budget left for the company (x-daily-ratelimit-token-remaining). */
  dailyTokensRemaining?: number;
  dailyTokensLimit?: number;
}

type HeaderBag = Record<string, unknown>;

const num = (value: unknown): number | undefined => {
  if (value === undefined || value === null || value === "") return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
};

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

export class RateLimitGate {
  private state: RateLimitSnapshot = {};

  /** Keep this many requests in hand: below it, wait for the window to reset. */
  private lowWater(): number {
    return Math.max(1, Math.ceil((this.state.limit ?? 20) * 0.05));
  }

  snapshot(): RateLimitSnapshot {
    return { ...this.state };
  }

  /** Called before each request (including retries). Claims one request of the window. */
  async acquire(now: () => number = Date.now): Promise<void> {
    for (;;) {
      const { remaining, resetAt } = this.state;
      if (remaining === undefined || resetAt === undefined) return;
      const t = now();
      if (t >= resetAt) {
        this.state.remaining = undefined;
        this.state.resetAt = undefined;
        return;
      }
      if (remaining > this.lowWater()) {
        this.state.remaining = remaining - 1;
        return;
      }
      await sleep(resetAt - t + Math.floor(Math.random() * 50));
    }
  }

  /** Called with every response's headers (success or error). */
  update(headers: HeaderBag, now: number = Date.now()): void {
    const limit = num(headers["x-ratelimit-limit"]);
    const remaining = num(headers["x-ratelimit-remaining"]);
    const reset = num(headers["x-ratelimit-reset"]);
    const dailyLeft = num(headers["x-daily-ratelimit-token-remaining"]);
    const dailyLimit = num(headers["x-daily-ratelimit-token-limit"]);
    if (limit !== undefined) this.state.limit = limit;
    if (remaining !== undefined) {
      // Concurrent responses arrive out of order; the lowest count is the safest view of the window.
      const sameWindow = this.state.resetAt !== undefined && now < this.state.resetAt;
      this.state.remaining =
        sameWindow && this.state.remaining !== undefined ? Math.min(this.state.remaining, remaining) : remaining;
    }
    if (reset !== undefined) this.state.resetAt = now + Math.max(reset, 0) * 1000;
    if (dailyLeft !== undefined) this.state.dailyTokensRemaining = dailyLeft;
    if (dailyLimit !== undefined) this.state.dailyTokensLimit = dailyLimit;
  }

  /** After a 429, no request goes out before the time the server named (Retry-After first). */
  blockFor(seconds: number, now: number = Date.now()): void {
    this.state.remaining = 0;
    this.state.resetAt = now + seconds * 1000;
  }
}

const gates = new Map<string, RateLimitGate>();

/** One gate per credential fingerprint (never the credential itself). */
export function gateFor(fingerprint: string): RateLimitGate {
  let gate = gates.get(fingerprint);
  if (!gate) {
    gate = new RateLimitGate();
    gates.set(fingerprint, gate);
  }
  return gate;
}

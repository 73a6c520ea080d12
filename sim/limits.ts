/**
 * Rate limits: a burst limit per token (a rolling window, or a fixed one aligned to the clock) and a daily token budget per company,
 * charged with each operation's x-token-cost. Produces Pipedrive's rate-limit headers.
 */
import type { BudgetState, BurstConfig } from "./types";

export interface BurstResult {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window has room again (integer, >= 1 while limited). */
  resetSec: number;
}

export class BurstLimiter {
  config: BurstConfig;
  private readonly windows = new Map<string, number[]>();
  /** Fixed model: per key, the current window's index (now / windowMs) and its count. */
  private readonly fixed = new Map<string, { index: number; count: number }>();

  constructor(config: BurstConfig) {
    this.config = { ...config };
  }

  set(limit: number, windowMs: number, model: BurstConfig["model"] = "rolling"): void {
    this.config = { limit, windowMs, model };
    this.windows.clear();
    this.fixed.clear();
  }

  reset(): void {
    this.windows.clear();
    this.fixed.clear();
  }

  private fixedWindow(key: string, now: number): { entry: { count: number }; resetSec: number } {
    const index = Math.floor(now / this.config.windowMs);
    let entry = this.fixed.get(key);
    if (!entry || entry.index !== index) {
      entry = { index, count: 0 };
      this.fixed.set(key, entry);
    }
    const ms = (index + 1) * this.config.windowMs - now;
    return { entry, resetSec: Math.max(1, Math.ceil(ms / 1000)) };
  }

  private prune(key: string, now: number): number[] {
    let w = this.windows.get(key);
    if (!w) {
      w = [];
      this.windows.set(key, w);
    }
    const cutoff = now - this.config.windowMs;
    let drop = 0;
    while (drop < w.length && w[drop] <= cutoff) drop++;
    if (drop) w.splice(0, drop);
    return w;
  }

  private resetSec(w: number[], now: number): number {
    const ms = w.length ? w[0] + this.config.windowMs - now : this.config.windowMs;
    return Math.max(1, Math.ceil(ms / 1000));
  }

  /** Counts a request against the token's window (rejected requests are not counted). */
  hit(key: string, now: number): BurstResult {
    const { limit } = this.config;
    if (this.config.model === "fixed") {
      const window = this.fixedWindow(key, now);
      if (window.entry.count >= limit) return { allowed: false, limit, remaining: 0, resetSec: window.resetSec };
      window.entry.count += 1;
      return { allowed: true, limit, remaining: limit - window.entry.count, resetSec: window.resetSec };
    }
    const w = this.prune(key, now);
    if (w.length >= limit) return { allowed: false, limit, remaining: 0, resetSec: this.resetSec(w, now) };
    w.push(now);
    return { allowed: true, limit, remaining: limit - w.length, resetSec: this.resetSec(w, now) };
  }

  /** Current state without counting (for answers to unauthenticated requests). */
  peek(key: string, now: number): BurstResult {
    const { limit } = this.config;
    if (this.config.model === "fixed") {
      const window = this.fixedWindow(key, now);
      return {
        allowed: window.entry.count < limit,
        limit,
        remaining: Math.max(0, limit - window.entry.count),
        resetSec: window.resetSec,
      };
    }
    const w = this.prune(key, now);
    return {
      allowed: w.length < limit,
      limit,
      remaining: Math.max(0, limit - w.length),
      resetSec: this.resetSec(w, now),
    };
  }
}

export class DailyBudget {
  limit: number;
  used = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  set(limit: number, used?: number): void {
    this.limit = limit;
    if (used !== undefined) this.used = used;
  }

  get remaining(): number {
    return Math.max(0, this.limit - this.used);
  }

  /** Charges `cost` unless the budget is already spent. */
  charge(cost: number): boolean {
    if (this.used >= this.limit) return false;
    this.used += cost;
    return true;
  }

  state(): BudgetState {
    return { limit: this.limit, used: this.used, remaining: this.remaining };
  }

  /** Seconds until midnight UTC (the simulated server timezone), when the budget resets. */
  static secondsUntilReset(now: number): number {
    const d = new Date(now);
    const midnight = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
    return Math.max(1, Math.ceil((midnight - now) / 1000));
  }
}

export function rateLimitHeaders(burst: BurstResult, budget: DailyBudget): Record<string, string> {
  return {
    "x-ratelimit-limit": String(burst.limit),
    "x-ratelimit-remaining": String(burst.remaining),
    "x-ratelimit-reset": String(burst.resetSec),
    "x-daily-ratelimit-token-limit": String(budget.limit),
    "x-daily-ratelimit-token-remaining": String(budget.remaining),
  };
}

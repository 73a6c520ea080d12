/**
 * Rate limits: a rolling-window burst limit per token and a daily token budget per company,
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

  constructor(config: BurstConfig) {
    this.config = { ...config };
  }

  set(limit: number, windowMs: number): void {
    this.config = { limit, windowMs };
    this.windows.clear();
  }

  reset(): void {
    this.windows.clear();
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
    const w = this.prune(key, now);
    const { limit } = this.config;
    if (w.length >= limit) return { allowed: false, limit, remaining: 0, resetSec: this.resetSec(w, now) };
    w.push(now);
    return { allowed: true, limit, remaining: limit - w.length, resetSec: this.resetSec(w, now) };
  }

  /** Current state without counting (for answers to unauthenticated requests). */
  peek(key: string, now: number): BurstResult {
    const w = this.prune(key, now);
    const { limit } = this.config;
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

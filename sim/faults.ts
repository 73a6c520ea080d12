/**
 * Fault injection: random faults (5xx, connection resets, latency; seeded for determinism),
 * one-shot injections (`injectNext`) and 429 storms.
 */
import type { FaultConfig, InjectMatch, InjectSpec, StormSpec } from "./types";
import { seededRandom } from "./util";

interface PendingInjection extends InjectSpec {
  remaining: number;
}

export interface RandomFault {
  latencyMs: number;
  kind: "none" | "reset" | "5xx";
  status?: number;
}

export class Faults {
  private config: FaultConfig = {};
  private random: () => number = Math.random;
  private injections: PendingInjection[] = [];
  private storm: { remaining: number; retryAfterSec: number | null; resetSec: number } | null = null;

  set(config: FaultConfig): void {
    this.config = { ...config };
    const r = config.random;
    this.random = typeof r === "function" ? r : typeof r === "number" ? seededRandom(r) : Math.random;
  }

  clear(): void {
    this.set({});
    this.injections = [];
    this.storm = null;
  }

  inject(spec: InjectSpec): void {
    this.injections.push({ ...spec, remaining: spec.count ?? 1 });
  }

  startStorm(spec: StormSpec): void {
    this.storm = {
      remaining: spec.count,
      retryAfterSec: spec.retryAfterSec === undefined ? 2 : spec.retryAfterSec,
      resetSec: spec.resetSec ?? 2,
    };
  }

  /** Consumes one storm slot; returns its headers, or null when no storm is active. */
  takeStorm(): { retryAfterSec: number | null; resetSec: number } | null {
    if (!this.storm || this.storm.remaining <= 0) return null;
    this.storm.remaining--;
    const { retryAfterSec, resetSec } = this.storm;
    if (this.storm.remaining <= 0) this.storm = null;
    return { retryAfterSec, resetSec };
  }

  /**
   * Consumes the first injection matching this request. API routes match any injection without
   * an explicit path; other routes (OAuth) only injections whose path matches them explicitly.
   * Phase "before" takes plain injections (checked before routing); phase "after" takes
   * `afterCommit` ones, once the operation has been performed.
   */
  takeInjection(
    method: string,
    urlPath: string,
    specPath: string | null,
    isApi: boolean,
    phase: "before" | "after",
  ): InjectSpec | null {
    for (let i = 0; i < this.injections.length; i++) {
      const inj = this.injections[i];
      if (!!inj.afterCommit !== (phase === "after")) continue;
      if (!matches(inj.match, method, urlPath, specPath, isApi)) continue;
      inj.remaining--;
      if (inj.remaining <= 0) this.injections.splice(i, 1);
      return inj;
    }
    return null;
  }

  get pendingInjections(): number {
    return this.injections.reduce((n, i) => n + i.remaining, 0);
  }

  /** Draws the random faults for one API request. */
  roll(): RandomFault {
    const c = this.config;
    let latencyMs = c.latencyMs ?? 0;
    if (c.latencySpikeRate && this.random() < c.latencySpikeRate) latencyMs += c.latencySpikeMs ?? 1000;
    if (c.resetRate && this.random() < c.resetRate) return { latencyMs, kind: "reset" };
    if (c.error5xxRate && this.random() < c.error5xxRate) {
      const statuses = [500, 502, 503];
      return { latencyMs, kind: "5xx", status: statuses[Math.floor(this.random() * statuses.length)] };
    }
    return { latencyMs, kind: "none" };
  }
}

function matches(m: InjectMatch | undefined, method: string, urlPath: string, specPath: string | null, isApi: boolean) {
  if (m?.method && m.method.toUpperCase() !== method.toUpperCase()) return false;
  if (m?.path === undefined) return isApi;
  if (m.path instanceof RegExp) {
    m.path.lastIndex = 0;
    return m.path.test(urlPath);
  }
  return m.path === urlPath || (specPath !== null && m.path === specPath);
}

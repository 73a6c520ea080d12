/**
 * Client-side pacing for Pipedrive's burst limit, shared by every client that uses the same
 * credentials in this process.
 *
 * Pipedrive's `x-ratelimit-reset` is whole seconds, which is too coarse to pace a 2 s window by
 * (waiting for the rounded-up reset loses up to a second a window). So the gate keeps its own log
 * of the requests in the window instead: a request holds its slot from when it is sent until one
 * window after its response arrived. The server counted the request somewhere between those two
 * moments, so the slot is free on the server by then whether its window rolls or is fixed, and
 * never later than one window plus the request's own latency. The limit comes from
 * `x-ratelimit-limit`; until the first response has told it, one request goes out at a time.
 * Requests the server counted that this process did not send (another execution on the same
 * token) show up as a lower `x-ratelimit-remaining` and take slots too. After a 429 nothing goes
 * out before the time the server named.
 */
import { POLICY } from "./policy";

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

/** A header as a finite number within [min, max], else undefined (absent, NaN, text). */
export const boundedHeader = (value: unknown, min: number, max: number): number | undefined => {
  if (value === undefined || value === null || value === "") return undefined;
  const n = Number(Array.isArray(value) ? value[0] : value);
  return Number.isFinite(n) ? Math.min(Math.max(n, min), max) : undefined;
};

/** One request's hold on a slot of the window. */
export interface Slot {
  sentAt: number;
  /** When the response arrived; unset while the request is in flight. */
  recvAt?: number;
  /** When the slot frees (epoch ms); Infinity while the request is in flight. */
  freeAt: number;
}

/** Freed slots are kept this long, to tell which of them the server still counted for a slow response. */
const KEEP_FREED_MS = 10_000;

/**
 * Held slots in the order they will free (freeAt never decreases along the queue: slots are
 * appended at their answer with one window, the window only grows, and early releases free a
 * prefix of the live part). Each entry may stand for several requests (`count`); running totals
 * make every count a binary search, and trimming from the front keeps it bounded.
 */
class SlotQueue {
  private freeAt: number[] = [];
  private recvAt: number[] = [];
  /** total[i]: requests in entries before i (so entries [a, b) hold total[b] - total[a]). */
  private total: number[] = [0];
  private head = 0;

  get size(): number {
    return this.freeAt.length - this.head;
  }

  push(freeAt: number, recvAt: number, count = 1): void {
    this.freeAt.push(freeAt);
    this.recvAt.push(recvAt);
    this.total.push(this.total[this.total.length - 1] + count);
  }

  /** First index whose freeAt is above `at`. */
  private firstFreeAfter(at: number): number {
    let lo = this.head;
    let hi = this.freeAt.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.freeAt[mid] > at) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Requests whose slot is still held at `at`. */
  heldAt(at: number): number {
    return this.total[this.total.length - 1] - this.total[this.firstFreeAfter(at)];
  }

  /** The earliest freeAt above `at`, or Infinity. */
  nextFreeAfter(at: number): number {
    const i = this.firstFreeAfter(at);
    return i < this.freeAt.length ? this.freeAt[i] : Number.POSITIVE_INFINITY;
  }

  /**
   * Frees, oldest first, up to `gone` of the entries still held at `now` that were answered by
   * `answeredBy`; returns how many requests it freed. Each entry is freed once: amortized O(1).
   */
  release(gone: number, answeredBy: number, now: number): void {
    for (let i = this.firstFreeAfter(now), left = gone; left > 0 && i < this.freeAt.length; i++) {
      if (this.recvAt[i] > answeredBy) break;
      this.freeAt[i] = now;
      left -= this.total[i + 1] - this.total[i];
    }
  }

  /** Requests held at `now` that were answered by `answeredBy`. */
  answeredHeld(answeredBy: number, now: number): number {
    const from = this.firstFreeAfter(now);
    let lo = from;
    let hi = this.freeAt.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.recvAt[mid] > answeredBy) hi = mid;
      else lo = mid + 1;
    }
    return this.total[lo] - this.total[from];
  }

  /** Drops entries freed before `before`; compacts the arrays now and then. */
  trim(before: number): void {
    while (this.head < this.freeAt.length && this.freeAt[this.head] < before) this.head++;
    if (this.head > 1024 && this.head * 2 > this.freeAt.length) {
      const base = this.total[this.head];
      this.freeAt = this.freeAt.slice(this.head);
      this.recvAt = this.recvAt.slice(this.head);
      this.total = this.total.slice(this.head).map((t) => t - base);
      this.head = 0;
    }
  }
}

export class RateLimitGate {
  private state: RateLimitSnapshot = {};
  /** Answered requests of this process, held one window after their answer. */
  private readonly answered = new SlotQueue();
  /** Requests the server counted that this process did not send (another execution on the token). */
  private readonly foreign = new SlotQueue();
  private inFlight = 0;
  private windowMs: number = POLICY.windowMs;
  private blockedUntil = 0;
  /** Set while the first request is out and the limit is still unknown. */
  private probe?: Promise<void>;
  private probeDone?: () => void;
  private readonly wakers = new Set<() => void>();
  /** The request sent last, and the one whose answer came last with the moment its reset named. */
  private lastSent?: Slot;
  private lastAnswer?: { slot: Slot; resetAt: number };
  /** When an execution last used the gate, for dropping idle gates. */
  lastUsed = Date.now();

  snapshot(): RateLimitSnapshot {
    return { ...this.state };
  }

  /** True while a request is out or waiting: the gate must not be dropped. */
  get busy(): boolean {
    return this.inFlight > 0 || this.wakers.size > 0 || this.probe !== undefined;
  }

  /** Slots held at `at` (in flight, or within a window of their response). */
  private held(at: number): number {
    return this.inFlight + this.answered.heldAt(at) + this.foreign.heldAt(at);
  }

  /**
   * Called before each request (including retries): waits until the window has room, then holds
   * a slot for the request. Pass the slot to `update` with the response (or without one).
   */
  async acquire(now: () => number = Date.now): Promise<Slot> {
    for (;;) {
      const t = now();
      this.lastUsed = t;
      if (t < this.blockedUntil) {
        await this.wait(this.blockedUntil - t);
        continue;
      }
      const { limit } = this.state;
      if (limit === undefined) {
        if (this.probe) {
          await this.probe;
          continue;
        }
        this.probe = new Promise<void>((resolve) => {
          this.probeDone = resolve;
        });
        return this.hold(t);
      }
      if (this.held(t) < limit) return this.hold(t);
      let next = Math.min(this.answered.nextFreeAfter(t), this.foreign.nextFreeAfter(t));
      // The reset of the last answer, when nothing was sent since and nothing is in flight: by
      // then the server has room for one request on a rolling window (its oldest request has
      // left) and a new window on a fixed one. That answer's remaining count then frees the rest.
      const reset =
        this.inFlight === 0 && this.lastAnswer?.slot === this.lastSent ? this.lastAnswer?.resetAt : undefined;
      if (reset !== undefined && reset < next) {
        if (t >= reset) return this.hold(t);
        next = reset;
      }
      await this.wait(Number.isFinite(next) ? next - t : undefined);
    }
  }

  private hold(now: number): Slot {
    const slot: Slot = { sentAt: now, freeAt: Number.POSITIVE_INFINITY };
    this.inFlight += 1;
    this.lastSent = slot;
    return slot;
  }

  /** Sleeps `ms`, or until a slot's request completes when no slot has a known end. */
  private wait(ms?: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const wake = () => {
        if (timer) clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      this.wakers.add(wake);
      if (ms !== undefined) timer = setTimeout(wake, Math.max(0, ms) + 1);
    });
  }

  private wakeAll(): void {
    for (const wake of [...this.wakers]) wake();
  }

  /**
   * Called when a request ends, with its response's headers (success or error; {} without a
   * response); `refused` for a 429, which the server did not count. Every header is bounded
   * (POLICY), so no answer can make the gate loop or hold memory.
   */
  update(headers: HeaderBag, slot?: Slot, now: number = Date.now(), refused = false): void {
    this.lastUsed = now;
    const limit = boundedHeader(headers["x-ratelimit-limit"], 1, POLICY.maxBurstLimit);
    const remaining = boundedHeader(headers["x-ratelimit-remaining"], 0, POLICY.maxBurstLimit);
    const reset = boundedHeader(headers["x-ratelimit-reset"], 0, POLICY.maxWindowMs / 1000);
    const dailyLeft = boundedHeader(headers["x-daily-ratelimit-token-remaining"], 0, Number.MAX_SAFE_INTEGER);
    const dailyLimit = boundedHeader(headers["x-daily-ratelimit-token-limit"], 0, Number.MAX_SAFE_INTEGER);
    if (limit !== undefined) this.state.limit = Math.floor(limit);
    if (remaining !== undefined) this.state.remaining = Math.floor(remaining);
    if (reset !== undefined) {
      this.state.resetAt = now + reset * 1000;
      // A fresh rolling window reports its full length; never below Pipedrive's documented 2 s.
      if (remaining !== undefined && remaining > 0) this.windowMs = Math.max(this.windowMs, reset * 1000);
    }
    if (dailyLeft !== undefined) this.state.dailyTokensRemaining = dailyLeft;
    if (dailyLimit !== undefined) this.state.dailyTokensLimit = dailyLimit;
    const paced = this.state.limit !== undefined && Number.isFinite(this.state.limit);
    if (slot) {
      slot.recvAt = now;
      slot.freeAt = now + this.windowMs;
      this.inFlight = Math.max(0, this.inFlight - 1);
      if (paced && remaining !== undefined) {
        const counted = Math.max(0, (this.state.limit as number) - Math.min(remaining, this.state.limit as number));
        if (!refused) {
          if (reset !== undefined) this.lastAnswer = { slot, resetAt: now + reset * 1000 };
          // The server counts `counted` requests (this one included) where the gate still holds
          // more of those answered before this one was sent: their window has passed on the
          // server. Free that many, oldest first.
          const before = this.answered.answeredHeld(slot.sentAt, now);
          if (before + 1 > counted) this.answered.release(before + 1 - counted, slot.sentAt, now);
        }
        this.answered.push(slot.freeAt, now);
        // Every request the server counted for this one was held when it was sent, or sent since. If
        // the server counts more, another process uses the token: hold slots for its requests too.
        if (slot.sentAt >= now - KEEP_FREED_MS) {
          const foreign = counted - this.held(slot.sentAt);
          if (foreign > 0) this.foreign.push(now + this.windowMs, now, foreign);
        }
      } else if (paced) this.answered.push(slot.freeAt, now);
      this.answered.trim(now - KEEP_FREED_MS);
      this.foreign.trim(now - KEEP_FREED_MS);
    }
    if (this.probeDone) {
      const done = this.probeDone;
      this.probe = undefined;
      this.probeDone = undefined;
      // A response without rate-limit headers leaves nothing to pace by: let requests through.
      // Without any response, the next request probes again.
      if (this.state.limit === undefined && Object.keys(headers).length) this.state.limit = Number.POSITIVE_INFINITY;
      done();
    }
    this.wakeAll();
  }

  /** After a 429, no request goes out before the time the server named (Retry-After first). */
  blockFor(seconds: number, now: number = Date.now()): void {
    const ms = Math.min(Math.max(seconds, 0), POLICY.maxRetryAfterSeconds) * 1000;
    this.blockedUntil = Math.max(this.blockedUntil, now + ms);
    this.state.remaining = 0;
    this.state.resetAt = now + ms;
  }
}

/** Gates by credential fingerprint (never the credential), least recently used first. */
const gates = new Map<string, RateLimitGate>();

/** Drops gates no execution used within the idle time, and the oldest idle ones beyond the cap. */
function evictIdle(now: number): void {
  for (const [key, gate] of gates) {
    const idle = now - gate.lastUsed > POLICY.idleMs;
    if (!idle && gates.size <= POLICY.maxCredentials) break;
    if (gate.busy) continue;
    gates.delete(key);
  }
}

/** One gate per credential fingerprint. */
export function gateFor(fingerprint: string, now: number = Date.now()): RateLimitGate {
  let gate = gates.get(fingerprint);
  if (gate) gates.delete(fingerprint);
  else gate = new RateLimitGate();
  gate.lastUsed = now;
  gates.set(fingerprint, gate);
  evictIdle(now);
  return gate;
}

/** Credentials whose pacing state is kept (for the bench and tests). */
export const gateCount = (): number => gates.size;

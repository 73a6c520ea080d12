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

/** Pipedrive's burst window (documented: per 2 seconds); a longer one is learnt from the headers. */
const DEFAULT_WINDOW_MS = 2000;

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

export class RateLimitGate {
  private state: RateLimitSnapshot = {};
  private slots: Slot[] = [];
  private windowMs = DEFAULT_WINDOW_MS;
  private blockedUntil = 0;
  /** Set while the first request is out and the limit is still unknown. */
  private probe?: Promise<void>;
  private probeDone?: () => void;
  private readonly wakers = new Set<() => void>();
  /** The request sent last, and the one whose answer came last with the moment its reset named. */
  private lastSent?: Slot;
  private lastAnswer?: { slot: Slot; resetAt: number };

  snapshot(): RateLimitSnapshot {
    return { ...this.state };
  }

  /** Slots held at `at` (in flight, or within a window of their response). */
  private held(at: number): number {
    let count = 0;
    for (const slot of this.slots) if (slot.freeAt > at) count++;
    return count;
  }

  /**
   * Called before each request (including retries): waits until the window has room, then holds
   * a slot for the request. Pass the slot to `update` with the response (or without one).
   */
  async acquire(now: () => number = Date.now): Promise<Slot> {
    for (;;) {
      const t = now();
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
      let next = Number.POSITIVE_INFINITY;
      let inFlight = false;
      for (const slot of this.slots) {
        if (slot.freeAt === Number.POSITIVE_INFINITY) inFlight = true;
        else if (slot.freeAt > t && slot.freeAt < next) next = slot.freeAt;
      }
      // The reset of the last answer, when nothing was sent since and nothing is in flight: by
      // then the server has room for one request on a rolling window (its oldest request has
      // left) and a new window on a fixed one. That answer's remaining count then frees the rest.
      const reset = !inFlight && this.lastAnswer?.slot === this.lastSent ? this.lastAnswer?.resetAt : undefined;
      if (reset !== undefined && reset < next) {
        if (t >= reset) return this.hold(t);
        next = reset;
      }
      await this.wait(Number.isFinite(next) ? next - t : undefined);
    }
  }

  private hold(now: number): Slot {
    if (this.slots.length > 256) this.slots = this.slots.filter((slot) => slot.freeAt >= now - KEEP_FREED_MS);
    const slot: Slot = { sentAt: now, freeAt: Number.POSITIVE_INFINITY };
    this.slots.push(slot);
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
   * response); `refused` for a 429, which the server did not count.
   */
  update(headers: HeaderBag, slot?: Slot, now: number = Date.now(), refused = false): void {
    if (slot) {
      slot.recvAt = now;
      slot.freeAt = now + this.windowMs;
    }
    const limit = num(headers["x-ratelimit-limit"]);
    const remaining = num(headers["x-ratelimit-remaining"]);
    const reset = num(headers["x-ratelimit-reset"]);
    const dailyLeft = num(headers["x-daily-ratelimit-token-remaining"]);
    const dailyLimit = num(headers["x-daily-ratelimit-token-limit"]);
    if (limit !== undefined) this.state.limit = limit;
    if (remaining !== undefined) this.state.remaining = remaining;
    if (reset !== undefined) {
      this.state.resetAt = now + Math.max(reset, 0) * 1000;
      // A fresh rolling window reports its full length; never below Pipedrive's documented 2 s.
      if (remaining !== undefined && remaining > 0) this.windowMs = Math.max(this.windowMs, reset * 1000);
    }
    if (dailyLeft !== undefined) this.state.dailyTokensRemaining = dailyLeft;
    if (dailyLimit !== undefined) this.state.dailyTokensLimit = dailyLimit;
    if (slot && !refused && this.state.limit !== undefined && remaining !== undefined) {
      if (reset !== undefined) this.lastAnswer = { slot, resetAt: now + reset * 1000 };
      this.release(slot, this.state.limit - remaining, now);
    }
    if (slot && this.state.limit !== undefined && remaining !== undefined && slot.sentAt >= now - KEEP_FREED_MS) {
      // Every request the server counted for this one was held when it was sent, or sent since. If
      // the server counts more, another process uses the token: hold slots for its requests too.
      const foreign = this.state.limit - remaining - this.held(slot.sentAt);
      for (let i = 0; i < foreign; i++) this.slots.push({ sentAt: now, freeAt: now + this.windowMs });
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

  /**
   * The server counts `counted` requests (this one included) where the gate still holds more of
   * the requests answered before this one was sent: their window has passed on the server (a fixed
   * window reset, or a rolling one moved on sooner than the gate assumed). Free that many, oldest
   * first.
   */
  private release(slot: Slot, counted: number, now: number): void {
    const before = this.slots
      .filter((s) => s !== slot && s.recvAt !== undefined && s.recvAt <= slot.sentAt && s.freeAt > now)
      .sort((a, b) => (a.recvAt as number) - (b.recvAt as number));
    const gone = before.length + 1 - counted;
    for (let i = 0; i < gone && i < before.length; i++) before[i].freeAt = now;
  }

  /** After a 429, no request goes out before the time the server named (Retry-After first). */
  blockFor(seconds: number, now: number = Date.now()): void {
    this.blockedUntil = Math.max(this.blockedUntil, now + seconds * 1000);
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

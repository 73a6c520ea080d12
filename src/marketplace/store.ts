/**
 * Where the install bridge keeps pending Pipedrive codes between requests: the `PendingCodeStore`
 * interface, and `MemoryPendingCodeStore` for one process (redisStore.ts has the shared one).
 *
 * A code that arrived without `state` waits (a few minutes: Pipedrive's codes live 5) until the
 * browser that brought it is signed in to the app. Each entry is found by a random id (the install
 * cookie carries it, signed) and also by a hash of the code, so the same callback URL loaded twice
 * in the same browser (the request carries that entry's cookie) reuses the pending entry, the same
 * URL opened in any other browser is refused ("held"), and one loaded again after the code was used
 * is recognised as a replay.
 * Used and expired entries stay as tombstones (without the code) for one more TTL so the user is
 * told "already used" / "expired" rather than "not found". `take` hands a code out once, however
 * many requests race for it.
 */
import { createHash } from "node:crypto";
import { newPendingId } from "./cookie";

interface Entry {
  codeHash: string;
  /** null once used or expired. */
  code: string | null;
  createdAt: number;
  expiresAt: number;
  used: boolean;
}

type Kept = { id: string; expiresAt: number; evicted: number };
export type AddResult =
  | ({ status: "added" } & Kept)
  | ({ status: "pending" } & Kept)
  | { status: "used" }
  | { status: "expired" }
  /** Pending for another browser: only the request carrying that entry's cookie may reuse it. */
  | { status: "held" }
  /** The store is full of codes still waiting: nothing was evicted, this code is not kept. */
  | { status: "full" };

export type PeekResult = { status: "ok"; expiresAt: number } | { status: "unknown" | "expired" | "used" };
export type TakeResult = { status: "ok"; code: string } | { status: "unknown" | "expired" | "used" };

/** Everything the bridge keeps between requests. Every method may reject when the store is unreachable. */
export interface PendingCodeStore {
  /** How long a code waits for sign-in. */
  readonly ttlMs: number;
  /**
   * Keeps a code. The same code again: its pending entry (status "pending") only when `holder` is
   * that entry's id (from the caller's verified install cookie), "held" for anyone else, or "used" /
   * "expired" while its tombstone lasts.
   */
  add(code: string, holder?: string): Promise<AddResult>;
  /** Whether the id still holds a usable code, without using it. */
  peek(id: string): Promise<PeekResult>;
  /** Hands the code out once, atomically; afterwards the id (and the code) read as "used". */
  take(id: string): Promise<TakeResult>;
}

/** A store could not be reached or answered nonsense; the bridge shows the "try again" page. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreUnavailableError";
  }
}

export interface MemoryPendingCodeStoreOptions {
  /** How long a code waits (default 5 minutes, Pipedrive's code lifetime). */
  ttlMs?: number;
  /**
   * Entries kept at most, tombstones included (default 1000). When full, the oldest tombstones go
   * first; a store full of codes still waiting refuses new ones ("full") rather than evict them.
   */
  maxEntries?: number;
  now?: () => number;
}

const hashCode = (code: string) => createHash("sha256").update(code).digest("hex");

/**
 * One process only: entries in a Map, at most `maxEntries` (tombstones included). When full, the
 * oldest tombstones are evicted; codes still waiting never are, so a flood of callbacks cannot push
 * out the installs in progress: it gets "full" until codes expire. Codes are held in memory in
 * clear, never written anywhere.
 */
export class MemoryPendingCodeStore implements PendingCodeStore {
  readonly ttlMs: number;
  readonly maxEntries: number;
  private readonly now: () => number;
  private readonly entries = new Map<string, Entry>();
  private readonly byHash = new Map<string, string>();

  constructor(options: MemoryPendingCodeStoreOptions = {}) {
    this.ttlMs = options.ttlMs ?? 5 * 60_000;
    this.maxEntries = options.maxEntries ?? 1000;
    if (!(this.ttlMs > 0)) throw new Error("MemoryPendingCodeStore: ttlMs must be positive");
    if (!(this.maxEntries >= 1)) throw new Error("MemoryPendingCodeStore: maxEntries must be at least 1");
    this.now = options.now ?? Date.now;
  }

  /** Entries held, tombstones included. */
  get size(): number {
    return this.entries.size;
  }

  async add(code: string, holder?: string): Promise<AddResult> {
    const now = this.now();
    this.sweep(now);
    const codeHash = hashCode(code);
    const existingId = this.byHash.get(codeHash);
    const existing = existingId ? this.entries.get(existingId) : undefined;
    if (existingId && existing) {
      if (existing.used) return { status: "used" };
      if (existing.code === null || existing.expiresAt <= now) return { status: "expired" };
      if (holder !== existingId) return { status: "held" };
      return { status: "pending", id: existingId, expiresAt: existing.expiresAt, evicted: 0 };
    }
    let evicted = 0;
    if (this.entries.size >= this.maxEntries) {
      for (const [id, entry] of this.entries) {
        if (this.entries.size < this.maxEntries) break;
        if (entry.code !== null) continue;
        this.remove(id);
        evicted++;
      }
      if (this.entries.size >= this.maxEntries) return { status: "full" };
    }
    const id = newPendingId();
    const expiresAt = now + this.ttlMs;
    this.entries.set(id, { codeHash, code, createdAt: now, expiresAt, used: false });
    this.byHash.set(codeHash, id);
    return { status: "added", id, expiresAt, evicted };
  }

  async peek(id: string): Promise<PeekResult> {
    const now = this.now();
    this.sweep(now);
    const entry = this.entries.get(id);
    if (!entry) return { status: "unknown" };
    if (entry.used) return { status: "used" };
    if (entry.code === null || entry.expiresAt <= now) return { status: "expired" };
    return { status: "ok", expiresAt: entry.expiresAt };
  }

  /** Atomic by construction: nothing awaits between the check and the update. */
  async take(id: string): Promise<TakeResult> {
    const now = this.now();
    this.sweep(now);
    const entry = this.entries.get(id);
    if (!entry) return { status: "unknown" };
    if (entry.used) return { status: "used" };
    if (entry.code === null || entry.expiresAt <= now) {
      entry.code = null;
      return { status: "expired" };
    }
    const code = entry.code;
    entry.code = null;
    entry.used = true;
    return { status: "ok", code };
  }

  /**
   * Drops codes whose time is up (keeping a tombstone) and tombstones older than one more TTL.
   * Entries are in creation order and share one TTL, so this stops at the first live one.
   */
  private sweep(now: number): void {
    for (const [id, entry] of this.entries) {
      if (entry.expiresAt + this.ttlMs <= now) {
        this.remove(id);
        continue;
      }
      if (entry.expiresAt > now) break;
      entry.code = null;
    }
  }

  private remove(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    if (this.byHash.get(entry.codeHash) === id) this.byHash.delete(entry.codeHash);
  }
}

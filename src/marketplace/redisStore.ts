/**
 * Pending Pipedrive codes in Redis, shared by every replica or serverless instance of the bridge.
 *
 * Per code, three keys under `keyPrefix` (default `pd-install:`), none readable without the
 * bridge's secret:
 * - `code:<H(code)>`: the entry: `{"s": "pending" | "used" | "expired", "exp", "id": E(id), "ih": H(id)}`,
 *   kept two TTLs (one for the code, one more as the tombstone that says "used" / "expired");
 * - `secret:<H(code)>`: E(code), kept exactly one TTL, so Redis itself drops the code when it expires
 *   and deletes it the moment it is used;
 * - `id:<H(id)>`: H(code), the way from the install cookie's id to its entry, two TTLs.
 *
 * H is HMAC-SHA256 and E is AES-256-GCM (random 96-bit IV, the key name as associated data, so a
 * value cannot be moved to another key), both keyed by HKDF-SHA256 from the bridge's cookie secret.
 * Checking and changing an entry happens in one Lua script, so 50 replicas racing to take one code
 * hand it out once. Expiry is judged on the bridge's clock (`now`) and on Redis' own TTLs: whichever
 * says "expired" first wins.
 *
 * Entries are bounded by their TTLs rather than by a count: give Redis a `maxmemory` and put a rate
 * limit in front of the callback (docs/marketplace.md).
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";
import Redis from "ioredis";
import { cookieKey, newPendingId } from "./cookie";
import {
  type AddResult,
  type PeekResult,
  type PendingCodeStore,
  StoreUnavailableError,
  type TakeResult,
} from "./store";
import type { BridgeLogger } from "./types";

/**
 * Keeps a code unless its hash is known: then answers that entry's status (the same code again);
 * a pending entry is handed back only to the caller holding its id (ARGV[6] = H(id) from its cookie).
 */
const ADD_SCRIPT = `
local now = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local current = redis.call('GET', KEYS[1])
if current then
  local entry = cjson.decode(current)
  if entry.s == 'used' then return {'used'} end
  if entry.s == 'expired' or tonumber(entry.exp) <= now or redis.call('EXISTS', KEYS[2]) == 0 then
    if entry.s ~= 'expired' then
      entry.s = 'expired'
      redis.call('SET', KEYS[1], cjson.encode(entry), 'KEEPTTL')
      redis.call('DEL', KEYS[2])
    end
    return {'expired'}
  end
  if entry.ih ~= ARGV[6] then return {'held'} end
  return {'pending', entry.id, entry.exp}
end
redis.call('SET', KEYS[1], ARGV[3], 'PX', 2 * ttl)
redis.call('SET', KEYS[2], ARGV[4], 'PX', ttl)
redis.call('SET', KEYS[3], ARGV[5], 'PX', 2 * ttl)
return {'added'}
`;

/** ARGV[2] = "peek" only looks; "take" hands the encrypted code out once and leaves a tombstone. */
const CHECK_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if not current then return {'unknown'} end
local entry = cjson.decode(current)
if entry.ih ~= ARGV[3] then return {'unknown'} end
if entry.s == 'used' then return {'used'} end
local secret = redis.call('GET', KEYS[2])
if entry.s == 'expired' or not secret or tonumber(entry.exp) <= tonumber(ARGV[1]) then
  if entry.s ~= 'expired' then
    entry.s = 'expired'
    redis.call('SET', KEYS[1], cjson.encode(entry), 'KEEPTTL')
    redis.call('DEL', KEYS[2])
  end
  return {'expired'}
end
if ARGV[2] == 'peek' then return {'ok', entry.exp} end
entry.s = 'used'
redis.call('SET', KEYS[1], cjson.encode(entry), 'KEEPTTL')
redis.call('DEL', KEYS[2])
return {'ok', entry.exp, secret}
`;

type Reply = [string, ...string[]];
interface ScriptedRedis {
  pdInstallAdd(keys0: string, keys1: string, keys2: string, ...argv: string[]): Promise<Reply>;
  pdInstallCheck(keys0: string, keys1: string, ...argv: string[]): Promise<Reply>;
}

export interface RedisPendingCodeStoreOptions {
  /** An ioredis client; `connectRedis()` makes one with settings that fail fast. The app closes it. */
  redis: Redis;
  /** The bridge's cookie secret (the same on every replica): the encryption and key-hashing keys come from it. */
  secret: string | Buffer;
  /** How long a code waits (default 5 minutes, Pipedrive's code lifetime). */
  ttlMs?: number;
  /** Default "pd-install:". */
  keyPrefix?: string;
  now?: () => number;
}

const VERSION = "v1";

export class RedisPendingCodeStore implements PendingCodeStore {
  readonly ttlMs: number;
  readonly keyPrefix: string;
  private readonly redis: Redis & ScriptedRedis;
  private readonly now: () => number;
  private readonly hashKey: Buffer;
  private readonly encryptionKey: Buffer;

  constructor(options: RedisPendingCodeStoreOptions) {
    this.ttlMs = options.ttlMs ?? 5 * 60_000;
    if (!(this.ttlMs >= 1 && Number.isInteger(this.ttlMs)))
      throw new Error("RedisPendingCodeStore: ttlMs must be a positive whole number of milliseconds");
    this.keyPrefix = options.keyPrefix ?? "pd-install:";
    this.now = options.now ?? Date.now;
    const secret = cookieKey(options.secret);
    const derive = (info: string) => Buffer.from(hkdfSync("sha256", secret, Buffer.alloc(0), info, 32));
    this.hashKey = derive("pd-install store v1: key names");
    this.encryptionKey = derive("pd-install store v1: AES-256-GCM");
    const redis = options.redis as Redis & Partial<ScriptedRedis>;
    if (!redis.pdInstallAdd) redis.defineCommand("pdInstallAdd", { numberOfKeys: 3, lua: ADD_SCRIPT });
    if (!redis.pdInstallCheck) redis.defineCommand("pdInstallCheck", { numberOfKeys: 2, lua: CHECK_SCRIPT });
    this.redis = redis as Redis & ScriptedRedis;
  }

  private keysOf(code: string): { entry: string; secret: string } {
    const h = this.hash(code);
    return { entry: `${this.keyPrefix}code:${h}`, secret: `${this.keyPrefix}secret:${h}` };
  }

  async add(code: string, holder?: string): Promise<AddResult> {
    const codeHash = this.hash(code);
    const keys = this.keysOf(code);
    const id = newPendingId();
    const idHash = this.hash(id);
    const idKey = `${this.keyPrefix}id:${idHash}`;
    const expiresAt = this.now() + this.ttlMs;
    const entry = JSON.stringify({ s: "pending", exp: String(expiresAt), id: this.seal(id, keys.entry), ih: idHash });
    const reply = await this.run("add", () =>
      this.redis.pdInstallAdd(
        keys.entry,
        keys.secret,
        idKey,
        String(this.now()),
        String(this.ttlMs),
        entry,
        this.seal(code, keys.secret),
        codeHash,
        holder ? this.hash(holder) : "",
      ),
    );
    switch (reply[0]) {
      case "added":
        return { status: "added", id, expiresAt, evicted: 0 };
      case "pending":
        return { status: "pending", id: this.open(reply[1], keys.entry), expiresAt: Number(reply[2]), evicted: 0 };
      case "used":
      case "expired":
      case "held":
        return { status: reply[0] };
      default:
        throw new StoreUnavailableError(`Redis store: unexpected answer to add (${reply[0]})`);
    }
  }

  async peek(id: string): Promise<PeekResult> {
    const reply = await this.check(id, "peek");
    if (reply[0] === "ok") return { status: "ok", expiresAt: Number(reply[1]) };
    return { status: reply[0] as "unknown" | "expired" | "used" };
  }

  async take(id: string): Promise<TakeResult> {
    const reply = await this.check(id, "take");
    if (reply[0] === "ok") return { status: "ok", code: this.open(reply[2], reply.secretKey) };
    return { status: reply[0] as "unknown" | "expired" | "used" };
  }

  private async check(id: string, mode: "peek" | "take"): Promise<Reply & { secretKey: string }> {
    const idHash = this.hash(id);
    const codeHash = await this.run(mode, () => this.redis.get(`${this.keyPrefix}id:${idHash}`));
    if (!codeHash) return Object.assign(["unknown"] as Reply, { secretKey: "" });
    const entryKey = `${this.keyPrefix}code:${codeHash}`;
    const secretKey = `${this.keyPrefix}secret:${codeHash}`;
    const reply = await this.run(mode, () =>
      this.redis.pdInstallCheck(entryKey, secretKey, String(this.now()), mode, idHash),
    );
    if (!["ok", "unknown", "used", "expired"].includes(reply[0]))
      throw new StoreUnavailableError(`Redis store: unexpected answer to ${mode} (${reply[0]})`);
    return Object.assign(reply, { secretKey });
  }

  private async run<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw new StoreUnavailableError(`Redis store: ${operation} failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  private hash(value: string): string {
    return createHmac("sha256", this.hashKey).update(value).digest("base64url");
  }

  private seal(plain: string, keyName: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.encryptionKey, iv);
    cipher.setAAD(Buffer.from(keyName));
    const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
    return `${VERSION}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64url")}`;
  }

  private open(sealed: string | undefined, keyName: string): string {
    const raw = sealed?.startsWith(`${VERSION}.`) ? Buffer.from(sealed.slice(VERSION.length + 1), "base64url") : null;
    if (!raw || raw.length < 28) throw new StoreUnavailableError("Redis store: an entry is not in the expected format");
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.encryptionKey, raw.subarray(0, 12));
      decipher.setAAD(Buffer.from(keyName));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString("utf8");
    } catch {
      throw new StoreUnavailableError(
        "Redis store: an entry could not be decrypted (is the cookie secret the same on every replica?)",
      );
    }
  }
}

export interface ConnectRedisOptions {
  /** Told once when the connection is lost and once when it is back (never the URL: it may hold a password). */
  logger?: BridgeLogger;
  /** Per command and for connecting (default 2000 ms): a hung Redis fails the request instead of holding it. */
  timeoutMs?: number;
}

/**
 * An ioredis client for the bridge: fails fast while Redis is unreachable (no offline queue, no
 * resending of commands whose answer was lost), keeps reconnecting in the background, and resolves
 * once Redis answers. Close it with `quit()` when the server stops.
 */
export async function connectRedis(url: string, options: ConnectRedisOptions = {}): Promise<Redis> {
  const timeoutMs = options.timeoutMs ?? 2000;
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    commandTimeout: timeoutMs,
    connectTimeout: timeoutMs,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  let down = false;
  const lost = (reason: string) => {
    if (down) return;
    down = true;
    options.logger?.error("marketplace: Redis unreachable; installs get a 'try again' page until it is back", {
      reason,
    });
  };
  // Listening to "error" also keeps ioredis from printing every failed reconnect.
  redis.on("error", (error: Error) => lost(error.message));
  // Only after a connection was lost, not after quit() or disconnect().
  redis.on("reconnecting", () => lost("connection lost; reconnecting"));
  redis.on("ready", () => {
    if (!down) return;
    down = false;
    options.logger?.info("marketplace: Redis reachable again");
  });
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new StoreUnavailableError(`Redis store: could not connect: ${(error as Error).message}`, { cause: error });
  }
  return redis;
}

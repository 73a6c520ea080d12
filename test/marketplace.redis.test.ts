/**
 * The install bridge on a shared store, against a real Redis (Debian's redis-server on a free
 * loopback port, started here and stopped in afterAll): the store contract on both stores, single
 * use under 50 racing replicas, expiry, two bridge instances finishing each other's installs
 * through the Pipedrive simulator and the simulated platform, Redis stopping mid-flow, and a scan
 * of everything in Redis for codes, ids and secrets.
 */
import { randomBytes } from "node:crypto";
import type Redis from "ioredis";
import { PipedriveSimulator } from "../sim";
import {
  type AppSession,
  type BridgeRequest,
  type BridgeResponse,
  connectRedis,
  createMarketplaceBridge,
  type MarketplaceBridge,
  MemoryPendingCodeStore,
  marketplaceAuthorizeUrl,
  newPendingId,
  type PendingCodeStore,
  type PlatformApi,
  RedisPendingCodeStore,
  readCookie,
  StoreUnavailableError,
} from "../src/marketplace";
import { PlatformSim } from "./support/platform-sim";
import { RedisServer } from "./support/redis";

const SECRET = randomBytes(32).toString("hex");
const T0 = 1_800_000_000_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let redisServer: RedisServer;
const clients: Redis[] = [];
const logLines: string[] = [];
const logger = {
  info: (m: string, f?: Record<string, unknown>) => logLines.push(`info ${m} ${JSON.stringify(f ?? {})}`),
  warn: (m: string, f?: Record<string, unknown>) => logLines.push(`warn ${m} ${JSON.stringify(f ?? {})}`),
  error: (m: string, f?: Record<string, unknown>) => logLines.push(`error ${m} ${JSON.stringify(f ?? {})}`),
};
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

async function client(): Promise<Redis> {
  const redis = await connectRedis(redisServer.url, { logger, timeoutMs: 1000 });
  clients.push(redis);
  return redis;
}

async function waitUntilReady(redis: Redis): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (redis.status !== "ready") {
    if (Date.now() > deadline) throw new Error(`Redis client still ${redis.status}`);
    await sleep(50);
  }
}

/** Every key and value in Redis (all are strings), for the clear-text scan. */
async function dump(redis: Redis): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "COUNT", 500);
    cursor = next;
    for (const key of keys) out.set(key, (await redis.get(key)) ?? "");
  } while (cursor !== "0");
  return out;
}

beforeAll(async () => {
  process.on("unhandledRejection", onUnhandled);
  redisServer = await RedisServer.start();
});

afterAll(async () => {
  for (const redis of clients) redis.disconnect();
  await redisServer?.dispose();
  process.off("unhandledRejection", onUnhandled);
  expect(unhandled).toEqual([]);
  const all = logLines.join("\n");
  expect(all).not.toContain(SECRET);
});

let prefixes = 0;
const freshPrefix = () => `t${++prefixes}-${randomBytes(3).toString("hex")}:`;

describe.each(["memory", "redis"] as const)("the pending code store contract (%s)", (kind) => {
  const clock = () => {
    let t = T0;
    return { now: () => t, advance: (ms: number) => (t += ms) };
  };
  const make = async (options: { ttlMs?: number; now?: () => number } = {}): Promise<PendingCodeStore> =>
    kind === "memory"
      ? new MemoryPendingCodeStore(options)
      : new RedisPendingCodeStore({ redis: await client(), secret: SECRET, keyPrefix: freshPrefix(), ...options });

  test("a code is handed out once; afterwards the id and the code read as used", async () => {
    const store = await make({ now: clock().now });
    const added = await store.add("code-1");
    expect(added).toMatchObject({ status: "added", expiresAt: T0 + 300_000, evicted: 0 });
    if (added.status !== "added") throw new Error("unreachable");
    expect(added.id).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(await store.peek(added.id)).toEqual({ status: "ok", expiresAt: T0 + 300_000 });
    expect(await store.take(added.id)).toEqual({ status: "ok", code: "code-1" });
    expect(await store.take(added.id)).toEqual({ status: "used" });
    expect(await store.peek(added.id)).toEqual({ status: "used" });
    expect(await store.add("code-1")).toEqual({ status: "used" });
    expect(await store.take(newPendingId())).toEqual({ status: "unknown" });
    expect(await store.peek(newPendingId())).toEqual({ status: "unknown" });
  });

  test("the same code again while pending gives its entry back (same id, same expiry) to its own browser only", async () => {
    const c = clock();
    const store = await make({ now: c.now });
    const first = await store.add("same");
    if (first.status !== "added") throw new Error(`unexpected ${first.status}`);
    c.advance(1000);
    // only to the browser holding the entry's cookie; any other caller is refused
    expect(await store.add("same")).toEqual({ status: "held" });
    expect(await store.add("same", newPendingId())).toEqual({ status: "held" });
    const again = await store.add("same", first.id);
    if (again.status !== "pending") throw new Error(`unexpected ${again.status}`);
    expect(again.id).toBe(first.id);
    expect(again.expiresAt).toBe(first.expiresAt);
    expect(await store.take(again.id)).toEqual({ status: "ok", code: "same" });
  });

  test("on the bridge's clock: expired after the TTL, for peek, take and the same code again", async () => {
    const c = clock();
    const store = await make({ ttlMs: 1000, now: c.now });
    const added = await store.add("short-lived");
    if (added.status !== "added") throw new Error("unreachable");
    c.advance(999);
    expect((await store.peek(added.id)).status).toBe("ok");
    c.advance(1);
    expect(await store.peek(added.id)).toEqual({ status: "expired" });
    expect(await store.take(added.id)).toEqual({ status: "expired" });
    expect(await store.add("short-lived")).toEqual({ status: "expired" });
  });
});

describe("the Redis store", () => {
  test("50 replicas (50 connections) racing to take one code: exactly one gets it", async () => {
    const prefix = freshPrefix();
    const replicas = await Promise.all(
      Array.from(
        { length: 50 },
        async () => new RedisPendingCodeStore({ redis: await client(), secret: SECRET, keyPrefix: prefix }),
      ),
    );
    const added = await replicas[0].add("the-one-code");
    if (added.status !== "added") throw new Error("unreachable");
    const results = await Promise.all(replicas.map((store) => store.take(added.id)));
    expect(results.filter((r) => r.status === "ok")).toEqual([{ status: "ok", code: "the-one-code" }]);
    expect(results.filter((r) => r.status === "used")).toHaveLength(49);
  });

  test("Redis' own expiry: the code's key lives one TTL and its tombstone one more; then nothing is left", async () => {
    const redis = await client();
    const prefix = freshPrefix();
    // The bridge's clock stands still, so only Redis' TTLs can expire the code.
    const store = new RedisPendingCodeStore({ redis, secret: SECRET, keyPrefix: prefix, ttlMs: 400, now: () => T0 });
    const added = await store.add("expiring-code");
    if (added.status !== "added") throw new Error("unreachable");
    const keys = await redis.keys(`${prefix}*`);
    expect(keys.map((k) => k.slice(prefix.length).split(":")[0]).sort()).toEqual(["code", "id", "secret"]);
    for (const key of keys) {
      const ttl = await redis.pttl(key);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(key.startsWith(`${prefix}secret:`) ? 400 : 800);
    }
    await sleep(450);
    expect(await store.peek(added.id)).toEqual({ status: "expired" });
    expect(await store.take(added.id)).toEqual({ status: "expired" });
    expect(await store.add("expiring-code")).toEqual({ status: "expired" });
    await sleep(400);
    expect(await redis.keys(`${prefix}*`)).toEqual([]);
    expect(await store.peek(added.id)).toEqual({ status: "unknown" });
    expect((await store.add("expiring-code")).status).toBe("added");
  });

  test("another secret reads nothing; a value moved to another key does not decrypt", async () => {
    const redis = await client();
    const prefix = freshPrefix();
    const store = new RedisPendingCodeStore({ redis, secret: SECRET, keyPrefix: prefix });
    const a = await store.add("code-a");
    const b = await store.add("code-b");
    if (a.status !== "added" || b.status !== "added") throw new Error("unreachable");
    const stranger = new RedisPendingCodeStore({ redis, secret: randomBytes(32), keyPrefix: prefix });
    expect(await stranger.take(a.id)).toEqual({ status: "unknown" });
    expect(await stranger.peek(b.id)).toEqual({ status: "unknown" });
    // swap the two ciphertexts: AES-GCM's associated data is the key name, so neither opens
    const [k1, k2] = await redis.keys(`${prefix}secret:*`);
    const [v1, v2] = [await redis.get(k1), await redis.get(k2)];
    await redis.set(k1, v2 as string, "KEEPTTL");
    await redis.set(k2, v1 as string, "KEEPTTL");
    for (const id of [a.id, b.id]) {
      const failure = await store.take(id).catch((error: Error) => error);
      expect(failure).toBeInstanceOf(StoreUnavailableError);
      expect((failure as Error).message).toMatch(/could not be decrypted/);
    }
  });

  test("options are checked", async () => {
    const redis = await client();
    expect(() => new RedisPendingCodeStore({ redis, secret: "short" })).toThrow(/at least 32/);
    expect(() => new RedisPendingCodeStore({ redis, secret: SECRET, ttlMs: 0 })).toThrow(/ttlMs/);
    await expect(connectRedis("redis://127.0.0.1:1", { timeoutMs: 300 })).rejects.toThrow(
      /Redis store: could not connect/,
    );
  });
});

describe("two bridge instances on one Redis (replicas, serverless)", () => {
  const CLIENT_ID = "replica-app";
  const CLIENT_SECRET = randomBytes(24).toString("hex");
  const CALLBACK_URL = "https://app.example/pipedrive/callback";
  let sim: PipedriveSimulator;
  let platform: PlatformSim;
  let platformApi: PlatformApi;
  let stopRedisBeforeTake = false;
  /** The codes Pipedrive (the simulator) handed out, for the scan of Redis. */
  const codes: string[] = [];
  const ids: string[] = [];

  /** The app's own session layer, shared by the replicas as it would be through its database. */
  const session = (req: BridgeRequest): AppSession => {
    const account = readCookie(req.headers.cookie, "app_session");
    return account ? { status: "signedIn", account: { id: account, name: `Account ${account}` } } : { status: "guest" };
  };

  const bridgeOn = async (store: "redis" | "memory"): Promise<MarketplaceBridge> =>
    createMarketplaceBridge({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      cookieSecret: SECRET,
      platform: platformApi,
      session,
      signUpUrl: "/signup",
      logInUrl: "/login",
      logger,
      store:
        store === "redis"
          ? new RedisPendingCodeStore({ redis: await client(), secret: SECRET, keyPrefix: "bridge:" })
          : undefined,
    });

  /** Marketplace Install with consent given at once: the callback URL Pipedrive sends the browser to. */
  async function install(userId = 1): Promise<string> {
    sim.setConsent("auto", userId);
    const res = await fetch(`${sim.url}/marketplace/install?client_id=${CLIENT_ID}`, { redirect: "manual" });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location") as string);
    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK_URL);
    expect(location.searchParams.has("state")).toBe(false);
    codes.push(location.searchParams.get("code") as string);
    return `${location.pathname}${location.search}`;
  }

  const get = (bridge: MarketplaceBridge, url: string, cookie = "") =>
    bridge.handle({ method: "GET", url, headers: cookie ? { cookie } : {} }) as Promise<BridgeResponse>;

  /** The install cookie a callback answer set, as a Cookie header. */
  function installCookie(res: BridgeResponse): string {
    const [line] = res.headers["set-cookie"] as string[];
    const pair = line.split(";")[0];
    ids.push(pair.split("=")[1].split(".")[0]);
    return pair;
  }

  const kindOf = (res: BridgeResponse) => /data-kind="([a-z_]+)"/.exec(res.body)?.[1];

  /** The confirmation page's token (GET continue), to post as the user's browser would. */
  async function confirmation(bridge: MarketplaceBridge, cookie: string): Promise<string> {
    const shown = await get(bridge, "/pipedrive/continue", cookie);
    expect(kindOf(shown)).toBe("confirm");
    return /name="confirm" value="([^"]+)"/.exec(shown.body)?.[1] ?? "";
  }
  const post = (bridge: MarketplaceBridge, cookie: string, token: string) =>
    bridge.handle({
      method: "POST",
      url: "/pipedrive/continue",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: `confirm=${encodeURIComponent(token)}`,
    }) as Promise<BridgeResponse>;
  /** Shows the confirmation on one instance and submits it on another (any replica may answer either). */
  const confirmAndPost = async (shownBy: MarketplaceBridge, postedTo: MarketplaceBridge, cookie: string) =>
    post(postedTo, cookie, await confirmation(shownBy, cookie));

  beforeAll(async () => {
    sim = await PipedriveSimulator.start();
    platform = await PlatformSim.start({
      connection: {
        authorizeUrl: marketplaceAuthorizeUrl(CALLBACK_URL, `${sim.url}/oauth/authorize`),
        tokenUrl: `${sim.url}/oauth/token`,
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
      },
    });
    const inner = platform.client();
    // The platform adapter as the bridge sees it; one test stops Redis while the instance is looked up.
    platformApi = Object.assign(Object.create(inner) as PlatformApi, {
      findOrCreateInstance: async (customer: Parameters<PlatformApi["findOrCreateInstance"]>[0]) => {
        if (stopRedisBeforeTake) await redisServer.stop();
        return inner.findOrCreateInstance(customer);
      },
    });
    sim.registerOAuthApp({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUri: CALLBACK_URL,
      scopes: ["base", "deals:full", "admin"],
    });
  });

  afterEach(() => {
    expect(sim.violations).toEqual([]);
  });

  afterAll(async () => {
    await platform?.stop();
    await sim?.stop();
  });

  test("an install begun on one instance is finished on the other", async () => {
    const [a, b] = [await bridgeOn("redis"), await bridgeOn("redis")];
    const callback = await get(a, await install(1));
    expect(callback.status).toBe(302);
    expect(callback.headers.location).toBe("/signup?next=%2Fpipedrive%2Fcontinue");
    const cookie = installCookie(callback);

    const done = await confirmAndPost(b, a, `${cookie}; app_session=acct-replica-1`);
    const instance = platform.instanceOf("acct-replica-1");
    expect(instance).toBeDefined();
    expect(done.status).toBe(302);
    expect(done.headers.location).toBe(`${platform.url}/instances/${encodeURIComponent(instance?.id ?? "")}/configure`);
    expect(platform.configVariableOf(instance?.id as string)?.status).toBe("ACTIVE");
    expect(platform.exchanges.at(-1)).toEqual({
      configVariableId: instance?.configVariableId,
      redirectUri: CALLBACK_URL,
      ok: true,
    });
    // the callback loaded again, on either instance: already used
    expect(kindOf(await get(a, `/pipedrive/callback?code=${encodeURIComponent(codes.at(-1) as string)}`))).toBe(
      "code_used",
    );
    expect(kindOf(await get(b, "/pipedrive/continue", `${cookie}; app_session=acct-replica-1`))).toBe("code_used");
  });

  test("with in-memory stores the other instance has never seen the code (why a shared store is needed)", async () => {
    const [a, b] = [await bridgeOn("memory"), await bridgeOn("memory")];
    const exchanges = platform.exchanges.length;
    const cookie = installCookie(await get(a, await install(2)));
    const res = await get(b, "/pipedrive/continue", `${cookie}; app_session=acct-replica-2`);
    expect(kindOf(res)).toBe("missing_cookie");
    expect(platform.exchanges.length).toBe(exchanges);
  });

  test("ten continues racing on two instances with one install cookie: one replay, one success", async () => {
    const [a, b] = [await bridgeOn("redis"), await bridgeOn("redis")];
    const exchanges = platform.exchanges.length;
    const cookie = installCookie(await get(a, await install(2)));
    const token = await confirmation(a, `${cookie}; app_session=acct-replica-race`);
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => post(i % 2 ? a : b, `${cookie}; app_session=acct-replica-race`, token)),
    );
    const configured = answers.filter((r) => r.status === 302 && /\/configure$/.test(r.headers.location as string));
    expect(configured).toHaveLength(1);
    expect(answers.filter((r) => kindOf(r) === "code_used")).toHaveLength(9);
    expect(platform.exchanges.length).toBe(exchanges + 1);
    expect(platform.exchanges.at(-1)?.ok).toBe(true);
  });

  test("nothing in Redis is readable in clear: no code, install id, secret or token", async () => {
    const a = await bridgeOn("redis");
    // one install left waiting, so a live encrypted code is in Redis too
    installCookie(await get(a, await install(1)));
    const redis = await client();
    const everything = await dump(redis);
    expect([...everything.keys()].filter((k) => k.startsWith("bridge:secret:")).length).toBeGreaterThanOrEqual(1);
    const tokens = [...platform.instances.keys()].flatMap((id) => {
      const t = platform.storedToken(id);
      return t ? [t.access_token as string, t.refresh_token as string] : [];
    });
    expect(codes.length).toBeGreaterThanOrEqual(4);
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    const forbidden = [...codes, ...ids, ...tokens, SECRET, CLIENT_SECRET].flatMap((s) => [
      s,
      Buffer.from(s).toString("base64"),
      Buffer.from(s).toString("base64url"),
      Buffer.from(s).toString("hex"),
    ]);
    const text = [...everything].map(([k, v]) => `${k}\n${v}`).join("\n");
    expect(everything.size).toBeGreaterThanOrEqual(9);
    for (const secret of forbidden) expect(text).not.toContain(secret);
  });

  test("Redis stopped mid-flow: clear 'try again' pages (503), no crash, the code never replayed or reused", async () => {
    const [a, b] = [await bridgeOn("redis"), await bridgeOn("redis")];
    const exchanges = platform.exchanges.length;
    const cookie = installCookie(await get(a, await install(1)));
    await redisServer.stop();
    try {
      const onContinue = await get(b, "/pipedrive/continue", `${cookie}; app_session=acct-replica-3`);
      expect(onContinue.status).toBe(503);
      expect(kindOf(onContinue)).toBe("store_unavailable");
      expect(onContinue.body).toContain("Reload this page in a minute");
      expect(onContinue.body).not.toMatch(/Error:|at .*\.ts:\d+|ioredis|Stream/);
      const onCallback = await get(a, await install(1));
      expect(onCallback.status).toBe(503);
      expect(kindOf(onCallback)).toBe("store_unavailable");
      expect(onCallback.headers["set-cookie"]).toBeUndefined();
    } finally {
      await redisServer.resume();
    }
    expect(platform.exchanges.length).toBe(exchanges);
    expect(logLines.some((l) => l.startsWith("error marketplace: Redis unreachable"))).toBe(true);
    expect(logLines.some((l) => l.includes("continue failed") && l.includes("Redis store: peek failed"))).toBe(true);
    for (const redis of clients) await waitUntilReady(redis);
    // Back up, empty (nothing is persisted): the waiting code is gone, never handed out.
    const after = await get(b, "/pipedrive/continue", `${cookie}; app_session=acct-replica-3`);
    expect(kindOf(after)).toBe("missing_cookie");
    expect(platform.exchanges.length).toBe(exchanges);

    // Stopped between the check and the take (while the platform is asked for the instance).
    const cookie2 = installCookie(await get(a, await install(1)));
    const token2 = await confirmation(b, `${cookie2}; app_session=acct-replica-3`);
    stopRedisBeforeTake = true;
    try {
      const res = await post(b, `${cookie2}; app_session=acct-replica-3`, token2);
      expect(res.status).toBe(503);
      expect(kindOf(res)).toBe("store_unavailable");
    } finally {
      stopRedisBeforeTake = false;
      await redisServer.resume();
    }
    expect(platform.exchanges.length).toBe(exchanges);
    expect(logLines.some((l) => l.includes("Redis store: take failed"))).toBe(true);
    for (const redis of clients) await waitUntilReady(redis);
    expect(logLines.some((l) => l.startsWith("info marketplace: Redis reachable again"))).toBe(true);
    // and a new install works again
    const cookie3 = installCookie(await get(a, await install(1)));
    const ok = await confirmAndPost(b, b, `${cookie3}; app_session=acct-replica-3`);
    expect(ok.status).toBe(302);
    expect(ok.headers.location).toMatch(/\/configure$/);
    expect(platform.exchanges.length).toBe(exchanges + 1);
  });
});

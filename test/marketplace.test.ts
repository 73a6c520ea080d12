/**
 * Unit tests of the Marketplace install bridge's parts: the signed cookie, the single-use code store,
 * the uninstall check, the authorize URL, and the handlers' answers (with an in-memory platform; the
 * end-to-end test in test/e2e drives the real HTTP servers and a browser).
 */
import * as crypto from "node:crypto";
import {
  type AppSession,
  type BridgeRequest,
  type BridgeResponse,
  classifyExchangeFailure,
  cookieKey,
  createMarketplaceBridge,
  interpretCallbackAnswer,
  MemoryPendingCodeStore,
  marketplaceAuthorizeUrl,
  newPendingId,
  type PlatformApi,
  type PlatformInstance,
  parseUninstallNotice,
  pipedriveUserLabel,
  readCookie,
  serializeCookie,
  signCookieValue,
  verifyClientBasicAuth,
  verifyCookieValue,
} from "../src/marketplace";

/** The real module object (the `import * as` namespace is frozen), so timingSafeEqual can be spied on. */
const cryptoModule: typeof crypto = require("node:crypto");
const KEY = cookieKey("0123456789abcdef0123456789abcdef-test-key");
const T0 = 1_800_000_000_000;

describe("install cookie", () => {
  test("a signed value verifies and yields its id", () => {
    const id = newPendingId();
    const value = signCookieValue(KEY, id, T0 + 300_000);
    expect(value).toMatch(/^[A-Za-z0-9_-]{32}\.\d+\.[A-Za-z0-9_-]{43}$/);
    expect(verifyCookieValue(KEY, value, T0)).toEqual({ ok: true, id, expiresAt: T0 + 300_000 });
  });

  test("tampering with the id, the expiry or the signature, or another key, fails the signature", () => {
    const id = newPendingId();
    const value = signCookieValue(KEY, id, T0 + 300_000);
    const [, exp, sig] = value.split(".");
    const otherId = newPendingId();
    expect(verifyCookieValue(KEY, `${otherId}.${exp}.${sig}`, T0)).toEqual({ ok: false, reason: "signature" });
    expect(verifyCookieValue(KEY, `${id}.${Number(exp) + 3_600_000}.${sig}`, T0)).toEqual({
      ok: false,
      reason: "signature",
    });
    const flipped = `${sig.slice(0, 10)}${sig[10] === "A" ? "B" : "A"}${sig.slice(11)}`;
    expect(verifyCookieValue(KEY, `${id}.${exp}.${flipped}`, T0)).toEqual({ ok: false, reason: "signature" });
    const otherKey = cookieKey(crypto.randomBytes(32));
    expect(verifyCookieValue(otherKey, value, T0)).toEqual({ ok: false, reason: "signature" });
  });

  test("malformed values are refused before any HMAC", () => {
    for (const bad of [
      "",
      "abc",
      "a.b.c",
      `${newPendingId()}.12x.${"A".repeat(43)}`,
      `${newPendingId()}.1.${"A".repeat(42)}`,
      "x.y.z.w",
    ]) {
      expect(verifyCookieValue(KEY, bad, T0)).toEqual({ ok: false, reason: "malformed" });
    }
  });

  test("an expired value is refused even with a valid signature", () => {
    const value = signCookieValue(KEY, newPendingId(), T0);
    expect(verifyCookieValue(KEY, value, T0)).toEqual({ ok: false, reason: "expired" });
  });

  test("the signature is compared with timingSafeEqual", () => {
    const spy = jest.spyOn(cryptoModule, "timingSafeEqual");
    try {
      verifyCookieValue(KEY, signCookieValue(KEY, newPendingId(), T0 + 1000), T0);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  test("cookie secrets shorter than 32 bytes are refused", () => {
    expect(() => cookieKey("short")).toThrow(/at least 32/);
    expect(cookieKey(crypto.randomBytes(32))).toHaveLength(32);
  });

  test("Set-Cookie is HttpOnly, Secure, SameSite=Lax and scoped to the continue path", () => {
    const header = serializeCookie("pd_install", "v", {
      path: "/pipedrive/continue",
      maxAgeSeconds: 300,
      secure: true,
    });
    expect(header).toBe("pd_install=v; Path=/pipedrive/continue; Max-Age=300; HttpOnly; Secure; SameSite=Lax");
    expect(serializeCookie("pd_install", "", { path: "/p", maxAgeSeconds: -5, secure: false })).toBe(
      "pd_install=; Path=/p; Max-Age=0; HttpOnly; SameSite=Lax",
    );
  });

  test("readCookie finds one cookie among others", () => {
    expect(readCookie("a=1; pd_install=xyz; b=2", "pd_install")).toBe("xyz");
    expect(readCookie(["a=1", "pd_install=q"], "pd_install")).toBe("q");
    expect(readCookie("pd_installx=1", "pd_install")).toBeUndefined();
    expect(readCookie(undefined, "pd_install")).toBeUndefined();
  });
});

describe("pending code store in memory", () => {
  const clock = () => {
    let t = T0;
    return { now: () => t, advance: (ms: number) => (t += ms) };
  };

  test("a code is handed out once; afterwards the id and the code read as used", async () => {
    const c = clock();
    const store = new MemoryPendingCodeStore({ now: c.now });
    const added = await store.add("code-1");
    expect(added).toMatchObject({ status: "added", expiresAt: T0 + 300_000, evicted: 0 });
    if (added.status !== "added") throw new Error("unreachable");
    expect(await store.peek(added.id)).toEqual({ status: "ok", expiresAt: T0 + 300_000 });
    expect(await store.take(added.id)).toEqual({ status: "ok", code: "code-1" });
    expect(await store.take(added.id)).toEqual({ status: "used" });
    expect(await store.peek(added.id)).toEqual({ status: "used" });
    expect(await store.add("code-1")).toEqual({ status: "used" });
    expect(await store.take(newPendingId())).toEqual({ status: "unknown" });
  });

  test("the same code again while pending reuses its entry for its own browser only", async () => {
    const store = new MemoryPendingCodeStore();
    const first = await store.add("same");
    if (first.status !== "added") throw new Error("unreachable");
    expect(await store.add("same")).toEqual({ status: "held" });
    expect(await store.add("same", newPendingId())).toEqual({ status: "held" });
    const again = await store.add("same", first.id);
    if (again.status !== "pending") throw new Error("unreachable");
    expect(again.id).toBe(first.id);
    expect(store.size).toBe(1);
  });

  test("codes expire after the TTL; tombstones say 'expired' for one more TTL, then 'unknown'", async () => {
    const c = clock();
    const store = new MemoryPendingCodeStore({ ttlMs: 1000, now: c.now });
    const added = await store.add("short-lived");
    if (added.status !== "added") throw new Error("unreachable");
    c.advance(999);
    expect((await store.peek(added.id)).status).toBe("ok");
    c.advance(1);
    expect(await store.peek(added.id)).toEqual({ status: "expired" });
    expect(await store.take(added.id)).toEqual({ status: "expired" });
    expect(await store.add("short-lived")).toEqual({ status: "expired" });
    c.advance(1000);
    expect(await store.peek(added.id)).toEqual({ status: "unknown" });
    expect(store.size).toBe(0);
    expect((await store.add("short-lived")).status).toBe("added");
  });

  test("the store is bounded: tombstones are evicted first, codes still waiting never; when full of them it refuses", async () => {
    const c = clock();
    const store = new MemoryPendingCodeStore({ maxEntries: 3, now: c.now });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      c.advance(10);
      const added = await store.add(`code-${i}`);
      if (added.status !== "added") throw new Error("unreachable");
      ids.push(added.id);
    }
    expect(await store.add("code-3")).toEqual({ status: "full" });
    expect(await store.take(ids[1])).toEqual({ status: "ok", code: "code-1" });
    const next = await store.add("code-4");
    expect(next).toMatchObject({ status: "added", evicted: 1 });
    expect(store.size).toBe(3);
    expect(await store.peek(ids[1])).toEqual({ status: "unknown" });
    expect(await store.take(ids[0])).toEqual({ status: "ok", code: "code-0" });
    expect(await store.take(ids[2])).toEqual({ status: "ok", code: "code-2" });
  });

  test("1,000 anonymous callbacks evict no install in progress (default bound); the flood is refused", async () => {
    const c = clock();
    const store = new MemoryPendingCodeStore({ now: c.now });
    const victim = await store.add("victim-code");
    if (victim.status !== "added") throw new Error("unreachable");
    const outcomes = new Map<string, number>();
    for (let i = 0; i < 1000; i++) {
      const status = (await store.add(`flood-${i}`)).status;
      outcomes.set(status, (outcomes.get(status) ?? 0) + 1);
    }
    expect(store.size).toBe(1000);
    expect(outcomes.get("full")).toBe(1);
    expect(await store.take(victim.id)).toEqual({ status: "ok", code: "victim-code" });
    // once the flood's codes expire, installs are accepted again
    c.advance(store.ttlMs);
    expect((await store.add("after-the-flood")).status).toBe("added");
  });

  test("no code is kept after its expiry", async () => {
    const c = clock();
    const store = new MemoryPendingCodeStore({ ttlMs: 1000, now: c.now });
    await store.add("secret-code-value");
    c.advance(1000);
    await store.peek(newPendingId()); // any call sweeps
    expect(JSON.stringify([...(store as unknown as { entries: Map<string, unknown> }).entries.values()])).not.toContain(
      "secret-code-value",
    );
  });

  test("options are checked", async () => {
    expect(() => new MemoryPendingCodeStore({ ttlMs: 0 })).toThrow(/ttlMs/);
    expect(() => new MemoryPendingCodeStore({ maxEntries: 0 })).toThrow(/maxEntries/);
  });
});

describe("uninstall check", () => {
  const basic = (s: string) => `Basic ${Buffer.from(s).toString("base64")}`;

  test("accepts exactly client_id:client_secret over HTTP Basic", () => {
    expect(verifyClientBasicAuth(basic("app-id:s3cret-value"), "app-id", "s3cret-value")).toBe(true);
    expect(verifyClientBasicAuth([basic("app-id:s3cret-value")], "app-id", "s3cret-value")).toBe(true);
    expect(
      verifyClientBasicAuth(
        `basic  ${Buffer.from("app-id:s3cret-value").toString("base64")}`,
        "app-id",
        "s3cret-value",
      ),
    ).toBe(true);
  });

  test("refuses wrong, partial, longer, missing or non-Basic credentials", () => {
    for (const header of [
      basic("app-id:wrong"),
      basic("app-id:s3cret-valu"),
      basic("app-id:s3cret-value-and-more"),
      basic("other:s3cret-value"),
      basic("app-id"),
      basic(""),
      "Bearer s3cret-value",
      "Basic !!!",
      "",
      undefined,
    ]) {
      expect(verifyClientBasicAuth(header, "app-id", "s3cret-value")).toBe(false);
    }
  });

  test("compares in constant time: one timingSafeEqual on equal-length digests, whatever comes in", () => {
    const spy = jest.spyOn(cryptoModule, "timingSafeEqual");
    try {
      for (const header of [
        basic("app-id:s3cret-value"),
        basic("x"),
        basic(`app-id:${"y".repeat(500)}`),
        undefined,
        "Bearer z",
      ]) {
        spy.mockClear();
        verifyClientBasicAuth(header, "app-id", "s3cret-value");
        expect(spy).toHaveBeenCalledTimes(1);
        const [a, b] = spy.mock.calls[0] as [Buffer, Buffer];
        expect(a.length).toBe(32);
        expect(b.length).toBe(32);
      }
    } finally {
      spy.mockRestore();
    }
  });

  test("parses the notice; ids as numbers or digit strings", () => {
    expect(
      parseUninstallNotice('{"client_id":"a","company_id":7,"user_id":"12","timestamp":"2026-01-01T00:00:00Z"}'),
    ).toEqual({
      clientId: "a",
      companyId: 7,
      userId: 12,
      timestamp: "2026-01-01T00:00:00Z",
    });
    expect(parseUninstallNotice(Buffer.from('{"client_id":"a","company_id":"7","user_id":12}'))).toMatchObject({
      timestamp: null,
    });
    expect(parseUninstallNotice("nope")).toEqual({ error: "body is not JSON" });
    expect(parseUninstallNotice("[1]")).toEqual({ error: "body is not a JSON object" });
    expect(parseUninstallNotice('{"client_id":"a","company_id":0,"user_id":1}')).toHaveProperty("error");
    expect(parseUninstallNotice('{"company_id":1,"user_id":1}')).toHaveProperty("error");
    expect(parseUninstallNotice(`{"pad":"${"x".repeat(20_000)}"}`)).toEqual({ error: "body too large" });
    expect(pipedriveUserLabel(7, 12)).toBe("pipedrive-user:7:12");
  });
});

describe("authorize URL for marketplace apps", () => {
  test("Pipedrive's authorize URL with redirect_uri = the bridge callback, URL-encoded", () => {
    expect(marketplaceAuthorizeUrl("https://app.example.com/pipedrive/callback")).toBe(
      "https://oauth.pipedrive.com/oauth/authorize?redirect_uri=https%3A%2F%2Fapp.example.com%2Fpipedrive%2Fcallback",
    );
    expect(
      marketplaceAuthorizeUrl("http://127.0.0.1:3000/pipedrive/callback", "http://127.0.0.1:4010/oauth/authorize"),
    ).toBe("http://127.0.0.1:4010/oauth/authorize?redirect_uri=http%3A%2F%2F127.0.0.1%3A3000%2Fpipedrive%2Fcallback");
    expect(() => marketplaceAuthorizeUrl("https://app.example.com/cb?x=1")).toThrow(/no query/);
  });
});

describe("reading the platform callback's answer", () => {
  const base = "https://platform.example/oauth2/callback?code=c&state=s";
  test("redirects to success pages are success; error redirects and 4xx/5xx are classified", () => {
    expect(interpretCallbackAnswer(302, "/oauth2/connected?instanceId=1", "", base)).toEqual({ ok: true });
    expect(interpretCallbackAnswer(200, null, "Authorization complete", base)).toEqual({ ok: true });
    expect(
      interpretCallbackAnswer(
        302,
        "/oauth2/failed?error=invalid_grant&error_description=Invalid+grant%3A+authorization_code+has+expired",
        "",
        base,
      ),
    ).toEqual({ ok: false, reason: "code_expired" });
    expect(
      interpretCallbackAnswer(
        302,
        "/oauth2/failed?error=invalid_grant&error_description=Invalid+grant%3A+authorization_code+is+invalid",
        "",
        base,
      ),
    ).toEqual({ ok: false, reason: "code_used" });
    expect(interpretCallbackAnswer(302, "/oauth2/failed?error=unknown_state", "", base)).toEqual({
      ok: false,
      reason: "unknown_state",
    });
    expect(interpretCallbackAnswer(302, "https://app.example/oauth-failed?message=x", "", base)).toEqual({
      ok: false,
      reason: "connect_failed",
    });
    expect(interpretCallbackAnswer(400, null, "Invalid request: redirect_uri is invalid", base)).toEqual({
      ok: false,
      reason: "redirect_uri_mismatch",
    });
    expect(classifyExchangeFailure("something else")).toBe("connect_failed");
  });
});

/** An in-memory platform for handler-level tests (the e2e test uses the HTTP one). */
function memoryPlatform(): PlatformApi & { instances: PlatformInstance[]; disabled: string[] } {
  const instances: PlatformInstance[] = [];
  const disabled: string[] = [];
  return {
    instances,
    disabled,
    oauthCallbackUrl: "https://platform.example/oauth2/callback",
    findOrCreateCustomer: async (a) => ({ id: `cust-${a.externalId}`, ...a }),
    findOrCreateInstance: async (c) => {
      const found = instances.find((x) => x.customerId === c.id);
      if (found) return found;
      const created = { id: `inst-${c.id}`, customerId: c.id, name: "Pipedrive", enabled: true, labels: [] };
      instances.push(created);
      return created;
    },
    getConnectionConfigVariable: async (i) => ({ id: `cv-${i.id}`, key: "Pipedrive Connection", status: "PENDING" }),
    configurePageUrl: (i) => `https://platform.example/instances/${i.id}/configure`,
    labelInstance: async (i, label) => {
      i.labels.push(label);
    },
    findInstancesByLabel: async (label) => instances.filter((i) => i.labels.includes(label)),
    setInstanceEnabled: async (i, enabled) => {
      i.enabled = enabled;
      if (!enabled) disabled.push(i.id);
    },
  };
}

describe("bridge handlers", () => {
  const lines: string[] = [];
  const logger = {
    info: (m: string, f?: Record<string, unknown>) => lines.push(`info ${m} ${JSON.stringify(f)}`),
    warn: (m: string, f?: Record<string, unknown>) => lines.push(`warn ${m} ${JSON.stringify(f)}`),
    error: (m: string, f?: Record<string, unknown>) => lines.push(`error ${m} ${JSON.stringify(f)}`),
  };
  const SECRET = "client-secret-for-unit-tests";
  const COOKIE_SECRET = "cookie-secret-for-unit-tests-0123456789";
  let session: AppSession = { status: "guest" };
  const platform = memoryPlatform();
  const bridge = createMarketplaceBridge({
    clientId: "unit-app",
    clientSecret: SECRET,
    cookieSecret: COOKIE_SECRET,
    platform,
    session: () => session,
    signUpUrl: "/signup",
    logInUrl: "/login?from=pipedrive",
    appName: "Unit App",
    logger,
  });
  const get = (url: string, headers: Record<string, string> = {}): BridgeRequest => ({ method: "GET", url, headers });

  afterAll(() => {
    const all = lines.join("\n");
    for (const secret of [
      SECRET,
      COOKIE_SECRET,
      "CODE-guest-1",
      "CODE-signedout-1",
      "CODE-fwd",
      "CODE-twice",
      "CODE-full-3",
    ])
      expect(all).not.toContain(secret);
  });

  test("code with state: forwarded at once to the platform's callback with both", async () => {
    const res = await bridge.callback(get("/pipedrive/callback?code=CODE-fwd&state=SW5zdGFuY2U%3D"));
    expect(res.status).toBe(302);
    const location = new URL(res.headers.location as string);
    expect(`${location.origin}${location.pathname}`).toBe("https://platform.example/oauth2/callback");
    expect(location.searchParams.get("code")).toBe("CODE-fwd");
    expect(location.searchParams.get("state")).toBe("SW5zdGFuY2U=");
    expect(res.headers["set-cookie"]).toBeUndefined();
  });

  test("error with state is forwarded too; error without state is a page", async () => {
    const fwd = await bridge.callback(get("/pipedrive/callback?error=user_denied&state=abc"));
    expect(new URL(fwd.headers.location as string).searchParams.get("error")).toBe("user_denied");
    const denied = await bridge.callback(get("/pipedrive/callback?error=user_denied"));
    expect(denied.status).toBe(200);
    expect(denied.body).toContain('data-kind="user_denied"');
    expect(denied.body).toContain("Installation cancelled");
    expect(denied.headers["referrer-policy"]).toBe("no-referrer");
  });

  test("code without state from a guest: cookie set, sent to sign up with next=continue", async () => {
    session = { status: "guest" };
    const res = await bridge.callback(get("/pipedrive/callback?code=CODE-guest-1"));
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe("/signup?next=%2Fpipedrive%2Fcontinue");
    const [cookie] = res.headers["set-cookie"] as string[];
    expect(cookie).toMatch(
      /^pd_install=[A-Za-z0-9_-]{32}\.\d+\.[A-Za-z0-9_-]{43}; Path=\/pipedrive\/continue; Max-Age=300; HttpOnly; Secure; SameSite=Lax$/,
    );
  });

  test("a signed-out user is sent to log in (keeping the page's own query); a signed-in one straight to continue", async () => {
    session = { status: "signedOut" };
    const out = await bridge.callback(get("/pipedrive/callback?code=CODE-signedout-1"));
    expect(out.headers.location).toBe("/login?from=pipedrive&next=%2Fpipedrive%2Fcontinue");
    session = { status: "signedIn", account: { id: "acct-1", name: "Acme" } };
    const inside = await bridge.callback(get("/pipedrive/callback?code=CODE-signedin-1"));
    expect(inside.headers.location).toBe("/pipedrive/continue");
  });

  test("continue without a cookie, or with a forged one, shows the 'no installation waiting' page", async () => {
    session = { status: "signedIn", account: { id: "acct-1", name: "Acme" } };
    const none = await bridge.continueInstall(get("/pipedrive/continue"));
    expect(none.status).toBe(400);
    expect(none.body).toContain('data-kind="missing_cookie"');
    const forged = signCookieValue(cookieKey(crypto.randomBytes(32)), newPendingId(), Date.now() + 60_000);
    const res = await bridge.continueInstall(get("/pipedrive/continue", { Cookie: `pd_install=${forged}` }));
    expect(res.body).toContain('data-kind="missing_cookie"');
    expect(res.headers["set-cookie"]).toEqual([
      "pd_install=; Path=/pipedrive/continue; Max-Age=0; HttpOnly; Secure; SameSite=Lax",
    ]);
    expect(lines.some((l) => l.includes("install cookie rejected") && l.includes('"reason":"signature"'))).toBe(true);
  });

  test("continue while not signed in goes back to sign-in and keeps the code", async () => {
    session = { status: "guest" };
    const first = await bridge.callback(get("/pipedrive/callback?code=CODE-wait"));
    const cookie = ((first.headers["set-cookie"] as string[])[0] ?? "").split(";")[0];
    const res = await bridge.continueInstall(get("/pipedrive/continue", { cookie }));
    expect(res.headers.location).toBe("/signup?next=%2Fpipedrive%2Fcontinue");
    const id = cookie.split("=")[1].split(".")[0];
    expect((await bridge.store.peek(id)).status).toBe("ok");
  });

  const cookieOf = (res: BridgeResponse) => ((res.headers["set-cookie"] as string[])[0] ?? "").split(";")[0];
  const tokenOf = (res: BridgeResponse) => /name="confirm" value="([^"]+)"/.exec(res.body)?.[1] ?? "";
  const postConfirm = (cookie: string, body: string): BridgeRequest => ({
    method: "POST",
    url: "/pipedrive/continue",
    headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
    body,
  });

  test("signed in: continue shows a confirmation naming the account; only its POST with the token may connect", async () => {
    session = { status: "signedIn", account: { id: "acct-confirm", name: "Confirm & Co" } };
    const cookie = cookieOf(await bridge.callback(get("/pipedrive/callback?code=CODE-confirm")));
    const id = cookie.split("=")[1].split(".")[0];
    const shown = await bridge.continueInstall(get("/pipedrive/continue", { cookie }));
    expect(shown.status).toBe(200);
    expect(shown.body).toContain('data-kind="confirm"');
    expect(shown.body).toContain('<strong id="confirm-account">Confirm &#38; Co</strong>');
    expect(shown.body).toContain('<form method="POST" action="/pipedrive/continue">');
    expect(shown.headers["content-security-policy"]).toContain("form-action 'self' https://platform.example");
    expect(tokenOf(shown)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // a GET never uses the code
    expect(await bridge.store.peek(id)).toMatchObject({ status: "ok" });
    for (const body of ["", "confirm=", `confirm=${"A".repeat(43)}`, `confirm=${tokenOf(shown)}x`]) {
      const refused = await bridge.continueInstall(postConfirm(cookie, body));
      expect(refused.status).toBe(403);
      expect(refused.body).toContain('data-kind="confirm_invalid"');
    }
    // the token is bound to the session: another signed-in account cannot use it
    session = { status: "signedIn", account: { id: "acct-other", name: "Other" } };
    expect((await bridge.continueInstall(postConfirm(cookie, `confirm=${tokenOf(shown)}`))).status).toBe(403);
    expect(await bridge.store.peek(id)).toMatchObject({ status: "ok" });
    expect(lines.some((l) => l.includes("install confirmation refused"))).toBe(true);
  });

  test("the same callback URL opened in another browser is refused; the browser that holds it may reload it", async () => {
    session = { status: "guest" };
    const first = await bridge.callback(get("/pipedrive/callback?code=CODE-twice"));
    const cookie = cookieOf(first);
    const elsewhere = await bridge.callback(get("/pipedrive/callback?code=CODE-twice"));
    expect(elsewhere.status).toBe(409);
    expect(elsewhere.body).toContain('data-kind="code_elsewhere"');
    expect(elsewhere.headers["set-cookie"]).toBeUndefined();
    const forged = signCookieValue(
      cookieKey(crypto.randomBytes(32)),
      cookie.split("=")[1].split(".")[0],
      Date.now() + 60_000,
    );
    expect(
      (await bridge.callback(get("/pipedrive/callback?code=CODE-twice", { cookie: `pd_install=${forged}` }))).status,
    ).toBe(409);
    const reload = await bridge.callback(get("/pipedrive/callback?code=CODE-twice", { cookie }));
    expect(reload.status).toBe(302);
    expect(cookieOf(reload).split(".")[0]).toBe(cookie.split(".")[0]);
  });

  test("a full default store refuses new installs with a clear page and keeps the waiting ones", async () => {
    const small = createMarketplaceBridge({
      clientId: "unit-app",
      clientSecret: SECRET,
      cookieSecret: COOKIE_SECRET,
      platform,
      session: () => ({ status: "guest" }),
      signUpUrl: "/signup",
      logInUrl: "/login",
      maxPendingCodes: 2,
      logger,
    });
    const waiting = cookieOf(await small.callback(get("/pipedrive/callback?code=CODE-full-1")));
    await small.callback(get("/pipedrive/callback?code=CODE-full-2"));
    const refused = await small.callback(get("/pipedrive/callback?code=CODE-full-3"));
    expect(refused.status).toBe(503);
    expect(refused.body).toContain('data-kind="store_full"');
    expect(refused.body).toContain("Too many installations are in progress");
    expect((await small.store.peek(waiting.split("=")[1].split(".")[0])).status).toBe("ok");
  });

  test("a platform failure before the replay is a clear 502 page and keeps the code for a retry", async () => {
    session = { status: "signedIn", account: { id: "acct-broken", name: "Broken" } };
    const original = platform.findOrCreateCustomer;
    platform.findOrCreateCustomer = async () => {
      throw new Error("platform is down");
    };
    try {
      const first = await bridge.callback(get("/pipedrive/callback?code=CODE-retry"));
      const cookie = ((first.headers["set-cookie"] as string[])[0] ?? "").split(";")[0];
      const res = await bridge.continueInstall(get("/pipedrive/continue", { cookie }));
      expect(res.status).toBe(502);
      expect(res.body).toContain('data-kind="platform_unavailable"');
      expect(res.body).not.toMatch(/at .*\.ts:\d+|Error:/);
      expect((await bridge.store.peek(cookie.split("=")[1].split(".")[0])).status).toBe("ok");
    } finally {
      platform.findOrCreateCustomer = original;
    }
  });

  test("the default store's options cannot be mixed with a store of one's own", () => {
    const options = { clientId: "a", clientSecret: "b", cookieSecret: COOKIE_SECRET, platform, session: () => session };
    const pages = { signUpUrl: "/signup", logInUrl: "/login" };
    const store = new MemoryPendingCodeStore({ ttlMs: 1000 });
    expect(() => createMarketplaceBridge({ ...options, ...pages, store, codeTtlMs: 1000 })).toThrow(
      /codeTtlMs and maxPendingCodes configure the default store/,
    );
    expect(createMarketplaceBridge({ ...options, ...pages, store }).store).toBe(store);
  });

  test("bad requests: no code, odd code, other methods", async () => {
    expect((await bridge.callback(get("/pipedrive/callback"))).body).toContain('data-kind="bad_request"');
    expect((await bridge.callback(get("/pipedrive/callback?code=%00%01"))).body).toContain('data-kind="bad_request"');
    expect((await bridge.callback(get(`/pipedrive/callback?code=${"x".repeat(2000)}`))).body).toContain(
      'data-kind="bad_request"',
    );
    const post = await bridge.callback({ method: "POST", url: "/pipedrive/callback", headers: {} });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe("GET, DELETE");
    expect((await bridge.handle(get("/elsewhere"))) === null).toBe(true);
  });

  test("uninstall: forged credentials get 401 and change nothing; valid ones disable the labelled instances", async () => {
    const instance: PlatformInstance = {
      id: "inst-u",
      customerId: "c",
      name: "P",
      enabled: true,
      labels: [pipedriveUserLabel(5, 9)],
    };
    platform.instances.push(instance);
    const body = JSON.stringify({
      client_id: "unit-app",
      company_id: 5,
      user_id: 9,
      timestamp: "2026-01-01T00:00:00Z",
    });
    const del = (authorization?: string, b = body): BridgeRequest => ({
      method: "DELETE",
      url: "/pipedrive/callback",
      headers: authorization ? { Authorization: authorization } : {},
      body: b,
    });
    const basic = (s: string) => `Basic ${Buffer.from(s).toString("base64")}`;

    const forged = await bridge.callback(del(basic("unit-app:guess")));
    expect(forged.status).toBe(401);
    expect(forged.headers["www-authenticate"]).toMatch(/^Basic/);
    expect((await bridge.callback(del())).status).toBe(401);
    expect(instance.enabled).toBe(true);

    expect((await bridge.callback(del(basic(`unit-app:${SECRET}`), "{}"))).status).toBe(400);
    const other = JSON.stringify({ client_id: "someone-else", company_id: 5, user_id: 9 });
    expect((await bridge.callback(del(basic(`unit-app:${SECRET}`), other))).status).toBe(400);

    const ok = await bridge.callback(del(basic(`unit-app:${SECRET}`)));
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ ok: true, disabled: ["inst-u"] });
    expect(instance.enabled).toBe(false);
    expect(platform.disabled).toEqual(["inst-u"]);
  });
});

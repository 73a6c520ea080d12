/**
 * End to end, everything on 127.0.0.1: the Pipedrive simulator (Marketplace Install, consent page,
 * token endpoint, uninstall notice), the simulated platform (test/support/platform-sim.ts), and the
 * example app server with the install bridge (examples/marketplace-server.ts), driven by headless
 * Chromium (playwright-core, Debian's /usr/bin/chromium, a fresh user-data dir) where a person
 * would click, and by plain HTTP where nobody looks (uninstall, replays, misconfiguration).
 * The whole suite runs once with each store of pending codes: in memory, and in a real Redis
 * (Debian's redis-server on a free loopback port, started for that run and stopped after); the
 * browser is launched once for both. Each page a user sees is saved to test/artifacts/screenshots/
 * (the Redis run's with a "redis-" prefix; listed, with the run time, in index.txt).
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Redis from "ioredis";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { type MarketplaceServer, startMarketplaceServer } from "../../examples/marketplace-server";
import { PipedriveSimulator } from "../../sim";
import { marketplaceAuthorizeUrl } from "../../src/marketplace";
import { PlatformSim } from "../support/platform-sim";
import { RedisServer } from "../support/redis";
import { capturedLines, context, expectNoSecretsLeaked, failure, harness } from "../support/setup";

const SHOTS = path.resolve(__dirname, "../artifacts/screenshots");
const CLIENT_ID = "acme-crm-sync";
const CLIENT_SECRET = randomBytes(24).toString("hex");
const COOKIE_SECRET = randomBytes(32).toString("hex");
const DANA = { name: "Dana Admin", email: "dana@acme.example", password: "correct horse battery" };

let sim: PipedriveSimulator;
let platform: PlatformSim;
let server: MarketplaceServer;
let browser: BrowserContext;
let page: Page;
let userDataDir: string;
let bridgeClockOffset = 0;
const STORES = ["memory", "redis"] as const;
let storeKind: (typeof STORES)[number] = "memory";
let redisServer: RedisServer | null = null;
let shotsThisRun = 0;
const startedAt = Date.now();
/** Every URL the browser requested, to find the codes Pipedrive handed out (for the secret scan). */
const browserUrls: string[] = [];
/** Every URL the plain-HTTP flows requested (their codes too). */
const httpUrls: string[] = [];
const screenshots: string[] = [];

const bridgeLog = {
  info: (m: string, f?: Record<string, unknown>) => capturedLines.push(`bridge info: ${m} ${JSON.stringify(f ?? {})}`),
  warn: (m: string, f?: Record<string, unknown>) => capturedLines.push(`bridge warn: ${m} ${JSON.stringify(f ?? {})}`),
  error: (m: string, f?: Record<string, unknown>) =>
    capturedLines.push(`bridge error: ${m} ${JSON.stringify(f ?? {})}`),
};

async function shot(name: string): Promise<void> {
  const prefix = storeKind === "memory" ? "" : `${storeKind}-`;
  const file = `${prefix}${String(++shotsThisRun).padStart(2, "0")}-${name}.png`;
  await page.screenshot({ path: path.join(SHOTS, file), fullPage: true });
  screenshots.push(file);
}

const installUrl = () => `${sim.url}/marketplace/install?client_id=${CLIENT_ID}`;
const bridgeKind = () => page.getAttribute("#bridge-message", "data-kind");

async function logIn(email: string, password: string): Promise<void> {
  await page.fill("#email", email);
  await page.fill("#password", password);
  await Promise.all([page.waitForNavigation(), page.click("#submit")]);
}

async function logOut(): Promise<void> {
  await page.goto(`${server.url}/`);
  if (await page.$("#logout")) await Promise.all([page.waitForNavigation(), page.click("#logout")]);
}

/** The bridge's confirmation page: checks it names the account, then clicks Connect. */
async function confirmInBrowser(accountName: string, screenshot?: string): Promise<void> {
  await page.waitForSelector("#confirm-install");
  expect(await bridgeKind()).toBe("confirm");
  expect(await page.textContent("#confirm-account")).toBe(accountName);
  if (screenshot) await shot(screenshot);
  await Promise.all([page.waitForNavigation(), page.click("#confirm-install")]);
}

/** Marketplace Install in the browser up to Pipedrive's consent page, then Allow (or Cancel). */
async function installAndConsent(choice: "allow" | "deny", screenshot?: string): Promise<void> {
  await page.goto(installUrl());
  await page.waitForSelector("#allow");
  if (screenshot) await shot(screenshot);
  await Promise.all([page.waitForNavigation(), page.click(`#${choice}`)]);
}

// --- plain HTTP with a cookie jar, for flows nobody looks at --------------------------------

class Jar {
  private readonly cookies = new Map<string, string>();
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
  absorb(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const i = pair.indexOf("=");
      const name = pair.slice(0, i).trim();
      if (attrs.some((a) => /^\s*max-age=0\s*$/i.test(a))) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(i + 1).trim());
    }
  }
}

interface Hop {
  status: number;
  url: string;
  location: string | null;
  text: string;
}

async function hop(url: string, jar: Jar, init: RequestInit = {}): Promise<Hop> {
  httpUrls.push(url);
  const sameOrigin = url.startsWith(server.url);
  const headers = {
    ...(init.headers as Record<string, string>),
    ...(sameOrigin && jar.header() ? { cookie: jar.header() } : {}),
  };
  const res = await fetch(url, { ...init, headers, redirect: "manual" });
  if (sameOrigin) jar.absorb(res);
  const location = res.headers.get("location");
  return {
    status: res.status,
    url,
    location: location ? new URL(location, url).toString() : null,
    text: await res.text(),
  };
}

/** Follows redirects by hand (cookies only for the app's origin); returns every hop. */
async function follow(url: string, jar: Jar, max = 10): Promise<Hop[]> {
  const hops: Hop[] = [];
  let next: string | null = url;
  while (next && hops.length < max) {
    const h: Hop = await hop(next, jar);
    hops.push(h);
    next = h.status >= 300 && h.status < 400 ? h.location : null;
  }
  return hops;
}

async function httpLogIn(jar: Jar, email: string, password: string): Promise<void> {
  const res = await hop(`${server.url}/login?next=%2F`, jar, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email, password }).toString(),
  });
  expect(res.status).toBe(303);
}

const kindOf = (html: string) => /data-kind="([a-z_]+)"/.exec(html)?.[1];

/** Submits the bridge's confirmation page (the last hop's HTML) as the browser's form would, then follows. */
async function confirmOverHttp(jar: Jar, hops: Hop[]): Promise<Hop[]> {
  const html = hops.at(-1)?.text ?? "";
  expect(kindOf(html)).toBe("confirm");
  const token = /name="confirm" value="([^"]+)"/.exec(html)?.[1] ?? "";
  const posted = await hop(`${server.url}/pipedrive/continue`, jar, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: server.url },
    body: new URLSearchParams({ confirm: token }).toString(),
  });
  return posted.location ? [posted, ...(await follow(posted.location, jar))] : [posted];
}

/** Consent (auto, as the given Pipedrive user) in a jar of its own, stopping before the bridge: the callback URL with its code. */
async function codeLinkFor(userId: number): Promise<string> {
  sim.setConsent("auto", userId);
  const jar = new Jar();
  let next: string | null = installUrl();
  for (let i = 0; next && i < 10; i++) {
    if (next.startsWith(server.callbackUrl)) {
      sim.setConsent("page", 1);
      return next;
    }
    const h: Hop = await hop(next, jar);
    next = h.status >= 300 && h.status < 400 ? h.location : null;
  }
  sim.setConsent("page", 1);
  throw new Error("no callback with a code");
}

// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  userDataDir = mkdtempSync(path.join(tmpdir(), "pd-marketplace-e2e-"));
  browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1000, height: 700 },
  });
  page = browser.pages()[0] ?? (await browser.newPage());
  page.on("request", (request) => {
    browserUrls.push(request.url());
  });
});

afterAll(async () => {
  await browser?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  writeFileSync(
    path.join(SHOTS, "index.txt"),
    `marketplace e2e: ${Date.now() - startedAt} ms\n${screenshots.join("\n")}\n`,
  );
});

/** The codes Pipedrive handed out so far and the tokens the platform holds now. */
function seenSecrets(): { codes: string[]; tokens: string[] } {
  const codes = [...browserUrls, ...httpUrls].flatMap((u) => {
    const c = new URL(u).searchParams.get("code");
    return c ? [c] : [];
  });
  const tokens = [...platform.instances.keys()].flatMap((id) => {
    const t = platform.storedToken(id);
    return t ? [t.access_token as string, t.refresh_token as string] : [];
  });
  return { codes, tokens };
}

describe.each(STORES)("with pending codes kept in %s", (kind) => {
  beforeAll(async () => {
    storeKind = kind;
    shotsThisRun = 0;
    if (kind === "redis") redisServer = await RedisServer.start();
    sim = await PipedriveSimulator.start();
    platform = await PlatformSim.start({
      connection: {
        authorizeUrl: `${sim.url}/oauth/authorize`,
        tokenUrl: `${sim.url}/oauth/token`,
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
      },
    });
    server = await startMarketplaceServer({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      cookieSecret: COOKIE_SECRET,
      platform: platform.client(),
      appName: "Acme CRM Sync",
      logger: bridgeLog,
      now: () => Date.now() + bridgeClockOffset,
      redisUrl: redisServer?.url,
    });
    expect(server.storeKind).toBe(kind);
    // Once per app: the bridge is the app's one callback URL in Developer Hub, and the integration's
    // Authorize URL carries it as redirect_uri.
    sim.registerOAuthApp({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUri: server.callbackUrl,
      scopes: ["base", "deals:full", "admin"],
    });
    platform.connectionInputs.authorizeUrl = marketplaceAuthorizeUrl(server.callbackUrl, `${sim.url}/oauth/authorize`);
    server.addUser(DANA.name, DANA.email, DANA.password);
    await browser.clearCookies();
  });

  afterEach(() => {
    expect(sim.violations).toEqual([]);
  });

  afterAll(async () => {
    await server?.stop();
    await platform?.stop();
    await sim?.stop();
    await redisServer?.dispose();
    redisServer = null;
  });

  describe("Marketplace install through the bridge (browser)", () => {
    let callbackWithoutState = "";

    test("a signed-out user: Install -> consent -> log in -> instance created -> code replayed with the config variable id -> getCurrentUser works", async () => {
      // Dana has an account and used it in this browser before, then logged out.
      await page.goto(`${server.url}/login`);
      await logIn(DANA.email, DANA.password);
      await logOut();
      sim.setConsent("page", 1);

      await installAndConsent("allow", "pipedrive-consent");
      expect(page.url()).toMatch(new RegExp(`^${server.url}/login\\?next=%2Fpipedrive%2Fcontinue$`));
      await page.waitForSelector("#pending-install");
      await shot("app-login-install-waiting");

      callbackWithoutState = browserUrls.filter((u) => u.startsWith(server.callbackUrl)).pop() as string;
      const callback = new URL(callbackWithoutState);
      expect(callback.searchParams.get("code")).toBeTruthy();
      expect(callback.searchParams.has("state")).toBe(false);
      const installCookie = (await browser.cookies()).find((c) => c.name === "pd_install");
      expect(installCookie).toMatchObject({
        httpOnly: true,
        secure: true,
        sameSite: "Lax",
        path: "/pipedrive/continue",
      });
      expect(platform.instances.size).toBe(0);

      await logIn(DANA.email, DANA.password);
      // Nothing is connected until Dana confirms on the bridge's page.
      expect(platform.exchanges).toEqual([]);
      expect(await page.textContent("#replaces")).toBe("It is not connected to Pipedrive yet.");
      await confirmInBrowser(DANA.name, "bridge-confirm-install");
      await page.waitForSelector("#configure");
      await shot("platform-configure-connected");
      expect(await page.textContent("#connection-status")).toBe("Connected");
      expect(await page.textContent("#customer-name")).toBe("Dana Admin");

      const account = server.users.get(DANA.email);
      const instance = platform.instanceOf(account?.id as string);
      expect(instance).toBeDefined();
      if (!instance) return;
      expect(page.url()).toBe(`${platform.url}/instances/${encodeURIComponent(instance.id)}/configure`);
      expect(platform.configVariableOf(instance.id)?.status).toBe("ACTIVE");
      // The code was replayed with state = the instance's connection config variable, and exchanged
      // with the redirect URI Pipedrive saw (the bridge's callback).
      expect(platform.exchanges).toEqual([
        { configVariableId: instance.configVariableId, redirectUri: server.callbackUrl, ok: true },
      ]);
      expect(instance.labels).toEqual(["pipedrive-user:1:1"]);
      expect((await browser.cookies()).some((c) => c.name === "pd_install")).toBe(false);

      const connection = platform.connection(instance.id);
      expect(connection?.token?.api_domain).toBe(sim.url);
      const me = (await harness.action("getCurrentUser", { connection }, context)) as {
        data: { data: Record<string, unknown> };
      };
      expect(me.data.data).toMatchObject({ id: 1, company_id: 1, email: "admin@sim.example" });
    });

    test("a guest: Install -> consent -> sign up -> a new customer and instance", async () => {
      await browser.clearCookies();
      sim.setConsent("page", 2);
      await installAndConsent("allow");
      expect(page.url()).toMatch(new RegExp(`^${server.url}/signup\\?next=%2Fpipedrive%2Fcontinue$`));
      await page.waitForSelector("#pending-install");
      await shot("app-signup-install-waiting");
      await page.fill("#name", "Gus Guest");
      await page.fill("#email", "gus@guest.example");
      await page.fill("#password", "guest password 1");
      await Promise.all([page.waitForNavigation(), page.click("#submit")]);
      await confirmInBrowser("Gus Guest");
      await page.waitForSelector("#configure");
      expect(await page.textContent("#connection-status")).toBe("Connected");
      const instance = platform.instanceOf(server.users.get("gus@guest.example")?.id as string);
      expect(instance?.labels).toEqual(["pipedrive-user:1:2"]);
      expect(platform.instances.size).toBe(2);
    });

    test("the same install callback loaded again (a replayed code) says it was already used", async () => {
      const exchanges = platform.exchanges.length;
      await page.goto(callbackWithoutState);
      expect(await bridgeKind()).toBe("code_used");
      expect(await page.textContent("h1")).toBe("This install link was already used");
      await shot("bridge-code-already-used");
      expect(platform.exchanges.length).toBe(exchanges);
    });

    test("a code that expires while the user logs in: clear 'expired' page, the existing connection is kept", async () => {
      await logOut();
      sim.setConsent("page", 1);
      await installAndConsent("allow");
      await page.waitForSelector("#pending-install");
      const instance = platform.instanceOf(server.users.get(DANA.email)?.id as string);
      const tokenBefore = platform.storedToken(instance?.id as string);
      sim.advanceTime(5 * 60_000 + 1000);
      await logIn(DANA.email, DANA.password);
      expect(await page.textContent("#current-pipedrive")).toMatch(/user 1\)? of .*company 1\)?$/);
      await confirmInBrowser(DANA.name);
      expect(await bridgeKind()).toBe("code_expired");
      await shot("bridge-code-expired");
      expect(platform.exchanges.at(-1)).toMatchObject({
        ok: false,
        error: "Invalid grant: authorization_code has expired",
      });
      expect(platform.configVariableOf(instance?.id as string)?.status).toBe("ACTIVE");
      expect(platform.storedToken(instance?.id as string)).toBe(tokenBefore);
    });

    test("attack: a code sent to a signed-in victim does not connect silently; the page names what would be replaced", async () => {
      // Dana is signed in; her instance is connected to Pipedrive user 1. Someone consents as
      // Pipedrive user 2, does not follow the callback, and sends Dana the link.
      await page.goto(`${server.url}/login`);
      await logIn(DANA.email, DANA.password);
      const instance = platform.instanceOf(server.users.get(DANA.email)?.id as string);
      const tokenBefore = platform.storedToken(instance?.id as string);
      const exchanges = platform.exchanges.length;
      const link = await codeLinkFor(2);
      await page.goto(link);
      await page.waitForSelector("#confirm-install");
      await shot("bridge-confirm-replaces-connection");
      expect(await page.textContent("#confirm-account")).toBe(DANA.name);
      expect(await page.textContent("#current-pipedrive")).toMatch(/user 1\) of .*\(company 1\)$/);
      // Dana does not confirm: nothing was exchanged, her connection is untouched.
      expect(platform.exchanges.length).toBe(exchanges);
      expect(platform.storedToken(instance?.id as string)).toBe(tokenBefore);
      expect(instance?.labels).toEqual(["pipedrive-user:1:1"]);
      // A forged confirmation (no token, or a made-up one) from the same browser connects nothing either.
      for (const confirm of ["", "x".repeat(43)]) {
        const res = await page.request.post(`${server.url}/pipedrive/continue`, { form: { confirm }, maxRedirects: 0 });
        expect(res.status()).toBe(403);
      }
      expect(platform.exchanges.length).toBe(exchanges);
      expect(platform.storedToken(instance?.id as string)).toBe(tokenBefore);
    });

    test("attack: a code link opened first by its sender is refused in the victim's browser", async () => {
      const link = await codeLinkFor(2);
      const sender = new Jar();
      const theirs = await hop(link, sender);
      expect(theirs.status).toBe(302);
      const exchanges = platform.exchanges.length;
      await page.goto(link);
      expect(await bridgeKind()).toBe("code_elsewhere");
      await shot("bridge-code-in-another-browser");
      expect(platform.exchanges.length).toBe(exchanges);
    });

    test("Cancel on Pipedrive's consent page: 'Installation cancelled'", async () => {
      await installAndConsent("deny");
      expect(new URL(page.url()).searchParams.get("error")).toBe("user_denied");
      expect(await bridgeKind()).toBe("user_denied");
      await shot("bridge-install-cancelled");
    });

    test("continue without the install cookie: 'no installation is waiting in this browser'", async () => {
      await browser.clearCookies();
      await page.goto(`${server.url}/pipedrive/continue`);
      expect(await bridgeKind()).toBe("missing_cookie");
      await shot("bridge-no-install-waiting");
    });

    test("the platform's own Connect flow (with state) goes through the bridge untouched", async () => {
      const customer = platform.findOrCreateCustomer("acct_connect", "Connect Co");
      const instance = platform.findOrCreateInstance(customer.id);
      sim.setConsent("page", 2);
      await page.goto(platform.connectUrl(instance.configVariableId));
      await page.waitForSelector("#allow");
      await Promise.all([page.waitForNavigation(), page.click("#allow")]);
      await page.waitForSelector("#oauth-result");
      await shot("platform-connect-flow-connected");
      expect(await page.getAttribute("#oauth-result", "data-result")).toBe("connected");
      const viaBridge = new URL(browserUrls.filter((u) => u.startsWith(server.callbackUrl)).pop() as string);
      expect(viaBridge.searchParams.get("state")).toBe(instance.configVariableId);
      expect(platform.exchanges.at(-1)).toEqual({
        configVariableId: instance.configVariableId,
        redirectUri: server.callbackUrl,
        ok: true,
      });
      expect(platform.configVariableOf(instance.id)?.status).toBe("ACTIVE");
    });

    test("a callback with an unknown state: the platform's clear error page", async () => {
      await page.goto(`${server.callbackUrl}?code=not-a-real-code&state=SW5zdGFuY2VDb25maWdWYXJpYWJsZTpub3BlCg%3D%3D`);
      await page.waitForSelector("#oauth-result");
      expect(await page.getAttribute("#oauth-result", "data-error")).toBe("unknown_state");
      await shot("platform-unknown-state");
    });
    if (kind === "redis")
      test("Redis stopped while the user logs in: the 'try again' page (503), and no install from a lost code", async () => {
        // Dana, signed out in this browser (the test before cleared its cookies)
        await page.goto(`${server.url}/login`);
        await logIn(DANA.email, DANA.password);
        await logOut();
        sim.setConsent("page", 1);
        await installAndConsent("allow");
        await page.waitForSelector("#pending-install");
        const exchanges = platform.exchanges.length;
        await (redisServer as RedisServer).stop();
        try {
          const answers: number[] = [];
          page.on("response", (r) => {
            if (r.url().startsWith(`${server.url}/pipedrive/continue`)) answers.push(r.status());
          });
          await logIn(DANA.email, DANA.password);
          expect(await bridgeKind()).toBe("store_unavailable");
          expect(answers).toEqual([503]);
          await shot("bridge-store-unavailable");
        } finally {
          await (redisServer as RedisServer).resume();
        }
        const deadline = Date.now() + 10_000;
        for (;;) {
          const ready = await server.bridge.store.peek("x".repeat(32)).then(
            () => true,
            () => false,
          );
          if (ready) break;
          if (Date.now() > deadline) throw new Error("the bridge's Redis client did not reconnect");
          await new Promise((r) => setTimeout(r, 100));
        }
        // Redis came back empty (nothing persisted): the code is gone, never handed out.
        await page.reload();
        expect(await bridgeKind()).toBe("missing_cookie");
        expect(platform.exchanges.length).toBe(exchanges);
      });
  });

  describe("uninstall and replays (plain HTTP)", () => {
    const danaInstance = () => platform.instanceOf(server.users.get(DANA.email)?.id as string);

    test("the example app's log-in stays on its own origin and refuses cross-site posts", async () => {
      const logInWith = (next: string, headers: Record<string, string>) =>
        hop(`${server.url}/login?next=${next}`, new Jar(), {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
          body: new URLSearchParams({ email: DANA.email, password: DANA.password }).toString(),
        });
      const sameSite = { origin: server.url, "sec-fetch-site": "same-origin" };
      for (const next of [
        "%2F%09%2Fevil.example%2F",
        "%2F%2Fevil.example",
        "%2F%5Cevil.example",
        "https%3A%2F%2Fevil.example",
      ]) {
        const res = await logInWith(next, sameSite);
        expect(res.status).toBe(303);
        expect(new URL(res.location as string).origin).toBe(server.url);
      }
      expect((await logInWith("%2Fpipedrive%2Fcontinue", sameSite)).location).toBe(`${server.url}/pipedrive/continue`);
      expect((await logInWith("%2F", { origin: "https://evil.example" })).status).toBe(403);
      expect((await logInWith("%2F", { origin: server.url, "sec-fetch-site": "cross-site" })).status).toBe(403);
      expect((await logInWith("%2F", { origin: "null" })).status).toBe(403);
    });

    test("a forged uninstall notice gets 401 and disables nothing", async () => {
      const body = JSON.stringify({
        client_id: CLIENT_ID,
        company_id: 1,
        user_id: 1,
        timestamp: new Date().toISOString(),
      });
      for (const authorization of [
        `Basic ${Buffer.from(`${CLIENT_ID}:guessed-secret`).toString("base64")}`,
        "",
        `Bearer ${CLIENT_SECRET}`,
      ]) {
        const res = await fetch(server.callbackUrl, {
          method: "DELETE",
          headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
          body,
        });
        expect(res.status).toBe(401);
      }
      expect(danaInstance()?.enabled).toBe(true);
      expect(
        capturedLines.some((l) => l.includes("uninstall notice rejected: wrong or missing client credentials")),
      ).toBe(true);
    });

    test("Pipedrive's real uninstall notice disables that user's instance only; its token stops working", async () => {
      const result = await sim.uninstallApp({ clientId: CLIENT_ID, userId: 1 });
      expect(result.status).toBe(200);
      expect(danaInstance()?.enabled).toBe(false);
      expect(platform.instanceOf(server.users.get("gus@guest.example")?.id as string)?.enabled).toBe(true);
      const error = await failure(() =>
        harness.action("getCurrentUser", { connection: platform.connection(danaInstance()?.id as string) }, context),
      );
      expect(error.message).toMatch(/401|reconnect/i);
    });

    test("installing again after an uninstall reconnects and re-enables the instance", async () => {
      sim.setConsent("auto", 1);
      const jar = new Jar();
      await httpLogIn(jar, DANA.email, DANA.password);
      const shown = await follow(installUrl(), jar);
      expect(shown.map((h) => h.status)).toEqual([302, 302, 200]);
      expect(shown[2].text).toContain("could not be identified");
      const hops = await confirmOverHttp(jar, shown);
      expect(hops.map((h) => h.status)).toEqual([302, 200]);
      expect(hops[1].url).toBe(
        `${platform.url}/instances/${encodeURIComponent(danaInstance()?.id as string)}/configure`,
      );
      expect(danaInstance()?.enabled).toBe(true);
      const me = (await harness.action(
        "getCurrentUser",
        { connection: platform.connection(danaInstance()?.id as string) },
        context,
      )) as {
        data: { data: { id: number } };
      };
      expect(me.data.data.id).toBe(1);
    });

    test("a code already exchanged in a Connect flow, replayed to the bridge without state: 'already used'", async () => {
      sim.setConsent("auto", 1);
      const jar = new Jar();
      const instance = danaInstance();
      const authorize = new URL(platform.connectionInputs.authorizeUrl);
      authorize.searchParams.set("client_id", CLIENT_ID);
      authorize.searchParams.set("state", instance?.configVariableId as string);
      const connect = await follow(authorize.toString(), jar);
      const code = new URL(connect[0].location as string).searchParams.get("code") as string;
      expect(connect.at(-1)?.url).toMatch(/\/oauth2\/connected\?/);
      await httpLogIn(jar, DANA.email, DANA.password);
      const shown = await follow(`${server.callbackUrl}?code=${encodeURIComponent(code)}`, jar);
      const replay = await confirmOverHttp(jar, shown);
      expect(kindOf(replay.at(-1)?.text ?? "")).toBe("code_used");
      expect(platform.exchanges.at(-1)).toMatchObject({
        ok: false,
        error: "Invalid grant: authorization_code is invalid",
      });
    });

    test("the bridge's own expiry: a code left waiting longer than 5 minutes is refused before any exchange", async () => {
      sim.setConsent("auto", 1);
      const jar = new Jar();
      const first = await follow(installUrl(), jar);
      expect(first.at(-1)?.url).toMatch(/\/signup\?next=%2Fpipedrive%2Fcontinue$/);
      await httpLogIn(jar, DANA.email, DANA.password);
      const exchanges = platform.exchanges.length;
      bridgeClockOffset = 5 * 60_000 + 1;
      try {
        const res = await follow(`${server.url}/pipedrive/continue`, jar);
        expect(kindOf(res.at(-1)?.text ?? "")).toBe("code_expired");
      } finally {
        bridgeClockOffset = 0;
      }
      expect(platform.exchanges.length).toBe(exchanges);
    });

    test("a platform that sends its own callback as redirect_uri at the token exchange is refused by Pipedrive; the page says why", async () => {
      platform.redirectUriAtTokenExchange = "platformCallback";
      try {
        sim.setConsent("auto", 1);
        const jar = new Jar();
        await httpLogIn(jar, DANA.email, DANA.password);
        const hops = await confirmOverHttp(jar, await follow(installUrl(), jar));
        expect(kindOf(hops.at(-1)?.text ?? "")).toBe("redirect_uri_mismatch");
        expect(platform.exchanges.at(-1)).toMatchObject({
          redirectUri: platform.oauthCallbackUrl,
          ok: false,
          error: "Invalid request: redirect_uri is invalid",
        });
      } finally {
        platform.redirectUriAtTokenExchange = "authorizeUrl";
      }
    });

    test("no code, token or secret in any log line", () => {
      const { codes, tokens } = seenSecrets();
      expect(codes.length).toBeGreaterThan(3);
      expect(tokens.length).toBeGreaterThan(3);
      expect(capturedLines.filter((l) => l.startsWith("bridge")).length).toBeGreaterThan(10);
      expectNoSecretsLeaked([...codes, ...tokens, CLIENT_SECRET, COOKIE_SECRET]);
      expect(sim.violations).toEqual([]);
    });

    if (kind === "redis")
      test("nothing in Redis is readable in clear: no code, token or secret, only hashes and ciphertext", async () => {
        const redis = new Redis((redisServer as RedisServer).url, { lazyConnect: true });
        await redis.connect();
        try {
          const keys = await redis.keys("*");
          expect(keys.some((k) => k.startsWith("pd-install:secret:"))).toBe(true);
          expect(keys.every((k) => /^pd-install:(code|secret|id):[A-Za-z0-9_-]{43}$/.test(k))).toBe(true);
          const text = [...keys, ...(await Promise.all(keys.map((k) => redis.get(k))))].join("\n");
          const { codes, tokens } = seenSecrets();
          expect(codes.length).toBeGreaterThan(3);
          expect(tokens.length).toBeGreaterThan(3);
          for (const secret of [...codes, ...tokens, CLIENT_SECRET, COOKIE_SECRET]) {
            expect(text).not.toContain(secret);
            expect(text).not.toContain(Buffer.from(secret).toString("base64url"));
          }
        } finally {
          redis.disconnect();
        }
      });
  });
});

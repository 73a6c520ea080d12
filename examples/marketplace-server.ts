/**
 * Example: the Pipedrive Marketplace install bridge (src/marketplace) wired into a node:http server,
 * beside trivial sign-up / log-in pages standing in for your app's own.
 *
 *   npx tsx examples/marketplace-server.ts
 *
 * run standalone, it starts the Pipedrive simulator and the simulated platform
 * (test/support/platform-sim.ts) and prints the Marketplace "Install" link to open in a browser.
 * Tests import startMarketplaceServer() and wire it to the same simulators.
 *
 * With REDIS_URL set (e.g. redis://127.0.0.1:6379), pending install codes are kept in Redis
 * (RedisPendingCodeStore), so replicas behind a load balancer, serverless instances and restarts
 * share them; INSTALL_COOKIE_SECRET (at least 32 bytes) must then be the same on every replica.
 * Without it they stay in this process's memory. The example app's own accounts and sessions are
 * always in memory: your app has its own.
 *
 * With PRISMATIC_ACCESS_TOKEN set (and PRISMATIC_INTEGRATION_ID, PRISMATIC_CONFIGURE_URL; optionally
 * PRISMATIC_URL, PRISMATIC_CONNECTION_CONFIG_VAR, PRISMATIC_OAUTH_CALLBACK_URL), the platform is
 * Prismatic through its GraphQL API (src/marketplace/prismatic.ts), for your Pipedrive app
 * (PIPEDRIVE_CLIENT_ID, PIPEDRIVE_CLIENT_SECRET), and no simulator starts.
 *
 * Routes: /pipedrive/callback (GET code/state/error, DELETE uninstall) and /pipedrive/continue
 * (the bridge), / (home), /signup, /login, /logout (the app).
 */
import { randomBytes, scryptSync, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type AppSession,
  type BridgeLogger,
  type BridgeRequest,
  type BridgeResponse,
  connectRedis,
  createMarketplaceBridge,
  escapeHtml,
  type MarketplaceBridge,
  type MarketplaceBridgeOptions,
  marketplaceAuthorizeUrl,
  type PlatformApi,
  RedisPendingCodeStore,
  readCookie,
} from "../src/marketplace";
import { prismaticPlatformFromEnv } from "../src/marketplace/prismatic";

export interface AppUser {
  id: string;
  name: string;
  email: string;
  salt: Buffer;
  passwordHash: Buffer;
}

export interface MarketplaceServerOptions
  extends Omit<MarketplaceBridgeOptions, "session" | "signUpUrl" | "logInUrl" | "callbackPath" | "continuePath"> {
  port?: number;
  host?: string;
  /** Keep pending codes in this Redis (redis://...) instead of in memory; the client is closed on stop(). */
  redisUrl?: string;
}

export interface MarketplaceServer {
  url: string;
  /** The URL to register as the Pipedrive app's callback URL. */
  callbackUrl: string;
  bridge: MarketplaceBridge;
  /** Where pending codes are kept. */
  storeKind: "memory" | "redis";
  /** Registers an account (as if the person had signed up earlier). */
  addUser(name: string, email: string, password: string): AppUser;
  users: Map<string, AppUser>;
  stop(): Promise<void>;
}

const SESSION_COOKIE = "app_session";
/** Set at sign-up and log-in, kept after log-out: tells a returning (signed-out) user from a guest. */
const KNOWN_COOKIE = "app_known";
const MAX_BODY = 64 * 1024;

const hash = (password: string, salt: Buffer) => scryptSync(password, salt, 32);

/**
 * Only this app's own pages: `next` is resolved the way a browser would (which drops tabs and
 * newlines, so "/\t/evil.example" is "//evil.example") against the app's origin and kept only when
 * it stays on that origin; anything else goes home.
 */
function safeNext(next: string | null, origin: string): string {
  if (!next?.startsWith("/")) return "/";
  try {
    const target = new URL(next, origin);
    return target.origin === origin ? `${target.pathname}${target.search}${target.hash}` : "/";
  } catch {
    return "/";
  }
}

/**
 * A form post from another site, refused before anything is read: Sec-Fetch-Site when the browser
 * sends it (every current one does), else Origin, which must be this app's own.
 */
function crossSite(req: IncomingMessage, origin: string): boolean {
  const site = req.headers["sec-fetch-site"];
  if (site !== undefined) return site !== "same-origin" && site !== "none";
  const from = req.headers.origin;
  return from !== undefined && from !== origin;
}

function appPage(title: string, inner: string): BridgeResponse {
  return {
    status: 200,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "referrer-policy": "no-referrer",
    },
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} - Acme CRM Sync</title>
<style>body{font-family:system-ui,sans-serif;max-width:30rem;margin:3rem auto;padding:0 1rem;line-height:1.5}
label{display:block;margin:.6rem 0}input{display:block;width:100%;padding:.4rem;font-size:1rem}
button{margin-top:1rem;padding:.5rem 1rem;font-size:1rem}.note{color:#555}.error{color:#a00}</style></head>
<body><header><strong>Acme CRM Sync</strong> (example app)</header>${inner}</body></html>`,
  };
}

function form(kind: "signup" | "login", next: string, error = ""): BridgeResponse {
  const signup = kind === "signup";
  const other = signup
    ? `<p class="note">Already have an account? <a href="/login?next=${encodeURIComponent(next)}">Log in</a></p>`
    : `<p class="note">New here? <a href="/signup?next=${encodeURIComponent(next)}">Create an account</a></p>`;
  const pending = next.startsWith("/pipedrive/")
    ? `<p class="note" id="pending-install">Your Pipedrive installation is waiting: ${signup ? "create an account" : "log in"} to finish it.</p>`
    : "";
  return appPage(
    signup ? "Sign up" : "Log in",
    `<h1>${signup ? "Create your account" : "Log in"}</h1>${pending}
${error ? `<p class="error" id="form-error">${escapeHtml(error)}</p>` : ""}
<form method="POST" action="/${kind}?next=${encodeURIComponent(next)}">
${signup ? '<label>Name <input id="name" name="name" required autocomplete="name"></label>' : ""}
<label>Email <input id="email" name="email" type="email" required autocomplete="email"></label>
<label>Password <input id="password" name="password" type="password" required autocomplete="${signup ? "new-password" : "current-password"}"></label>
<button id="submit" type="submit">${signup ? "Sign up" : "Log in"}</button>
</form>${other}`,
  );
}

async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function write(res: ServerResponse, answer: BridgeResponse): void {
  res.writeHead(answer.status, answer.headers);
  res.end(answer.body);
}

const consoleLogger: BridgeLogger = {
  info: (message, fields) => console.log(message, JSON.stringify(fields ?? {})),
  warn: (message, fields) => console.warn(message, JSON.stringify(fields ?? {})),
  error: (message, fields) => console.error(message, JSON.stringify(fields ?? {})),
};

export async function startMarketplaceServer(options: MarketplaceServerOptions): Promise<MarketplaceServer> {
  const users = new Map<string, AppUser>();
  const sessions = new Map<string, string>();

  const userOf = (req: { headers: BridgeRequest["headers"] }): AppUser | undefined => {
    const sid = readCookie(req.headers.cookie, SESSION_COOKIE);
    const email = sid ? sessions.get(sid) : undefined;
    return email ? users.get(email) : undefined;
  };
  const session = (req: BridgeRequest): AppSession => {
    const user = userOf(req);
    if (user) return { status: "signedIn", account: { id: user.id, name: user.name } };
    return readCookie(req.headers.cookie, KNOWN_COOKIE) ? { status: "signedOut" } : { status: "guest" };
  };

  const { port, host, redisUrl, ...bridgeOptions } = options;
  const logger = bridgeOptions.logger ?? consoleLogger;
  const redis = redisUrl ? await connectRedis(redisUrl, { logger }) : null;
  const bridge = createMarketplaceBridge({
    ...bridgeOptions,
    logger,
    store: redis
      ? new RedisPendingCodeStore({ redis, secret: options.cookieSecret, now: options.now })
      : bridgeOptions.store,
    session,
    signUpUrl: "/signup",
    logInUrl: "/login",
  });

  const addUser = (name: string, email: string, password: string): AppUser => {
    const salt = randomBytes(16);
    const user = {
      id: `acct_${randomBytes(6).toString("hex")}`,
      name,
      email: email.toLowerCase(),
      salt,
      passwordHash: hash(password, salt),
    };
    users.set(user.email, user);
    return user;
  };
  const signIn = (user: AppUser, next: string): BridgeResponse => {
    const sid = randomBytes(24).toString("base64url");
    sessions.set(sid, user.email);
    return {
      status: 303,
      headers: {
        location: next,
        "set-cookie": [
          `${SESSION_COOKIE}=${sid}; Path=/; HttpOnly; Secure; SameSite=Lax`,
          `${KNOWN_COOKIE}=1; Path=/; Max-Age=31536000; HttpOnly; Secure; SameSite=Lax`,
        ],
      },
      body: "",
    };
  };

  async function app(req: IncomingMessage, method: string, url: URL): Promise<BridgeResponse> {
    const next = safeNext(url.searchParams.get("next"), url.origin);
    const path = url.pathname;
    if (method === "POST" && crossSite(req, url.origin))
      return {
        status: 403,
        headers: { "content-type": "text/plain; charset=utf-8" },
        body: "Cross-site form posts are refused.",
      };
    if (path === "/" && method === "GET") {
      const user = userOf(req);
      return appPage(
        "Home",
        user
          ? `<h1>Hello, ${escapeHtml(user.name)}</h1><form method="POST" action="/logout"><button id="logout" type="submit">Log out</button></form>`
          : '<h1>Welcome</h1><p><a href="/signup">Sign up</a> or <a href="/login">log in</a>.</p>',
      );
    }
    if ((path === "/signup" || path === "/login") && method === "GET")
      return form(path === "/signup" ? "signup" : "login", next);
    if ((path === "/signup" || path === "/login") && method === "POST") {
      const body = await readBody(req);
      if (!body) return { status: 413, headers: { "content-type": "text/plain" }, body: "Too large" };
      const fields = new URLSearchParams(body.toString("utf8"));
      const email = (fields.get("email") ?? "").trim().toLowerCase();
      const password = fields.get("password") ?? "";
      if (path === "/signup") {
        const name = (fields.get("name") ?? "").trim();
        if (!name || !email.includes("@") || password.length < 8) {
          return form("signup", next, "Enter your name, an email address and a password of at least 8 characters.");
        }
        if (users.has(email)) return form("signup", next, "That email already has an account: log in instead.");
        return signIn(addUser(name, email, password), next);
      }
      const user = users.get(email);
      // hash even for an unknown email, so timing does not tell which emails have accounts
      const computed = hash(password, user?.salt ?? randomBytes(16));
      if (!user || !timingSafeEqual(computed, user.passwordHash))
        return form("login", next, "That email and password do not match an account.");
      return signIn(user, next);
    }
    if (path === "/logout" && method === "POST") {
      const sid = readCookie(req.headers.cookie, SESSION_COOKIE);
      if (sid) sessions.delete(sid);
      return {
        status: 303,
        headers: {
          location: "/",
          "set-cookie": `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax`,
        },
        body: "",
      };
    }
    return { status: 404, headers: { "content-type": "text/plain; charset=utf-8" }, body: "Not found" };
  }

  const server = createServer((req, res) => {
    (async () => {
      const method = (req.method ?? "GET").toUpperCase();
      // The origin the browser used (this example serves plain http; behind TLS use your public origin).
      const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "localhost"}`);
      if (url.pathname === bridge.callbackPath || url.pathname === bridge.continuePath) {
        const body = method === "DELETE" || method === "POST" ? await readBody(req) : Buffer.alloc(0);
        if (!body) return write(res, { status: 413, headers: { "content-type": "text/plain" }, body: "Too large" });
        const answer = await bridge.handle({ method, url: req.url ?? "/", headers: req.headers, body });
        if (answer) return write(res, answer);
      }
      write(res, await app(req, method, url));
    })().catch((error: Error) => {
      consoleLogger.error("example server: request failed", { error: error.message });
      if (!res.headersSent)
        write(res, { status: 500, headers: { "content-type": "text/plain" }, body: "Internal error" });
      else res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port ?? 0, host ?? "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    callbackUrl: `${url}${bridge.callbackPath}`,
    bridge,
    storeKind: redis ? "redis" : "memory",
    addUser,
    users,
    stop: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      if (redis) await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/**
 * Standalone with Prismatic (PRISMATIC_ACCESS_TOKEN set): this server with the Prismatic adapter as
 * its platform, for your Pipedrive app (PIPEDRIVE_CLIENT_ID, PIPEDRIVE_CLIENT_SECRET). No simulator.
 */
async function mainWithPrismatic(platform: PlatformApi): Promise<void> {
  const clientId = process.env.PIPEDRIVE_CLIENT_ID;
  const clientSecret = process.env.PIPEDRIVE_CLIENT_SECRET;
  if (!clientId || !clientSecret)
    throw new Error(
      "PRISMATIC_ACCESS_TOKEN is set: set PIPEDRIVE_CLIENT_ID and PIPEDRIVE_CLIENT_SECRET (your Pipedrive app's) too",
    );
  const server = await startMarketplaceServer({
    port: Number(process.env.PORT ?? 3000),
    clientId,
    clientSecret,
    cookieSecret: process.env.INSTALL_COOKIE_SECRET ?? randomBytes(32),
    platform,
    appName: "Acme CRM Sync",
    redisUrl: process.env.REDIS_URL || undefined,
  });
  console.log(
    [
      "",
      `App (bridge + sign-up/log-in):   ${server.url}`,
      `Platform:                        Prismatic at ${process.env.PRISMATIC_URL || "https://app.prismatic.io"} (PRISMATIC_ACCESS_TOKEN set)`,
      `Pipedrive callback URL:          ${server.callbackUrl} (behind your public origin in production)`,
      `Authorize URL on the connection: ${marketplaceAuthorizeUrl(server.callbackUrl)}`,
      `Pending install codes kept in:   ${server.storeKind === "redis" ? "Redis (REDIS_URL)" : "this process's memory (set REDIS_URL for Redis)"}`,
      "",
      "Ctrl-C stops it.",
    ].join("\n"),
  );
  const shutdown = async () => {
    await server.stop();
    process.exit(0);
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

/**
 * Standalone: with PRISMATIC_ACCESS_TOKEN, the Prismatic adapter (mainWithPrismatic); otherwise the
 * Pipedrive simulator + simulated platform + this server, all on 127.0.0.1.
 */
async function main(): Promise<void> {
  const prismatic = prismaticPlatformFromEnv();
  if (prismatic) return mainWithPrismatic(prismatic);
  const { PipedriveSimulator } = await import("../sim");
  const { PlatformSim } = await import("../test/support/platform-sim");
  const sim = await PipedriveSimulator.start();
  const clientId = "marketplace-demo";
  const clientSecret = randomBytes(24).toString("hex");
  const platform = await PlatformSim.start({
    connection: {
      authorizeUrl: `${sim.url}/oauth/authorize`,
      tokenUrl: `${sim.url}/oauth/token`,
      clientId,
      clientSecret,
    },
  });
  const server = await startMarketplaceServer({
    port: Number(process.env.PORT ?? 3000),
    clientId,
    clientSecret,
    // Replicas sharing a Redis must share this secret too (it signs the cookie and keys the store's encryption).
    cookieSecret: process.env.INSTALL_COOKIE_SECRET ?? randomBytes(32),
    platform: platform.client(),
    appName: "Acme CRM Sync",
    redisUrl: process.env.REDIS_URL || undefined,
  });
  // What you do once per app: register the bridge's URL as the callback in Developer Hub, and put
  // it into the integration's Authorize URL so Connect flows use the same redirect URI.
  sim.registerOAuthApp({
    clientId,
    clientSecret,
    redirectUri: server.callbackUrl,
    scopes: ["base", "deals:full", "admin"],
  });
  platform.connectionInputs.authorizeUrl = marketplaceAuthorizeUrl(server.callbackUrl, `${sim.url}/oauth/authorize`);
  sim.setConsent("page");
  console.log(
    [
      "",
      `App (bridge + sign-up/log-in):   ${server.url}`,
      `Pipedrive callback URL:          ${server.callbackUrl}`,
      `Authorize URL on the connection: ${platform.connectionInputs.authorizeUrl}`,
      `Simulated platform:              ${platform.url}`,
      `Pending install codes kept in:   ${server.storeKind === "redis" ? "Redis (REDIS_URL)" : "this process's memory (set REDIS_URL for Redis)"}`,
      "",
      `Open in a browser to install from the (simulated) Pipedrive Marketplace:`,
      `  ${sim.url}/marketplace/install?client_id=${clientId}`,
      "",
      "Ctrl-C stops everything.",
    ].join("\n"),
  );
  const shutdown = async () => {
    await server.stop();
    await platform.stop();
    await sim.stop();
    process.exit(0);
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

/**
 * The Pipedrive Marketplace install bridge: the app's one Pipedrive callback URL.
 *
 * - GET with `code` and `state` (the platform's own Connect flow): forwarded at once (302) to the
 *   platform's OAuth callback with both; `error` with `state` is forwarded the same way.
 * - GET with `code` and no `state` (Install from Pipedrive's Marketplace): the code waits
 *   server-side (a PendingCodeStore: in memory, or in Redis for replicas and serverless), bound to
 *   this browser by a signed HttpOnly cookie; a guest is sent to sign up, a signed-out user to log
 *   in, then everybody comes back to the continue path.
 * - GET continue, signed in: find or create the customer and its instance on the platform, look up
 *   the instance's connection config variable, replay the code to the platform's OAuth callback
 *   with `state` = that variable's id (the platform exchanges it), label the instance with the
 *   Pipedrive user it belongs to, and open the instance's configuration page.
 * - DELETE (Pipedrive's uninstall notice, Basic client_id:client_secret): verified in constant
 *   time; the instances labelled with that Pipedrive user are disabled. Anything else gets 401.
 *
 * Errors become plain pages (pages.ts); logs carry no code, token or secret.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { redact } from "../client/redact";
import { cookieKey, readCookie, serializeCookie, signCookieValue, verifyCookieValue } from "./cookie";
import { confirmPage, type PageKind, page } from "./pages";
import { MemoryPendingCodeStore, type PendingCodeStore, StoreUnavailableError } from "./store";
import type {
  AppSession,
  BridgeLogger,
  BridgeRequest,
  BridgeResponse,
  PipedriveIdentity,
  PlatformApi,
  PlatformInstance,
} from "./types";
import { parseUninstallNotice, pipedriveUserLabel, verifyClientBasicAuth } from "./uninstall";

export interface MarketplaceBridgeOptions {
  /** The Pipedrive app's client id and secret (Developer Hub); the secret only checks uninstall notices. */
  clientId: string;
  clientSecret: string;
  /** HMAC key for the install cookie: at least 32 random bytes, kept stable across restarts. */
  cookieSecret: string | Buffer;
  platform: PlatformApi;
  /** The app's own session layer: who is using this browser. */
  session: (req: BridgeRequest) => AppSession | Promise<AppSession>;
  /** The app's sign-up and log-in pages; the bridge adds `next=<continuePath>` to come back. */
  signUpUrl: string;
  logInUrl: string;
  /** Path of the callback URL registered in Pipedrive's Developer Hub (default /pipedrive/callback). */
  callbackPath?: string;
  /** Path the sign-up and log-in pages return to (default /pipedrive/continue). */
  continuePath?: string;
  /** Shown on pages (default "this app"). */
  appName?: string;
  /** Linked from error pages (default Pipedrive's Marketplace). */
  marketplaceUrl?: string;
  /** Default pd_install. */
  cookieName?: string;
  /** The Secure cookie attribute (default true; browsers accept it on http://localhost and 127.0.0.1 too). */
  secureCookie?: boolean;
  /**
   * Where pending codes wait between requests. Default: in this process's memory (one process
   * only). For replicas, restarts or serverless, a RedisPendingCodeStore (redisStore.ts); its TTL
   * then replaces codeTtlMs.
   */
  store?: PendingCodeStore;
  /** How long a code waits for sign-in, in the default store (default 5 minutes, Pipedrive's code lifetime). */
  codeTtlMs?: number;
  /** Pending codes kept at most by the default store (default 1000; the oldest is evicted beyond). */
  maxPendingCodes?: number;
  /** Timeout of the server-side replay to the platform's callback (default 15 s). */
  replayTimeoutMs?: number;
  logger?: BridgeLogger;
  now?: () => number;
  /** For the replay request (default globalThis.fetch). */
  fetch?: typeof fetch;
}

export interface MarketplaceBridge {
  /** Routes a request to the handlers below; null when the path is not the bridge's. */
  handle(req: BridgeRequest): Promise<BridgeResponse | null>;
  /** The callback URL: GET (code, state, error) and DELETE (uninstall). */
  callback(req: BridgeRequest): Promise<BridgeResponse>;
  /** Where sign-up and log-in return to. */
  continueInstall(req: BridgeRequest): Promise<BridgeResponse>;
  /** Pipedrive's uninstall notice (the DELETE on the callback URL). */
  uninstall(req: BridgeRequest): Promise<BridgeResponse>;
  /**
   * Labels the instance with the Pipedrive user its connection belongs to, so a later uninstall
   * notice finds it. The install flow does this itself; call it after a Connect made inside the
   * platform (the flow with `state`), which never comes back through the bridge.
   */
  linkInstance(instance: PlatformInstance): Promise<string | null>;
  readonly store: PendingCodeStore;
  readonly callbackPath: string;
  readonly continuePath: string;
}

type ReplayFailure = Extract<
  PageKind,
  "code_used" | "code_expired" | "unknown_state" | "redirect_uri_mismatch" | "connect_failed"
>;

const fingerprint = (value: string) => createHash("sha256").update(value).digest("hex").slice(0, 10);
const CODE_PATTERN = /^[\x21-\x7e]{1,1024}$/;

function header(req: BridgeRequest, name: string): string | string[] | undefined {
  const direct = req.headers[name];
  if (direct !== undefined) return direct;
  const key = Object.keys(req.headers).find((k) => k.toLowerCase() === name);
  return key ? req.headers[key] : undefined;
}

/** One field of an application/x-www-form-urlencoded body (the confirmation form), bounded. */
function formField(body: string | Buffer | undefined, name: string): string | undefined {
  if (body === undefined) return undefined;
  const text = typeof body === "string" ? body : body.toString("utf8");
  if (text.length > 4096) return undefined;
  return new URLSearchParams(text).get(name) ?? undefined;
}

function withNext(target: string, next: string): string {
  return `${target}${target.includes("?") ? "&" : "?"}next=${encodeURIComponent(next)}`;
}

function redirect(location: string, cookies: string[] = []): BridgeResponse {
  const headers: Record<string, string | string[]> = {
    location,
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
  };
  if (cookies.length) headers["set-cookie"] = cookies;
  return { status: 302, headers, body: "" };
}

function json(status: number, body: unknown, extra: Record<string, string> = {}): BridgeResponse {
  return {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...extra },
    body: JSON.stringify(body),
  };
}

/** Which page a failed exchange deserves, from what the platform said about it. */
export function classifyExchangeFailure(text: string): ReplayFailure {
  if (/expired/i.test(text)) return "code_expired";
  if (/redirect_uri/i.test(text)) return "redirect_uri_mismatch";
  if (/unknown[_ ]state|state is unknown|invalid[_ ]state/i.test(text)) return "unknown_state";
  if (/invalid_grant|authorization_code is invalid|already used/i.test(text)) return "code_used";
  return "connect_failed";
}

/**
 * How the platform's callback answered a replayed code: a redirect whose query has `error` or whose
 * path names a failure is a failure; other redirects and 2xx are success (the bridge then checks
 * the connection's status through the platform API); 4xx/5xx are failures.
 */
export function interpretCallbackAnswer(
  status: number,
  location: string | null,
  bodyText: string,
  base: string,
): { ok: true } | { ok: false; reason: ReplayFailure } {
  if (status >= 300 && status < 400 && location) {
    let target: URL;
    try {
      target = new URL(location, base);
    } catch {
      return { ok: false, reason: "connect_failed" };
    }
    const error = target.searchParams.get("error");
    if (error)
      return {
        ok: false,
        reason: classifyExchangeFailure(`${error} ${target.searchParams.get("error_description") ?? ""}`),
      };
    if (/fail|error|denied/i.test(target.pathname))
      return { ok: false, reason: classifyExchangeFailure(decodeURIComponent(target.search)) };
    return { ok: true };
  }
  if (status >= 200 && status < 300) return { ok: true };
  return { ok: false, reason: classifyExchangeFailure(bodyText) };
}

/** The page for a pending code that cannot be used (any more). */
const unusable = (status: "unknown" | "expired" | "used"): PageKind =>
  status === "used" ? "code_used" : status === "expired" ? "code_expired" : "missing_cookie";

const silent: BridgeLogger = { info() {}, warn() {}, error() {} };

export function createMarketplaceBridge(options: MarketplaceBridgeOptions): MarketplaceBridge {
  if (!options.clientId || !options.clientSecret)
    throw new Error("createMarketplaceBridge: clientId and clientSecret are required.");
  const key = cookieKey(options.cookieSecret);
  const callbackPath = options.callbackPath ?? "/pipedrive/callback";
  const continuePath = options.continuePath ?? "/pipedrive/continue";
  const cookieName = options.cookieName ?? "pd_install";
  const secureCookie = options.secureCookie ?? true;
  const now = options.now ?? Date.now;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const replayTimeoutMs = options.replayTimeoutMs ?? 15_000;
  const pageOptions = {
    appName: options.appName ?? "this app",
    marketplaceUrl: options.marketplaceUrl ?? "https://www.pipedrive.com/en/marketplace",
  };
  if (options.store && (options.codeTtlMs !== undefined || options.maxPendingCodes !== undefined))
    throw new Error(
      "createMarketplaceBridge: codeTtlMs and maxPendingCodes configure the default store; set them on the store you pass.",
    );
  const store =
    options.store ?? new MemoryPendingCodeStore({ ttlMs: options.codeTtlMs, maxEntries: options.maxPendingCodes, now });
  const platform = options.platform;
  const logger = options.logger ?? silent;
  // Passed on every log call: the registry forgets secrets no client used for a while, a bridge's live for its process.
  const bridgeSecrets = [
    options.clientSecret,
    typeof options.cookieSecret === "string" ? options.cookieSecret : options.cookieSecret.toString("utf8"),
  ];

  /** Logs one event through the component's one redactor; `extraSecrets` (the request's code) too. */
  const log = (
    level: keyof BridgeLogger,
    event: string,
    fields: Record<string, unknown> = {},
    extraSecrets: string[] = [],
  ) => {
    const clean: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(fields))
      clean[k] = typeof v === "string" ? redact(v, [...bridgeSecrets, ...extraSecrets]) : v;
    logger[level](`marketplace: ${event}`, clean);
  };

  const ref = () => randomBytes(4).toString("hex");
  const showPage = (kind: PageKind, reference = ref(), cookies: string[] = []) => {
    const res = page(kind, pageOptions, reference);
    if (cookies.length) res.headers["set-cookie"] = cookies;
    if (kind === "method_not_allowed") res.headers.allow = "GET, DELETE";
    return res;
  };
  const setCookie = (value: string, expiresAt: number) =>
    serializeCookie(cookieName, value, {
      path: continuePath,
      maxAgeSeconds: Math.ceil((expiresAt - now()) / 1000),
      secure: secureCookie,
    });
  const clearCookie = () =>
    serializeCookie(cookieName, "", { path: continuePath, maxAgeSeconds: 0, secure: secureCookie });

  /**
   * The confirmation form's token: bound to this browser's pending install, the signed-in account,
   * the instance and the Pipedrive user it is connected to now, so a page shown before the
   * connection changed cannot confirm a replacement it did not name.
   */
  const confirmToken = (
    id: string,
    account: string,
    instance: string,
    current: PipedriveIdentity | "unidentified" | null,
  ) => {
    const who =
      current === null || current === "unidentified"
        ? String(current)
        : pipedriveUserLabel(current.companyId, current.userId);
    return createHmac("sha256", key)
      .update(["pd-install.confirm.v1", id, account, instance, who].join("|"))
      .digest("base64url");
  };

  /** The Pipedrive user of an active connection, for the confirmation page; "unidentified" when that fails (e.g. a revoked token). */
  const identifyQuietly = async (instance: PlatformInstance): Promise<PipedriveIdentity | "unidentified"> => {
    try {
      return (await platform.identifyPipedriveUser?.(instance)) ?? "unidentified";
    } catch (error) {
      log("info", "could not identify the Pipedrive user of the active connection", {
        error: (error as Error).message,
        instance: instance.id,
      });
      return "unidentified";
    }
  };

  const signInRedirect = (session: AppSession, cookies: string[] = []) =>
    redirect(withNext(session.status === "guest" ? options.signUpUrl : options.logInUrl, continuePath), cookies);

  async function callbackGet(req: BridgeRequest, url: URL): Promise<BridgeResponse> {
    const q = url.searchParams;
    const code = q.get("code");
    const state = q.get("state");
    const error = q.get("error");
    const secrets = code ? [code] : [];

    if (state) {
      if (!code && !error) return showPage("bad_request");
      const target = new URL(platform.oauthCallbackUrl);
      if (code) target.searchParams.set("code", code);
      else {
        target.searchParams.set("error", error as string);
        const description = q.get("error_description");
        if (description) target.searchParams.set("error_description", description);
      }
      target.searchParams.set("state", state);
      log(
        "info",
        "callback with state forwarded to the platform",
        { outcome: code ? "code" : `error:${error}` },
        secrets,
      );
      return redirect(target.toString());
    }

    if (error) {
      const reference = ref();
      log("info", "Pipedrive sent the install back with an error (user_denied = Cancel on the consent screen)", {
        error: error.slice(0, 64),
        reference,
      });
      return showPage(error === "user_denied" ? "user_denied" : "connect_failed", reference);
    }
    if (!code || !CODE_PATTERN.test(code)) return showPage("bad_request");

    // Only the browser that already holds this code's entry may reuse it (a reload of the same URL).
    const held = readCookie(header(req, "cookie"), cookieName);
    const holder = held ? verifyCookieValue(key, held, now()) : undefined;
    const added = await store.add(code, holder?.ok ? holder.id : undefined);
    if (added.status === "used" || added.status === "expired") {
      const reference = ref();
      log(
        "warn",
        "install callback with a code that was already handled",
        { outcome: added.status, reference },
        secrets,
      );
      return showPage(added.status === "used" ? "code_used" : "code_expired", reference);
    }
    if (added.status === "held" || added.status === "full") {
      const reference = ref();
      log(
        "warn",
        added.status === "held"
          ? "install callback refused: its code is waiting for another browser"
          : "install callback refused: the pending code store is full of codes still waiting",
        { outcome: added.status, reference },
        secrets,
      );
      return showPage(added.status === "held" ? "code_elsewhere" : "store_full", reference);
    }
    if (added.evicted > 0)
      log("info", "pending code store full: oldest tombstones evicted", { evicted: added.evicted });
    const cookie = setCookie(signCookieValue(key, added.id, added.expiresAt), added.expiresAt);
    const session = await options.session(req);
    log("info", "install code received without state; waiting for sign-in", {
      pending: fingerprint(added.id),
      reused: added.status === "pending",
    });
    return session.status === "signedIn" ? redirect(continuePath, [cookie]) : signInRedirect(session, [cookie]);
  }

  async function replay(code: string, state: string): Promise<{ ok: true } | { ok: false; reason: ReplayFailure }> {
    const target = new URL(platform.oauthCallbackUrl);
    target.searchParams.set("code", code);
    target.searchParams.set("state", state);
    const res = await fetchImpl(target, {
      method: "GET",
      redirect: "manual",
      headers: { accept: "text/html,application/json" },
      signal: AbortSignal.timeout(replayTimeoutMs),
    });
    const bodyText = (await res.text()).slice(0, 4000);
    return interpretCallbackAnswer(res.status, res.headers.get("location"), bodyText, target.toString());
  }

  async function linkInstance(instance: PlatformInstance): Promise<string | null> {
    if (!platform.identifyPipedriveUser) {
      log("warn", "platform cannot identify the Pipedrive user; uninstall notices will not find this instance", {
        instance: instance.id,
      });
      return null;
    }
    const who = await platform.identifyPipedriveUser(instance);
    if (!who) {
      log("warn", "could not identify the Pipedrive user of the instance", { instance: instance.id });
      return null;
    }
    const label = pipedriveUserLabel(who.companyId, who.userId);
    if (!instance.labels.includes(label)) await platform.labelInstance(instance, label);
    return label;
  }

  async function continueInstall(req: BridgeRequest): Promise<BridgeResponse> {
    const raw = readCookie(header(req, "cookie"), cookieName);
    if (!raw) {
      const reference = ref();
      log("info", "continue without an install cookie", { reference });
      return showPage("missing_cookie", reference);
    }
    const checked = verifyCookieValue(key, raw, now());
    if (!checked.ok) {
      const reference = ref();
      log(checked.reason === "expired" ? "info" : "warn", "install cookie rejected", {
        reason: checked.reason,
        reference,
      });
      return showPage(checked.reason === "expired" ? "code_expired" : "missing_cookie", reference, [clearCookie()]);
    }
    const pending = fingerprint(checked.id);
    const session = await options.session(req);
    if (session.status !== "signedIn") return signInRedirect(session);

    const peeked = await store.peek(checked.id);
    if (peeked.status !== "ok") {
      const reference = ref();
      log("warn", "pending code not usable", { pending, outcome: peeked.status, reference });
      const kind = unusable(peeked.status);
      return showPage(kind, reference, [clearCookie()]);
    }

    let instance: PlatformInstance;
    let configVarId: string;
    let current: PipedriveIdentity | "unidentified" | null = null;
    try {
      const customer = await platform.findOrCreateCustomer({
        externalId: session.account.id,
        name: session.account.name,
      });
      instance = await platform.findOrCreateInstance(customer);
      const variable = await platform.getConnectionConfigVariable(instance);
      configVarId = variable.id;
      if (variable.status === "ACTIVE") current = await identifyQuietly(instance);
    } catch (error) {
      const reference = ref();
      log("error", "platform API failed before the code was replayed (the code is kept)", {
        error: (error as Error).message,
        reference,
      });
      return showPage("platform_unavailable", reference);
    }

    // Nothing is connected without the user's confirmation: a link alone (sent by someone else) only shows the page.
    const token = confirmToken(checked.id, session.account.id, instance.id, current);
    if (req.method.toUpperCase() !== "POST") {
      log("info", "install waiting for the user's confirmation", { pending, instance: instance.id });
      return confirmPage(pageOptions, {
        accountName: session.account.name,
        instanceName: instance.name,
        current,
        action: continuePath,
        token,
        continuesTo: platform.configurePageUrl(instance),
      });
    }
    const given = Buffer.from(formField(req.body, "confirm") ?? "");
    const wanted = Buffer.from(token);
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
      // A confirmation racing one that just connected (the connection changed under it): say what happened to the code.
      const again = await store.peek(checked.id);
      if (again.status !== "ok") return showPage(unusable(again.status), ref(), [clearCookie()]);
      const reference = ref();
      log("warn", "install confirmation refused: missing or wrong token", { pending, reference });
      return showPage("confirm_invalid", reference);
    }

    // Atomic in every store: of all requests racing for this code, one gets it.
    const taken = await store.take(checked.id);
    if (taken.status !== "ok") {
      const kind = unusable(taken.status);
      return showPage(kind, ref(), [clearCookie()]);
    }
    const secrets = [taken.code];
    let outcome: Awaited<ReturnType<typeof replay>>;
    try {
      outcome = await replay(taken.code, configVarId);
    } catch (error) {
      const reference = ref();
      log(
        "error",
        "replaying the code to the platform failed",
        { error: (error as Error).message, instance: instance.id, reference },
        secrets,
      );
      return showPage("connect_failed", reference, [clearCookie()]);
    }
    if (!outcome.ok) {
      const reference = ref();
      log("warn", "the platform could not exchange the code", {
        reason: outcome.reason,
        instance: instance.id,
        reference,
      });
      return showPage(outcome.reason, reference, [clearCookie()]);
    }
    const after = await platform.getConnectionConfigVariable(instance);
    if (after.status !== "ACTIVE") {
      const reference = ref();
      log("warn", "the connection is not active after the replay", {
        status: after.status,
        instance: instance.id,
        reference,
      });
      return showPage("connect_failed", reference, [clearCookie()]);
    }
    // Best effort from here on: the connection is active; the configuration page shows the rest.
    try {
      if (!instance.enabled) await platform.setInstanceEnabled(instance, true);
    } catch (error) {
      log("warn", "re-enabling the instance after a new install failed", {
        error: (error as Error).message,
        instance: instance.id,
      });
    }
    try {
      await linkInstance(instance);
    } catch (error) {
      log("warn", "labelling the instance with its Pipedrive user failed", {
        error: (error as Error).message,
        instance: instance.id,
      });
    }
    log("info", "marketplace install connected", { pending, customer: instance.customerId, instance: instance.id });
    return redirect(platform.configurePageUrl(instance), [clearCookie()]);
  }

  async function uninstall(req: BridgeRequest): Promise<BridgeResponse> {
    if (!verifyClientBasicAuth(header(req, "authorization"), options.clientId, options.clientSecret)) {
      log("warn", "uninstall notice rejected: wrong or missing client credentials");
      return json(401, { error: "unauthorized" }, { "www-authenticate": 'Basic realm="pipedrive-uninstall"' });
    }
    const notice = parseUninstallNotice(req.body);
    if ("error" in notice) {
      log("warn", "uninstall notice rejected", { reason: notice.error });
      return json(400, { error: notice.error });
    }
    if (notice.clientId !== options.clientId) {
      log("warn", "uninstall notice rejected: client_id in the body does not match");
      return json(400, { error: "client_id does not match" });
    }
    const label = pipedriveUserLabel(notice.companyId, notice.userId);
    const instances = await platform.findInstancesByLabel(label);
    const disabled: string[] = [];
    for (const instance of instances) {
      if (!instance.enabled) continue;
      await platform.setInstanceEnabled(instance, false);
      disabled.push(instance.id);
    }
    log(instances.length ? "info" : "warn", "uninstall notice handled", {
      company: notice.companyId,
      user: notice.userId,
      found: instances.length,
      disabled: disabled.length,
    });
    return json(200, { ok: true, disabled });
  }

  async function callback(req: BridgeRequest): Promise<BridgeResponse> {
    const method = req.method.toUpperCase();
    try {
      if (method === "DELETE") return await uninstall(req);
      if (method !== "GET") return showPage("method_not_allowed");
      return await callbackGet(req, new URL(req.url, "http://bridge.invalid"));
    } catch (error) {
      const reference = ref();
      const code = new URL(req.url, "http://bridge.invalid").searchParams.get("code");
      log("error", "callback failed", { error: (error as Error).message, reference }, code ? [code] : []);
      if (method === "DELETE") return json(500, { error: "internal error", reference });
      return showPage(error instanceof StoreUnavailableError ? "store_unavailable" : "internal", reference);
    }
  }

  async function continueSafely(req: BridgeRequest): Promise<BridgeResponse> {
    if (!["GET", "POST"].includes(req.method.toUpperCase())) {
      const res = showPage("method_not_allowed");
      res.headers.allow = "GET, POST";
      return res;
    }
    try {
      return await continueInstall(req);
    } catch (error) {
      const reference = ref();
      log("error", "continue failed", { error: (error as Error).message, reference });
      return showPage(error instanceof StoreUnavailableError ? "store_unavailable" : "internal", reference);
    }
  }

  return {
    store,
    callbackPath,
    continuePath,
    callback,
    continueInstall: continueSafely,
    uninstall: async (req) => {
      try {
        return await uninstall(req);
      } catch (error) {
        const reference = ref();
        log("error", "uninstall failed", { error: (error as Error).message, reference });
        return json(500, { error: "internal error", reference });
      }
    },
    linkInstance,
    async handle(req) {
      const path = new URL(req.url, "http://bridge.invalid").pathname;
      if (path === callbackPath) return callback(req);
      if (path === continuePath) return continueSafely(req);
      return null;
    },
  };
}

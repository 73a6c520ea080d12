/**
 * OAuth 2.0 as Pipedrive's oauth.pipedrive.com does it, served at the simulator's root:
 * /oauth/authorize (+ a consent page and /oauth/authorize/decision), /marketplace/install,
 * /oauth/token (authorization_code, refresh_token) and /oauth/revoke.
 */
import type * as http from "node:http";
import type { Credentials } from "./auth";
import type { ConsentMode, OAuthApp, TokenResponse } from "./types";
import { randomHex } from "./util";

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

interface AuthCode {
  clientId: string;
  redirectUri: string;
  userId: number;
  scopes: string[];
  expiresAt: number;
  used: boolean;
}

interface ConsentTicket {
  clientId: string;
  redirectUri: string;
  state: string | null;
  flow: "authorize" | "marketplace";
  expiresAt: number;
}

export interface OAuthOptions {
  codeTtlMs: number;
  credentials: Credentials;
  now: () => number;
  apiDomain: () => string;
}

function json(status: number, body: unknown): HttpAnswer {
  return { status, headers: { "content-type": "application/json; charset=utf-8" }, body: JSON.stringify(body) };
}

function redirect(location: string): HttpAnswer {
  return {
    status: 302,
    headers: { location, "content-type": "text/plain; charset=utf-8" },
    body: `Redirecting to ${location}`,
  };
}

function tokenError(message: string, error: string, status = 400): HttpAnswer {
  return json(status, { success: false, message, error });
}

function withParams(base: string, params: Record<string, string | null | undefined>): string {
  const u = new URL(base);
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined) u.searchParams.set(k, v);
  return u.toString();
}

/** RFC 6749 §2.3.1 form-encodes Basic credentials; most clients don't. Accept both. */
function formDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s;
  }
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export class OAuthServer {
  readonly apps = new Map<string, OAuthApp>();
  consent: ConsentMode = "auto";
  consentUserId = 1;
  private readonly codes = new Map<string, AuthCode>();
  private readonly tickets = new Map<string, ConsentTicket>();
  opts: OAuthOptions;

  constructor(opts: OAuthOptions) {
    this.opts = opts;
  }

  registerApp(app: OAuthApp): OAuthApp {
    const copy = { ...app, scopes: [...app.scopes] };
    this.apps.set(app.clientId, copy);
    return copy;
  }

  /** Returns an answer for OAuth/marketplace routes, or null when the path is not one of them. */
  handle(method: string, url: URL, req: http.IncomingMessage, rawBody: Buffer): HttpAnswer | null {
    const p = url.pathname;
    if (p === "/oauth/authorize" && method === "GET") return this.authorize(url.searchParams, "authorize");
    if (p === "/oauth/authorize/decision" && method === "GET") return this.decision(url.searchParams);
    if (p === "/marketplace/install" && method === "GET") return this.authorize(url.searchParams, "marketplace");
    if ((p === "/oauth/token" || p === "/oauth/token/") && method === "POST") return this.token(req, rawBody);
    if (p === "/oauth/revoke" && method === "POST") return this.revoke(req, rawBody);
    if (p.startsWith("/oauth/") || p === "/marketplace/install") return json(405, { error: "Method not allowed" });
    return null;
  }

  private authorize(q: URLSearchParams, flow: "authorize" | "marketplace"): HttpAnswer {
    const clientId = q.get("client_id");
    const app = clientId ? this.apps.get(clientId) : undefined;
    if (!app) return json(400, { error: "Invalid client_id" });
    let redirectUri = app.redirectUri;
    let state: string | null = null;
    if (flow === "authorize") {
      const given = q.get("redirect_uri");
      if (!given || given !== app.redirectUri) return json(400, { error: "Invalid redirect URL" });
      redirectUri = given;
      state = q.get("state");
    }
    if (this.consent === "deny") return redirect(withParams(redirectUri, { error: "user_denied", state }));
    if (this.consent === "auto") return redirect(this.codeRedirect(app, redirectUri, state));
    const ticket = randomHex(16);
    this.tickets.set(ticket, {
      clientId: app.clientId,
      redirectUri,
      state,
      flow,
      expiresAt: this.opts.now() + 10 * 60_000,
    });
    return {
      status: 200,
      headers: { "content-type": "text/html; charset=utf-8" },
      body: this.consentPage(app, ticket),
    };
  }

  private decision(q: URLSearchParams): HttpAnswer {
    const ticketId = q.get("ticket") ?? "";
    const ticket = this.tickets.get(ticketId);
    if (!ticket || ticket.expiresAt < this.opts.now())
      return json(400, { error: "Invalid or expired consent request" });
    this.tickets.delete(ticketId);
    const app = this.apps.get(ticket.clientId);
    if (!app) return json(400, { error: "Invalid client_id" });
    if (q.get("decision") !== "allow") {
      return redirect(withParams(ticket.redirectUri, { error: "user_denied", state: ticket.state }));
    }
    return redirect(this.codeRedirect(app, ticket.redirectUri, ticket.state));
  }

  private codeRedirect(app: OAuthApp, redirectUri: string, state: string | null): string {
    const code = randomHex(20);
    this.codes.set(code, {
      clientId: app.clientId,
      redirectUri,
      userId: this.consentUserId,
      scopes: [...app.scopes],
      expiresAt: this.opts.now() + this.opts.codeTtlMs,
      used: false,
    });
    return withParams(redirectUri, { code, state });
  }

  private consentPage(app: OAuthApp, ticket: string): string {
    const scopes = app.scopes.map((s) => `<li>${escapeHtml(s)}</li>`).join("");
    return `<!doctype html>
<html><head><meta charset="utf-8"><title>Pipedrive simulator - install app</title>
<style>body{font-family:sans-serif;max-width:36rem;margin:3rem auto}button{font-size:1rem;padding:.5rem 1rem;margin-right:1rem}</style>
</head><body>
<h1>Install ${escapeHtml(app.clientId)}?</h1>
<p>This app (Pipedrive simulator) asks for access to:</p><ul id="scopes">${scopes}</ul>
<form method="GET" action="/oauth/authorize/decision">
<input type="hidden" name="ticket" value="${ticket}">
<button id="allow" type="submit" name="decision" value="allow">Allow and Install</button>
<button id="deny" type="submit" name="decision" value="deny">Cancel</button>
</form></body></html>`;
  }

  /** Client credentials from HTTP Basic (preferred) or the form body. */
  private client(req: http.IncomingMessage, form: URLSearchParams): { app?: OAuthApp; error?: HttpAnswer } {
    const pairs: Array<[string, string]> = [];
    const m = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? "");
    if (m) {
      const decoded = Buffer.from(m[1], "base64").toString("utf8");
      const i = decoded.indexOf(":");
      if (i >= 0) {
        const id = decoded.slice(0, i);
        const secret = decoded.slice(i + 1);
        pairs.push([id, secret], [formDecode(id), formDecode(secret)]);
      }
    } else {
      const id = form.get("client_id");
      const secret = form.get("client_secret");
      if (id && secret !== null) pairs.push([id, secret]);
    }
    if (pairs.length === 0) {
      return { error: tokenError("Invalid client: cannot retrieve client credentials", "invalid_client") };
    }
    for (const [id, secret] of pairs) {
      const app = this.apps.get(id);
      if (app && app.clientSecret === secret) return { app };
    }
    return { error: tokenError("Invalid client: client is invalid", "invalid_client") };
  }

  private token(req: http.IncomingMessage, rawBody: Buffer): HttpAnswer {
    const ct = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
    if (ct !== "application/x-www-form-urlencoded") {
      return tokenError("Invalid request: content must be application/x-www-form-urlencoded", "invalid_request");
    }
    const form = new URLSearchParams(rawBody.toString("utf8"));
    const grant = form.get("grant_type");
    if (!grant) return tokenError("Missing parameter: grant_type", "invalid_request");
    if (grant !== "authorization_code" && grant !== "refresh_token") {
      return tokenError("Unsupported grant type: grant_type is invalid", "unsupported_grant_type");
    }
    const { app, error } = this.client(req, form);
    if (!app) return error as HttpAnswer;
    const now = this.opts.now();
    if (grant === "authorization_code") {
      const code = form.get("code");
      if (!code) return tokenError("Missing parameter: code", "invalid_request");
      const entry = this.codes.get(code);
      if (!entry || entry.used || entry.clientId !== app.clientId) {
        return tokenError("Invalid grant: authorization_code is invalid", "invalid_grant");
      }
      if (entry.expiresAt <= now) return tokenError("Invalid grant: authorization_code has expired", "invalid_grant");
      const redirectUri = form.get("redirect_uri");
      if (!redirectUri || !/^https?:\/\/\S+$/i.test(redirectUri)) {
        return tokenError("Invalid request: redirect_uri is not a valid URI", "invalid_request");
      }
      if (redirectUri !== entry.redirectUri)
        return tokenError("Invalid request: redirect_uri is invalid", "invalid_request");
      entry.used = true;
      return json(
        200,
        this.opts.credentials.issue(app.clientId, entry.userId, entry.scopes, this.opts.apiDomain(), now),
      );
    }
    const refresh = form.get("refresh_token");
    if (!refresh) return tokenError("Missing parameter: refresh_token", "invalid_request");
    const info = this.opts.credentials.refreshTokenInfo(refresh);
    if (!info || info.clientId !== app.clientId)
      return tokenError("Invalid grant: refresh_token is invalid", "invalid_grant");
    return json(
      200,
      this.opts.credentials.issue(app.clientId, info.userId, info.scopes, this.opts.apiDomain(), now, {
        token: refresh,
        installId: info.installId,
      }),
    );
  }

  private revoke(req: http.IncomingMessage, rawBody: Buffer): HttpAnswer {
    const form = new URLSearchParams(rawBody.toString("utf8"));
    const { app, error } = this.client(req, form);
    if (!app) return error as HttpAnswer;
    const token = form.get("token");
    if (token) this.opts.credentials.revoke(token, app.clientId);
    return json(200, { success: true });
  }

  issue(clientId: string, userId: number, scopes: string[]): TokenResponse {
    return this.opts.credentials.issue(clientId, userId, scopes, this.opts.apiDomain(), this.opts.now());
  }

  reset(): void {
    this.codes.clear();
    this.tickets.clear();
    this.consent = "auto";
    this.consentUserId = 1;
  }
}

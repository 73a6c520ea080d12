/**
 * Credentials: API tokens (x-api-token, all scopes) and OAuth access/refresh tokens (scoped,
 * expiring, revocable per install). Tokens live only in memory and are never logged.
 */
import type * as http from "node:http";
import type { AuthKind, TokenResponse } from "./types";
import { randomHex } from "./util";

export interface Principal {
  kind: "api_token" | "bearer";
  userId: number;
  companyId: number;
  /** null = all scopes (API tokens). */
  scopes: Set<string> | null;
  clientId: string | null;
}

interface AccessToken extends Principal {
  expiresAt: number;
  installId: string;
  revoked: boolean;
}

interface RefreshToken {
  clientId: string;
  userId: number;
  scopes: string[];
  installId: string;
  revoked: boolean;
}

export type AuthResult =
  | { ok: true; principal: Principal; auth: AuthKind; viaQuery: boolean }
  | { ok: false; auth: AuthKind; reason: "missing" | "invalid" | "expired" };

export class Credentials {
  private readonly apiTokens = new Map<string, Principal>();
  private readonly accessTokens = new Map<string, AccessToken>();
  private readonly refreshTokens = new Map<string, RefreshToken>();
  accessTokenTtlMs: number;

  constructor(accessTokenTtlMs: number) {
    this.accessTokenTtlMs = accessTokenTtlMs;
  }

  createApiToken(userId: number, token = randomHex(20)): string {
    this.apiTokens.set(token, { kind: "api_token", userId, companyId: 1, scopes: null, clientId: null });
    return token;
  }

  /** Issues a fresh access token (+ a new refresh token unless one is passed in). */
  issue(
    clientId: string,
    userId: number,
    scopes: string[],
    apiDomain: string,
    now: number,
    refresh?: { token: string; installId: string },
  ): TokenResponse {
    const installId = refresh?.installId ?? randomHex(8);
    const access = `v1u:${Buffer.from(randomHex(48), "hex").toString("base64url")}`;
    this.accessTokens.set(access, {
      kind: "bearer",
      userId,
      companyId: 1,
      scopes: new Set(scopes),
      clientId,
      expiresAt: now + this.accessTokenTtlMs,
      installId,
      revoked: false,
    });
    let refreshToken = refresh?.token;
    if (!refreshToken) {
      refreshToken = `1:${userId}:${randomHex(20)}`;
      this.refreshTokens.set(refreshToken, { clientId, userId, scopes, installId, revoked: false });
    }
    return {
      access_token: access,
      token_type: "Bearer",
      expires_in: Math.max(0, Math.ceil(this.accessTokenTtlMs / 1000) - 1),
      refresh_token: refreshToken,
      scope: scopes.join(","),
      api_domain: apiDomain,
    };
  }

  refreshTokenInfo(token: string): RefreshToken | undefined {
    const r = this.refreshTokens.get(token);
    return r && !r.revoked ? r : undefined;
  }

  /** RFC 7009: revoking the refresh token ends the whole install; an access token only itself. */
  revoke(token: string, clientId: string): void {
    const refresh = this.refreshTokens.get(token);
    if (refresh && refresh.clientId === clientId) {
      refresh.revoked = true;
      for (const a of this.accessTokens.values()) if (a.installId === refresh.installId) a.revoked = true;
      return;
    }
    const access = this.accessTokens.get(token);
    if (access && access.clientId === clientId) access.revoked = true;
  }

  /** The app was uninstalled by this user: every refresh and access token of (app, user) stops working. */
  revokeUser(clientId: string, userId: number): void {
    for (const r of this.refreshTokens.values()) if (r.clientId === clientId && r.userId === userId) r.revoked = true;
    for (const a of this.accessTokens.values()) if (a.clientId === clientId && a.userId === userId) a.revoked = true;
  }

  authenticate(req: http.IncomingMessage, query: URLSearchParams, now: number): AuthResult {
    const header = req.headers["x-api-token"];
    const apiToken = Array.isArray(header) ? header[0] : header;
    if (apiToken) {
      const p = this.apiTokens.get(apiToken);
      return p
        ? { ok: true, principal: p, auth: "api_token", viaQuery: false }
        : { ok: false, auth: "api_token", reason: "invalid" };
    }
    const authz = req.headers.authorization;
    if (authz) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(authz);
      if (!m) return { ok: false, auth: "bearer", reason: "invalid" };
      const t = this.accessTokens.get(m[1]);
      if (!t || t.revoked) return { ok: false, auth: "bearer", reason: "invalid" };
      if (now >= t.expiresAt) return { ok: false, auth: "bearer", reason: "expired" };
      return { ok: true, principal: t, auth: "bearer", viaQuery: false };
    }
    const legacy = query.get("api_token");
    if (legacy) {
      const p = this.apiTokens.get(legacy);
      return p
        ? { ok: true, principal: p, auth: "api_token", viaQuery: true }
        : { ok: false, auth: "api_token", reason: "invalid" };
    }
    return { ok: false, auth: "none", reason: "missing" };
  }
}

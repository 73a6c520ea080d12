import { createHash } from "node:crypto";
import { type Connection, ConnectionError, util } from "@prismatic-io/spectral";
import { InputError } from "./errors";
import { redact, registerSecret } from "./redact";

export const DEFAULT_API_ORIGIN = "https://api.pipedrive.com";

export interface ResolvedAuth {
  /** Scheme + host (+ port) that API calls go to, e.g. https://acme.pipedrive.com. No path. */
  origin: string;
  headers: Record<string, string>;
  /** Stable, non-reversible id of the credential, for per-token rate-limit pacing. */
  fingerprint: string;
  connectionKey: string;
}

const LOOPBACK = /^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/i;

/** https origins anywhere; plain http only on loopback (the local simulator). */
export function toApiOrigin(raw: string): string | undefined {
  const trimmed = raw.trim().replace(/\/+$/, "");
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return undefined;
  }
  if (url.username || url.password || url.search || url.hash || (url.pathname && url.pathname !== "/"))
    return undefined;
  const origin = url.origin;
  if (url.protocol === "https:") return origin;
  return LOOPBACK.test(origin) ? origin : undefined;
}

const COMPANY_DOMAIN = /^([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.pipedrive\.com)?$/i;

/**
 * The API-token connection's company domain: `acme` or `acme.pipedrive.com` (an https:// prefix is
 * tolerated). For the bundled simulator a loopback origin such as http://127.0.0.1:4010 is accepted.
 */
export function companyDomainToOrigin(raw: unknown): string {
  const value = util.types.toString(raw).trim();
  const loopback = toApiOrigin(value);
  if (loopback && LOOPBACK.test(loopback)) return loopback;
  const bare = value.replace(/^https:\/\//i, "").replace(/\/+$/, "");
  const match = COMPANY_DOMAIN.exec(bare);
  if (!match)
    throw new InputError(
      `Company Domain: expected your Pipedrive company domain such as "acme" or "acme.pipedrive.com" (see Settings > Company settings in Pipedrive), got "${redact(value)}".`,
    );
  return `https://${match[1].toLowerCase()}.pipedrive.com`;
}

const fingerprint = (secret: string) => createHash("sha256").update(secret).digest("hex").slice(0, 24);

export function resolveAuth(connection: Connection): ResolvedAuth {
  if (!connection || typeof connection !== "object")
    throw new InputError("Connection: choose a Pipedrive connection (OAuth 2.0 or API Token).");
  switch (connection.key) {
    case "oauth2": {
      const accessToken = util.types.toString(connection.token?.access_token);
      if (!accessToken)
        throw new ConnectionError(
          connection,
          "The Pipedrive OAuth connection has no access token: connect (authorize) it again.",
        );
      registerSecret(accessToken);
      registerSecret(util.types.toString(connection.token?.refresh_token));
      registerSecret(util.types.toString(connection.fields?.clientSecret));
      const apiDomain = util.types.toString(connection.token?.api_domain);
      const origin = apiDomain ? toApiOrigin(apiDomain) : DEFAULT_API_ORIGIN;
      if (!origin)
        throw new ConnectionError(
          connection,
          `The OAuth token's api_domain "${apiDomain}" is not an https origin; reconnect the Pipedrive connection.`,
        );
      return {
        origin,
        headers: { Authorization: `Bearer ${accessToken}` },
        fingerprint: fingerprint(accessToken),
        connectionKey: connection.key,
      };
    }
    case "apiToken": {
      const token = util.types.toString(connection.fields?.apiToken).trim();
      if (!token) throw new ConnectionError(connection, "API Token: paste your personal Pipedrive API token.");
      registerSecret(token);
      return {
        origin: companyDomainToOrigin(connection.fields?.companyDomain),
        headers: { "x-api-token": token },
        fingerprint: fingerprint(token),
        connectionKey: connection.key,
      };
    }
    default:
      throw new ConnectionError(
        connection,
        `Unsupported connection "${connection.key}": use this component's OAuth 2.0 or API Token connection.`,
      );
  }
}

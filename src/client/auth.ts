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
  /** The credentials in the headers, kept registered with the redactor while the client is used. */
  secrets: string[];
}

/** The environment variable that lets a connection point at this machine (simulator, tests, demo). */
export const LOOPBACK_OPT_IN = "PIPEDRIVE_ALLOW_LOOPBACK";
export const loopbackAllowed = (): boolean => process.env[LOOPBACK_OPT_IN] === "1";

/** WHATWG URL has already turned 127.1, 0x7f000001 and 2130706433 into 127.0.0.1. */
const isLoopbackHost = (hostname: string): boolean =>
  /^127\.\d+\.\d+\.\d+$/.test(hostname) ||
  hostname === "0.0.0.0" ||
  hostname === "localhost" ||
  hostname.endsWith(".localhost") ||
  /^\[(::1?|(0+:){7}0*1|::ffff:(127\.\d+\.\d+\.\d+|7f[0-9a-f]{2}:[0-9a-f]{1,4}))\]$/i.test(hostname);

/** An origin on this machine (http or https, any port), or undefined; "127.1" alone counts too. */
export function loopbackOrigin(raw: string): string | undefined {
  const text = raw.trim().replace(/\/+$/, "");
  for (const candidate of /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? [text] : [`http://${text}`]) {
    let url: URL;
    try {
      url = new URL(candidate);
    } catch {
      return undefined;
    }
    if (!isLoopbackHost(url.hostname)) return undefined;
    if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
    if (url.username || url.password || url.search || url.hash || (url.pathname && url.pathname !== "/"))
      return undefined;
    return url.origin;
  }
  return undefined;
}

const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const COMPANY_DOMAIN = new RegExp(`^(${LABEL})(?:\\.pipedrive\\.com)?$`, "i");
const PIPEDRIVE_ORIGIN = new RegExp(`^https://${LABEL}\\.pipedrive\\.com$`, "i");

const shown = (value: string) => redact(value.length > 80 ? `${value.slice(0, 77)}...` : value);

const loopbackRefused = (what: string, value: string) =>
  `${what} "${shown(value)}" points at this machine (a loopback address); that is only allowed for the local simulator and tests, with the environment variable ${LOOPBACK_OPT_IN}=1.`;

/**
 * The API-token connection's company domain: `acme` or `acme.pipedrive.com` (an https:// prefix is
 * tolerated). A loopback origin such as http://127.0.0.1:4010 (the simulator) only with the opt-in.
 */
export function companyDomainToOrigin(raw: unknown): string {
  const value = util.types.toString(raw).trim();
  const loopback = loopbackOrigin(value);
  if (loopback) {
    if (loopbackAllowed()) return loopback;
    throw new InputError(
      `${loopbackRefused("Company Domain:", value)} Expected your Pipedrive company domain such as "acme" or "acme.pipedrive.com".`,
    );
  }
  const bare = value.replace(/^https:\/\//i, "").replace(/\/+$/, "");
  const match = COMPANY_DOMAIN.exec(bare);
  if (!match)
    throw new InputError(
      `Company Domain: expected your Pipedrive company domain such as "acme" or "acme.pipedrive.com" (see Settings > Company settings in Pipedrive), got "${shown(value)}".`,
    );
  return `https://${match[1].toLowerCase()}.pipedrive.com`;
}

/** The OAuth token's api_domain: https://<company>.pipedrive.com only (loopback with the opt-in). */
export function apiDomainToOrigin(raw: string): string | undefined {
  const loopback = loopbackOrigin(raw);
  if (loopback) return loopbackAllowed() ? loopback : undefined;
  const text = raw.trim().replace(/\/+$/, "");
  return PIPEDRIVE_ORIGIN.test(text) ? text.toLowerCase() : undefined;
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
      const secrets = [
        accessToken,
        util.types.toString(connection.token?.refresh_token),
        util.types.toString(connection.fields?.clientSecret),
      ].filter(Boolean);
      for (const secret of secrets) registerSecret(secret);
      const apiDomain = util.types.toString(connection.token?.api_domain);
      const origin = apiDomain ? apiDomainToOrigin(apiDomain) : DEFAULT_API_ORIGIN;
      if (!origin)
        throw new ConnectionError(
          connection,
          loopbackOrigin(apiDomain)
            ? `${loopbackRefused("The OAuth token's api_domain", apiDomain)} Reconnect the Pipedrive connection.`
            : `The OAuth token's api_domain "${shown(apiDomain)}" is not a Pipedrive origin (https://<company>.pipedrive.com); the token is only sent there. Reconnect the Pipedrive connection.`,
        );
      return {
        origin,
        headers: { Authorization: `Bearer ${accessToken}` },
        fingerprint: fingerprint(accessToken),
        connectionKey: connection.key,
        secrets,
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
        secrets: [token],
      };
    }
    default:
      throw new ConnectionError(
        connection,
        `Unsupported connection "${connection.key}": use this component's OAuth 2.0 or API Token connection.`,
      );
  }
}

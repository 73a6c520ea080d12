/**
 * Pipedrive's uninstall notice: a background `DELETE` on the app's callback URL with JSON
 * `{client_id, company_id, user_id, timestamp}` and HTTP Basic `client_id:client_secret`.
 */
import { createHash, timingSafeEqual } from "node:crypto";

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest();

/**
 * True when the Authorization header is HTTP Basic with exactly `clientId:clientSecret`.
 * Both sides are hashed to equal-length digests and compared with timingSafeEqual, so neither the
 * length nor the content of the secret shows in the timing.
 */
export function verifyClientBasicAuth(
  header: string | string[] | undefined,
  clientId: string,
  clientSecret: string,
): boolean {
  const value = Array.isArray(header) ? header[0] : header;
  const m = /^Basic[ ]+([A-Za-z0-9+/=_-]+)\s*$/i.exec(value ?? "");
  const given = m ? Buffer.from(m[1], "base64").toString("utf8") : "";
  const same = timingSafeEqual(digest(given), digest(`${clientId}:${clientSecret}`));
  return m !== null && same;
}

export interface UninstallNotice {
  clientId: string;
  companyId: number;
  userId: number;
  timestamp: string | number | null;
}

const positiveInt = (v: unknown): number | null => {
  if (typeof v === "number" && Number.isSafeInteger(v) && v > 0) return v;
  if (typeof v === "string" && /^[1-9]\d{0,15}$/.test(v)) return Number(v);
  return null;
};

/** Parses the notice's JSON body; ids may come as numbers or digit strings. */
export function parseUninstallNotice(body: string | Buffer | undefined): UninstallNotice | { error: string } {
  const raw = typeof body === "string" ? body : (body?.toString("utf8") ?? "");
  if (raw.length > 16_384) return { error: "body too large" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { error: "body is not JSON" };
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return { error: "body is not a JSON object" };
  const o = parsed as Record<string, unknown>;
  const companyId = positiveInt(o.company_id);
  const userId = positiveInt(o.user_id);
  if (typeof o.client_id !== "string" || companyId === null || userId === null) {
    return { error: "client_id, company_id and user_id are required" };
  }
  const ts = o.timestamp;
  return {
    clientId: o.client_id,
    companyId,
    userId,
    timestamp: typeof ts === "string" || typeof ts === "number" ? ts : null,
  };
}

/** The instance label that ties an instance to the Pipedrive user whose connection it holds. */
export function pipedriveUserLabel(companyId: number, userId: number): string {
  return `pipedrive-user:${companyId}:${userId}`;
}

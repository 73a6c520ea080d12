import { randomBytes, timingSafeEqual } from "node:crypto";
import { registerSecret } from "../../client/redact";

export interface BasicCredentials {
  user: string;
  password: string;
}

/** Per-flow Basic credentials Pipedrive sends back on every delivery; 32 random bytes of password. */
export function generateCredentials(): BasicCredentials {
  const password = randomBytes(32).toString("base64url");
  registerSecret(password);
  return { user: `prismatic-${randomBytes(6).toString("hex")}`, password };
}

const findHeader = (headers: Record<string, unknown> | undefined, name: string): string | undefined => {
  if (!headers) return undefined;
  for (const [key, value] of Object.entries(headers))
    if (key.toLowerCase() === name)
      return Array.isArray(value) ? String(value[0]) : typeof value === "string" ? value : undefined;
  return undefined;
};

/**
 * Checks an Authorization header against the expected Basic credentials in constant time:
 * both sides are compared at full length whatever the input, so timing tells nothing.
 */
export function verifyBasicAuth(headers: Record<string, unknown> | undefined, expected: BasicCredentials): boolean {
  // Each execution may run in a fresh process: the password read from state is registered there too.
  registerSecret(expected.password);
  const header = findHeader(headers, "authorization") ?? "";
  const wanted = Buffer.from(`Basic ${Buffer.from(`${expected.user}:${expected.password}`).toString("base64")}`);
  const given = Buffer.from(header.trim());
  const padded = Buffer.alloc(wanted.length);
  given.copy(padded, 0, 0, Math.min(given.length, wanted.length));
  const same = timingSafeEqual(padded, wanted);
  return same && given.length === wanted.length;
}

/**
 * Removes credentials from text that may reach a log, an error or an output.
 * Known secrets are registered by the client when it is created; patterns catch the rest.
 */
import { POLICY } from "./policy";

/** Secret -> when a client last used it, least recently used first. */
const knownSecrets = new Map<string, number>();

/**
 * Registers a secret, or marks it used again. Secrets no client used within the policy's idle
 * time (and the oldest beyond its cap) are forgotten, so a long-running process does not keep
 * every credential it ever saw.
 */
export function registerSecret(secret: unknown, now: number = Date.now()): void {
  if (typeof secret !== "string" || secret.length < 6) return;
  knownSecrets.delete(secret);
  knownSecrets.set(secret, now);
  for (const [old, used] of knownSecrets) {
    if (now - used <= POLICY.idleMs && knownSecrets.size <= POLICY.maxCredentials * 4) break;
    knownSecrets.delete(old);
  }
}

export const touchSecret = registerSecret;

/** Secrets currently registered (for the bench and tests). */
export const secretCount = (): number => knownSecrets.size;

const PATTERNS: [RegExp, string][] = [
  [/(Bearer|Basic)\s+[A-Za-z0-9._~+/=:-]+/gi, "$1 [redacted]"],
  [
    /\b((?:api_token|access_token|refresh_token|client_secret|password|code)["']?\s*[=:]\s*["']?)[^"'&\s,}]+/gi,
    "$1[redacted]",
  ],
  [/(x-api-token["']?\s*[:=]\s*["']?)[^"'\s,}]+/gi, "$1[redacted]"],
];

/** `extra`: secrets of this one call (e.g. an OAuth code), replaced like the registered ones but not kept. */
export function redact(text: string, extra: readonly string[] = []): string {
  let out = text;
  for (const secret of [...knownSecrets.keys(), ...extra])
    if (secret.length >= 4 && out.includes(secret)) out = out.split(secret).join("[redacted]");
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

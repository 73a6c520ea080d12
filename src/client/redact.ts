/**
 * Removes credentials from text that may reach a log, an error or an output.
 * Known secrets are registered by the client when it is created; patterns catch the rest.
 */
const knownSecrets = new Set<string>();

export function registerSecret(secret: unknown): void {
  if (typeof secret === "string" && secret.length >= 6) knownSecrets.add(secret);
}

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
  for (const secret of [...knownSecrets, ...extra])
    if (secret.length >= 4 && out.includes(secret)) out = out.split(secret).join("[redacted]");
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

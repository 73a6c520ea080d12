/**
 * The one retry, rate-limit and resource policy. The client, the pacing gate and the polling
 * triggers read it; input comments and docs quote it (see `describePolicy`), so no number is
 * restated elsewhere.
 */
export const POLICY = {
  /** Pipedrive's documented burst window; a longer one is learnt from the headers, up to maxWindowMs. */
  windowMs: 2_000,
  /** Upper bound of a window learnt from x-ratelimit-reset, whatever an answer says. */
  maxWindowMs: 60_000,
  /** Upper bound of x-ratelimit-limit taken from an answer (Pipedrive's largest plan is far below). */
  maxBurstLimit: 100_000,
  /** Retries of a 5xx, reset or timeout, only for requests that are safe to repeat. */
  maxRetries: 3,
  /** Retries after a 429 (any method: Pipedrive refused it, so nothing was processed). */
  maxRateLimitRetries: 6,
  /** A 429 asking to wait longer than this fails at once instead of sleeping. */
  maxRetryAfterSeconds: 60,
  /** Wait after a 429 that names no time. */
  defaultRetryAfterSeconds: 2,
  /** Exponential backoff after a 5xx or reset: base x 2^(retry-1), capped, plus random jitter. */
  backoff: { baseMs: 250, maxMs: 4_000, jitterMs: 100 },
  /** Share of the daily token budget polling triggers leave for other flows. */
  budgetReserve: 0.02,
  /** Per-attempt time limit (connect to last byte), unless an action sets its own. */
  timeoutMs: 30_000,
  /** Largest answer read into memory: JSON and text, and file downloads. */
  maxResponseBytes: 32 * 1024 * 1024,
  maxDownloadBytes: 128 * 1024 * 1024,
  /** Largest JSON request body sent; anything larger is refused before a request goes out. */
  maxJsonBodyBytes: 10 * 1024 * 1024,
  /** Redirects followed per request; credentials never follow one to another origin. */
  maxRedirects: 5,
  /** Per-credential state (pacing gate, registered secret) no execution used for this long is dropped. */
  idleMs: 15 * 60_000,
  /** At most this many credentials' state is kept; the least recently used goes first. */
  maxCredentials: 1_000,
} as const;

/** Backoff before retry `retryCount` (1-based) after a 5xx, reset or timeout. */
export const backoffMs = (retryCount: number, random: () => number = Math.random): number =>
  Math.min(POLICY.backoff.baseMs * 2 ** (retryCount - 1), POLICY.backoff.maxMs) +
  Math.floor(random() * POLICY.backoff.jitterMs);

export const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** The policy in a builder's words, for input comments and docs. */
export const describePolicy = {
  retries: `up to ${POLICY.maxRetries} times with exponential backoff`,
  rateLimitRetries: `up to ${POLICY.maxRateLimitRetries} times`,
  maxRetryAfter: `${POLICY.maxRetryAfterSeconds} s`,
  budgetReserve: `${POLICY.budgetReserve * 100}%`,
};

const SECONDS = (ms: number) => `${ms / 1000} s`;

/** The policy as a Markdown table, written into docs/security.md by `npm run docs`. */
export function renderPolicyTable(): string {
  const rows: [string, string][] = [
    ["Burst window (Pipedrive's documented one)", SECONDS(POLICY.windowMs)],
    ["Longest window learnt from `x-ratelimit-reset`", SECONDS(POLICY.maxWindowMs)],
    ["Largest `x-ratelimit-limit` believed", String(POLICY.maxBurstLimit)],
    ["Retries of a 5xx, reset or timeout (GET, PUT, PATCH, DELETE only)", String(POLICY.maxRetries)],
    [
      "Backoff before those retries",
      `${POLICY.backoff.baseMs} ms x 2^(retry-1), at most ${POLICY.backoff.maxMs} ms, + up to ${POLICY.backoff.jitterMs} ms jitter`,
    ],
    ["Retries after a 429 (any method)", String(POLICY.maxRateLimitRetries)],
    ["Wait after a 429 naming none", `${POLICY.defaultRetryAfterSeconds} s`],
    ["A 429 asking to wait longer fails at once", `${POLICY.maxRetryAfterSeconds} s`],
    ["Daily budget left to other flows by polling triggers", describePolicy.budgetReserve],
    ["Time limit per attempt (connect to last byte)", SECONDS(POLICY.timeoutMs)],
    ["Largest JSON or text answer read", megabytes(POLICY.maxResponseBytes)],
    ["Largest file download read", megabytes(POLICY.maxDownloadBytes)],
    ["Largest JSON request body (refused before sending)", megabytes(POLICY.maxJsonBodyBytes)],
    ["Redirects followed per request", String(POLICY.maxRedirects)],
    ["Per-credential state dropped after", `${POLICY.idleMs / 60_000} min unused`],
    ["Credentials whose state is kept at most", String(POLICY.maxCredentials)],
  ];
  return ["| Setting | Value |", "|---|---|", ...rows.map(([what, value]) => `| ${what} | ${value} |`)].join("\n");
}

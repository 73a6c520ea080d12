/**
 * Where ours sends a different request than Prismatic's component for the same inputs, and why
 * (held to by test/requests.contract.test.ts; printed in docs/compatibility.md). Keyed by action
 * key, then by the place that differs: "method", "path", "query.<name>", "body.<field>", "body.kind"
 * or "requests" (another number of requests).
 */
export const REQUEST_DIFFERENCES: Record<string, Record<string, string>> = {};

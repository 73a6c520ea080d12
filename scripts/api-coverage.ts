/**
 * npm run coverage:api — every operation in Pipedrive's two specs -> the action key that reaches it,
 * and the operations no action reaches (each must be on the justified exclusion list).
 */
import actions, { actionDefinitions } from "../src/actions";
import { OPERATIONS } from "../src/actions/generated/fromSpec";
import type { GeneratedOperation } from "../src/actions/generated/types";

/** Operations deliberately without an action of their own, and why. */
export const EXCLUSIONS: { match: (op: GeneratedOperation) => boolean; why: string }[] = [
  {
    match: (op) => op.path.startsWith("/oauth/"),
    why: "OAuth endpoints: the oauth2 connection (and the platform) performs authorize, token and refresh.",
  },
  {
    match: (op) => op.version === "v1" && OPERATIONS.some((other) => other.version === "v2" && other.id === op.id),
    why: "Superseded: v2 has the same operation (same operationId), and the action uses v2.",
  },
  {
    match: (op) => Boolean(op.deprecated) && op.id in actionDefinitions,
    why: "Deprecated by Pipedrive: the action of this key keeps Prismatic's meaning on a current v2 list (src/actions/overrides).",
  },
];

const endpoint = (d: { method: string; version: string; path: string }) => `${d.method} ${d.version} ${d.path}`;

export interface CoverageRow {
  operation: string;
  action?: string;
  excludedBecause?: string;
}

export function coverage(): CoverageRow[] {
  const keys = new Set(actions.keys);
  // An operation is reached by the action whose declaration calls it (its own key first).
  const byEndpoint = new Map<string, string[]>();
  for (const [key, definition] of Object.entries(actionDefinitions))
    if (keys.has(key)) byEndpoint.set(endpoint(definition), [...(byEndpoint.get(endpoint(definition)) ?? []), key]);
  return OPERATIONS.map((op) => {
    const operation = `${op.method} /api/${op.version}${op.path} (${op.id})`;
    const reachedBy = byEndpoint.get(endpoint(op)) ?? [];
    if (reachedBy.length) return { operation, action: reachedBy.includes(op.id) ? op.id : reachedBy[0] };
    const exclusion = EXCLUSIONS.find((e) => e.match(op));
    return exclusion ? { operation, excludedBecause: exclusion.why } : { operation };
  });
}

if (require.main === module) {
  const rows = coverage();
  for (const row of rows)
    console.log(
      `${row.operation} -> ${row.action ?? (row.excludedBecause ? `(excluded: ${row.excludedBecause})` : "MISSING")}`,
    );
  const missing = rows.filter((r) => !r.action && !r.excludedBecause);
  const excluded = rows.filter((r) => r.excludedBecause);
  console.log(
    `\n${rows.length} operations: ${rows.length - missing.length - excluded.length} reached by an action, ${excluded.length} excluded with a reason, ${missing.length} missing.`,
  );
  if (missing.length) process.exitCode = 1;
}

/**
 * npm run coverage:api — every operation in Pipedrive's two specs -> the action key that reaches it,
 * and the operations no action reaches (each must be on the justified exclusion list).
 */
import actions from "../src/actions";
import { generatedOperations, OPERATIONS } from "../src/actions/generated";
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
];

export interface CoverageRow {
  operation: string;
  action?: string;
  excludedBecause?: string;
}

export function coverage(): CoverageRow[] {
  const chosen = generatedOperations();
  const keys = new Set(actions.keys);
  return OPERATIONS.map((op) => {
    const operation = `${op.method} /api/${op.version}${op.path} (${op.id})`;
    const reached = chosen.get(op.id) === op && keys.has(op.id);
    if (reached) return { operation, action: op.id };
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

import { coverage, EXCLUSIONS } from "../scripts/api-coverage";
import component from "../src";

test("every operation of both Pipedrive specs is reached by an action or excluded for a stated reason", () => {
  const rows = coverage();
  expect(rows.length).toBe(371);
  expect(rows.filter((row) => !row.action && !row.excludedBecause)).toEqual([]);
  // The exclusion list stays short: OAuth endpoints, v1 twins of v2 operations, deprecated v1 lists.
  expect(EXCLUSIONS.length).toBeLessThanOrEqual(3);
  expect(rows.filter((row) => row.excludedBecause).length).toBeLessThan(60);
});

test("every Prismatic action key is in the component", () => {
  const fs = require("node:fs") as typeof import("node:fs");
  const keys = fs
    .readFileSync(require.resolve("../../shared/reference/prismatic-keys.tsv"), "utf8")
    .split("\n")
    .slice(1)
    .map((line) => line.split("\t"))
    .filter((cols) => cols[3] === "action")
    .map((cols) => cols[0]);
  expect(keys.length).toBe(154);
  expect(keys.filter((key) => !(key in component.actions))).toEqual([]);
});

test("every id input naming a deal, person, organization, pipeline, stage, user, product, lead, activity, filter, file or project has its dropdown", () => {
  const LINKED =
    /^(dealId|personId|orgId|organizationId|pipelineId|stageId|userId|ownerId|creatorUserId|productId|leadId|filterId|activityId|projectId|fileId)$/;
  const missing: string[] = [];
  for (const [key, action] of Object.entries(
    component.actions as unknown as Record<string, { inputs: { key: string; type: string; dataSource?: string }[] }>,
  ))
    for (const input of action.inputs)
      if (LINKED.test(input.key) && input.type === "string" && !input.dataSource) missing.push(`${key}.${input.key}`);
  expect(missing).toEqual([]);
});

test("docs/actions.md is up to date (npm run docs)", () => {
  const fs = require("node:fs") as typeof import("node:fs");
  const { ACTIONS_DOC, renderActionsDoc } =
    require("../scripts/generate-docs") as typeof import("../scripts/generate-docs");
  expect(fs.readFileSync(ACTIONS_DOC, "utf8")).toBe(renderActionsDoc());
});

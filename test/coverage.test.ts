import { coverage, EXCLUSIONS } from "../scripts/api-coverage";
import component from "../src";

test("every operation of both Pipedrive specs is reached by an action or excluded for a stated reason", () => {
  const rows = coverage();
  expect(rows.length).toBe(371);
  expect(rows.filter((row) => !row.action && !row.excludedBecause)).toEqual([]);
  // The exclusion list stays short: OAuth endpoints and v1 twins of v2 operations.
  expect(EXCLUSIONS.length).toBeLessThanOrEqual(2);
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

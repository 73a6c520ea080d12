import fs from "node:fs";
import {
  acceptedValues,
  COMPAT_DOC,
  compare,
  describe as describeFinding,
  figures,
  KNOWN_TRIGGER_GAPS,
  loadBuilt,
  loadReference,
  renderCompatibilityDoc,
} from "../scripts/compat";
import { REQUEST_DIFFERENCES } from "../src/actions/differences";

/**
 * The built component (dist/index.js, as publish loads it) against Prismatic's published Pipedrive
 * component: every key, input key, type and dropdown value a configured step may hold.
 */
const reference = loadReference();
const findings = compare(loadBuilt(), reference);
const current = findings.filter((f) => f.kind !== "trigger");

test("actions, data sources and connections: 0 missing keys, 0 missing input keys, 0 type mismatches, 0 refused values", () => {
  expect(current.filter((f) => !f.reason).map(describeFinding)).toEqual([]);
  const all = figures(findings, reference, ["action", "dataSource", "connection"]);
  expect(all).toMatchObject({ missingKeys: 0, missingInputs: 0, typeMismatches: 0, refusedValues: 0, unexplained: 0 });
  expect(all.keys).toEqual({ present: 170, total: 170 });
  expect(all.inputKeys.present).toBe(all.inputKeys.total);
});

test("every deliberate difference (a default not kept, a stricter rule) states its reason", () => {
  const deliberate = current.filter((f) => f.problem === "default" || f.problem === "stricter");
  expect(deliberate.length).toBeGreaterThan(0);
  for (const f of deliberate) expect(f.reason?.length).toBeGreaterThan(20);
  expect(
    deliberate
      .filter((f) => f.problem === "stricter")
      .map((f) => `${f.key}.${f.input}`)
      .sort(),
  ).toEqual(["addOrganization.name", "addPerson.name", "addProduct.name"]);
});

test("triggers: only the gaps known today (the integrator empties KNOWN_TRIGGER_GAPS after merging the trigger branches)", () => {
  const gaps = findings.filter((f) => f.kind === "trigger").map(describeFinding);
  console.log(`Known trigger gaps (${gaps.length}):\n${gaps.join("\n")}`);
  expect(gaps).toEqual(KNOWN_TRIGGER_GAPS);
  const triggers = figures(findings, reference, ["trigger"]);
  expect(triggers).toMatchObject({ missingKeys: 0, missingInputs: 0, typeMismatches: 0 });
});

test("the comparison catches what it claims to: a renamed input, a retyped boolean, a refused value", () => {
  const built = loadBuilt();
  const getDeals = built.actions.getDeals;
  const tampered = {
    ...built,
    actions: {
      ...built.actions,
      getDeals: {
        ...getDeals,
        inputs: getDeals.inputs
          .filter((input) => input.key !== "cursor")
          .map((input) =>
            input.key === "fetchAll"
              ? { ...input, type: "string" }
              : input.key === "status"
                ? { ...input, model: input.model?.filter((option) => option.value !== "deleted") }
                : input,
          ),
      },
    },
  };
  const problems = compare(tampered, reference)
    .filter((f) => f.key === "getDeals")
    .map((f) => `${f.problem} ${f.input}`);
  expect(problems.sort()).toEqual(["missing input cursor", "refused value status", "type fetchAll"]);
});

/** Values Prismatic's component took that ours still refuses: each must be a listed request difference. */
const STILL_REFUSED: string[] = [];

test("every value Prismatic's component was run with or documented is accepted, or clamped with a warning", () => {
  const rows = acceptedValues();
  expect(rows.length).toBeGreaterThan(500);
  const refused = rows.filter((row) => !/^(yes|clamped, with a warning)$/.test(row.accepted));
  expect(refused.map((row) => `${row.key}.${row.input}`).sort()).toEqual([...STILL_REFUSED].sort());
  for (const row of refused) expect(REQUEST_DIFFERENCES[row.key]?.requests).toBeDefined();
  // The column says what it claims: Prismatic's Limit 100 on call logs is lowered, its sort form taken.
  const verdict = (key: string, input: string, value: string) =>
    rows.find((row) => row.key === key && row.input === input && row.value === value)?.accepted;
  expect(verdict("getUserCallLogs", "limit", "100")).toBe("clamped, with a warning");
  expect(verdict("getLeads", "sort", "title ASC, id DESC")).toBe("yes");
  expect(verdict("addPerson", "emails", "john.doe@example.com,jane.doe@example.com")).toBe("yes");
});

test("docs/compatibility.md is up to date (npm run compat)", () => {
  expect(fs.readFileSync(COMPAT_DOC, "utf8")).toBe(renderCompatibilityDoc(findings));
});

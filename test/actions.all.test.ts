import Ajv, { type ValidateFunction } from "ajv";
import { REMOVED_ACTION_KEYS } from "../src/actions";
import { type Outcome, outcomeOf } from "../src/actions/overrides";
import { actions, FILTER_TYPE_OF_LIST, sampleParams } from "./support/samples";
import { context, expectNoSecretsLeaked, harness, startTestBed, type TestBed } from "./support/setup";

/**
 * Drives every action of the built component against the simulator with valid sample inputs
 * (required only, then every input), and fails on any request that breaks Pipedrive's specs.
 */
let bed: TestBed;
/** Removed by Pipedrive: they fail before any request whatever the inputs. */
const REMOVED = new Set(REMOVED_ACTION_KEYS);
let leadId = "";
let leadLabelId = "";
const filterIds: Record<string, string> = {};
const paramsFor_ = (key: string, all: boolean) => sampleParams({ bed, leadId, leadLabelId, filterIds }, key, all);

/** Each run starts from the same seeded account: an earlier run's deletes do not turn reads into 404s. */
async function freshBed(): Promise<void> {
  if (bed) {
    expectNoSecretsLeaked(bed.secrets);
    await bed.sim.stop();
  }
  bed = await startTestBed({ validateResponses: true });
  bed.sim.setBurst(100_000, 2000);
  for (const collection of [
    "deals",
    "persons",
    "organizations",
    "products",
    "activities",
    "notes",
    "projects",
    "tasks",
    "files",
  ] as const)
    bed.sim.seed(collection, 3);
  leadId = String((bed.sim.seed("leads", 2)[0] as { id: string }).id);
  leadLabelId = String((bed.sim.seed("leadLabels", 2)[0] as { id: string }).id);
  // Filter 1, which updateFilter and deleteFilter take, is none of the lists' own filters below.
  bed.sim.seed("filters", 1, () => ({ name: "Scratch", type: "deals", conditions: { glue: "and", conditions: [] } }));
  // With every input set, lists name a saved filter of their own type (every record matches it).
  for (const [path, type] of Object.entries(FILTER_TYPE_OF_LIST)) {
    const [filter] = bed.sim.seed("filters", 1, () => ({
      name: `Every ${type}`,
      type,
      active_flag: true,
      conditions: { glue: "and", conditions: [] },
    }));
    filterIds[path] = String(filter.id);
  }
}

beforeAll(freshBed);
afterAll(async () => {
  expectNoSecretsLeaked(bed.secrets);
  await bed.sim.stop();
});

/** Each action's declared outputSchema, compiled (spectral hands it to the platform as a JSON string). */
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const outputValidators = new Map<string, ValidateFunction>();
function outputSchemaOf(key: string): Record<string, unknown> {
  const declared = (actions[key] as unknown as { outputSchema?: { type: string; schema: string } }).outputSchema;
  if (!declared) throw new Error(`${key} declares no outputSchema`);
  return JSON.parse(declared.schema);
}
/** The compiled outputSchema (ajv checks it against the JSON Schema meta-schema first). */
function validatorOf(key: string): ValidateFunction {
  let validate = outputValidators.get(key);
  if (!validate) {
    validate = ajv.compile(outputSchemaOf(key));
    outputValidators.set(key, validate);
  }
  return validate;
}

/** Mismatches between an action's output and its own outputSchema ("" when it conforms). */
function outputMismatch(key: string, data: unknown): string {
  const schema = outputSchemaOf(key);
  if (Buffer.isBuffer(data))
    return schema.format === "binary" ? "" : `${key}: returned bytes, schema says ${JSON.stringify(schema)}`;
  const validate = validatorOf(key);
  if (validate(data)) return "";
  return `${key}: ${ajv.errorsText(validate.errors?.slice(0, 5), { dataVar: "data" })}`;
}

test("every action declares its outputSchema and performSafety: safe only for reads", () => {
  const keys = Object.keys(actions);
  expect(keys.length).toBeGreaterThanOrEqual(334);
  const safety = Object.fromEntries(
    keys.map((key) => [key, (actions[key] as unknown as { performSafety?: string }).performSafety]),
  );
  for (const key of keys) {
    expect(validatorOf(key)).toEqual(expect.any(Function));
    expect([key, safety[key]]).toEqual([key, expect.stringMatching(/^(SAFE|NOT_ALLOWED)$/)]);
  }
  // Writes and sends never run inline; a sample of each kind.
  for (const key of [
    "addDeal",
    "updateDeal",
    "deleteDeal",
    "rawRequest",
    "findOrCreatePerson",
    "addFile",
    "mergeDeals",
  ])
    expect([key, safety[key]]).toEqual([key, "NOT_ALLOWED"]);
  for (const key of ["getDeals", "getDeal", "getConnectionInfo", "downloadFile", "searchItem", "getFiles"])
    expect([key, safety[key]]).toEqual([key, "SAFE"]);
});

/** An outcome as the tests compare it: "ok", "input error" or "http <status>". */
const expectedOf = (outcome: Outcome) =>
  outcome === "ok" ? "ok" : outcome.error === "input" ? "input error" : `http ${outcome.status}`;

/**
 * Removing and merging records runs last (sub-records first: deleteDealProduct before deleteDeal),
 * so no action meets a record an earlier action of the run took away.
 */
const destroys = (key: string) => /^(delete|merge)/.test(key);
const runOrder = (keys: string[]) => [
  ...keys.filter((key) => !destroys(key)),
  ...keys.filter(destroys).sort((a, b) => b.length - a.length),
];

test.each([false, true])("every action sends spec-valid requests (all optional inputs filled: %s)", async (all) => {
  if (all) await freshBed();
  const keys = runOrder(Object.keys(actions));
  const mismatches: string[] = [];
  const unexpected: string[] = [];
  for (const key of keys) {
    const before = bed.sim.requests.length;
    let got: string;
    let detail = "";
    try {
      const result = await harness.action(key, paramsFor_(key, all), context);
      got = "ok";
      const mismatch = outputMismatch(key, (result as { data?: unknown })?.data);
      if (mismatch) mismatches.push(mismatch);
    } catch (error) {
      const e = error as Error & { status?: number; name: string };
      got = e.name === "PipedriveError" ? `http ${e.status}` : e.name === "InputError" ? "input error" : e.name;
      detail = e.message;
      if (bed.sim.requests.length === before && e.name !== "InputError")
        throw new Error(`${key} failed before any request without a clear input error: ${e.message}`);
    }
    // With every input set, an action stated to miss an input (nothing to change, no linked record) runs.
    const stated = outcomeOf(key);
    const expected =
      all && stated !== "ok" && stated.error === "input" && !REMOVED.has(key) ? "ok" : expectedOf(stated);
    if (got !== expected) unexpected.push(`${key}: expected ${expected}, got ${got} ${detail}`.trim());
  }
  // One line per action whose outcome is not the one its table entry states.
  expect(unexpected).toEqual([]);
  if (mismatches.length) console.log(mismatches.slice(0, 40).join("\n"));
  expect(mismatches).toEqual([]);
  const violations = bed.sim.takeViolations();
  if (violations.length) console.log(JSON.stringify(violations.map((v) => [v.operationId, v.reasons.slice(0, 3)])));
  expect(violations).toEqual([]);
});

test("Fetch All and Name Custom Fields outputs match the outputSchema too", async () => {
  const inputKeys = (key: string) => actions[key].inputs.map((input) => input.key);
  const keys = Object.keys(actions).filter((key) => inputKeys(key).includes("fetchAll"));
  expect(keys.length).toBeGreaterThan(75);
  const mismatches: string[] = [];
  let checked = 0;
  for (const key of keys) {
    const params = {
      ...paramsFor_(key, false),
      fetchAll: "true",
      maxRecords: "2",
      ...(inputKeys(key).includes("nameCustomFields") ? { nameCustomFields: "true" } : {}),
    };
    const result = await harness.action(key, params, context).catch((error: Error) => error);
    if (result instanceof Error) continue;
    const data = (result as { data?: { additional_data?: { fetched_all?: unknown } } }).data;
    expect([key, typeof data?.additional_data?.fetched_all]).toEqual([key, "boolean"]);
    checked++;
    const mismatch = outputMismatch(key, data);
    if (mismatch) mismatches.push(mismatch);
  }
  expect(mismatches).toEqual([]);
  expect(checked).toBeGreaterThan(keys.length * 0.8);
  expect(bed.sim.takeViolations()).toEqual([]);
});

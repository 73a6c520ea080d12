import { actions, sampleParams } from "./support/samples";
import { context, expectNoSecretsLeaked, harness, startTestBed, type TestBed } from "./support/setup";

/**
 * Drives every action of the built component against the simulator with valid sample inputs
 * (required only, then every input), and fails on any request that breaks Pipedrive's specs.
 */
let bed: TestBed;
let leadId = "";
const paramsFor_ = (key: string, all: boolean) => sampleParams({ bed, leadId }, key, all);

beforeAll(async () => {
  bed = await startTestBed();
  bed.sim.setBurst(100_000, 2000);
  for (const collection of ["deals", "persons", "organizations", "products", "activities", "notes"] as const)
    bed.sim.seed(collection, 3);
  leadId = String((bed.sim.seed("leads", 2)[0] as { id: string }).id);
});
afterAll(async () => {
  expectNoSecretsLeaked(bed.secrets);
  await bed.sim.stop();
});

test.each([false, true])("every action sends spec-valid requests (all optional inputs filled: %s)", async (all) => {
  const keys = Object.keys(actions).filter((key) => !["rawRequest"].includes(key));
  const outcomes: Record<string, string> = {};
  for (const key of keys) {
    const before = bed.sim.requests.length;
    try {
      await harness.action(key, paramsFor_(key, all), context);
      outcomes[key] = "ok";
    } catch (error) {
      const e = error as Error & { status?: number; name: string };
      outcomes[key] = e.name === "PipedriveError" ? `http ${e.status}` : `${e.name}: ${e.message}`;
      if (bed.sim.requests.length === before && e.name !== "InputError")
        throw new Error(`${key} failed before any request without a clear input error: ${e.message}`);
    }
  }
  const violations = bed.sim.takeViolations();
  if (violations.length) console.log(JSON.stringify(violations.slice(0, 20), null, 1));
  expect(violations).toEqual([]);
  const reached = Object.values(outcomes).filter((o) => o === "ok" || o.startsWith("http")).length;
  // With only required inputs, an update has nothing to change and says so before any request.
  const nothingToChange = Object.entries(outcomes).filter(([, o]) => /set at least one field to change/.test(o));
  if (all) expect(nothingToChange).toEqual([]);
  const inputErrors = Object.entries(outcomes).filter(
    ([, o]) => o.startsWith("InputError") && !/set at least one field to change/.test(o),
  );
  // Only the removed Subscriptions keys refuse every input.
  expect(inputErrors.map(([k]) => k).sort()).toEqual(
    expect.arrayContaining([
      "cancelRecurringSubscription",
      "deleteSubscription",
      "getSubscription",
      "getSubscriptionPayments",
    ]),
  );
  if (inputErrors.length > 4) console.log(inputErrors.filter(([k]) => !/Subscription/.test(k)).slice(0, 30));
  expect(inputErrors.length).toBe(4);
  expect(reached).toBe(keys.length - 4 - nothingToChange.length);
});

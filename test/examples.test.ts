import { outcomeOf } from "../src/actions/overrides";
import { actions } from "./support/samples";
import { context, harness, startTestBed, type TestBed } from "./support/setup";

/**
 * What a builder copying the examples gets: every action run with exactly its inputs' examples and
 * defaults (nothing else) sends spec-valid requests and meets no input error.
 */
let bed: TestBed;

beforeAll(async () => {
  bed = await startTestBed({ validateResponses: true });
  bed.sim.setBurst(100_000, 2000);
});
afterAll(async () => {
  await bed.sim.stop();
});

/** Removed by Pipedrive: these refuse every input, naming the replacement. */
const REMOVED = ["cancelRecurringSubscription", "deleteSubscription", "getSubscription", "getSubscriptionPayments"];

const examplesOf = (key: string): Record<string, unknown> =>
  Object.fromEntries(
    actions[key].inputs.flatMap((input) => {
      if (input.type === "connection") return [[input.key, bed.oauth]];
      // A file comes from an earlier step; no example can hold its bytes.
      if (input.type === "data") return [[input.key, { data: Buffer.from("hello"), contentType: "text/plain" }]];
      const value = input.example ?? input.default;
      return value === undefined || value === "" ? [] : [[input.key, value]];
    }),
  );

test("every required input has an example or a default (files come from an earlier step)", () => {
  const missing = Object.entries(actions).flatMap(([key, { inputs }]) =>
    inputs
      .filter((input) => input.required && input.type !== "connection" && input.type !== "data")
      .filter((input) => (input.example ?? input.default ?? "") === "")
      .map((input) => `${key}.${input.key}`),
  );
  expect(missing).toEqual([]);
});

/** Inputs no example can fill; every other input has one (or a default). */
const WITHOUT_EXAMPLE: [string, (input: (typeof actions)[string]["inputs"][number], key: string) => boolean][] = [
  ["a cursor is only valid for the list that issued it", (input) => input.key === "cursor"],
  ["a file comes from an earlier step", (input) => input.type === "data"],
  ["key-value lists are optional extras", (input) => input.collection === "keyvaluelist"],
  ["a secret has no example (webhook credentials are generated when empty)", (input) => input.type === "password"],
  [
    "kept for compatibility and ignored (not sent)",
    (input, key) =>
      (input.key === "addTime" && key === "addDeal") ||
      /^Kept so configurations made with Prismatic's component still load/.test(
        (input as { comments?: string }).comments ?? "",
      ),
  ],
  ["the removed Subscriptions keys take no input", (_input, key) => REMOVED.includes(key)],
];

test("every other input a builder sees has an example or a default", () => {
  const missing = Object.entries(actions).flatMap(([key, { inputs }]) =>
    inputs
      .filter((input) => input.type !== "connection" && (input.example ?? input.default ?? "") === "")
      .filter((input) => !WITHOUT_EXAMPLE.some(([, excused]) => excused(input, key)))
      .map((input) => `${key}.${input.key}`),
  );
  expect(missing).toEqual([]);
});

test("every action run with exactly its examples and defaults: 0 input errors, 0 spec violations", async () => {
  const inputErrors: string[] = [];
  const answered: string[] = [];
  const keys = Object.keys(actions).filter((key) => !REMOVED.includes(key));
  for (const key of keys) {
    try {
      await harness.action(key, examplesOf(key), context);
    } catch (error) {
      const e = error as Error & { status?: number };
      if (e.name !== "PipedriveError") inputErrors.push(`${key}: ${e.name}: ${e.message}`);
      // Example IDs (123) name no record of the empty simulator: Pipedrive's 404, not a bad input.
      else answered.push(`${key}: ${e.status === 404 ? "" : e.message} ${e.status}`);
    }
  }
  expect(inputErrors).toEqual([]);
  // Per action: ok, its stated Pipedrive error, or "not found" for a record an example ID names
  // (the simulator is empty; owner 123 gives Pipedrive's 400 naming the record).
  const stated = (key: string) => {
    const outcome = outcomeOf(key);
    return outcome !== "ok" && outcome.error === "pipedrive" ? outcome.status : undefined;
  };
  expect(
    answered.filter(
      (outcome) =>
        !/ 404$|_id: (\w+ with id \d+ )?not found.* 400$/.test(outcome) &&
        !outcome.endsWith(` ${stated(outcome.split(":")[0])}`),
    ),
  ).toEqual([]);
  const violations = bed.sim.takeViolations().map((v) => `${v.operationId}: ${v.reasons.join("; ")}`);
  expect(violations).toEqual([]);
});

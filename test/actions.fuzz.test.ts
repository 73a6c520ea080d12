import { REMOVED_ACTION_KEYS } from "../src/actions";
import { actions, fieldsOf, sampleParams } from "./support/samples";
import { context, failure, harness, startTestBed, type TestBed } from "./support/setup";

/**
 * Feeds every action malformed IDs, dates and dropdown values, one input at a time: each must fail
 * with a clear error naming the input, before any request, and never with an uncaught exception.
 */
let bed: TestBed;
let leadId = "";

const MALFORMED: Record<string, string[]> = {
  id: ["abc", "../1", "1; DROP TABLE deals", "-5", "1.5"],
  date: ["31/12/2026", "2026-02-30", "tomorrow"],
  "date-time": ["yesterday", "2026-01-31 09:30"],
  "utc-date-time": ["yesterday", "31/01/2026 09:30:00"],
  enum: ["not-a-choice", "<script>"],
  uuid: ["not-a-uuid", "../../etc/passwd"],
};

beforeAll(async () => {
  bed = await startTestBed();
  bed.sim.setBurst(100_000, 2000);
  leadId = String((bed.sim.seed("leads", 1)[0] as { id: string }).id);
});
afterAll(async () => {
  await bed.sim.stop();
});

test("malformed ids, dates and enums fail before any request with the input's name", async () => {
  let cases = 0;
  const problems: string[] = [];
  for (const key of Object.keys(actions).filter((k) => !REMOVED_ACTION_KEYS.includes(k))) {
    const fields = fieldsOf(key);
    for (const input of actions[key].inputs) {
      const field = fields.get(input.key);
      const kind = input.model?.length
        ? "enum"
        : field?.type === "integer" && (field.name === "id" || field.name.endsWith("_id"))
          ? "id"
          : field?.type === "date" ||
              field?.type === "date-time" ||
              field?.type === "utc-date-time" ||
              field?.type === "uuid"
            ? field.type
            : /^(id|.*Id)$/.test(input.key) && input.type === "string" && !field
              ? "id"
              : undefined;
      if (!kind || (kind === "id" && field?.type === "uuid")) continue;
      for (const bad of MALFORMED[kind]) {
        if (kind === "enum" && input.model?.some((m) => m.value === bad)) continue;
        cases += 1;
        const params = { ...sampleParams({ bed, leadId }, key, false), [input.key]: bad };
        bed.sim.clearRequests();
        let error: Error & Record<string, unknown>;
        try {
          error = await failure(() => harness.action(key, params, context));
        } catch {
          problems.push(`${key}.${input.key}=${bad}: accepted`);
          continue;
        }
        const label = typeof input.label === "string" ? input.label : input.label.value;
        if (error.name !== "InputError") problems.push(`${key}.${input.key}=${bad}: ${error.name} ${error.message}`);
        else if (!error.message.includes(label))
          problems.push(`${key}.${input.key}=${bad}: message does not name "${label}": ${error.message}`);
        if (bed.sim.requests.length !== 0)
          problems.push(`${key}.${input.key}=${bad}: ${bed.sim.requests.length} request(s) sent`);
      }
    }
  }
  expect(problems.slice(0, 20)).toEqual([]);
  expect(cases).toBeGreaterThan(500);
});

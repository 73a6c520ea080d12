import component from "../src";
import { generatedOperations, paramsFor } from "../src/actions/generated";
import type { GeneratedField } from "../src/actions/generated/types";
import dataSources from "../src/dataSources";
import { context, expectNoSecretsLeaked, harness, startTestBed, type TestBed } from "./support/setup";

/**
 * Drives every action of the built component against the simulator with valid sample inputs
 * (required only, then every input), and fails on any request that breaks Pipedrive's specs.
 */
let bed: TestBed;
let leadId = "";
const available = new Set(Object.keys(dataSources));
const actions = component.actions as unknown as Record<string, { inputs: { key: string; required?: boolean; model?: { value: string }[]; example?: string; default?: unknown; type: string; collection?: string }[] }>;

function sample(field: GeneratedField | undefined, key: string, input: (typeof actions)[string]["inputs"][number]): unknown {
  if (input.type === "connection") return bed.oauth;
  if (input.model?.length) return input.model[0].value;
  if (input.collection === "keyvaluelist") return [];
  if (input.type === "boolean") return "false";
  if (key === "customFields" && !field) return "{}";
  switch (field?.type) {
    case "integer":
      return "1";
    case "number":
      return "10";
    case "boolean":
      return "true";
    case "date":
      return "2026-01-31";
    case "date-time":
      return "2026-01-31T09:30:00Z";
    case "integer[]":
      return "1";
    case "string[]":
      return "alpha";
    case "json":
      return field.template ?? (field.shape === "array" ? "[]" : "{}");
    case "uuid[]":
      return "6f1c3a52-9d0e-4f0b-8a3e-2b7c9d1e4f5a";
    case "url":
      return "https://example.com/page";
    case "integer-csv":
      return "1,2";
    case "uuid":
      return field.name === "lead_id" || (field.name === "id" && field.in === "path") ? leadId : "6f1c3a52-9d0e-4f0b-8a3e-2b7c9d1e4f5a";
    case "file":
      return { data: Buffer.from("hello"), contentType: "text/plain" };
    default:
      break;
  }
  const name = field?.name ?? key;
  if (/lead_id|^id$/.test(name) && field?.type === "string") return leadId;
  if (/email/i.test(name)) return "ada@example.com";
  if (/url/i.test(name)) return "https://example.com/page";
  if (/term/.test(name)) return "Acme";
  if (key === "id" || /ID$/.test(key) || /Id$/.test(key)) return "1";
  if (input.example) return input.example;
  if (input.type === "code") return "{}";
  if (/ID$/.test(key) || /Id$/.test(key)) return "1";
  return "Sample";
}

function paramsFor_(key: string, all: boolean): Record<string, unknown> {
  const op = generatedOperations().get(key);
  const fieldsByKey = new Map<string, GeneratedField>();
  if (op) for (const [inputKey, param] of Object.entries(paramsFor(op, available)))
    fieldsByKey.set(inputKey, op.fields.find((f) => f.name === param.name && f.in === param.in) as GeneratedField);
  const params: Record<string, unknown> = {};
  for (const input of actions[key].inputs) {
    if (!input.required && !all && input.type !== "connection") continue;
    if (["fetchAll", "maxRecords", "cursor", "start"].includes(input.key)) continue;
    params[input.key] = sample(fieldsByKey.get(input.key), input.key, input);
  }
  return params;
}

beforeAll(async () => {
  bed = await startTestBed();
  bed.sim.setBurst(100_000, 2000);
  for (const collection of ["deals", "persons", "organizations", "products", "activities", "notes"] as const) bed.sim.seed(collection, 3);
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
  const inputErrors = Object.entries(outcomes).filter(([, o]) => o.startsWith("InputError") && !/set at least one field to change/.test(o));
  // Only the removed Subscriptions keys refuse every input.
  expect(inputErrors.map(([k]) => k).sort()).toEqual(
    expect.arrayContaining(["cancelRecurringSubscription", "deleteSubscription", "getSubscription", "getSubscriptionPayments"]),
  );
  if (inputErrors.length > 4) console.log(inputErrors.filter(([k]) => !/Subscription/.test(k)).slice(0, 30));
  expect(inputErrors.length).toBe(4);
  expect(reached).toBe(keys.length - 4 - nothingToChange.length);
});

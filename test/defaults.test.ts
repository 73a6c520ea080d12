import { readFileSync } from "node:fs";
import path from "node:path";
import { actionDefinitions } from "../src/actions";
import { REQUEST_DIFFERENCES } from "../src/actions/differences";
import { actions, sampleParams } from "./support/samples";
import { context, harness, useTestBed } from "./support/setup";

/**
 * An input left at its default writes nothing Prismatic's component would not have written: every
 * create and update runs with its required inputs and every other input at its default (as the
 * designer stores it), and the body it sends holds only the required inputs' fields, plus the
 * fields Prismatic's component also sent for its required inputs (prismatic-requests.json, minimal)
 * and the fields whose difference has its reason in src/actions/differences.ts.
 */
const bed = useTestBed({ recordBodies: true });

interface Minimal {
  inputs: Record<string, unknown>;
  requests: { method: string; body: { kind: string; value: unknown } }[];
}
const minimal = (
  JSON.parse(readFileSync(path.resolve(__dirname, "../../shared/reference/prismatic-requests.json"), "utf8")) as {
    scenarios: { minimal: Record<string, Minimal> };
  }
).scenarios.minimal;

const WRITES = new Set(["POST", "PUT", "PATCH"]);
const keys = Object.keys(actionDefinitions)
  .filter((key) => {
    const definition = actionDefinitions[key];
    return (
      WRITES.has(definition.method) &&
      Object.values(definition.params ?? {}).some((param) => param.in === "body" || param.in === "rawBody")
    );
  })
  .sort();

/** The actions whose write was sent (the rest stopped earlier, e.g. "set at least one field"). */
const wrote = new Set<string>();

const bodyFields = (body: { kind: string; value: unknown } | undefined) =>
  body?.value && typeof body.value === "object" && !Array.isArray(body.value) ? Object.keys(body.value) : [];

test("there are create and update actions to check", () => {
  expect(keys.length).toBeGreaterThan(100);
  expect(keys).toEqual(expect.arrayContaining(["addDealProduct", "updateStage", "addPerson", "updatePipeline"]));
});

test.each(keys)("%s with required inputs and defaults writes only what they set", async (key) => {
  const definition = actionDefinitions[key];
  const reference = minimal[key];
  const params: Record<string, unknown> = reference
    ? { ...reference.inputs }
    : sampleParams({ bed, leadId: "" }, key, false);
  // Every input the builder did not touch keeps its default, as the designer stores it.
  for (const input of actions[key].inputs)
    if (params[input.key] === undefined && input.default !== undefined && input.default !== "")
      params[input.key] = input.default;
  params.connection = bed.oauth;
  bed.sim.clearRequests();
  await harness.action(key, params, context).catch(() => undefined);
  const write = bed.sim.requests.filter((r) => WRITES.has(r.method)).at(-1);
  const required = Object.values(definition.params ?? {})
    .filter((param) => (param.input as { required?: boolean }).required && param.in === "body")
    .map((param) => param.name);
  const theirs = reference
    ? bodyFields(reference.requests.find((r) => WRITES.has(r.method))?.body as { kind: string; value: unknown })
    : [];
  // A field listed as a request difference has its reason there (e.g. createWebhook's name).
  const listed = Object.keys(REQUEST_DIFFERENCES[key] ?? {})
    .filter((at) => at.startsWith("body."))
    .map((at) => at.slice(5));
  const allowed = new Set([...required, ...theirs, ...listed]);
  if (write) wrote.add(key);
  const extra = bodyFields(write?.body).filter((field) => !allowed.has(field));
  expect([key, extra]).toEqual([key, []]);
  bed.sim.takeViolations();
});

test("the check saw the writes it is about (not only refusals before any request)", () => {
  expect(wrote.size).toBeGreaterThan(keys.length * 0.6);
  expect([...wrote]).toEqual(expect.arrayContaining(["addDealProduct", "addDeal", "addStage", "addCallLog"]));
});

import { readFileSync } from "node:fs";
import path from "node:path";
import { actionDefinitions } from "../src/actions";
import { actions, sampleParams } from "./support/samples";
import { context, harness, useTestBed } from "./support/setup";

/**
 * An input left at its default writes nothing Prismatic's component would not have written: every
 * create and update runs with its required inputs and every other input at its default (as the
 * designer stores it), and the body it sends holds only the required inputs' fields, plus the
 * fields Prismatic's component also sent for its required inputs (prismatic-requests.json, minimal).
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

/** Fields ours sends that no input set: each with its reason. */
const FILLED: Record<string, Record<string, string>> = {
  createWebhook: { name: "Pipedrive requires a webhook name, which Prismatic's component had no input for." },
};

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

const bodyFields = (body: { kind: string; value: unknown } | undefined) =>
  body && body.value && typeof body.value === "object" && !Array.isArray(body.value) ? Object.keys(body.value) : [];

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
  const allowed = new Set([...required, ...theirs, ...Object.keys(FILLED[key] ?? {})]);
  const extra = bodyFields(write?.body).filter((field) => !allowed.has(field));
  expect([key, extra]).toEqual([key, []]);
  bed.sim.takeViolations();
});

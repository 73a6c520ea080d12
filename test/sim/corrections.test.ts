import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse } from "yaml";
import { CORRECTIONS } from "../../sim/corrections";
import { loadSpecs } from "../../sim/spec";

/** The one list of corrections is the only place the simulator is wider than Pipedrive's specs. */
const specs = loadSpecs();

test("every correction says what the spec says, what Pipedrive documents, and cites a source", () => {
  for (const c of CORRECTIONS) {
    expect({ operationId: c.operationId, spec: c.spec.length > 10, docs: c.docs.length > 10 }).toEqual({
      operationId: c.operationId,
      spec: true,
      docs: true,
    });
    expect(c.source.url).toMatch(/^https:\/\/(developers\.pipedrive\.com|pipedrive\.readme\.io)\//);
    expect(c.source.quote.length).toBeGreaterThan(10);
    expect(c.source.quote.length).toBeLessThan(300);
  }
});

test("comma-separated enum lists are exactly the comma-list corrections: nothing else is widened", () => {
  const widened = (["v1", "v2"] as const).flatMap((version) =>
    specs[version].operations.flatMap((op) =>
      op.params.filter((p) => p.commaList).map((p) => `${version} ${op.operationId} ${p.name}`),
    ),
  );
  const listed = CORRECTIONS.filter((c) => c.kind === "comma-list").map(
    (c) => `${c.version} ${c.operationId} ${"parameter" in c ? c.parameter : ""}`,
  );
  expect(widened.sort()).toEqual([...listed].sort());
  expect(new Set(listed).size).toBe(listed.length);
});

test("POST /v1/webhooks event_object is the spec's enum plus the documented webhooks v2 objects, nothing more", () => {
  const raw = parse(readFileSync(resolve(specs.specDir, "pipedrive-v1-openapi.yaml"), "utf8"), {
    maxAliasCount: -1,
  }) as { paths: Record<string, Record<string, { requestBody: { content: Record<string, { schema: unknown }> } }>> };
  const schemaOf = (schema: unknown) =>
    (schema as { properties: { event_object: { enum: string[] } } }).properties.event_object.enum;
  const published = schemaOf(raw.paths["/webhooks"].post.requestBody.content["application/json"].schema);
  const loaded = schemaOf(specs.v1.operation("addWebhook")?.body?.content["application/json"].schema);
  const correction = CORRECTIONS.find((c) => c.kind === "enum-values" && c.operationId === "addWebhook");
  expect(correction && "add" in correction).toBe(true);
  const added = correction && "add" in correction ? correction.add : [];
  expect([...loaded].sort()).toEqual([...published, ...added].sort());
  expect(added.filter((value) => published.includes(value))).toEqual([]);
});

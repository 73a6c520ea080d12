import fs from "node:fs";
import { DOC, recordedDifferences, withDifferences } from "../scripts/migrating";
import { createPipedriveClient } from "../src/client";
import { FlowHost } from "../src/testing";
import { logger, useTestBed } from "./support/setup";

/**
 * docs/migrating.md: its behaviour differences are current with the recorded reasons, and what it says
 * about the old trigger's webhooks holds against the simulator.
 */
const bed = useTestBed();

test("the behaviour differences in docs/migrating.md are current (npm run docs:migrating)", () => {
  const page = fs.readFileSync(DOC, "utf8");
  expect(page).toBe(withDifferences(page));
  const differences = recordedDifferences();
  expect(differences.length).toBeGreaterThan(0);
  for (const d of differences) {
    expect(d.why.length).toBeGreaterThan(10);
    expect(page).toContain(`| \`${d.action}\` | \`${d.input}\` | ${d.kind} |`);
  }
});

/**
 * An endpoint path in builder-facing text: "/v1/deals/{id}", "GET /api/v2/deals", "/leads/archived",
 * "/deals/{id}/products". Two or more path segments, or one with an API version or a placeholder.
 */
const ENDPOINT_PATH =
  /(?:\b(?:GET|POST|PUT|PATCH|DELETE)\s+)?\/(?:api\/)?v[12]\/\S*|\/[A-Za-z]\w*(?:\/(?:\{\w+\}|[A-Za-z]\w*))+|\/\{\w+\}/;

test("no generated difference reason names an endpoint path (builders read words, not paths)", () => {
  for (const sample of ["/v1/deals/{id}", "GET /api/v2/deals", "at /leads/archived:", "/deals/{id}/products"])
    expect([sample, ENDPOINT_PATH.test(sample)]).toEqual([sample, true]);
  for (const sample of ["amount and currency", "YYYY-MM-DD HH:MM:SS", "active/archived", "and/or"])
    expect([sample, ENDPOINT_PATH.test(sample)]).toEqual([sample, false]);
  const offending = recordedDifferences()
    .filter((d) => ENDPOINT_PATH.test(d.why))
    .map((d) => `${d.action} ${d.input}: ${d.why}`);
  expect(offending).toEqual([]);
  // And so the generated page: its differences table carries no path either.
  const page = fs.readFileSync(DOC, "utf8");
  const table = page.slice(
    page.indexOf("<!-- behaviour-differences:start"),
    page.indexOf("<!-- behaviour-differences:end"),
  );
  expect(table.split("\n").filter((line) => ENDPOINT_PATH.test(line))).toEqual([]);
});

test("upgrading an instance removes the old trigger's webhook for the flow, keeps others, and registers one", async () => {
  const host = await FlowHost.start({ logger });
  const flow = host.addFlow("New deals", "newDeal", { connection: bed.oauth });
  const api = createPipedriveClient(bed.oauth as never, { logger });
  const register = (url: string, name: string) =>
    api.request({
      method: "POST",
      version: "v1",
      path: "/webhooks",
      body: { subscription_url: url, event_action: "create", event_object: "deal", name, version: "1.0" },
    });
  // What Prismatic's trigger left for this flow, and another tool's webhook.
  await register(flow.url, "Prismatic");
  await register("https://example.com/other-tool", "Other tool");
  const before = bed.sim.all("webhooks").map((hook) => hook.id);

  await host.deploy(flow);
  const after = bed.sim.all("webhooks") as { id: number; subscription_url: string; version: string }[];
  const forFlow = after.filter((hook) => hook.subscription_url === flow.url);
  expect(forFlow).toHaveLength(1);
  expect(before).not.toContain(forFlow[0].id);
  expect(forFlow[0].version).toBe("2.0");
  expect(after.filter((hook) => hook.subscription_url === "https://example.com/other-tool")).toHaveLength(1);
  await host.stop();
});

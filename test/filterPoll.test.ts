import { createPipedriveClient } from "../src/client";
import { PollingHost } from "../src/testing";
import { logger, useTestBed } from "./support/setup";

const bed = useTestBed();
const client = () => createPipedriveClient(bed.oauth as never, { logger });

interface Deal {
  id: number;
  stage_id: number;
  update_time: string;
}

async function dealFieldId(key: string): Promise<number> {
  const fields = await client().request<{ data: { id: number; key: string }[] }>({
    method: "GET",
    version: "v1",
    path: "/dealFields",
  });
  const field = fields.data.find((f) => f.key === key);
  if (!field) throw new Error(`no deal field ${key}`);
  return field.id;
}

async function stageFilter(stageId: number): Promise<number> {
  const filter = await client().request<{ data: { id: number } }>({
    method: "POST",
    version: "v1",
    path: "/filters",
    body: {
      name: `In stage ${stageId}`,
      type: "deals",
      conditions: {
        glue: "and",
        conditions: [
          {
            glue: "and",
            conditions: [
              {
                object: "deal",
                field_id: String(await dealFieldId("stage_id")),
                operator: "=",
                value: String(stageId),
              },
            ],
          },
          { glue: "or", conditions: [] },
        ],
      },
    },
  });
  return filter.data.id;
}

async function moveTo(ids: number[], stageId: number) {
  bed.sim.advanceTime(1500);
  const api = client();
  for (const id of ids)
    await api.request({
      method: "PATCH",
      version: "v2",
      path: "/deals/{id}",
      pathParams: { id },
      body: { stage_id: stageId },
    });
}

const reportedIds = (executions: unknown[]): number[] =>
  executions.flatMap((e) => (Array.isArray(e) ? (e as Deal[]) : (e as { records: Deal[] }).records)).map((d) => d.id);

test("Deal Matching Filter: 500 deals moved into a filter, 100 out and 50 back in are each reported once per entry", async () => {
  bed.sim.reset();
  bed.sim.setBurst(100_000, 2000);
  const deals = bed.sim.seed("deals", 2000, () => ({ pipeline_id: 1, stage_id: 1 }));
  const ids = deals.map((d) => d.id as number);
  const filterId = await stageFilter(2);
  const alreadyIn = bed.sim.all("deals").filter((d) => d.stage_id === 2 && !d.is_deleted).length;
  const host = new PollingHost("dealMatchingFilter", { connection: bed.oauth, filterId: String(filterId) }, 50);

  // First run: records who matches now, reports nothing.
  const baseline = await host.run();
  expect(baseline.failed).toBeUndefined();
  expect(baseline.executions).toEqual([]);
  expect((host.pollingState.members as number[]).length).toBe(alreadyIn);

  const into = ids.slice(0, 500);
  await moveTo(into, 2);
  const entered = await host.run();
  expect(entered.failed).toBeUndefined();
  expect(entered.executions.every((batch) => Array.isArray(batch) && batch.length <= 50)).toBe(true);
  expect(reportedIds(entered.executions).sort((a, b) => a - b)).toEqual(into);

  // Changes inside the filter are not new entries; 100 leave.
  bed.sim.advanceTime(1500);
  for (const id of into.slice(400, 420))
    await client().request({
      method: "PATCH",
      version: "v2",
      path: "/deals/{id}",
      pathParams: { id },
      body: { value: 7 },
    });
  const out = into.slice(0, 100);
  await moveTo(out, 3);
  const afterOut = await host.run();
  expect(afterOut.failed).toBeUndefined();
  expect(reportedIds(afterOut.executions)).toEqual([]);

  // 50 of them come back: each is a new entry.
  const back = out.slice(0, 50);
  await moveTo(back, 2);
  const afterBack = await host.run();
  expect(reportedIds(afterBack.executions).sort((a, b) => a - b)).toEqual(back);
  const quiet = await host.run();
  expect(quiet.executions).toEqual([]);

  const all = reportedIds(host.executions);
  expect(all).toHaveLength(550);
  const counts = new Map<number, number>();
  for (const id of all) counts.set(id, (counts.get(id) ?? 0) + 1);
  for (const id of into) expect(counts.get(id)).toBe(back.includes(id) ? 2 : 1);
}, 60_000);

test("Deal Matching Filter with a Look Back Date reports the current matches updated since then, then new entries; unbatched it returns { records }", async () => {
  bed.sim.reset();
  bed.sim.setBurst(100_000, 2000);
  const old = bed.sim.seed("deals", 30, () => ({ stage_id: 2, update_time: "2025-03-01T00:00:00Z" }));
  const recent = bed.sim.seed("deals", 1200, (i) => ({
    stage_id: 2,
    update_time: new Date(Date.parse("2026-01-02T00:00:00Z") + i * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
  }));
  const outside = bed.sim.seed("deals", 40, () => ({ stage_id: 1, update_time: "2026-02-01T00:00:00Z" }));
  const filterId = await stageFilter(2);
  const host = new PollingHost("dealMatchingFilter", {
    connection: bed.oauth,
    filterId: String(filterId),
    lookBackDate: "2026-01-01",
    maxPagesPerRun: "2",
  });
  const first = await host.run();
  expect(host.logged(/reached Max Pages Per Run \(2 pages\)/)).toBe(true);
  // Two pages of 500, sorted by update time: the 30 older members are recorded, not reported.
  expect(reportedIds(first.executions)).toHaveLength(970);
  await host.run();
  const history = new Set(reportedIds(host.executions));
  const recentIds = recent.map((d) => d.id as number);
  expect(history.size).toBe(reportedIds(host.executions).length);
  for (const id of recentIds) expect(history.has(id)).toBe(true);
  for (const d of [...old, ...outside]) expect(history.has(d.id as number)).toBe(false);

  // An old member that changes but still matches is no new entry; an outsider that moves in is.
  bed.sim.advanceTime(1500);
  await client().request({
    method: "PATCH",
    version: "v2",
    path: "/deals/{id}",
    pathParams: { id: old[0].id as number },
    body: { value: 12 },
  });
  await moveTo([outside[0].id as number], 2);
  bed.sim.advanceTime(1000);
  const next = await host.run();
  expect(next.executions).toHaveLength(1);
  expect(Object.keys(next.executions[0] as object)).toEqual(["records"]);
  expect(reportedIds(next.executions)).toEqual([outside[0].id]);
}, 60_000);

test("Person Matching Filter: persons renamed into a LIKE filter are reported once; the filter's type is checked", async () => {
  bed.sim.reset();
  bed.sim.setBurst(100_000, 2000);
  const api = client();
  const fields = await api.request<{ data: { id: number; key: string }[] }>({
    method: "GET",
    version: "v1",
    path: "/personFields",
  });
  const nameField = fields.data.find((f) => f.key === "name");
  const filter = await api.request<{ data: { id: number } }>({
    method: "POST",
    version: "v1",
    path: "/filters",
    body: {
      name: "VIPs",
      type: "people",
      conditions: {
        glue: "and",
        conditions: [
          {
            glue: "and",
            conditions: [{ object: "person", field_id: String(nameField?.id), operator: "LIKE '$%'", value: "VIP" }],
          },
          { glue: "or", conditions: [] },
        ],
      },
    },
  });
  const persons = bed.sim.seed("persons", 300);
  const host = new PollingHost("personMatchingFilter", { connection: bed.oauth, filterId: String(filter.data.id) });
  expect((await host.run()).executions).toEqual([]);
  bed.sim.advanceTime(1500);
  const renamed = persons.slice(0, 40).map((p) => p.id as number);
  for (const id of renamed)
    await api.request({
      method: "PATCH",
      version: "v2",
      path: "/persons/{id}",
      pathParams: { id },
      body: { name: `VIP ${id}` },
    });
  const run = await host.run();
  expect(run.failed).toBeUndefined();
  expect(reportedIds(run.executions).sort((a, b) => a - b)).toEqual(renamed);
  expect((await host.run()).executions).toEqual([]);

  // A deals filter on the person trigger fails the run with Pipedrive's error, before anything is reported.
  const dealsFilter = await stageFilter(2);
  const wrong = new PollingHost("personMatchingFilter", { connection: bed.oauth, filterId: String(dealsFilter) });
  const refused = await wrong.run();
  expect(refused.failed?.message).toMatch(/400|filter/i);
  expect(refused.executions).toEqual([]);
});

test("Deal Matching Filter: quiet polls after 1,200 entries read one page a phase, not the minutes before the last change again", async () => {
  bed.sim.reset();
  bed.sim.setBurst(100_000, 2000);
  bed.sim.seed("deals", 100, () => ({ pipeline_id: 1, stage_id: 1 }));
  const filterId = await stageFilter(2);
  const host = new PollingHost("dealMatchingFilter", { connection: bed.oauth, filterId: String(filterId) });
  await host.run();
  bed.sim.advanceTime(1500);
  const entered = bed.sim.seed("deals", 1200, () => ({ pipeline_id: 1, stage_id: 2 }));
  expect(reportedIds((await host.run()).executions).sort((a, b) => a - b)).toEqual(entered.map((d) => d.id as number));

  // The first quiet poll still reads them (they changed within two minutes of the last poll); later ones do not.
  for (const requests of [7, 3, 3]) {
    bed.sim.advanceTime(5 * 60_000);
    bed.sim.clearRequests();
    expect((await host.run()).executions).toEqual([]);
    // The newest update time, then the filter's changes and all changes since the watermark.
    expect(bed.sim.requests.filter((r) => r.operationId === "getDeals")).toHaveLength(requests);
  }
});

/**
 * Field metadata cached across executions in the flow's instance state: named custom fields,
 * custom-field writes and webhook deliveries do not add a request per execution. Counted on the
 * simulator's request log.
 */
import { customFieldKey } from "../sim/seed";
import { createPipedriveClient } from "../src/client";
import { FIELD_CACHE_TTL_MS } from "../src/customFields/catalog";
import { FlowHost } from "../src/testing";
import { context, harness, logger, useTestBed } from "./support/setup";

const bed = useTestBed({}, { resetEachTest: true });
const dealFieldRequests = () => bed.sim.requests.filter((r) => r.path === "/api/v2/dealFields").length;

/** One flow's executions, as the platform runs them: each gets the state the previous ones returned. */
function flow() {
  const instanceState: Record<string, unknown> = {};
  return {
    instanceState,
    async run(key: string, params: Record<string, unknown>) {
      const result = (await harness.action(
        key,
        { connection: bed.token, ...params },
        { ...(context as object), instanceState: { ...instanceState } },
      )) as { data: { data: unknown }; instanceState?: Record<string, unknown> };
      if (result.instanceState) Object.assign(instanceState, result.instanceState);
      return result.data;
    },
  };
}

function addDealField(name: string) {
  const store = (
    bed.sim as unknown as {
      store: { collection(name: string): { allocateId(): number; insert(r: object): unknown } };
    }
  ).store;
  const fields = store.collection("fields");
  fields.insert({
    id: fields.allocateId(),
    entity: "deal",
    key: customFieldKey("deal", name),
    v1_key: null,
    name,
    field_type: "varchar",
    is_custom: true,
    options: [],
    order_nr: 500,
    mandatory: false,
    add_time: "2026-01-01T00:00:00Z",
    update_time: "2026-01-01T00:00:00Z",
  });
  return customFieldKey("deal", name);
}

test("five page-by-page executions of getDeals with names on: one /dealFields request, not five", async () => {
  bed.sim.seed("deals", 10);
  const f = flow();
  bed.sim.clearRequests();
  let cursor: string | undefined;
  for (let i = 0; i < 5; i++) {
    const page = (await f.run("getDeals", { limit: "2", nameCustomFields: "true", ...(cursor ? { cursor } : {}) })) as {
      data: { custom_fields: Record<string, unknown> }[];
      additional_data: { next_cursor?: string };
    };
    expect(Object.keys(page.data[0].custom_fields)).toContain("Priority");
    cursor = page.additional_data.next_cursor;
  }
  expect(dealFieldRequests()).toBe(1);
  expect(bed.sim.requests.filter((r) => r.path === "/api/v2/deals")).toHaveLength(5);
});

test("custom-field writes across executions share the cache too", async () => {
  const f = flow();
  bed.sim.clearRequests();
  for (let i = 0; i < 3; i++) await f.run("addDeal", { title: `Cached ${i}`, customFields: { Priority: "High" } });
  expect(dealFieldRequests()).toBe(1);
});

test("a field created since the cache was filled is named after one refresh, at once", async () => {
  bed.sim.seed("deals", 2);
  const f = flow();
  await f.run("getDeals", { limit: "1", nameCustomFields: "true" });
  const code = addDealField("Renewal owner");
  const first = bed.sim.all("deals")[0].id as number;
  await createPipedriveClient(bed.token as never).request({
    method: "PATCH",
    version: "v2",
    path: "/deals/{id}",
    pathParams: { id: first },
    body: { custom_fields: { [code]: "Ada" } },
  });
  bed.sim.clearRequests();
  // Reading: the new code is unknown to the cache, so the fields are fetched again and it is named.
  const page = (await f.run("getDeals", { limit: "1", nameCustomFields: "true" })) as {
    data: { custom_fields: Record<string, unknown> }[];
  };
  expect(page.data[0].custom_fields).toHaveProperty("Renewal owner", "Ada");
  expect(page.data[0].custom_fields).not.toHaveProperty(code);
  expect(dealFieldRequests()).toBe(1);
  // The refreshed catalog went back into the state: the next execution asks nothing.
  await f.run("getDeals", { limit: "1", nameCustomFields: "true" });
  expect(dealFieldRequests()).toBe(1);

  // Writing by a name the cache lacks: one refresh, then the write.
  addDealField("Contract tier");
  bed.sim.clearRequests();
  await f.run("addDeal", { title: "New field", customFields: { "Contract tier": "Gold" } });
  expect(dealFieldRequests()).toBe(1);
  expect(bed.sim.requests.filter((r) => r.method === "POST")).toHaveLength(1);
});

test("an unknown name is still an input error after the refresh, before any write", async () => {
  const f = flow();
  await f.run("addDeal", { title: "Warm", customFields: { Priority: "Low" } });
  bed.sim.clearRequests();
  await expect(f.run("addDeal", { title: "Typo", customFields: { Priorty: "Low" } })).rejects.toThrow(
    /did you mean "Priority"/,
  );
  expect(dealFieldRequests()).toBe(1);
  expect(bed.sim.requests.filter((r) => r.method === "POST")).toHaveLength(0);
});

test("an entry older than the TTL, or for another company, is fetched again", async () => {
  const f = flow();
  await f.run("getDeals", { limit: "1", nameCustomFields: "true" });
  const entry = f.instanceState["pipedriveFields:deal"] as { at: number; origin: string };
  expect(entry.origin).toBe(bed.sim.url);
  bed.sim.clearRequests();
  entry.at -= FIELD_CACHE_TTL_MS + 1;
  await f.run("getDeals", { limit: "1", nameCustomFields: "true" });
  expect(dealFieldRequests()).toBe(1);
  (f.instanceState["pipedriveFields:deal"] as { origin: string }).origin = "https://other.pipedrive.com";
  await f.run("getDeals", { limit: "1", nameCustomFields: "true" });
  expect(dealFieldRequests()).toBe(2);
});

test("without Name Custom Fields no state is written and no field request made", async () => {
  const f = flow();
  bed.sim.clearRequests();
  await f.run("getDeals", { limit: "1" });
  expect(f.instanceState).toEqual({});
  expect(dealFieldRequests()).toBe(0);
});

describe("webhook deliveries", () => {
  let host: FlowHost;
  beforeAll(async () => {
    host = await FlowHost.start({ logger });
  });
  afterAll(() => host.stop());

  test("Updated Deal: after the first delivery, custom-field changes are named with 0 requests", async () => {
    const target = host.addFlow("Cached names", "updatedDeal", { connection: bed.oauth });
    await host.deploy(target);
    const priority = bed.sim.customFieldKey("deal", "Priority");
    const client = createPipedriveClient(bed.oauth as never);
    const fields = await client.request<{ data: { field_code: string; options: { id: number; label: string }[] }[] }>({
      method: "GET",
      version: "v2",
      path: "/dealFields",
    });
    const options = fields.data.find((f) => f.field_code === priority)?.options ?? [];
    const created = await client.request<{ data: { id: number } }>({
      method: "POST",
      version: "v2",
      path: "/deals",
      body: { title: "Watched" },
    });
    const id = created.data.id;
    const settle = async () => {
      await bed.sim.idle();
      await host.settled();
    };
    const patch = (optionId: number) =>
      client.request({
        method: "PATCH",
        version: "v2",
        path: "/deals/{id}",
        pathParams: { id },
        body: { custom_fields: { [priority]: optionId } },
      });
    // The first delivery fills the cache (one /dealFields request by the trigger).
    bed.sim.clearRequests();
    await patch(options[0].id);
    await settle();
    expect(dealFieldRequests()).toBe(1);
    // Later deliveries: the trigger makes no request at all (only our PATCH reaches Pipedrive).
    for (const option of options.slice(1)) {
      bed.sim.clearRequests();
      await patch(option.id);
      await settle();
      expect(bed.sim.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`PATCH /api/v2/deals/${id}`]);
    }
    expect(target.runs).toHaveLength(options.length);
    const last = target.runs.at(-1) as { changedFields: { name: string; current: unknown }[] };
    expect(last.changedFields).toEqual([expect.objectContaining({ name: "Priority", current: options.at(-1)?.label })]);
  });

  test("Deal Stage Changed names both stages from the flow's cache: one stage list, then 0 requests", async () => {
    const target = host.addFlow("Cached stages", "dealStageChanged", { connection: bed.oauth });
    await host.deploy(target);
    const client = createPipedriveClient(bed.oauth as never);
    const created = await client.request<{ data: { id: number } }>({
      method: "POST",
      version: "v2",
      path: "/deals",
      body: { title: "Moving", stage_id: 1 },
    });
    const move = async (stageId: number) => {
      bed.sim.clearRequests();
      await client.request({
        method: "PATCH",
        version: "v2",
        path: "/deals/{id}",
        pathParams: { id: created.data.id },
        body: { stage_id: stageId },
      });
      await bed.sim.idle();
      await host.settled();
      return bed.sim.requests.filter((r) => r.method === "GET").map((r) => r.path);
    };
    expect(await move(2)).toEqual(["/api/v2/stages"]);
    expect(await move(3)).toEqual([]);
    expect(await move(1)).toEqual([]);
    expect(
      target.runs.map((run) => [(run.fromStage as { id: number }).id, (run.toStage as { name: string }).name]),
    ).toEqual([
      [1, expect.any(String)],
      [2, "Proposal made"],
      [3, expect.any(String)],
    ]);
  });
});

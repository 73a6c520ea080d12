import component from "../src";
import { createPipedriveClient } from "../src/client";
import { logger, useTestBed } from "./support/setup";

const bed = useTestBed();
type Converted = {
  perform: (context: unknown, payload: unknown, params: unknown) => Promise<{ payload: { body: { data: Polled } } }>;
};
interface Polled {
  created: { item: string; id: number; data: { id: number; update_time: string } }[];
  updated: { item: string; id: number; data: { id: number; update_time: string } }[];
}
const pollTrigger = (component.triggers as unknown as Record<string, Converted>).pollChangesTrigger;

/** A pollChangesTrigger on deals with its own instance state, as the platform keeps it between runs. */
function dealPoller() {
  const instanceState: Record<string, unknown> = {};
  const poll = async () =>
    (
      await pollTrigger.perform(
        { logger, instanceState, debug: { enabled: false } },
        { headers: {}, body: { data: null } },
        { connection: bed.oauth, resourceType: "deal", showNewRecords: "true", showUpdatedRecords: "true" },
      )
    ).payload.body.data;
  const state = () =>
    (instanceState.__prismaticInternal as { polling: { cursor: string; seen: string[]; trimmedThrough?: string } })
      .polling;
  return { poll, state };
}
const dealListCalls = () => bed.sim.requests.filter((r) => r.operationId === "getDeals");

test("pollChangesTrigger over 1,000 changing deals reports each change exactly once, created and updated apart", async () => {
  bed.sim.reset();
  bed.sim.setBurst(100_000, 2000);
  bed.sim.seed("deals", 1000, () => ({ update_time: "2025-01-01T00:00:00Z", add_time: "2025-01-01T00:00:00Z" }));
  const instanceState: Record<string, unknown> = {};
  const params = { connection: bed.oauth, resourceType: "deal", showNewRecords: "true", showUpdatedRecords: "true" };
  const poll = async () =>
    (
      await pollTrigger.perform(
        { logger, instanceState, debug: { enabled: false } },
        { headers: {}, body: { data: null } },
        params,
      )
    ).payload.body.data;

  const first = await poll();
  expect(first).toEqual({ created: [], updated: [] });

  const client = createPipedriveClient(bed.oauth as never, { logger });
  const expectedUpdates = new Set<string>();
  const expectedCreates = new Set<number>();
  const reportedUpdates: string[] = [];
  const reportedCreates: number[] = [];
  let changeCounter = 0;
  const round = async (changeIds: number[], creates: number) => {
    bed.sim.advanceTime(1500);
    for (const id of changeIds) {
      changeCounter += 1;
      const deal = await client.request<{ data: { id: number; update_time: string } }>({
        method: "PATCH",
        version: "v2",
        path: "/deals/{id}",
        pathParams: { id },
        // Always a new value: a PATCH that changes nothing leaves update_time as it was.
        body: { value: 100_000 + changeCounter },
      });
      expectedUpdates.add(`${id}@${deal.data.update_time}`);
    }
    for (let i = 0; i < creates; i++) {
      const deal = await client.request<{ data: { id: number } }>({
        method: "POST",
        version: "v2",
        path: "/deals",
        body: { title: `Polled ${i}` },
      });
      expectedCreates.add(deal.data.id);
    }
    const polled = await poll();
    reportedUpdates.push(...polled.updated.map((d) => `${d.id}@${d.data.update_time}`));
    reportedCreates.push(...polled.created.map((d) => d.id));
  };

  for (let r = 0; r < 10; r++)
    await round(
      Array.from({ length: 100 }, (_, i) => r * 100 + i + 1),
      10,
    );
  // The same records change again later: each new change is reported again, once.
  await round(
    Array.from({ length: 50 }, (_, i) => i * 7 + 1),
    0,
  );
  await round(
    Array.from({ length: 50 }, (_, i) => i * 11 + 2),
    0,
  );
  // A poll with nothing new reports nothing (the overlap window does not repeat records).
  await round([], 0);

  expect(reportedUpdates.length).toBe(new Set(reportedUpdates).size);
  expect(new Set(reportedUpdates)).toEqual(expectedUpdates);
  expect(reportedCreates.length).toBe(new Set(reportedCreates).size);
  expect(new Set(reportedCreates)).toEqual(expectedCreates);
  const state = (instanceState.__prismaticInternal as { polling: { seen: string[] } }).polling;
  expect(state.seen.length).toBeLessThanOrEqual(5000);
});

test("pollChangesTrigger keeps Prismatic's inputs and output shape: { created, updated } of /v1/recents-style items", async () => {
  const converted = component.triggers as unknown as Record<
    string,
    { inputs: { key: string; default?: unknown }[]; key: string }
  >;
  const trigger = converted.pollChangesTrigger;
  const keys = trigger.inputs.map((i) => i.key);
  expect(keys.slice(0, 4)).toEqual(["connection", "resourceType", "showNewRecords", "showUpdatedRecords"]);
  const resourceType = trigger.inputs.find((i) => i.key === "resourceType") as unknown as {
    model: { value: string }[];
  };
  expect(resourceType.model.map((m) => m.value)).toEqual([
    "activity",
    "activityType",
    "deal",
    "file",
    "filter",
    "note",
    "organization",
    "person",
    "pipeline",
    "product",
    "stage",
    "user",
  ]);

  bed.sim.reset();
  const instanceState: Record<string, unknown> = {};
  const poll = async (resource: string, extra: Record<string, unknown> = {}) =>
    pollTrigger.perform(
      { logger, instanceState, debug: { enabled: false } },
      { headers: {}, body: { data: null } },
      { connection: bed.oauth, resourceType: resource, showNewRecords: "true", showUpdatedRecords: "true", ...extra },
    );
  // A flow that sets none of the new inputs: the first run starts from now and reports nothing.
  const first = await poll("deal");
  expect(first.payload.body.data).toEqual({ created: [], updated: [] });
  // A state saved by the earlier version ({ cursor, seen }) is read as it is.
  expect(Object.keys((instanceState.__prismaticInternal as { polling: object }).polling).sort()).toEqual([
    "cursor",
    "seen",
  ]);
  bed.sim.advanceTime(1500);
  const client = createPipedriveClient(bed.oauth as never, { logger });
  const added = await client.request<{ data: { id: number } }>({
    method: "POST",
    version: "v2",
    path: "/deals",
    body: { title: "Shape check" },
  });
  const { payload } = await poll("deal");
  expect(Object.keys(payload.body.data)).toEqual(["created", "updated"]);
  expect(payload.body.data.updated).toEqual([]);
  const [item] = payload.body.data.created;
  expect(Object.keys(item)).toEqual(["item", "id", "data"]);
  expect(item).toMatchObject({ item: "deal", id: added.data.id, data: { id: added.data.id, title: "Shape check" } });

  // A type read from /v1/recents: the entry exactly as Pipedrive returns it.
  const notesState: Record<string, unknown> = {};
  const pollNotes = async () =>
    pollTrigger.perform(
      { logger, instanceState: notesState, debug: { enabled: false } },
      { headers: {}, body: { data: null } },
      { connection: bed.oauth, resourceType: "note", showNewRecords: "true", showUpdatedRecords: "false" },
    );
  await pollNotes();
  bed.sim.advanceTime(1500);
  const note = await client.request<{ data: { id: number } }>({
    method: "POST",
    version: "v1",
    path: "/notes",
    body: { content: "Polled note", deal_id: added.data.id },
  });
  const notes = (await pollNotes()).payload.body.data;
  expect(notes.updated).toEqual([]);
  expect(notes.created).toHaveLength(1);
  expect(notes.created[0]).toMatchObject({ item: "note", id: note.data.id, data: { content: "Polled note" } });
  expect(Object.keys(notes.created[0])).toEqual(["item", "id", "data"]);
});

test("pollChangesTrigger with Show Deleted Records reports deleted deals once, in deleted; without it the shape stays { created, updated }", async () => {
  bed.sim.reset();
  const instanceState: Record<string, unknown> = {};
  const poll = async (showDeletedRecords: string) =>
    (
      await pollTrigger.perform(
        { logger, instanceState, debug: { enabled: false } },
        { headers: {}, body: { data: null } },
        {
          connection: bed.oauth,
          resourceType: "deal",
          showNewRecords: "true",
          showUpdatedRecords: "true",
          showDeletedRecords,
        },
      )
    ).payload.body.data as Polled & { deleted?: { id: number; data: { is_deleted?: boolean } }[] };
  expect(await poll("true")).toEqual({ created: [], updated: [], deleted: [] });
  bed.sim.advanceTime(1500);
  const client = createPipedriveClient(bed.oauth as never, { logger });
  const ids: number[] = [];
  for (let i = 0; i < 3; i++)
    ids.push(
      (
        await client.request<{ data: { id: number } }>({
          method: "POST",
          version: "v2",
          path: "/deals",
          body: { title: `D${i}` },
        })
      ).data.id,
    );
  const first = await poll("true");
  expect(first.created.map((d) => d.id)).toEqual(ids);
  bed.sim.advanceTime(1500);
  await client.request({ method: "DELETE", version: "v2", path: "/deals/{id}", pathParams: { id: ids[1] } });
  const second = await poll("true");
  expect(second.created).toEqual([]);
  expect(second.updated).toEqual([]);
  expect(second.deleted?.map((d) => d.id)).toEqual([ids[1]]);
  expect(second.deleted?.[0].data.is_deleted).toBe(true);
  // Reported once: the overlap window does not repeat it.
  bed.sim.advanceTime(1500);
  expect((await poll("true")).deleted).toEqual([]);
  bed.sim.advanceTime(1500);
  await client.request({ method: "DELETE", version: "v2", path: "/deals/{id}", pathParams: { id: ids[2] } });
  expect(await poll("false")).toEqual({ created: [], updated: [] });
});

test("pollChangesTrigger reports a change made in the same second as the previous poll (same update_time, new content)", async () => {
  bed.sim.reset();
  const { poll } = dealPoller();
  expect(await poll()).toEqual({ created: [], updated: [] });
  bed.sim.advanceTime(1500);
  // Start at the beginning of a simulator second, so create, poll and update share one update_time.
  while (bed.sim.now() % 1000 > 200) await new Promise((r) => setTimeout(r, 10));
  const client = createPipedriveClient(bed.oauth as never, { logger });
  const created = await client.request<{ data: { id: number; update_time: string } }>({
    method: "POST",
    version: "v2",
    path: "/deals",
    body: { title: "Same second" },
  });
  expect((await poll()).created.map((d) => d.id)).toEqual([created.data.id]);
  const changed = await client.request<{ data: { id: number; update_time: string; title: string } }>({
    method: "PATCH",
    version: "v2",
    path: "/deals/{id}",
    pathParams: { id: created.data.id },
    body: { title: "Same second, renamed" },
  });
  expect(changed.data.update_time).toBe(created.data.update_time);
  const second = await poll();
  expect(second.created).toEqual([]);
  expect(second.updated.map((d) => [d.id, (d.data as { title?: string }).title])).toEqual([
    [created.data.id, "Same second, renamed"],
  ]);
  // and nothing twice
  expect(await poll()).toEqual({ created: [], updated: [] });
});

test("pollChangesTrigger: quiet polls after a burst of changes read one page from the last poll's time and report nothing", async () => {
  bed.sim.reset();
  bed.sim.setBurst(100_000, 2000);
  const { poll, state } = dealPoller();
  await poll();
  bed.sim.advanceTime(1500);
  const client = createPipedriveClient(bed.oauth as never, { logger });
  for (let i = 0; i < 30; i++)
    await client.request({ method: "POST", version: "v2", path: "/deals", body: { title: `Burst ${i}` } });
  const lastChange = bed.sim.now();
  expect((await poll()).created).toHaveLength(30);

  let previousPoll = bed.sim.now();
  for (let i = 0; i < 5; i++) {
    bed.sim.advanceTime(5 * 60_000);
    bed.sim.clearRequests();
    expect(await poll()).toEqual({ created: [], updated: [] });
    const [list, ...more] = dealListCalls();
    expect(more).toEqual([]);
    // The round starts two minutes before the previous poll (Pipedrive's clock), past the burst.
    // The first quiet round still reads the burst (it was within two minutes of that poll); none after it does.
    const since = Date.parse(String(list.query.updated_since));
    expect(since).toBeGreaterThanOrEqual(Math.floor(previousPoll / 1000) * 1000 - 2 * 60_000);
    if (i > 0) expect(since).toBeGreaterThan(lastChange);
    previousPoll = bed.sim.now();
  }
  expect(state().seen).toEqual([]);
});

test("pollChangesTrigger: 6,000 deals changed within one minute are each reported once, then only when they change again", async () => {
  bed.sim.reset();
  bed.sim.setBurst(100_000, 2000);
  const { poll, state } = dealPoller();
  await poll();
  const start = Math.floor(bed.sim.now() / 1000) * 1000;
  bed.sim.advanceTime(100_000);
  // 100 deals a second for 60 seconds, all inside one overlap window.
  const times = (i: number) => new Date(start + 30_000 + Math.floor(i / 100) * 1000).toISOString();
  const seeded = bed.sim.seed("deals", 6000, (i) => ({ add_time: times(i), update_time: times(i) }));
  const ids = seeded.map((deal) => deal.id as number);

  const first = await poll();
  expect(first.updated).toEqual([]);
  expect(first.created.map((d) => d.id).sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
  expect(state().seen.length).toBeLessThanOrEqual(5000);

  // Inside the overlap window of every one of them: nothing again.
  bed.sim.advanceTime(30_000);
  expect(await poll()).toEqual({ created: [], updated: [] });
  bed.sim.advanceTime(1500);
  const client = createPipedriveClient(bed.oauth as never, { logger });
  const changed = [ids[0], ids[2999], ids[5999]];
  for (const id of changed)
    await client.request({
      method: "PATCH",
      version: "v2",
      path: "/deals/{id}",
      pathParams: { id },
      body: { value: 7 },
    });
  const again = await poll();
  expect(again.created).toEqual([]);
  expect(again.updated.map((d) => d.id).sort((a, b) => a - b)).toEqual([...changed].sort((a, b) => a - b));

  // The next poll still reads (and skips) the burst, the one after reads nothing old: one request.
  for (const pages of [10, 1]) {
    bed.sim.advanceTime(5 * 60_000);
    bed.sim.clearRequests();
    expect(await poll()).toEqual({ created: [], updated: [] });
    expect(dealListCalls()).toHaveLength(pages);
  }
  expect(state().trimmedThrough).toBeUndefined();
  expect(state().seen).toEqual([]);
});

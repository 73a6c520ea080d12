import component from "../src";
import { createPipedriveClient } from "../src/client";
import { logger, useTestBed } from "./support/setup";

const bed = useTestBed();
type Converted = {
  perform: (context: unknown, payload: unknown, params: unknown) => Promise<{ payload: { body: { data: Polled } } }>;
};
interface Polled {
  created: { id: number; update_time: string }[];
  updated: { id: number; update_time: string }[];
}
const pollTrigger = (component.triggers as unknown as Record<string, Converted>).pollChangesTrigger;

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
    reportedUpdates.push(...polled.updated.map((d) => `${d.id}@${d.update_time}`));
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

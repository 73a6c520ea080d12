import { createPipedriveClient } from "../src/client";
import { FlowHost, PollingHost } from "../src/testing";
import { logger, useTestBed } from "./support/setup";

const bed = useTestBed({ webhookRetryDelaysMs: [20, 40, 60] });
let host: FlowHost;
beforeAll(async () => {
  host = await FlowHost.start({ logger });
});
afterAll(async () => {
  await host.stop();
});

interface EventItem {
  event: { id: string; object: string; action: string; changeSource: string | null };
  current: { id: number; title: string };
  previous: unknown;
}

test("newDeal offers a backfill on deploy: existing deals in batches, each once and shaped like a create event, then webhook deliveries; a redeploy sends nothing again", async () => {
  bed.sim.reset();
  bed.sim.setBurst(100_000, 2000);
  bed.sim.seed("deals", 1200);
  const existing = bed.sim.all("deals").map((deal) => deal.id as number);
  const flow = host.addFlow("New deals", "newDeal", { connection: bed.oauth });
  await host.deploy(flow);

  const sync = new PollingHost("newDeal", { connection: bed.oauth }, 50);
  sync.instanceState = flow.instanceState;
  const backfill = await sync.run({ onDeploy: true });
  expect(backfill.failed).toBeUndefined();
  expect(backfill.performs).toBe(Math.ceil(existing.length / 500));
  expect(backfill.executions.every((batch) => Array.isArray(batch) && batch.length <= 50)).toBe(true);
  const items = backfill.executions.flat() as EventItem[];
  expect(items.map((item) => item.current.id).sort((a, b) => a - b)).toEqual(existing.sort((a, b) => a - b));
  expect(items[0]).toMatchObject({
    event: { object: "deal", action: "create", changeSource: "backfill" },
    previous: null,
  });

  // After the backfill, new deals come through the webhook (Event branch), not again through the backfill.
  // A second later on both clocks (the backfill's cutoff is the time it began).
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const api = createPipedriveClient(bed.oauth as never, { logger });
  const created: number[] = [];
  for (let i = 0; i < 5; i++) {
    const deal = await api.request<{ data: { id: number } }>({
      method: "POST",
      version: "v2",
      path: "/deals",
      body: { title: `After backfill ${i}` },
    });
    created.push(deal.data.id);
  }
  await bed.sim.idle();
  await host.settled();
  const delivered = flow.runs.map((run) => (run as unknown as EventItem).current.id);
  expect(delivered.sort((a, b) => a - b)).toEqual(created);
  expect(delivered.some((id) => existing.includes(id))).toBe(false);

  // A redeploy does not send the history again.
  await host.deploy(flow);
  const again = await sync.run({ onDeploy: true });
  expect(again.executions).toEqual([]);
  expect(sync.logged(/already sent/)).toBe(true);

  // Asked again with a Backfill From date: the deals added since then.
  sync.params = { connection: bed.oauth, backfillFrom: String(bed.sim.get("deals", created[0])?.add_time) };
  const recent = await sync.run({ onDeploy: true });
  expect((recent.executions.flat() as EventItem[]).map((item) => item.current.id).sort((a, b) => a - b)).toEqual(
    created,
  );
}, 60_000);

test("only the create triggers of listable records offer the backfill", async () => {
  const { default: component } = await import("../src");
  const triggers = component.triggers as unknown as Record<
    string,
    { onDeployPerform?: unknown; inputs: { key: string; scope?: string }[] }
  >;
  for (const key of ["newDeal", "newPerson", "newOrganization", "newActivity", "newLead", "newNote", "newProduct"]) {
    expect(triggers[key].onDeployPerform).toBeDefined();
    expect(triggers[key].inputs.find((i) => i.key === "backfillFrom")?.scope).toBe("ON_DEPLOY");
  }
  for (const key of ["updatedDeal", "deletedDeal", "dealStageChanged", "pipedriveTrigger"])
    expect(triggers[key].onDeployPerform).toBeUndefined();
});

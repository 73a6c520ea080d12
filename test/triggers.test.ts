import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { createConnection } from "@prismatic-io/spectral/dist/testing";
import component from "../src";
import { createPipedriveClient } from "../src/client";
import { redact } from "../src/client/redact";
import { apiToken } from "../src/connections";
import { FlowHost } from "../src/testing";
import { capturedLines, context, failure, harness, logger, useTestBed } from "./support/setup";

const bed = useTestBed({ webhookRetryDelaysMs: [20, 40, 60] }, { resetEachTest: true });
let host: FlowHost;
const client = () => createPipedriveClient(bed.oauth as never, { logger });
const webhooks = () =>
  bed.sim.all("webhooks") as {
    id: number;
    subscription_url: string;
    event_object: string;
    event_action: string;
    version: string;
  }[];
const hooksFor = (url: string) => webhooks().filter((w) => w.subscription_url === url);

async function settle() {
  await bed.sim.idle();
  await host.settled();
}

async function addDeal(title: string, extra: Record<string, string> = {}) {
  const result = await harness.action("addDeal", { connection: bed.oauth, title, ...extra }, context);
  return (result as { data: { data: { id: number } } }).data.data.id;
}

const patchDeal = (id: number, body: Record<string, unknown>) =>
  client().request({ method: "PATCH", version: "v2", path: "/deals/{id}", pathParams: { id }, body });

/**
 * Every webhook password the flows were deployed with (generated or typed), read from the state
 * each deploy returned: the secret scan every test file ends with (test/support/setup.ts) looks
 * for them in every log line and error, beside the connection's secrets.
 */
const webhookPasswords = new Set<string>();
function noteWebhookPasswords() {
  for (const [key, value] of Object.entries(host.crossFlowState)) {
    const password = key.startsWith("pipedriveWebhook:")
      ? (value as { credentials?: { password?: unknown } }).credentials?.password
      : undefined;
    if (typeof password !== "string" || webhookPasswords.has(password)) continue;
    webhookPasswords.add(password);
    bed.secrets.push(password);
  }
}

beforeAll(async () => {
  host = await FlowHost.start({ logger });
  const deploy = host.deploy.bind(host);
  host.deploy = async (flow) => {
    try {
      await deploy(flow);
    } finally {
      noteWebhookPasswords();
    }
  };
});
afterAll(async () => {
  await host.stop();
  // The scan is only as good as what it looks for: every deploy of this file noted its password.
  expect(webhookPasswords.size).toBeGreaterThanOrEqual(40);
});

describe("lifecycle", () => {
  test("deploy registers exactly one v2 webhook with generated Basic credentials", async () => {
    const flow = host.addFlow("New deals", "newDeal", { connection: bed.oauth });
    await host.deploy(flow);
    const mine = hooksFor(flow.url);
    expect(mine.length).toBe(1);
    expect(mine[0]).toMatchObject({ event_object: "deal", event_action: "create", version: "2.0" });
    const state = host.crossFlowState[`pipedriveWebhook:${flow.stableId}`] as { credentials: { password: string } };
    expect(Buffer.from(state.credentials.password, "base64url").length).toBeGreaterThanOrEqual(32);
  });

  test("redeploying twice keeps the same single webhook; stale ones for the URL are removed", async () => {
    const flow = host.addFlow("Updated deals", "updatedDeal", { connection: bed.oauth });
    await host.deploy(flow);
    const first = hooksFor(flow.url)[0].id;
    await host.deploy(flow);
    await host.deploy(flow);
    expect(hooksFor(flow.url).map((w) => w.id)).toEqual([first]);

    // A leftover from an earlier install pointing at the same URL is cleaned up on the next deploy.
    await client().request({
      method: "POST",
      version: "v1",
      path: "/webhooks",
      body: { subscription_url: flow.url, event_action: "*", event_object: "*", name: "leftover", version: "2.0" },
    });
    await host.deploy(flow);
    expect(hooksFor(flow.url).map((w) => w.id)).toEqual([first]);
  });

  test("instance delete removes every webhook for the flow URL, also when trigger state was lost", async () => {
    const flow = host.addFlow("Deleted deals", "deletedDeal", { connection: bed.oauth });
    await host.deploy(flow);
    await host.deleteInstance(flow);
    expect(hooksFor(flow.url)).toEqual([]);

    await host.deploy(flow);
    for (const key of Object.keys(host.crossFlowState)) delete host.crossFlowState[key];
    await host.deleteInstance(flow);
    expect(hooksFor(flow.url)).toEqual([]);
  });

  test("the 41st webhook fails with a clear quota error before Pipedrive's 422", async () => {
    for (let i = 0; i < 40; i++)
      await client().request({
        method: "POST",
        version: "v1",
        path: "/webhooks",
        body: {
          subscription_url: `http://127.0.0.1:9/other-${i}`,
          event_action: "*",
          event_object: "deal",
          name: `other ${i}`,
          version: "2.0",
        },
      });
    const flow = host.addFlow("One too many", "newDeal", { connection: bed.oauth });
    const error = await failure(() => host.deploy(flow));
    expect(error.message).toMatch(/allows 40 webhooks per user and the connection's user already has 40/);
    expect(hooksFor(flow.url)).toEqual([]);
  });

  test("a non-admin connection gets a warning that events on records it cannot see are not delivered", async () => {
    const nonAdmin = createConnection(apiToken, { apiToken: bed.sim.createApiToken(2), companyDomain: bed.sim.url });
    const flow = host.addFlow("Non admin", "newPerson", { connection: nonAdmin });
    // Only this deploy's lines are checked; all lines stay for the end-of-file secret scan.
    const from = capturedLines.length;
    await host.deploy(flow);
    expect(
      capturedLines
        .slice(from)
        .some((line) => /not an admin: Pipedrive only delivers events on records this user can see/.test(line)),
    ).toBe(true);
  });
});

describe("deliveries", () => {
  test("New Deal: the simulator's real delivery runs the flow with the event and the record", async () => {
    const flow = host.addFlow("New deal flow", "newDeal", { connection: bed.oauth });
    await host.deploy(flow);
    const id = await addDeal("Delivered deal");
    await settle();
    expect(flow.runs.length).toBe(1);
    expect(JSON.stringify(flow.results)).not.toContain(
      basicAuth(credentialsOf(flow).user, credentialsOf(flow).password).slice(6),
    );
    expect(flow.runs[0]).toMatchObject({
      event: { object: "deal", action: "create", entityId: String(id) },
      current: { id, title: "Delivered deal" },
      previous: null,
      changedFields: [],
    });
  });

  test("Updated Deal: changedFields carry old and new values, custom fields by name and option label", async () => {
    const flow = host.addFlow("Updated deal flow", "updatedDeal", { connection: bed.oauth });
    await host.deploy(flow);
    const id = await addDeal("Before");
    const priority = bed.sim.customFieldKey("deal", "Priority");
    const options = ((
      await client().request<{ data: { field_code: string; options: { id: number; label: string }[] }[] }>({
        method: "GET",
        version: "v2",
        path: "/dealFields",
      })
    ).data.find((f) => f.field_code === priority)?.options ?? []) as { id: number; label: string }[];
    const high = options.find((o) => o.label === "High")?.id;
    await patchDeal(id, { title: "After", custom_fields: { [priority]: high } });
    await settle();
    expect(flow.runs.length).toBe(1);
    const changes = flow.runs[0].changedFields as {
      field: string;
      name: string;
      previous: unknown;
      current: unknown;
    }[];
    expect(changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: "title", previous: "Before", current: "After" }),
        expect.objectContaining({ field: priority, name: "Priority", current: "High" }),
      ]),
    );
  });

  test("Updated Deal with Only When These Fields Change ignores unrelated edits", async () => {
    const flow = host.addFlow("Value changes", "updatedDeal", { connection: bed.oauth, onlyFields: "value, Priority" });
    await host.deploy(flow);
    const id = await addDeal("Watch value");
    await patchDeal(id, { title: "Renamed" });
    await settle();
    expect(flow.runs.length).toBe(0);
    expect(flow.deliveries.at(-1)?.branch).toBe("Ignored");
    await patchDeal(id, { value: 999 });
    await settle();
    expect(flow.runs.length).toBe(1);
    expect(flow.runs[0].changedFields).toEqual([expect.objectContaining({ field: "value", current: 999 })]);
  });

  test("Deal Stage Changed outputs from and to stages; an unrelated edit does not fire it", async () => {
    const flow = host.addFlow("Stage moves", "dealStageChanged", { connection: bed.oauth });
    await host.deploy(flow);
    const id = await addDeal("Moving deal", { stageId: "1" });
    await patchDeal(id, { title: "Moving deal (renamed)" });
    await settle();
    expect(flow.runs.length).toBe(0);
    await patchDeal(id, { stage_id: 3 });
    await settle();
    expect(flow.runs.length).toBe(1);
    expect(flow.runs[0]).toMatchObject({
      fromStage: { id: 1, name: "Qualified", pipeline_id: 1 },
      toStage: { id: 3, name: "Proposal made", pipeline_id: 1 },
    });
  });

  test("Deal Won fires on the change to won only", async () => {
    const flow = host.addFlow("Won deals", "dealWon", { connection: bed.oauth });
    await host.deploy(flow);
    const id = await addDeal("Will win");
    await patchDeal(id, { value: 10 });
    await patchDeal(id, { status: "won" });
    await settle();
    expect(flow.runs.length).toBe(1);
    expect(flow.runs[0]).toMatchObject({ current: { status: "won" }, previous: { status: "open" } });
  });

  test("Deleted Deal outputs the last state in previous", async () => {
    const flow = host.addFlow("Deleted", "deletedDeal", { connection: bed.oauth });
    await host.deploy(flow);
    const id = await addDeal("Short-lived");
    await harness.action("deleteDeal", { connection: bed.oauth, id: String(id) }, context);
    await settle();
    expect(flow.runs.length).toBe(1);
    expect(flow.runs[0]).toMatchObject({
      event: { action: "delete" },
      current: null,
      previous: { id, title: "Short-lived" },
    });
  });

  test("a duplicated delivery (same event id) runs the flow once", async () => {
    const flow = host.addFlow("Dedupe", "newDeal", { connection: bed.oauth });
    await host.deploy(flow);
    bed.sim.duplicateNextDeliveries(1);
    await addDeal("Delivered twice");
    await settle();
    const toFlow = bed.sim.deliveries.filter((d) => d.url.includes(flow.stableId));
    expect(toFlow.length).toBe(2);
    expect(new Set(toFlow.map((d) => d.eventId)).size).toBe(1);
    expect(flow.runs.length).toBe(1);
    expect(flow.deliveries.map((d) => d.branch).sort()).toEqual(["Event", "Ignored"]);
  });
});

describe("forged and malformed deliveries", () => {
  const post = (url: string, body: string, authorization?: string) =>
    fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...(authorization ? { Authorization: authorization } : {}) },
      body,
    });
  const event = JSON.stringify({
    meta: { id: "00000000-0000-4000-8000-000000000001", action: "create", entity: "deal", entity_id: "1" },
    data: { id: 1, title: "Forged" },
    previous: null,
  });

  test("no Authorization or a wrong password gets 401 and no flow run; Rejected gets the metadata, never the body", async () => {
    const flow = host.addFlow("Forgery target", "newDeal", { connection: bed.oauth });
    await host.deploy(flow);
    const state = host.crossFlowState[`pipedriveWebhook:${flow.stableId}`] as { credentials: { user: string } };
    expect((await post(flow.url, event)).status).toBe(401);
    const wrong = `Basic ${Buffer.from(`${state.credentials.user}:guess`).toString("base64")}`;
    expect((await post(flow.url, event, wrong)).status).toBe(401);
    expect(flow.runs.length).toBe(0);
    expect(flow.deliveries.map((d) => d.branch)).toEqual(["Rejected", "Rejected"]);
    for (const delivery of flow.deliveries) {
      expect(delivery.data).toEqual({
        rejected: "unauthorized",
        delivery: {
          bytes: Buffer.byteLength(event),
          meta: { id: "00000000-0000-4000-8000-000000000001", action: "create", entity: "deal", entity_id: "1" },
        },
      });
      expect(JSON.stringify(delivery.payload)).not.toContain("Forged");
    }
  });

  test("authentic credentials but another company's or another webhook's delivery: refused (403), Rejected, no run", async () => {
    const flow = host.addFlow("Foreign target", "newDeal", { connection: bed.oauth });
    await host.deploy(flow);
    const state = host.crossFlowState[`pipedriveWebhook:${flow.stableId}`] as {
      webhookId: number;
      companyId?: number;
      credentials: { user: string; password: string };
    };
    expect(state.companyId).toBe(1);
    const auth = basicAuth(state.credentials.user, state.credentials.password);
    const withMeta = (meta: Record<string, string>) =>
      JSON.stringify({
        meta: { id: randomUUID(), action: "create", entity: "deal", entity_id: "1", ...meta },
        data: { id: 1, title: "Foreign body" },
        previous: null,
      });
    const own = { company_id: "1", webhook_id: String(state.webhookId) };
    const otherCompany = await post(flow.url, withMeta({ ...own, company_id: "999" }), auth);
    expect(otherCompany.status).toBe(403);
    expect(await otherCompany.text()).toMatch(/company_id/);
    const otherHook = await post(flow.url, withMeta({ ...own, webhook_id: String(state.webhookId + 1) }), auth);
    expect(otherHook.status).toBe(403);
    expect(await otherHook.text()).toMatch(/webhook_id/);
    expect(flow.runs.length).toBe(0);
    expect(flow.deliveries.map((d) => d.branch)).toEqual(["Rejected", "Rejected"]);
    expect(JSON.stringify(flow.deliveries)).not.toContain("Foreign body");
    expect((await post(flow.url, withMeta(own), auth)).status).toBe(200);
    expect(flow.runs.length).toBe(1);
  });

  test("the generated webhook password is registered with the redactor", async () => {
    const flow = host.addFlow("Redacted password", "newDeal", { connection: bed.oauth });
    await host.deploy(flow);
    const { password } = credentialsOf(flow);
    expect(redact(`Pipedrive said: http_auth_password ${password} is invalid`)).not.toContain(password);
  });

  test("a malformed body from an authenticated sender gets 400 with a clear message", async () => {
    const flow = host.addFlow("Malformed", "newDeal", { connection: bed.oauth });
    await host.deploy(flow);
    const { user, password } = (
      host.crossFlowState[`pipedriveWebhook:${flow.stableId}`] as { credentials: { user: string; password: string } }
    ).credentials;
    const auth = `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
    const response = await post(flow.url, JSON.stringify({ v: 1, current: {} }), auth);
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/meta is missing/);
    expect(flow.runs.length).toBe(0);
  });

  test("the designer's simulated test execution runs without credentials", async () => {
    const flow = host.addFlow("Designer test", "newDeal", { connection: bed.oauth });
    flow.simulatedTest = true;
    expect((await post(flow.url, event)).status).toBe(200);
    expect(flow.runs.length).toBe(1);
  });
});

const basicAuth = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
const credentialsOf = (flow: { stableId: string }) =>
  (host.crossFlowState[`pipedriveWebhook:${flow.stableId}`] as { credentials: { user: string; password: string } })
    .credentials;

describe("pipedriveTrigger (Prismatic's key): Pipedrive's delivery passes through on one path", () => {
  const incumbent = JSON.parse(
    readFileSync(resolve(__dirname, "../../shared/reference/prismatic-component.json"), "utf8"),
  ).triggers.pipedriveTrigger as {
    inputs: Record<string, { type: string; required: boolean; default?: string; model?: string[] }>;
  };
  const ours = (component.triggers as unknown as Record<string, Record<string, unknown>>).pipedriveTrigger;

  test("has the incumbent's input keys, types, dropdown values and defaults, and no branches", () => {
    const inputs = ours.inputs as {
      key: string;
      type: string;
      required?: boolean;
      default?: string;
      model?: { value: string }[];
    }[];
    expect(inputs.map((i) => i.key)).toEqual(Object.keys(incumbent.inputs));
    for (const i of inputs) {
      const theirs = incumbent.inputs[i.key];
      expect({ key: i.key, type: i.type, required: Boolean(i.required) }).toEqual({
        key: i.key,
        type: theirs.type,
        required: theirs.required,
      });
      if (theirs.model) expect(i.model?.map((m) => m.value)).toEqual(theirs.model);
      if (theirs.default !== undefined) expect(i.default).toBe(theirs.default);
    }
    expect(ours.allowsBranching).toBe(false);
    expect(ours.staticBranchNames ?? []).toEqual([]);
  });

  test("each run's results.body.data is the simulator's delivery unchanged (meta, data, previous)", async () => {
    const flow = host.addFlow("Everything", "pipedriveTrigger", {
      connection: bed.oauth,
      eventAction: "*",
      eventObject: "*",
      version: "2.0",
    });
    await host.deploy(flow);
    expect(hooksFor(flow.url)[0]).toMatchObject({ event_object: "*", event_action: "*", version: "2.0" });
    const id = await addDeal("Generic");
    await patchDeal(id, { value: 5 });
    await client().request({ method: "POST", version: "v2", path: "/persons", body: { name: "Generic person" } });
    await settle();
    type Delivered = { meta: { id: string; entity: string; action: string }; data: Record<string, unknown> | null };
    const runs = flow.runs as unknown as Delivered[];
    expect(runs.map((r) => `${r.meta.entity}.${r.meta.action}`).sort()).toEqual([
      "deal.change",
      "deal.create",
      "person.create",
    ]);
    for (const run of runs) expect(Object.keys(run).sort()).toEqual(["data", "meta", "previous"]);
    const change = runs.find((r) => r.meta.action === "change");
    expect(change).toMatchObject({ data: { id, value: 5 }, previous: { value: 0 } });
    // the event ids Pipedrive sent are the ones the flow sees: nothing re-shaped or re-keyed
    const sent = bed.sim.deliveries.filter((d) => d.url.includes(flow.stableId)).map((d) => d.eventId);
    expect(runs.map((r) => r.meta.id).sort()).toEqual([...sent].sort());
    // the rest of the payload is Prismatic's, except the webhook password, which never reaches an output
    expect(flow.results[0].headers).toMatchObject({ "content-type": "application/json", authorization: "[redacted]" });
    expect(JSON.stringify(flow.results)).not.toContain(
      basicAuth(credentialsOf(flow).user, credentialsOf(flow).password).slice(6),
    );
    expect(flow.deliveries.every((d) => d.status === 200 && d.branch === undefined)).toBe(true);
  });

  test("a forged delivery is refused with 401 and the flow does not run, without any branch", async () => {
    const flow = host.addFlow("Generic forgery target", "pipedriveTrigger", {
      connection: bed.oauth,
      eventAction: "*",
      eventObject: "deal",
      version: "2.0",
    });
    await host.deploy(flow);
    const forged = JSON.stringify({
      meta: { id: "00000000-0000-4000-8000-000000000002", action: "create", entity: "deal" },
      data: { id: 1, title: "Forged" },
      previous: null,
    });
    const post = (authorization?: string) =>
      fetch(flow.url, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...(authorization ? { Authorization: authorization } : {}) },
        body: forged,
      });
    expect((await post()).status).toBe(401);
    expect((await post(basicAuth(credentialsOf(flow).user, "guess"))).status).toBe(401);
    expect(flow.runs).toEqual([]);
    expect(flow.deliveries.map((d) => [d.status, d.branch, d.failed])).toEqual([
      [401, undefined, expect.stringMatching(/^Refused a webhook delivery/)],
      [401, undefined, expect.stringMatching(/^Refused a webhook delivery/)],
    ]);
    // the real sender, with the generated credentials, still gets through
    await addDeal("Genuine");
    await settle();
    expect(flow.runs.length).toBe(1);
  });

  test("typed HTTP Auth User and Password are registered with Pipedrive and checked", async () => {
    const flow = host.addFlow("Typed credentials", "pipedriveTrigger", {
      connection: bed.oauth,
      eventAction: "create",
      eventObject: "person",
      version: "2.0",
      httpAuthUser: "typed-user",
      httpAuthPassword: "typed-password-123",
    });
    await host.deploy(flow);
    expect(hooksFor(flow.url)[0]).toMatchObject({ http_auth_user: "typed-user" });
    await client().request({ method: "POST", version: "v2", path: "/persons", body: { name: "Typed" } });
    await settle();
    expect(flow.runs).toEqual([expect.objectContaining({ data: expect.objectContaining({ name: "Typed" }) })]);
  });

  test("Version 1.0: a v1 webhook whose v1 payloads pass through; redeploy keeps it, delete removes it", async () => {
    const flow = host.addFlow("Legacy payloads", "pipedriveTrigger", {
      connection: bed.oauth,
      eventAction: "*",
      eventObject: "deal",
      version: "1.0",
    });
    await host.deploy(flow);
    const [hook] = hooksFor(flow.url);
    expect(hook).toMatchObject({ event_object: "deal", event_action: "*", version: "1.0" });
    await host.deploy(flow);
    expect(hooksFor(flow.url).map((w) => w.id)).toEqual([hook.id]);

    const priority = bed.sim.customFieldKey("deal", "Priority");
    const id = await addDeal("Old style");
    await patchDeal(id, { title: "Old style, renamed" });
    await harness.action("deleteDeal", { connection: bed.oauth, id: String(id) }, context);
    await settle();
    type V1 = {
      v: number;
      event: string;
      meta: { v: number; action: string; object: string; id: number };
      current: Record<string, unknown> | null;
      previous: Record<string, unknown> | null;
    };
    const [added, updated, deleted] = flow.runs as unknown as V1[];
    expect(flow.runs.length).toBe(3);
    expect(added).toMatchObject({
      v: 1,
      event: "added.deal",
      meta: { v: 1, action: "added", object: "deal", id },
      current: { id, title: "Old style" },
      previous: null,
    });
    // v1 form: custom fields as top-level keys, no custom_fields object, v1 times
    expect(added.current).toHaveProperty(priority);
    expect(added.current).not.toHaveProperty("custom_fields");
    expect(String(added.current?.add_time)).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(updated).toMatchObject({
      event: "updated.deal",
      current: { id, title: "Old style, renamed" },
      previous: { id, title: "Old style" },
    });
    expect(deleted).toMatchObject({ event: "deleted.deal", current: null, previous: { id } });

    await host.deleteInstance(flow);
    expect(hooksFor(flow.url)).toEqual([]);
  });

  test("an empty Version means 2.0, as before; an unknown one is refused naming the input", async () => {
    const flow = host.addFlow("No version", "pipedriveTrigger", {
      connection: bed.oauth,
      eventAction: "create",
      eventObject: "deal",
      version: "",
    });
    await host.deploy(flow);
    expect(hooksFor(flow.url)).toEqual([expect.objectContaining({ version: "2.0" })]);
    const odd = host.addFlow("Odd version", "pipedriveTrigger", {
      connection: bed.oauth,
      eventAction: "create",
      eventObject: "deal",
      version: "3.0",
    });
    expect((await failure(() => host.deploy(odd))).message).toMatch(/Version/);
    expect(hooksFor(odd.url)).toEqual([]);
  });

  test("Version 1.0 with an object only webhooks v2 deliver fails before any request", async () => {
    const flow = host.addFlow("Legacy projects", "pipedriveTrigger", {
      connection: bed.oauth,
      eventAction: "*",
      eventObject: "project",
      version: "1.0",
    });
    const before = bed.sim.requests.length;
    const error = await failure(() => host.deploy(flow));
    expect(error.message).toMatch(/Event Object "project" needs Version 2.0/);
    expect(bed.sim.requests.length).toBe(before);
  });

  test("every Event Object the incumbent offered deploys a webhook for it", async () => {
    const objects = incumbent.inputs.eventObject.model as string[];
    for (const eventObject of objects) {
      const flow = host.addFlow(`Object ${eventObject}`, "pipedriveTrigger", {
        connection: bed.oauth,
        eventAction: "*",
        eventObject,
        version: "2.0",
      });
      await host.deploy(flow);
      expect(hooksFor(flow.url)).toEqual([expect.objectContaining({ event_object: eventObject })]);
    }
  });
});

describe("catalogue triggers for projects, tasks and deal products", () => {
  const v2 = <T>(method: "POST" | "PATCH" | "DELETE", path: string, body?: Record<string, unknown>, id?: number) =>
    client().request<{ data: T }>({
      method,
      version: "v2",
      path,
      ...(id !== undefined ? { pathParams: { id } } : {}),
      ...(body ? { body } : {}),
    });

  async function deployAll(object: string) {
    const flows = ["new", "updated", "deleted"].map((kind) =>
      host.addFlow(`${kind} ${object}`, `${kind}${object}`, { connection: bed.oauth }),
    );
    for (const flow of flows) await host.deploy(flow);
    return flows;
  }

  test("newProject, updatedProject, deletedProject", async () => {
    const [created, updated, deleted] = await deployAll("Project");
    expect(hooksFor(created.url)[0]).toMatchObject({ event_object: "project", event_action: "create" });
    const project = (await v2<{ id: number }>("POST", "/projects", { title: "Rollout" })).data;
    await v2("PATCH", "/projects/{id}", { title: "Rollout 2" }, project.id);
    await v2("DELETE", "/projects/{id}", undefined, project.id);
    await settle();
    expect(created.runs).toEqual([
      expect.objectContaining({ event: expect.objectContaining({ object: "project", action: "create" }) }),
    ]);
    expect(updated.runs[0].changedFields).toEqual([
      expect.objectContaining({ field: "title", previous: "Rollout", current: "Rollout 2" }),
    ]);
    expect(deleted.runs).toEqual([
      expect.objectContaining({ current: null, previous: expect.objectContaining({ id: project.id }) }),
    ]);
  });

  test("newTask, updatedTask, deletedTask", async () => {
    const [created, updated, deleted] = await deployAll("Task");
    const project = (await v2<{ id: number }>("POST", "/projects", { title: "Tasks home" })).data;
    const task = (await v2<{ id: number }>("POST", "/tasks", { title: "Call Ada", project_id: project.id })).data;
    await v2("PATCH", "/tasks/{id}", { done: 1 }, task.id);
    await v2("DELETE", "/tasks/{id}", undefined, task.id);
    await settle();
    expect(created.runs).toEqual([
      expect.objectContaining({
        current: expect.objectContaining({ id: task.id, title: "Call Ada", project_id: project.id }),
      }),
    ]);
    expect(updated.runs[0].changedFields).toEqual([
      expect.objectContaining({ field: "is_done", previous: false, current: true }),
    ]);
    expect(deleted.runs).toEqual([
      expect.objectContaining({ event: expect.objectContaining({ object: "task", action: "delete" }) }),
    ]);
  });

  test("newDealProduct, updatedDealProduct, deletedDealProduct", async () => {
    const [created, updated, deleted] = await deployAll("DealProduct");
    const dealId = await addDeal("With products");
    const product = (await v2<{ id: number }>("POST", "/products", { name: "Seat" })).data;
    const attached = (
      await v2<{ id: number }>(
        "POST",
        "/deals/{id}/products",
        { product_id: product.id, item_price: 50, quantity: 2 },
        dealId,
      )
    ).data;
    const item = (path: string) => `/deals/{id}/products/${attached.id}${path}`;
    await v2("PATCH", item(""), { quantity: 3 }, dealId);
    await v2("DELETE", item(""), undefined, dealId);
    await settle();
    expect(created.runs).toEqual([
      expect.objectContaining({
        event: expect.objectContaining({ object: "deal_product", action: "create" }),
        current: expect.objectContaining({ deal_id: dealId, product_id: product.id, sum: 100 }),
      }),
    ]);
    expect(updated.runs[0].changedFields).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: "quantity", previous: 2, current: 3 })]),
    );
    expect(deleted.runs).toEqual([expect.objectContaining({ previous: expect.objectContaining({ id: attached.id }) })]);
  });
});

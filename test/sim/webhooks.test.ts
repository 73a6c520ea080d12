import { PipedriveSimulator } from "../../sim";
import { WEBHOOK_V2_OBJECTS } from "../../sim/corrections";
import { basic, call, type Receiver, startReceiver } from "./helpers";

let sim: PipedriveSimulator;
let receiver: Receiver;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

beforeAll(async () => {
  sim = await PipedriveSimulator.start({
    webhookRetryDelaysMs: [30, 60, 90],
    webhookTimeoutMs: 300,
    burst: { limit: 10_000, windowMs: 2000 },
  });
  receiver = await startReceiver();
});
beforeEach(() => {
  sim.reset();
  receiver.received.length = 0;
  receiver.respond = () => 200;
});
afterEach(async () => {
  await sim.idle();
  expect(sim.violations).toEqual([]);
});
afterAll(async () => {
  await sim.stop();
  await receiver.close();
});

async function subscribe(body: Record<string, unknown> = {}, token = sim.apiToken) {
  return call<{ status: string; success: boolean; data: Record<string, unknown> & { id: number } }>(
    sim,
    "POST",
    "/api/v1/webhooks",
    {
      token,
      body: {
        subscription_url: `${receiver.url}/hooks?path_token=abc`,
        event_action: "*",
        event_object: "deal",
        name: "test hook",
        version: "2.0",
        http_auth_user: "hook-user",
        http_auth_password: "hook-pass-123",
        ...body,
      },
    },
  );
}

describe("webhooks API", () => {
  test("POST returns the webhook object (201) without the password; GET lists only the caller's", async () => {
    const res = await subscribe();
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: "ok", success: true });
    expect(res.body.data).toMatchObject({
      company_id: 1,
      owner_id: 1,
      user_id: 1,
      event_action: "*",
      event_object: "deal",
      version: "2.0",
      is_active: 1,
      type: "general",
      http_auth_user: "hook-user",
      http_auth_password: null,
      name: "test hook",
    });
    expect(JSON.stringify(sim.all("webhooks"))).not.toContain("hook-pass-123");
    const mine = await call<{ data: unknown[] }>(sim, "GET", "/api/v1/webhooks");
    expect(mine.body.data).toHaveLength(1);
    const otherUser = sim.createApiToken(2);
    const theirs = await call<{ data: unknown[] }>(sim, "GET", "/api/v1/webhooks", { token: otherUser });
    expect(theirs.body.data).toHaveLength(0);
    const steal = await call(sim, "DELETE", `/api/v1/webhooks/${res.body.data.id}`, { token: otherUser });
    expect(steal.status).toBe(404);
    expect(steal.body).toEqual({ status: "error", success: false, errors: { id: ["not found"] } });
    const del = await call(sim, "DELETE", `/api/v1/webhooks/${res.body.data.id}`);
    expect(del.body).toEqual({ status: "ok", success: true });
  });

  test("the 41st webhook of a user answers 422", async () => {
    for (let i = 0; i < 40; i++) expect((await subscribe({ name: `hook ${i}` })).status).toBe(201);
    const res = await subscribe({ name: "one too many" });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ success: false, error: "Webhooks limit reached", errorCode: 422 });
    expect((await subscribe({ name: "other user" }, sim.createApiToken(2))).status).toBe(201);
  });

  test("subscription_url must be a valid http(s) URL and not a Pipedrive API endpoint", async () => {
    const bad = await subscribe({ subscription_url: "ftp://example.com/x" });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({
      status: "error",
      success: false,
      errors: { subscription_url: ["invalid or non-reachable URL"] },
    });
    const self = await subscribe({ subscription_url: `${sim.url}/api/v1/deals` });
    expect(self.status).toBe(400);
    const missing = await call(sim, "POST", "/api/v1/webhooks", {
      body: { subscription_url: receiver.url, event_action: "*", event_object: "deal" },
    });
    expect(missing.status).toBe(400);
    expect(sim.takeViolations()[0].reasons).toContain("body must have required property 'name'");
  });
});

describe("delivery", () => {
  test("create / change / delete payloads with Basic auth, v2 meta and changed-fields-only previous", async () => {
    await subscribe();
    const created = await call<{ data: { id: number } }>(sim, "POST", "/api/v2/deals", {
      body: { title: "Hooked", value: 10 },
    });
    const id = created.body.data.id;
    await sim.waitForDeliveries(1);
    const budget = sim.customFieldKey("deal", "Budget");
    await call(sim, "PATCH", `/api/v2/deals/${id}`, {
      body: { title: "Hooked 2", custom_fields: { [budget]: { value: 3, currency: "USD" } } },
    });
    await sim.waitForDeliveries(2);
    await call(sim, "DELETE", `/api/v2/deals/${id}`);
    await sim.waitForDeliveries(3);
    await sim.idle();

    const [c, ch, d] = receiver.received;
    expect(c.headers.authorization).toBe(basic("hook-user", "hook-pass-123"));
    expect(c.headers["content-type"]).toBe("application/json");
    expect(c.body.meta).toMatchObject({
      action: "create",
      entity: "deal",
      entity_id: String(id),
      company_id: "1",
      user_id: "1",
      webhook_owner_id: "1",
      version: "2.0",
      attempt: 1,
      change_source: "api",
      is_bulk_edit: false,
      type: "general",
      host: "sim.pipedrive.com",
      permitted_user_ids: ["1", "2"],
    });
    expect(c.body.meta.id).toMatch(UUID);
    expect(c.body.meta.correlation_id).toMatch(UUID);
    expect(typeof c.body.meta.webhook_id).toBe("string");
    expect(new Date(c.body.meta.timestamp as string).toISOString()).toBe(c.body.meta.timestamp);
    expect(c.body.data).toMatchObject({ id, title: "Hooked", value: 10 });
    expect(c.body.previous).toBeNull();

    expect(ch.body.meta.action).toBe("change");
    expect(ch.body.data).toMatchObject({ id, title: "Hooked 2" });
    expect(ch.body.previous).toEqual({ title: "Hooked", custom_fields: { [budget]: null } });

    expect(d.body.meta.action).toBe("delete");
    expect(d.body.data).toBeNull();
    expect(d.body.previous).toMatchObject({ id, title: "Hooked 2", is_deleted: false });

    expect(new Set([c, ch, d].map((h) => h.body.meta.id)).size).toBe(3);
    expect(sim.deliveries.map((x) => x.status)).toEqual([200, 200, 200]);
    expect(JSON.stringify(sim.deliveries)).not.toContain("hook-pass-123");
    expect(sim.deliveries[0].url).toBe(`${receiver.url}/hooks?path_token=%5Bredacted%5D`);
  });

  test("a PATCH that changes nothing sends no change event", async () => {
    await subscribe({ event_action: "change" });
    const created = await call<{ data: { id: number } }>(sim, "POST", "/api/v2/deals", { body: { title: "Same" } });
    await call(sim, "PATCH", `/api/v2/deals/${created.body.data.id}`, { body: { title: "Same" } });
    await sim.idle();
    expect(receiver.received).toHaveLength(0);
  });

  test("matching: event_object and event_action filter; seed() emits nothing", async () => {
    await subscribe({ event_object: "person", event_action: "create" });
    sim.seed("persons", 10);
    await call(sim, "POST", "/api/v2/deals", { body: { title: "not for the person hook" } });
    await call(sim, "POST", "/api/v2/persons", { body: { name: "Pat" } });
    await sim.idle();
    expect(receiver.received.map((h) => `${h.body.meta.entity}.${h.body.meta.action}`)).toEqual(["person.create"]);
  });

  test("leads and notes (v1 entities) are delivered too", async () => {
    await subscribe({ event_object: "*" });
    const org = await call<{ data: { id: number } }>(sim, "POST", "/api/v2/organizations", { body: { name: "O" } });
    await call(sim, "POST", "/api/v1/leads", { body: { title: "L", organization_id: org.body.data.id } });
    await call(sim, "POST", "/api/v1/notes", { body: { content: "N", org_id: org.body.data.id } });
    await sim.idle();
    expect(receiver.received.map((h) => h.body.meta.entity)).toEqual(["organization", "lead", "note"]);
  });

  test("non-2xx answers are retried with the same meta.id and attempt 2..4", async () => {
    await subscribe();
    receiver.respond = (_hook, index) => (index < 3 ? 500 : 200);
    await call(sim, "POST", "/api/v2/deals", { body: { title: "flaky receiver" } });
    await sim.waitForDeliveries(4, 3000);
    await sim.idle();
    expect(receiver.received.map((h) => h.body.meta.attempt)).toEqual([1, 2, 3, 4]);
    expect(new Set(receiver.received.map((h) => h.body.meta.id)).size).toBe(1);
    expect(sim.deliveries.map((d) => [d.attempt, d.status])).toEqual([
      [1, 500],
      [2, 500],
      [3, 500],
      [4, 200],
    ]);
    const hook = sim.all("webhooks")[0];
    expect(hook.last_http_status).toBe(200);
  });

  test("after four failures delivery stops; a timeout counts as a failure", async () => {
    await subscribe({ subscription_url: "http://127.0.0.1:9/unreachable" });
    await call(sim, "POST", "/api/v2/deals", { body: { title: "nobody listens" } });
    await sim.waitForDeliveries(4, 3000);
    await sim.idle();
    expect(sim.deliveries).toHaveLength(4);
    expect(sim.deliveries.every((d) => d.error !== undefined && d.status === undefined)).toBe(true);

    sim.reset();
    await subscribe();
    // the first answer comes after 500 ms, longer than webhookTimeoutMs (300)
    receiver.respond = (_hook, i) => (i === 0 ? new Promise((r) => setTimeout(() => r(200), 500)) : 200);
    await call(sim, "POST", "/api/v2/deals", { body: { title: "slow receiver" } });
    await sim.waitForDeliveries(2, 3000);
    expect(sim.deliveries[0].error).toMatch(/timeout after 300 ms/);
    expect(sim.deliveries[1]).toMatchObject({ attempt: 2, status: 200 });
  });

  test("at-least-once knobs: duplicateNextDeliveries and setWebhookDuplicates resend the same meta.id", async () => {
    await subscribe();
    sim.duplicateNextDeliveries(1);
    await call(sim, "POST", "/api/v2/deals", { body: { title: "twice" } });
    await call(sim, "POST", "/api/v2/deals", { body: { title: "once" } });
    await sim.idle();
    const ids = receiver.received.map((h) => h.body.meta.id);
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(2);
    expect(sim.deliveries.filter((d) => d.duplicate)).toHaveLength(1);

    receiver.received.length = 0;
    sim.setWebhookDuplicates(1);
    await call(sim, "POST", "/api/v2/deals", { body: { title: "always twice" } });
    await sim.idle();
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[0].body.meta.id).toBe(receiver.received[1].body.meta.id);
  });

  test("OAuth-app webhooks are type application and only visible to that app", async () => {
    const token = sim.issueOAuthToken({ scopes: ["admin"] });
    const res = await subscribe({}, "");
    expect(res.status).toBe(401);
    const created = await call<{ data: { type: string } }>(sim, "POST", "/api/v1/webhooks", {
      bearer: token.access_token,
      body: { subscription_url: receiver.url, event_action: "*", event_object: "*", name: "app hook" },
    });
    expect(created.body.data.type).toBe("application");
    expect((await call<{ data: unknown[] }>(sim, "GET", "/api/v1/webhooks")).body.data).toHaveLength(0);
    expect(
      (await call<{ data: unknown[] }>(sim, "GET", "/api/v1/webhooks", { bearer: token.access_token })).body.data,
    ).toHaveLength(1);
  });
});

describe("webhook event objects and versions", () => {
  test("the webhooks v2 objects (sim/corrections.ts) are accepted; an undocumented object is still a violation", async () => {
    for (const eventObject of WEBHOOK_V2_OBJECTS) {
      const res = await subscribe({ event_object: eventObject, name: `v2 ${eventObject}` });
      expect(res.status).toBe(201);
      expect(res.body.data).toMatchObject({ event_object: eventObject });
    }
    expect(sim.violations).toEqual([]);
    const bogus = await subscribe({ event_object: "widget" });
    expect(bogus.status).toBe(400);
    expect(sim.takeViolations().map((v) => v.reasons.join(" "))).toEqual([expect.stringMatching(/event_object/)]);
  });

  test("a 1.0 webhook is refused for objects only webhooks v2 deliver", async () => {
    const res = await subscribe({ event_object: "project", version: "1.0" });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body)).toMatch(/only available in webhooks v2/);
  });

  test("a 1.0 webhook gets v1 payloads: event, meta in v1 form, current, the whole previous record, retry", async () => {
    await subscribe({ event_object: "deal", event_action: "*", version: "1.0" });
    receiver.respond = (_hook, index) => (index === 0 ? 500 : 200);
    const created = await call<{ data: { id: number } }>(sim, "POST", "/api/v2/deals", { body: { title: "V1" } });
    const id = created.body.data.id;
    await sim.waitForDeliveries(2, 3000);
    await call(sim, "PATCH", `/api/v2/deals/${id}`, { body: { title: "V1 renamed" } });
    await sim.idle();
    const [first, retried, updated] = receiver.received.map((h) => h.body);
    expect(first).toMatchObject({
      v: 1,
      event: "added.deal",
      retry: 0,
      meta: { v: 1, action: "added", object: "deal", id, webhook_id: expect.any(String) },
      current: { id, title: "V1" },
      previous: null,
    });
    expect(first).not.toHaveProperty("data");
    expect(retried).toMatchObject({ event: "added.deal", retry: 1 });
    expect(updated).toMatchObject({
      event: "updated.deal",
      meta: { action: "updated" },
      current: { title: "V1 renamed" },
      previous: { id, title: "V1", status: "open" },
    });
    expect(receiver.received[0].headers.authorization).toBe(basic("hook-user", "hook-pass-123"));
  });

  test("projects, tasks and a deal's products emit project, task and deal_product events", async () => {
    await subscribe({ event_object: "*", event_action: "*" });
    const project = await call<{ data: { id: number } }>(sim, "POST", "/api/v2/projects", { body: { title: "P" } });
    const task = await call<{ data: { id: number } }>(sim, "POST", "/api/v2/tasks", {
      body: { title: "T", project_id: project.body.data.id },
    });
    await call(sim, "PATCH", `/api/v2/tasks/${task.body.data.id}`, { body: { done: 1 } });
    const deal = await call<{ data: { id: number } }>(sim, "POST", "/api/v2/deals", { body: { title: "D" } });
    const product = await call<{ data: { id: number } }>(sim, "POST", "/api/v2/products", { body: { name: "Pr" } });
    const attached = await call<{ data: { id: number; sum: number } }>(
      sim,
      "POST",
      `/api/v2/deals/${deal.body.data.id}/products`,
      { body: { product_id: product.body.data.id, item_price: 10, quantity: 3 } },
    );
    expect(attached.status).toBe(201);
    expect(attached.body.data.sum).toBe(30);
    const listed = await call<{ data: { id: number }[] }>(sim, "GET", `/api/v2/deals/${deal.body.data.id}/products`);
    expect(listed.body.data.map((p) => p.id)).toEqual([attached.body.data.id]);
    await call(sim, "DELETE", `/api/v2/deals/${deal.body.data.id}/products/${attached.body.data.id}`);
    await sim.idle();
    expect(receiver.received.map((h) => `${h.body.meta.entity}.${h.body.meta.action}`)).toEqual([
      "project.create",
      "task.create",
      "task.change",
      "deal.create",
      "product.create",
      "deal_product.create",
      "deal_product.delete",
    ]);
    const taskChange = receiver.received[2].body;
    expect(taskChange).toMatchObject({ data: { is_done: true }, previous: { is_done: false } });
  });
});

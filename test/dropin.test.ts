import { customFieldKey } from "../sim";
import { actionDefinitions } from "../src/actions";
import { fillPath } from "../src/client";
import { capturedLines, context, harness, useTestBed } from "./support/setup";

/**
 * Drop-in by behaviour: for inputs Prismatic's component documented, ours sends what Pipedrive
 * expects (and what that component sent), against the simulator, which records each body.
 */
const bed = useTestBed({ recordBodies: true }, { resetEachTest: true });

const run = (key: string, params: Record<string, unknown>) =>
  harness.action(key, { connection: bed.oauth, ...params }, context);
/** The last request of the action, with its parsed body. */
async function lastRequest(key: string, params: Record<string, unknown>) {
  bed.sim.clearRequests();
  await run(key, params);
  const request = bed.sim.requests.at(-1);
  if (!request) throw new Error(`${key} sent no request`);
  return request;
}

test("every action's path has each placeholder filled (hyphenated names too)", () => {
  const unfilled: string[] = [];
  for (const [key, definition] of Object.entries(actionDefinitions)) {
    const names = [...definition.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    const filled = fillPath(definition.path, Object.fromEntries(names.map((name) => [name, "7"])));
    if (/[{}]|%7B|%7D/i.test(filled)) unfilled.push(`${key}: ${filled}`);
    // Each placeholder is the Pipedrive name of one of the action's path inputs.
    const pathNames = Object.values(definition.params ?? {})
      .filter((p) => p.in === "path")
      .map((p) => p.name);
    for (const name of names) if (!pathNames.includes(name)) unfilled.push(`${key}: no input for {${name}}`);
  }
  expect(unfilled).toEqual([]);
});

test("Delete Conversation fills {channel-id} and {conversation-id}; free-text IDs are trimmed", async () => {
  bed.sim.clearRequests();
  await run("deleteConversation", { channelId: " ch-1 ", conversationId: " c-2 " }).catch(() => undefined);
  expect(bed.sim.requests.map((r) => r.path)).toEqual(["/api/v1/channels/ch-1/conversations/c-2"]);
});

test("Add File with text content sends a file part named by File Name", async () => {
  const [deal] = bed.sim.seed("deals", 1);
  const request = await lastRequest("addFile", {
    file: "file-contents",
    fileName: "notes.txt",
    entityType: "deal",
    entityId: String(deal.id),
  });
  expect(request.body).toEqual({
    kind: "multipart",
    value: { deal_id: String(deal.id), file: { filename: "notes.txt", size: 13 } },
  });
});

test.each([
  ["2026-01-02 10:30:00", "2026-01-02 10:30:00"],
  ["2026-01-02T10:30:00Z", "2026-01-02 10:30:00"],
  ["2026-01-02T12:30:00+02:00", "2026-01-02 10:30:00"],
  ["2026-01-02", "2026-01-02 00:00:00"],
])("Add Call Log takes Start Time %p and sends Pipedrive's UTC form %p", async (given, sent) => {
  const request = await lastRequest("addCallLog", {
    outcome: "connected",
    toPhoneNumber: "+15551234567",
    startTime: given,
    endTime: given,
  });
  expect(request.body?.value).toMatchObject({ start_time: sent, end_time: sent });
});

test("Get User Call Logs lowers Limit 100 to Pipedrive's 50, with a warning", async () => {
  const before = capturedLines.length;
  const request = await lastRequest("getUserCallLogs", { limit: "100", start: "0" });
  expect(request.query.limit).toBe("50");
  expect(capturedLines.slice(before).join("\n")).toMatch(/Limit 100 is above Pipedrive's maximum of 50/);
});

describe("Add Person and Update Person take Email and Phone as Prismatic's component did", () => {
  test.each([
    [
      "john.doe@example.com,jane.doe@example.com",
      [{ value: "john.doe@example.com" }, { value: "jane.doe@example.com" }],
    ],
    ["ada@example.com", [{ value: "ada@example.com" }]],
    [
      '[{"value": "ada@example.com", "primary": true, "label": "work"}, {"value": "ada@home.example"}]',
      [{ value: "ada@example.com", primary: true, label: "work" }, { value: "ada@home.example" }],
    ],
  ])("emails %p", async (emails, sent) => {
    const request = await lastRequest("addPerson", { name: "Ada", emails, phones: "+15551234567, +15559876543" });
    expect(request.body?.value).toMatchObject({
      emails: sent,
      phones: [{ value: "+15551234567" }, { value: "+15559876543" }],
    });
    const [person] = bed.sim.seed("persons", 1);
    const update = await lastRequest("updatePerson", { id: String(person.id), emails });
    expect(update.body?.value).toEqual({ emails: sent });
  });

  test("a malformed list names the input and its forms, before any request", async () => {
    bed.sim.clearRequests();
    await expect(run("addPerson", { name: "Ada", emails: '[{"email": "x"}]' })).rejects.toThrow(
      /Emails: expected a comma-separated list such as .*, or JSON such as \[\{"value"/,
    );
    expect(bed.sim.requests).toEqual([]);
  });
});

test("Get Leads takes Sort in Pipedrive's documented form (title ASC, id DESC)", async () => {
  const request = await lastRequest("getLeads", { sort: "title ASC, id desc" });
  expect(request.query.sort).toBe("title ASC, id DESC");
  await expect(run("getLeads", { sort: "title SIDEWAYS" })).rejects.toThrow(/Sort: expected fields among id, title/);
});

test("a Sort By field Pipedrive does not sort the list by (Prismatic's example: title) is dropped with a warning", async () => {
  const before = capturedLines.length;
  const request = await lastRequest("getPersons", { sortBy: "title", sortDirection: "asc" });
  expect(request.query.sort_by).toBeUndefined();
  expect(request.query.sort_direction).toBe("asc");
  expect(capturedLines.slice(before).join("\n")).toMatch(/Sort By "title" is not a field Pipedrive sorts this list by/);
  expect((await lastRequest("getPersons", { sortBy: "update_time" })).query.sort_by).toBe("update_time");
});

describe("an input left at Prismatic's default writes nothing", () => {
  test("Add Deal Product: Is Enabled false (the default) is not sent, so the product stays enabled", async () => {
    const [deal] = bed.sim.seed("deals", 1);
    const [product] = bed.sim.seed("products", 1);
    const base = { id: String(deal.id), productId: String(product.id), itemPrice: "10", quantity: "1" };
    const request = await lastRequest("addDealProduct", { ...base, isEnabled: "false", discount: "0", tax: "0" });
    expect(request.body?.value).not.toHaveProperty("is_enabled");
    expect((await lastRequest("addDealProduct", { ...base, isEnabled: "true" })).body?.value).toMatchObject({
      is_enabled: true,
    });
  });

  test("Update Stage: Rotten Flag false (the default) is not sent, so a rename keeps deal rotting", async () => {
    const [stage] = bed.sim.seed("stages", 1);
    const request = await lastRequest("updateStage", { id: String(stage.id), name: "Renamed", rottenFlag: "false" });
    expect(request.body?.value).toEqual({ name: "Renamed" });
    const on = await lastRequest("updateStage", { id: String(stage.id), rottenFlag: "true", rottenDays: "5" });
    expect(on.body?.value).toEqual({ is_deal_rot_enabled: true, days_to_rotten: 5 });
  });
});

describe("Set Person Field Value", () => {
  test.each([
    ["name", "Ada", { name: "Ada" }],
    ["owner_id", "1", { owner_id: 1 }],
    ["email", "ada@example.com", { emails: [{ value: "ada@example.com", primary: true }] }],
    ["phone", "+15551234567", { phones: [{ value: "+15551234567", primary: true }] }],
  ])("standard key %p goes top-level", async (customFieldKey, value, body) => {
    const [person] = bed.sim.seed("persons", 1);
    const request = await lastRequest("setFieldValueForPerson", { personId: String(person.id), customFieldKey, value });
    expect(request.body?.value).toEqual(body);
  });

  test("a custom field's 40-character key goes under custom_fields", async () => {
    const [person] = bed.sim.seed("persons", 1);
    const key = customFieldKey("person", "Nickname");
    const request = await lastRequest("setFieldValueForPerson", {
      personId: String(person.id),
      customFieldKey: key,
      value: "Ada",
    });
    expect(request.body?.value).toEqual({ custom_fields: { [key]: "Ada" } });
  });
});

test("Get Leads with Archived Status all returns active and archived leads together", async () => {
  const leads = bed.sim.seed("leads", 3) as { id: string }[];
  bed.sim.seed("leads", 2, () => ({ is_archived: true }));
  bed.sim.clearRequests();
  const result = (await run("getLeads", { archivedStatus: "all", start: "0" })) as {
    data: { data: { id: string }[]; additional_data: { fetched_all: boolean; record_count: number } };
  };
  expect(bed.sim.requests.map((r) => r.path)).toEqual(["/api/v1/leads", "/api/v1/leads/archived"]);
  expect(result.data.data.map((lead) => lead.id)).toEqual(expect.arrayContaining(leads.map((lead) => lead.id)));
  expect(result.data.additional_data).toMatchObject({ fetched_all: true, record_count: 5 });
});

test.each(["addLead", "updateLead"])(
  "%s Value as a bare amount (Prismatic's form) is sent as amount in the user's default currency, with a warning",
  async (key) => {
    const [person] = bed.sim.seed("persons", 1);
    const created = (await run("addLead", { title: "Lead", personId: String(person.id) })) as {
      data: { data: { id: string } };
    };
    const before = capturedLines.length;
    bed.sim.clearRequests();
    const params =
      key === "addLead"
        ? { title: "Lead", personId: String(person.id), value: " 1500.5 " }
        : { id: created.data.data.id, value: "1500.5" };
    const result = (await run(key, params)) as { data: { data: { value: unknown } } };
    expect(bed.sim.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /api/v1/users/me",
      `${key === "addLead" ? "POST /api/v1/leads" : `PATCH /api/v1/leads/${created.data.data.id}`}`,
    ]);
    const body = bed.sim.requests.at(-1)?.body as { value: Record<string, unknown> };
    expect(body.value).toMatchObject({ value: { amount: 1500.5, currency: "USD" } });
    expect(result.data.data.value).toEqual({ amount: 1500.5, currency: "USD" });
    expect(capturedLines.slice(before).join("\n")).toMatch(/Value: no currency given; .* USD was used/);
  },
);

test("Add Lead Value with its currency is sent as given, with no extra request; a bad currency is refused", async () => {
  const [person] = bed.sim.seed("persons", 1);
  bed.sim.clearRequests();
  await run("addLead", { title: "Lead", personId: String(person.id), value: '{"amount": 200, "currency": "eur"}' });
  expect(bed.sim.requests.map((r) => r.path)).toEqual(["/api/v1/leads"]);
  expect((bed.sim.requests[0].body as { value: Record<string, unknown> }).value).toMatchObject({
    value: { amount: 200, currency: "EUR" },
  });
  bed.sim.clearRequests();
  await expect(
    run("addLead", { title: "Lead", personId: String(person.id), value: '{"amount": 200, "currency": "euro"}' }),
  ).rejects.toThrow(/Value: expected an amount such as 1500, or \{"amount": 1500, "currency": "USD"\}/);
  await expect(run("addLead", { title: "Lead", personId: String(person.id), value: "lots" })).rejects.toThrow(
    /Value: expected/,
  );
  expect(bed.sim.requests).toEqual([]);
});

import Ajv from "ajv";
import component from "../src";
import { context, failure, harness, useTestBed } from "./support/setup";

const bed = useTestBed({}, { resetEachTest: true });
const data = (result: unknown) =>
  (result as { data: { data: unknown; additional_data?: Record<string, unknown> } }).data;

describe.each(["oauth", "token"] as const)("deal slice through the %s connection", (which) => {
  const connection = () => bed[which];

  test("add, get, update, list and delete a deal", async () => {
    const created = data(
      await harness.action(
        "addDeal",
        {
          connection: connection(),
          title: "Acme - 50 seats",
          value: "12500",
          currency: "usd",
          expectedCloseDate: "2026-03-31",
          visibleTo: "3",
        },
        context,
      ),
    ).data as { id: number; title: string; value: number; currency: string };
    expect(created).toMatchObject({ title: "Acme - 50 seats", value: 12500, currency: "USD" });
    expect(bed.sim.get("deals", created.id)).toMatchObject({
      title: "Acme - 50 seats",
      expected_close_date: "2026-03-31",
      visible_to: 3,
    });

    const fetched = data(
      await harness.action("getDeal", { connection: connection(), id: String(created.id) }, context),
    ).data;
    expect(fetched).toMatchObject({ id: created.id, status: "open" });

    await harness.action(
      "updateDeal",
      { connection: connection(), id: String(created.id), status: "won", title: "Acme - 60 seats" },
      context,
    );
    expect(bed.sim.get("deals", created.id)).toMatchObject({ status: "won", title: "Acme - 60 seats", value: 12500 });

    const won = data(await harness.action("getDeals", { connection: connection(), status: "won" }, context)).data as {
      id: number;
    }[];
    expect(won.map((d) => d.id)).toContain(created.id);

    const deleted = data(
      await harness.action("deleteDeal", { connection: connection(), id: String(created.id) }, context),
    ).data;
    expect(deleted).toEqual({ id: created.id });
    const open = data(await harness.action("getDeals", { connection: connection(), status: "won" }, context)).data as {
      id: number;
    }[];
    expect(open.map((d) => d.id)).not.toContain(created.id);
  });
});

describe("getDeals filters", () => {
  test("status, person, organization, pipeline and updated_since narrow the list", async () => {
    const deals = bed.sim.seed("deals", 60, (i) => ({
      status: i % 3 === 0 ? "won" : "open",
      person_id: i % 2 === 0 ? 7 : 8,
      org_id: i % 5 === 0 ? 3 : 4,
      pipeline_id: i % 4 === 0 ? 2 : 1,
      update_time: i < 30 ? "2026-01-01T00:00:00Z" : "2026-06-01T00:00:00Z",
    })) as {
      id: number;
      status: string;
      person_id: number;
      org_id: number;
      pipeline_id: number;
      update_time: string;
    }[];
    const list = async (params: Record<string, string>) =>
      (
        data(await harness.action("getDeals", { connection: bed.oauth, fetchAll: "true", ...params }, context))
          .data as { id: number }[]
      )
        .map((d) => d.id)
        .sort((a, b) => a - b);
    const ids = (predicate: (d: (typeof deals)[number]) => boolean) =>
      deals
        .filter(predicate)
        .map((d) => d.id)
        .sort((a, b) => a - b);

    expect(await list({ status: "won" })).toEqual(ids((d) => d.status === "won"));
    expect(await list({ personId: "7" })).toEqual(ids((d) => d.person_id === 7));
    expect(await list({ orgId: "3" })).toEqual(ids((d) => d.org_id === 3));
    expect(await list({ pipelineId: "2" })).toEqual(ids((d) => d.pipeline_id === 2));
    expect(await list({ updatedSince: "2026-03-01" })).toEqual(ids((d) => d.update_time >= "2026-03-01"));
  });

  test("one page by default with next_cursor; Fetch All with a cap says where to resume", async () => {
    bed.sim.seed("deals", 1200);
    const page = data(await harness.action("getDeals", { connection: bed.oauth, limit: "50" }, context));
    expect((page.data as unknown[]).length).toBe(50);
    expect(typeof page.additional_data?.next_cursor).toBe("string");

    const capped = data(
      await harness.action("getDeals", { connection: bed.oauth, fetchAll: "true", maxRecords: "700" }, context),
    );
    expect((capped.data as unknown[]).length).toBe(700);
    expect(capped.additional_data).toMatchObject({ fetched_all: false, record_count: 700 });

    const rest = data(
      await harness.action(
        "getDeals",
        {
          connection: bed.oauth,
          fetchAll: "true",
          maxRecords: "0",
          cursor: String(capped.additional_data?.next_cursor),
        },
        context,
      ),
    );
    expect((rest.data as unknown[]).length).toBe(500);
    expect(rest.additional_data).toMatchObject({ fetched_all: true, next_cursor: null });
  });
});

describe("bad input fails before any request, naming the input", () => {
  test.each([
    ["getDeal", { id: "abc" }, /Deal ID: expected a positive whole number/],
    ["getDeal", { id: "../1" }, /Deal ID: expected a positive whole number/],
    ["getDeal", { id: "" }, /Deal ID is required/],
    ["addDeal", { title: "" }, /Title is required/],
    ["addDeal", { title: "x", value: "12,500" }, /Value: expected a number/],
    ["addDeal", { title: "x", expectedCloseDate: "31/12/2026" }, /Expected Close Date: expected a date as YYYY-MM-DD/],
    ["addDeal", { title: "x", currency: "dollars" }, /Currency: expected a 3-letter currency code/],
    ["addDeal", { title: "x", status: "closed" }, /Status: expected one of open, won, lost, deleted/],
    ["addDeal", { title: "x", probability: "150" }, /Probability: expected a whole number from 0 to 100/],
    ["addDeal", { title: "x", visibleTo: "2" }, /Visible To: expected one of 1, 3, 5, 7/],
    ["getDeals", { limit: "0" }, /Limit: expected a whole number of at least 1/],
    ["getDeals", { updatedSince: "yesterday" }, /Updated Since: expected a date-time with a time zone/],
    ["getDeals", { status: "bogus" }, /Status: expected one of open, won, lost, deleted/],
    ["updateDeal", { id: "1" }, /Update Deal: set at least one field to change/],
  ])("%s %p", async (key, params, message) => {
    bed.sim.clearRequests();
    const error = await failure(() => harness.action(key, { connection: bed.oauth, ...params }, context));
    expect(error.message).toMatch(message);
    expect(bed.sim.requests.length).toBe(0);
  });

  test("Add Time (kept for compatibility) is ignored with a warning, not sent", async () => {
    const created = data(
      await harness.action(
        "addDeal",
        { connection: bed.oauth, title: "Old flow", addTime: "2020-01-01 10:00:00" },
        context,
      ),
    ).data as { id: number };
    expect(bed.sim.get("deals", created.id)).toMatchObject({ title: "Old flow" });
  });
});

describe("selectDeal", () => {
  test('lists every deal across pages as "Title - status", sorted, repeats told apart', async () => {
    bed.sim.seed("deals", 1203, (i) => ({
      title: i < 2 ? "Same title" : `Deal ${String(i).padStart(5, "0")}`,
      status: i < 2 || i % 2 ? "open" : "won",
    }));
    bed.sim.clearRequests();
    const { result } = (await harness.dataSource("selectDeal", { connectionInput: bed.oauth }, context)) as {
      result: { key: string; label: string }[];
    };
    expect(result.length).toBe(bed.sim.count("deals"));
    expect(bed.sim.requests.length).toBe(Math.ceil(result.length / 500));
    const same = result.filter((e) => e.label.startsWith("Same title"));
    expect(same.map((e) => e.label)).toEqual(same.map((e) => `Same title - open (#${e.key})`));
    expect(same.length).toBe(2);
    expect(result.find((e) => e.label === "Deal 00002 - won")).toBeDefined();
    const labels = result.map((e) => e.label);
    expect([...labels].sort((a, b) => a.localeCompare(b, "en", { numeric: true, sensitivity: "base" }))).toEqual(
      labels,
    );
  });

  test("an empty account gives an empty list", async () => {
    expect(bed.sim.count("deals")).toBe(0);
    const { result } = (await harness.dataSource("selectDeal", { connectionInput: bed.oauth }, context)) as {
      result: unknown[];
    };
    expect(result).toEqual([]);
  });

  test("a revoked token gives a clear error", async () => {
    const issued = bed.sim.issueOAuthToken({});
    const revoked = { ...bed.oauth, token: issued as unknown as Record<string, unknown> };
    const app = bed.sim.defaultOAuthApp;
    const revokeResponse = await fetch(`${bed.sim.url}/oauth/revoke`, {
      method: "POST",
      headers: {
        Authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString("base64")}`,
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ token: issued.refresh_token, token_type_hint: "refresh_token" }).toString(),
    });
    expect(revokeResponse.status).toBe(200);
    const error = await failure(() => harness.dataSource("selectDeal", { connectionInput: revoked }, context));
    expect(error.message).toMatch(/401 .*reconnect the Pipedrive connection/);
  });
});

test("a delete whose answer was lost (5xx after the write) and whose retry finds nothing counts as done", async () => {
  const id = (
    data(await harness.action("addDeal", { connection: bed.oauth, title: "Delete me" }, context)).data as { id: number }
  ).id;
  bed.sim.injectNext({ status: 502, afterCommit: true, match: { method: "DELETE", path: `/api/v2/deals/${id}` } });
  const result = data(
    await harness.action("deleteDeal", { connection: bed.oauth, id: String(id) }, context),
  ) as unknown as {
    alreadyDeleted?: boolean;
  };
  expect(result.alreadyDeleted).toBe(true);
  expect(bed.sim.count("deals")).toBe(0);
  // The output still matches what the action declares.
  const declared = (component.actions.deleteDeal as unknown as { outputSchema: { schema: string } }).outputSchema;
  const validate = new Ajv({ strict: false }).compile(JSON.parse(declared.schema));
  expect([validate(result), validate.errors]).toEqual([true, null]);
});

test("with custom fields named, field metadata is read before the write, never after it", async () => {
  bed.sim.clearRequests();
  await harness.action("addDeal", { connection: bed.oauth, title: "Fields first", nameCustomFields: "true" }, context);
  expect(bed.sim.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
    "GET /api/v2/dealFields",
    "POST /api/v2/deals",
  ]);
});

test("by default a read or write pays for no field metadata and keeps Pipedrive's custom field keys", async () => {
  const priority = bed.sim.customFieldKey("deal", "Priority");
  bed.sim.clearRequests();
  const created = (await harness.action("addDeal", { connection: bed.oauth, title: "Keys kept" }, context)) as {
    data: { data: { id: number } };
  };
  const read = (await harness.action(
    "getDeal",
    { connection: bed.oauth, id: String(created.data.data.id) },
    context,
  )) as {
    data: { data: { custom_fields: Record<string, unknown> } };
  };
  expect(bed.sim.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
    "POST /api/v2/deals",
    `GET /api/v2/deals/${created.data.data.id}`,
  ]);
  expect(Object.keys(read.data.data.custom_fields)).toContain(priority);
});

import http from "node:http";
import type { AddressInfo } from "node:net";
import { createConnection } from "@prismatic-io/spectral/dist/testing";
import { apiToken } from "../src/connections";
import { context, failure, harness, useTestBed } from "./support/setup";

/**
 * Prismatic's keys keep their output shapes (Pipedrive's envelope as its component returned it,
 * custom fields under their keys) and take its inputs with their meaning, against the simulator.
 */
const bed = useTestBed({}, { resetEachTest: true });

type Body = { success?: boolean; data: unknown; additional_data?: Record<string, unknown> };
const run = async (key: string, params: Record<string, unknown>) =>
  ((await harness.action(key, { connection: bed.token, ...params }, context)) as { data: Body }).data;

/** The same endpoint over plain HTTP: what Pipedrive sends, and so what Prismatic's component returned. */
async function raw(path: string): Promise<Body> {
  const response = await fetch(`${bed.sim.url}${path}`, { headers: { "x-api-token": bed.sim.apiToken } });
  expect(response.status).toBe(200);
  return (await response.json()) as Body;
}

interface Seen {
  method: string;
  url: string;
  body: string;
}

/** Runs fn with a connection to a loopback server that records each request and answers a v1 envelope. */
async function capture(fn: (connection: ReturnType<typeof createConnection>) => Promise<unknown>): Promise<Seen[]> {
  const seen: Seen[] = [];
  const server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => {
      body += chunk.toString("latin1");
    });
    request.on("end", () => {
      seen.push({ method: String(request.method), url: String(request.url), body });
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ success: true, data: { id: 1 } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  try {
    await fn(createConnection(apiToken, { apiToken: "capture-token", companyDomain: `http://127.0.0.1:${port}` }));
  } finally {
    server.close();
  }
  return seen;
}

describe("output shapes of Prismatic's keys", () => {
  test("single record: the response body as Pipedrive sends it (v2 getDeal, v1 getDealField, v2 getDealFieldV2)", async () => {
    const [deal] = bed.sim.seed("deals", 1);
    expect(await run("getDeal", { id: String(deal.id) })).toEqual(await raw(`/api/v2/deals/${deal.id}`));
    const fields = (await raw("/api/v1/dealFields?limit=2")).data as { id: number; key: string }[];
    expect(await run("getDealField", { id: String(fields[0].id) })).toEqual(
      await raw(`/api/v1/dealFields/${fields[0].id}`),
    );
    expect(await run("getDealFieldV2", { fieldCode: fields[0].key })).toEqual(
      await raw(`/api/v2/dealFields/${fields[0].key}`),
    );
  });

  test("list page: data and additional_data where Pipedrive puts them (cursor and offset)", async () => {
    bed.sim.seed("deals", 7);
    expect(await run("getDeals", { limit: "3" })).toEqual(await raw("/api/v2/deals?limit=3"));
    const page = await run("getDealFields", { limit: "2", start: "1" });
    expect(page).toEqual(await raw("/api/v1/dealFields?start=1&limit=2"));
    expect(page.additional_data).toHaveProperty("pagination.more_items_in_collection");
  });

  test("fetch all (cursor): data is every record, additional_data.next_cursor null; additions do not move them", async () => {
    bed.sim.seed("deals", 1203);
    const all = await run("getDeals", { fetchAll: true });
    const pages: unknown[] = [];
    let cursor: unknown = null;
    do {
      const page = await raw(`/api/v2/deals?limit=500${cursor ? `&cursor=${cursor}` : ""}`);
      pages.push(...(page.data as unknown[]));
      cursor = page.additional_data?.next_cursor;
    } while (cursor);
    expect(all.data).toEqual(pages);
    expect(all.additional_data).toMatchObject({ next_cursor: null, fetched_all: true, record_count: 1203 });
  });

  test("fetch all (v2 field list, offset list): Prismatic's paths", async () => {
    const v2 = await run("getDealFieldsV2", { fetchAll: true });
    expect(v2.data).toEqual((await raw("/api/v2/dealFields?limit=500")).data);
    expect(v2.additional_data?.next_cursor).toBeNull();
    const persons = await run("getPersonFields", { fetchAll: true });
    expect(persons.data).toEqual((await raw("/api/v1/personFields?limit=500")).data);
    expect(persons.additional_data?.pagination).toMatchObject({
      limit: 500,
      more_items_in_collection: false,
      next_start: null,
    });
  });

  test("custom fields stay under their 40-character keys unless Name Custom Fields is on", async () => {
    const [deal] = bed.sim.seed("deals", 1);
    const keyed = (await run("getDeal", { id: String(deal.id) })).data as { custom_fields?: Record<string, unknown> };
    for (const key of Object.keys(keyed.custom_fields ?? {})) expect(key).toMatch(/^[0-9a-f]{40}$/);
  });
});

describe("Prismatic's inputs with their meaning", () => {
  const seedLeads = (n: number) => {
    const [person] = bed.sim.seed("persons", 1);
    return bed.sim.seed("leads", n, () => ({ person_id: person.id }));
  };

  test("booleans arrive as booleans or strings; an update without them sends none", async () => {
    const [lead] = seedLeads(1);
    await run("updateLead", { id: String(lead.id), isArchived: true, wasSeen: "true" });
    expect(bed.sim.get("leads", lead.id as string)).toMatchObject({ is_archived: true, was_seen: true });
    await run("updateLead", { id: String(lead.id), title: "Renamed", isArchived: "" });
    expect(bed.sim.get("leads", lead.id as string)).toMatchObject({ title: "Renamed", is_archived: true });
    const error = await failure(() => run("updateLead", { id: String(lead.id), wasSeen: "maybe" }));
    expect(error.message).toMatch(/Was Seen: expected true or false/);
  });

  test("addStage and updateStage: rottenFlag and rottenDays are Pipedrive's is_deal_rot_enabled and days_to_rotten", async () => {
    const [pipeline] = bed.sim.all("pipelines");
    const stage = (
      await run("addStage", { name: "Rot", pipelineId: String(pipeline.id), rottenFlag: true, rottenDays: "9" })
    ).data as { id: number };
    expect(bed.sim.get("stages", stage.id)).toMatchObject({ is_deal_rot_enabled: true, days_to_rotten: 9 });
    // false is Prismatic's default, which its component left out: a rename keeps deal rotting on.
    await run("updateStage", { id: String(stage.id), name: "Renamed", rottenFlag: "false" });
    expect(bed.sim.get("stages", stage.id)).toMatchObject({ name: "Renamed", is_deal_rot_enabled: true });
  });

  test("deal status deleted marks the deal deleted (v2 is_deleted)", async () => {
    const [deal] = bed.sim.seed("deals", 1);
    await run("updateDeal", { id: String(deal.id), status: "deleted" });
    const stored = bed.sim.get("deals", deal.id);
    expect(stored?.is_deleted ?? stored === undefined).toBeTruthy();
  });

  test("getLeads Archived Status: archived lists archived leads, all lists both", async () => {
    const [active, archived] = seedLeads(2);
    await run("updateLead", { id: String(archived.id), isArchived: true });
    const list = (await run("getLeads", { archivedStatus: "archived" })).data as { id: string }[];
    expect(list.map((lead) => lead.id)).toEqual([archived.id]);
    const open = (await run("getLeads", { archivedStatus: "not_archived" })).data as { id: string }[];
    expect(open.map((lead) => lead.id)).toContain(active.id);
    const all = (await run("getLeads", { archivedStatus: "all" })).data as { id: string }[];
    expect(all.map((lead) => lead.id)).toEqual(expect.arrayContaining([active.id, archived.id]));
  });

  test("getPipelineDeals and getStageDeals list v2 deals of the pipeline or stage (cursor, sort)", async () => {
    bed.sim.seed("deals", 4);
    const [deal] = bed.sim.all("deals");
    const byPipeline = await run("getPipelineDeals", { id: String(deal.pipeline_id) });
    expect(byPipeline).toEqual(await raw(`/api/v2/deals?pipeline_id=${deal.pipeline_id}&sort_direction=desc`));
    const byStage = await run("getStageDeals", { id: String(deal.stage_id), sortDirection: "asc" });
    expect((byStage.data as { stage_id: number }[]).every((d) => d.stage_id === deal.stage_id)).toBe(true);
  });

  test("addFile: Entity Type and Entity ID are sent as that record's ID field", async () => {
    // The simulator does not parse multipart bodies, so a loopback server records this one.
    const seen = await capture((connection) =>
      harness.action(
        "addFile",
        {
          connection,
          file: { data: Buffer.from("hello"), contentType: "text/plain" },
          fileName: "hello.txt",
          entityType: "lead",
          entityId: "adf21080-0e10-11eb-879b-05d71fb426ec",
        },
        context,
      ),
    );
    expect(seen[0].body).toMatch(/name="lead_id"\r\n\r\nadf21080-0e10-11eb-879b-05d71fb426ec\r\n/);
    expect(seen[0].body).toMatch(/name="file"; filename="hello.txt"/);
    expect(seen[0].body).not.toMatch(/entityType|entityId|Entity/);
    const error = await failure(() =>
      run("addFile", { file: { data: Buffer.from("x") }, fileName: "x.txt", entityType: "deal" }),
    );
    expect(error.message).toMatch(/Entity Type and Entity ID/);
  });

  test("createWebhook, listWebhooks and deleteWebhook (webhookId)", async () => {
    const created = (
      await run("createWebhook", {
        subscriptionUrl: "https://example.com/hook",
        eventAction: "create",
        eventObject: "deal",
        version: "2.0",
      })
    ).data as { id: number; name: string };
    expect(created.name).toBe("Prismatic");
    const listed = (await run("listWebhooks", {})).data as { id: number }[];
    expect(listed.map((hook) => hook.id)).toContain(created.id);
    await run("deleteWebhook", { webhookId: String(created.id) });
    expect(((await run("listWebhooks", {})).data as unknown[]).length).toBe(listed.length - 1);
  });

  test("rawRequest: Prismatic's version key, response types and methods", async () => {
    const me = await run("rawRequest", { version: "v1", url: "/users/me", method: "GET", responseType: "json" });
    expect(me).toMatchObject({ success: true });
    const text = await run("rawRequest", { version: "v1", url: "/users/me", method: "GET", responseType: "text" });
    expect(typeof text).toBe("string");
    expect(JSON.parse(text as unknown as string)).toEqual(me);
    const bytes = await run("rawRequest", {
      version: "v1",
      url: "/users/me",
      method: "GET",
      responseType: "arraybuffer",
    });
    expect(Buffer.isBuffer(bytes)).toBe(true);
  });

  test("rawRequest: Prismatic's other methods are sent as chosen; Form Data and File Data as one multipart body", async () => {
    const seen = await capture(async (connection) => {
      for (const method of ["HEAD", "OPTIONS", "LINK", "UNLINK", "PURGE"])
        await harness.action(
          "rawRequest",
          { connection, version: "v1", url: "/deals/1", method, responseType: "text" },
          context,
        );
      await harness.action(
        "rawRequest",
        {
          connection,
          version: "v1",
          url: "/files",
          method: "POST",
          responseType: "json",
          formData: [{ key: "deal_id", value: "7" }],
          fileData: [{ key: "file", value: { data: Buffer.from("bytes"), contentType: "text/plain" } }],
          fileDataFileNames: [{ key: "file", value: "notes.txt" }],
        },
        context,
      );
    });
    expect(seen.map((request) => `${request.method} ${request.url}`)).toEqual([
      "HEAD /api/v1/deals/1",
      "OPTIONS /api/v1/deals/1",
      "LINK /api/v1/deals/1",
      "UNLINK /api/v1/deals/1",
      "PURGE /api/v1/deals/1",
      "POST /api/v1/files",
    ]);
    expect(seen[5].body).toMatch(/name="deal_id"\r\n\r\n7\r\n/);
    expect(seen[5].body).toMatch(/name="file"; filename="notes.txt"\r\nContent-Type: text\/plain\r\n\r\nbytes/);
  });

  test("ignored inputs are accepted and not sent (cursor on a v1 offset list)", async () => {
    const [deal] = bed.sim.seed("deals", 1);
    const before = bed.sim.requests.length;
    await run("getDealFiles", { id: String(deal.id), cursor: "abc", includeDeletedFiles: "1" });
    const sent = bed.sim.requests.slice(before);
    expect(sent.map((request) => Object.keys(request.query))).toEqual([expect.not.arrayContaining(["cursor"])]);
  });
});

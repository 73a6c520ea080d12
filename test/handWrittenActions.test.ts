import { context, failure, harness, useTestBed } from "./support/setup";

const bed = useTestBed({}, { resetEachTest: true });
const data = <T = Record<string, unknown>>(result: unknown) => (result as { data: T }).data;

describe("rawRequest", () => {
  test("calls a relative path on the connection's own domain with its credentials", async () => {
    const result = data<{ data: { id: number } }>(
      await harness.action(
        "rawRequest",
        { connection: bed.token, version: "v1", url: "/users/me", method: "GET" },
        context,
      ),
    );
    expect(result.data.id).toBe(1);
    const created = data<{ data: { id: number; title: string } }>(
      await harness.action(
        "rawRequest",
        { connection: bed.oauth, version: "v2", url: "/deals", method: "POST", data: '{"title": "Raw deal"}' },
        context,
      ),
    );
    expect(bed.sim.get("deals", created.data.id)).toMatchObject({ title: "Raw deal" });
  });

  test.each([
    "https://evil.example.com/api/v1/users/me",
    "//evil.example.com/users/me",
    "http://127.0.0.1:9/users/me",
    "/../../oauth/token",
    "/deals/%2e%2e/%2e%2e/oauth",
    "\\\\evil.example.com\\users",
    "javascript:alert(1)",
  ])("refuses %s before any request", async (url) => {
    bed.sim.clearRequests();
    const error = await failure(() =>
      harness.action("rawRequest", { connection: bed.oauth, version: "v1", url, method: "GET" }, context),
    );
    expect(error.name).toBe("InputError");
    expect(error.message).toMatch(/^URL: expected a path relative to the Pipedrive API/);
    expect(bed.sim.requests.length).toBe(0);
  });

  test("refuses to override the credentials headers", async () => {
    const error = await failure(() =>
      harness.action(
        "rawRequest",
        {
          connection: bed.oauth,
          version: "v1",
          url: "/users/me",
          method: "GET",
          headers: [{ key: "Authorization", value: "Bearer stolen" }],
        },
        context,
      ),
    );
    expect(error.message).toMatch(/Header: Authorization cannot be set/);
  });
});

test("getConnectionInfo reports company, user, admin flag, scopes and rate budget", async () => {
  const info = data<Record<string, unknown>>(
    await harness.action("getConnectionInfo", { connection: bed.oauth }, context),
  );
  expect(info).toMatchObject({
    connection: "oauth2",
    apiDomain: bed.sim.url,
    company: { id: 1, domain: "sim" },
    user: { id: 1, isAdmin: true },
  });
  expect(info.scopes).toEqual(expect.arrayContaining(["deals:full", "admin"]));
  expect((info.rateLimit as { remaining?: number }).remaining).toBeGreaterThan(0);
});

describe("find or create", () => {
  test("person by email: created once, then found", async () => {
    const params = { connection: bed.oauth, email: "ada@example.com", name: "Ada Lovelace" };
    const first = data<{ created: boolean; data: { id: number } }>(
      await harness.action("findOrCreatePerson", params, context),
    );
    const second = data<{ created: boolean; data: { id: number } }>(
      await harness.action("findOrCreatePerson", params, context),
    );
    expect(first.created).toBe(true);
    expect(second).toMatchObject({ created: false, data: { id: first.data.id } });
    expect(bed.sim.count("persons")).toBe(1);
  });

  test("organization by name, and deal by title within the organization", async () => {
    const org = data<{ created: boolean; data: { id: number } }>(
      await harness.action("findOrCreateOrganization", { connection: bed.oauth, name: "Acme Inc." }, context),
    );
    const again = data<{ created: boolean; data: { id: number } }>(
      await harness.action("findOrCreateOrganization", { connection: bed.oauth, name: "Acme Inc." }, context),
    );
    expect([org.created, again.created]).toEqual([true, false]);
    const deal = { connection: bed.oauth, title: "Acme - 50 seats", orgId: String(org.data.id) };
    const d1 = data<{ created: boolean; data: { id: number } }>(
      await harness.action("findOrCreateDeal", deal, context),
    );
    const d2 = data<{ created: boolean; data: { id: number } }>(
      await harness.action("findOrCreateDeal", deal, context),
    );
    expect([d1.created, d2.created]).toEqual([true, false]);
    expect(d2.data.id).toBe(d1.data.id);
    expect(bed.sim.count("deals")).toBe(1);
  });
});

describe("custom fields by name round-trip through the actions", () => {
  test("deals: names and option labels in, names and labels out; raw keys on request", async () => {
    const created = data<{ data: { id: number } }>(
      await harness.action(
        "addDeal",
        {
          connection: bed.oauth,
          title: "With custom fields",
          customFields: JSON.stringify({
            Priority: "High",
            Tags: "Alpha, Gamma",
            Budget: "5000 USD",
            "Kickoff date": "2026-03-01",
            "Lead source": "Webinar",
          }),
        },
        context,
      ),
    ).data;
    const read = data<{ data: { custom_fields: Record<string, unknown> } }>(
      await harness.action(
        "getDeal",
        { connection: bed.oauth, id: String(created.id), nameCustomFields: "true" },
        context,
      ),
    ).data;
    expect(read.custom_fields).toMatchObject({
      Priority: "High",
      Tags: ["Alpha", "Gamma"],
      Budget: { value: 5000, currency: "USD" },
      "Kickoff date": "2026-03-01",
      "Lead source": "Webinar",
    });
    const raw = data<{ data: { custom_fields: Record<string, unknown> } }>(
      await harness.action("getDeal", { connection: bed.oauth, id: String(created.id) }, context),
    ).data;
    expect(Object.keys(raw.custom_fields)).toContain(bed.sim.customFieldKey("deal", "Priority"));

    await harness.action(
      "updateDeal",
      { connection: bed.oauth, id: String(created.id), customFields: '{"Priority": "Low"}' },
      context,
    );
    const listed = data<{ data: { id: number; custom_fields: Record<string, unknown> }[] }>(
      await harness.action("getDeals", { connection: bed.oauth, nameCustomFields: "true" }, context),
    ).data;
    expect(listed.find((d) => d.id === created.id)?.custom_fields.Priority).toBe("Low");
  });

  test("persons and organizations", async () => {
    const person = data<{ data: { id: number } }>(
      await harness.action(
        "addPerson",
        { connection: bed.oauth, name: "Grace", customFields: '{"Customer tier": "Gold", "Interests": ["Sales"]}' },
        context,
      ),
    ).data;
    const readPerson = data<{ data: { custom_fields: Record<string, unknown> } }>(
      await harness.action(
        "getPerson",
        { connection: bed.oauth, id: String(person.id), nameCustomFields: "true" },
        context,
      ),
    ).data;
    expect(readPerson.custom_fields).toMatchObject({ "Customer tier": "Gold", Interests: ["Sales"] });

    const org = data<{ data: { id: number } }>(
      await harness.action(
        "addOrganization",
        { connection: bed.oauth, name: "Globex", customFields: '{"Industry": "Retail", "Website": "globex.example"}' },
        context,
      ),
    ).data;
    const readOrg = data<{ data: { custom_fields: Record<string, unknown> } }>(
      await harness.action(
        "getOrganization",
        { connection: bed.oauth, id: String(org.id), nameCustomFields: "true" },
        context,
      ),
    ).data;
    expect(readOrg.custom_fields).toMatchObject({ Industry: "Retail", Website: "globex.example" });
  });

  test("an unknown option fails before any write, naming the field and the choices", async () => {
    bed.sim.clearRequests();
    const error = await failure(() =>
      harness.action("addDeal", { connection: bed.oauth, title: "x", customFields: '{"Priority": "Urgent"}' }, context),
    );
    expect(error.message).toMatch(/Custom Fields: "Priority" has no option "Urgent"/);
    expect(bed.sim.requests.filter((r) => r.method === "POST").length).toBe(0);
  });
});

describe("inputs beyond the plain endpoints (archived leads, file contents, several item types)", () => {
  test("getLeads with Archived lists archived leads; owner, person and organization filter", async () => {
    bed.sim.seed("leads", 6, (i) => ({
      is_archived: i < 2,
      owner_id: 1,
      person_id: i % 2 ? 1 : null,
      organization_id: i % 2 ? null : 1,
    }));
    const active = data<{ data: { id: string }[] }>(
      await harness.action("getLeads", { connection: bed.oauth }, context),
    ).data;
    const archived = data<{ data: { id: string }[] }>(
      await harness.action("getLeads", { connection: bed.oauth, archived: "true" }, context),
    ).data;
    expect(active.length).toBe(4);
    expect(archived.length).toBe(2);
    expect(bed.sim.requests.some((r) => r.path === "/api/v1/leads/archived")).toBe(true);
    const byPerson = data<{ data: { id: string }[] }>(
      await harness.action("getLeads", { connection: bed.oauth, personId: "1" }, context),
    ).data;
    expect(byPerson.length).toBe(2);
  });

  test("getFiles with Download Files returns the files' contents", async () => {
    bed.sim.seed("files", 2, (i) => ({ name: `file-${i}.txt`, file_name: `file-${i}.txt` }));
    const result = data<{ data: unknown[]; downloadedFiles: { id: number; base64: string; contentType: string }[] }>(
      await harness.action("getFiles", { connection: bed.oauth, downloadFiles: "true" }, context),
    );
    expect(result.data.length).toBe(2);
    expect(result.downloadedFiles.length).toBe(2);
    expect(result.downloadedFiles[0].base64.length).toBeGreaterThan(0);
    expect(bed.sim.requests.filter((r) => /\/files\/\d+\/download$/.test(r.path)).length).toBe(2);
  });

  test("searchItem takes several item types", async () => {
    await harness.action("addDeal", { connection: bed.oauth, title: "Searchable Acme" }, context);
    await harness.action("searchItem", { connection: bed.oauth, term: "Acme", itemTypes: "deal, person" }, context);
    expect(bed.sim.requests.at(-1)?.query.item_types).toBe("deal,person");
  });
});

test("note field names come from one unpaged /v1/noteFields request (it takes no paging parameters)", async () => {
  const { fieldCatalog } = await import("../src/customFields/catalog");
  const { createPipedriveClient } = await import("../src/client");
  bed.sim.clearRequests();
  const fields = await fieldCatalog(createPipedriveClient(bed.oauth as never), "note");
  expect(fields.size).toBeGreaterThan(0);
  expect(bed.sim.requests.map((r) => `${r.path}?${new URLSearchParams(r.query as Record<string, string>)}`)).toEqual([
    "/api/v1/noteFields?",
  ]);
});

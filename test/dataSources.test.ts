import { createConnection } from "@prismatic-io/spectral/dist/testing";
import { apiToken } from "../src/connections";
import { PICKLIST_CAP } from "../src/dataSources/picklist";
import { capturedLines, context, failure, harness, useTestBed } from "./support/setup";

const bed = useTestBed({ burst: { limit: 1_000, windowMs: 2_000 } }, { resetEachTest: true });

type Element = { key: string; label: string };
const list = async (key: string, params: Record<string, unknown> = {}, connection = bed.token): Promise<Element[]> =>
  ((await harness.dataSource(key, { connectionInput: connection, ...params }, context)) as { result: Element[] })
    .result;
const labels = (elements: Element[]) => elements.map((e) => e.label);
const keys = (elements: Element[]) => elements.map((e) => e.key).sort();
const idsOf = (records: { id: number | string }[]) => records.map((r) => String(r.id)).sort();
const isSorted = (values: string[]) =>
  values.every(
    (v, i) => i === 0 || new Intl.Collator("en", { sensitivity: "base", numeric: true }).compare(values[i - 1], v) <= 0,
  );

describe("keys and labels", () => {
  test('selectDeal: "Title - status", sorted, repeats told apart by #id', async () => {
    const deals = bed.sim.seed("deals", 4, (i) => ({
      title: ["Globex", "Acme", "Acme", "Initech 10"][i],
      status: ["won", "open", "open", "lost"][i],
    }));
    const result = await list("selectDeal", {}, bed.oauth);
    expect(result).toEqual([
      { key: String(deals[1].id), label: `Acme - open (#${deals[1].id})` },
      { key: String(deals[2].id), label: `Acme - open (#${deals[2].id})` },
      { key: String(deals[0].id), label: "Globex - won" },
      { key: String(deals[3].id), label: "Initech 10 - lost" },
    ]);
  });

  test("selectPerson: name, primary email when names repeat", async () => {
    const people = bed.sim.seed("persons", 3, (i) => ({
      name: i < 2 ? "Ada Lovelace" : "Grace Hopper",
      emails: [{ value: `p${i}@example.com`, primary: true, label: "work" }],
    }));
    expect(await list("selectPerson")).toEqual([
      { key: String(people[0].id), label: "Ada Lovelace (p0@example.com)" },
      { key: String(people[1].id), label: "Ada Lovelace (p1@example.com)" },
      { key: String(people[2].id), label: "Grace Hopper" },
    ]);
  });

  test("selectOrganization, selectProduct: names, told apart by address or product code", async () => {
    const orgs = bed.sim.seed("organizations", 3, (i) => ({
      name: ["Globex", "Acme", "Acme"][i],
      address: i ? { value: `${i} Main St` } : null,
    }));
    expect(await list("selectOrganization")).toEqual([
      { key: String(orgs[1].id), label: "Acme (1 Main St)" },
      { key: String(orgs[2].id), label: "Acme (2 Main St)" },
      { key: String(orgs[0].id), label: "Globex" },
    ]);
    const products = bed.sim.seed("products", 3, (i) => ({
      name: i ? "Seat licence" : "Onboarding",
      code: `SKU-${i}`,
    }));
    expect(await list("selectProduct")).toEqual([
      { key: String(products[0].id), label: "Onboarding" },
      { key: String(products[1].id), label: "Seat licence (SKU-1)" },
      { key: String(products[2].id), label: "Seat licence (SKU-2)" },
    ]);
  });

  test("selectLead: titles keyed by UUID, archived leads left out", async () => {
    const leads = bed.sim.seed("leads", 3, (i) => ({
      title: ["Website inquiry", "Trade show", "Old lead"][i],
      is_archived: i === 2,
    }));
    const result = await list("selectLead");
    expect(result).toEqual([
      { key: leads[1].id, label: "Trade show" },
      { key: leads[0].id, label: "Website inquiry" },
    ]);
    expect(result[0].key).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('selectActivity: "Subject - due date - done"', async () => {
    const acts = bed.sim.seed("activities", 3, (i) => ({
      subject: ["Call Acme", "Demo", "Lunch"][i],
      due_date: i < 2 ? `2026-03-0${i + 1}` : null,
      done: i === 1,
    }));
    expect(await list("selectActivity")).toEqual([
      { key: String(acts[0].id), label: "Call Acme - 2026-03-01" },
      { key: String(acts[1].id), label: "Demo - 2026-03-02 - done" },
      { key: String(acts[2].id), label: "Lunch" },
    ]);
    expect(keys(await list("selectActivity", { done: "true" }))).toEqual([String(acts[1].id)]);
  });

  test("selectFile: 100 a page (Pipedrive's cap on /files), labelled with what the file is attached to", async () => {
    const [deal] = bed.sim.seed("deals", 1, () => ({ title: "Acme - 50 seats" }));
    const files = bed.sim.seed("files", 250, (i) => ({
      name: `file-${String(i).padStart(3, "0")}.pdf`,
      deal_id: i === 0 ? deal.id : null,
    }));
    bed.sim.clearRequests();
    const result = await list("selectFile");
    expect(bed.sim.requests.map((r) => r.query.limit)).toEqual(["100", "100", "100"]);
    expect(keys(result)).toEqual(idsOf(files));
    expect(result[0]).toEqual({ key: String(files[0].id), label: "file-000.pdf - Acme - 50 seats" });
    expect(result[1]).toEqual({ key: String(files[1].id), label: "file-001.pdf" });
  });

  test('selectFilter: "Name (Type)", narrowed by Filter Type', async () => {
    const filters = bed.sim.seed("filters", 3, (i) => ({
      name: ["Big deals", "My contacts", "Hot leads"][i],
      type: ["deals", "people", "leads"][i],
    }));
    expect(await list("selectFilter")).toEqual([
      { key: String(filters[0].id), label: "Big deals (Deals)" },
      { key: String(filters[2].id), label: "Hot leads (Leads)" },
      { key: String(filters[1].id), label: "My contacts (People)" },
    ]);
    expect(await list("selectFilter", { type: "people" })).toEqual([
      { key: String(filters[1].id), label: "My contacts (People)" },
    ]);
  });

  test('selectPipeline and selectStage ("Pipeline > Stage", stages in pipeline order)', async () => {
    expect(await list("selectPipeline")).toEqual([
      { key: "2", label: "Partnerships" },
      { key: "1", label: "Sales pipeline" },
    ]);
    expect(await list("selectStage", {}, bed.oauth)).toEqual([
      { key: "5", label: "Partnerships > Prospecting" },
      { key: "6", label: "Partnerships > Signed" },
      { key: "1", label: "Sales pipeline > Qualified" },
      { key: "2", label: "Sales pipeline > Contact made" },
      { key: "3", label: "Sales pipeline > Proposal made" },
      { key: "4", label: "Sales pipeline > Negotiations started" },
    ]);
    expect(labels(await list("selectStage", { pipelineId: "2" }))).toEqual([
      "Partnerships > Prospecting",
      "Partnerships > Signed",
    ]);
  });

  test("selectUser, selectActivityType, selectLeadLabel, selectCurrency: one v1 request each, no paging parameters", async () => {
    bed.sim.clearRequests();
    expect(await list("selectUser")).toEqual([
      { key: "1", label: "Sim Admin" },
      { key: "2", label: "Sim User" },
    ]);
    expect(await list("selectActivityType")).toEqual([
      { key: "call", label: "Call" },
      { key: "deadline", label: "Deadline" },
      { key: "email", label: "Email" },
      { key: "lunch", label: "Lunch" },
      { key: "meeting", label: "Meeting" },
      { key: "task", label: "Task" },
    ]);
    const leadLabels = bed.sim.all("leadLabels") as { id: string; name: string }[];
    expect(await list("selectLeadLabel")).toEqual(
      ["Cold", "Hot", "Warm"].map((name) => ({ key: leadLabels.find((l) => l.name === name)?.id, label: name })),
    );
    expect(await list("selectCurrency")).toEqual([
      { key: "EUR", label: "EUR - Euro" },
      { key: "GBP", label: "GBP - British Pound" },
      { key: "JPY", label: "JPY - Japanese Yen" },
      { key: "USD", label: "USD - US Dollar" },
    ]);
    expect(await list("selectCurrency", { term: "pound" })).toEqual([{ key: "GBP", label: "GBP - British Pound" }]);
    expect(bed.sim.requests.map((r) => `${r.path} ${JSON.stringify(r.query)}`)).toEqual([
      "/api/v1/users {}",
      "/api/v1/activityTypes {}",
      "/api/v1/leadLabels {}",
      "/api/v1/currencies {}",
      '/api/v1/currencies {"term":"pound"}',
    ]);
  });

  test("field picklists: custom fields by name, keyed by field_code; standard fields on request", async () => {
    const custom = ["Budget", "Kickoff date", "Lead source", "Priority", "Site address", "Tags"];
    expect(await list("selectDealField")).toEqual(
      custom.map((name) => ({ key: bed.sim.customFieldKey("deal", name), label: name })),
    );
    const all = await list("selectDealField", { includeStandardFields: "true" });
    expect(all).toContainEqual({ key: "title", label: "Title" });
    expect(all).toContainEqual({ key: bed.sim.customFieldKey("deal", "Priority"), label: "Priority" });
    expect(labels(await list("selectPersonField"))).toEqual([
      "Birthday",
      "Customer tier",
      "Home address",
      "Interests",
      "Lifetime value",
      "Nickname",
    ]);
    expect(labels(await list("selectOrganizationField"))).toContain("Industry");
    expect(await list("selectProductField")).toContainEqual({
      key: bed.sim.customFieldKey("product", "Size"),
      label: "Size",
    });
    expect(await list("selectActivityField")).toEqual([]); // the seeded company has no custom activity fields
    expect(await list("selectNoteFields")).toContainEqual({ key: "content", label: "Content" });
  });

  test('selectProject: "Title - status", narrowed by status', async () => {
    const projects = bed.sim.seed("projects", 3, (i) => ({
      title: ["Onboarding", "Migration", "Audit"][i],
      status: ["open", "completed", "canceled"][i],
    }));
    expect(await list("selectProject")).toEqual([
      { key: String(projects[2].id), label: "Audit - canceled" },
      { key: String(projects[1].id), label: "Migration - completed" },
      { key: String(projects[0].id), label: "Onboarding - open" },
    ]);
    expect(keys(await list("selectProject", { status: "completed" }))).toEqual([String(projects[1].id)]);
    expect(keys(await list("selectProject", { searchTerm: "migr" }))).toEqual([String(projects[1].id)]);
  });
});

describe("10,000 records", () => {
  test("selectDeal returns all 10,000 deals in 20 requests of 500, sorted, without a warning", async () => {
    bed.sim.seed("deals", 10_000, (i) => ({ title: `Deal ${i}`, status: i % 3 ? "open" : "won" }));
    bed.sim.clearRequests();
    const warningsBefore = capturedLines.filter((l) => l.includes("showing the first")).length;
    const result = await list("selectDeal", {}, bed.oauth);
    expect(result.length).toBe(10_000);
    expect(bed.sim.requests.length).toBeLessThanOrEqual(21);
    expect(bed.sim.requests.every((r) => r.query.limit === "500")).toBe(true);
    expect(new Set(result.map((e) => e.key)).size).toBe(10_000);
    expect(isSorted(labels(result))).toBe(true);
    expect(result[0]).toEqual({ key: "1", label: "Deal 0 - won" });
    expect(capturedLines.filter((l) => l.includes("showing the first")).length).toBe(warningsBefore);
  });

  test("beyond the cap: exactly the first 10,000, and a warning says so", async () => {
    bed.sim.seed("deals", PICKLIST_CAP + 50);
    bed.sim.clearRequests();
    const result = await list("selectDeal");
    expect(result.length).toBe(PICKLIST_CAP);
    expect(bed.sim.requests.length).toBeLessThanOrEqual(21);
    expect(capturedLines).toContainEqual(
      expect.stringMatching(/^warn: Select Deal: showing the first 10,000 records; type an ID or narrow the list/),
    );
  });
});

describe("filters and search narrow the list", () => {
  test("selectDeal: status, pipeline, owner; search term, with and without filters", async () => {
    const deals = bed.sim.seed("deals", 40, (i) => ({
      title: i % 2 ? `Acme order ${i}` : `Globex order ${i}`,
      status: i % 4 === 0 ? "won" : "open",
      stage_id: i % 5 === 0 ? 5 : 1,
      pipeline_id: i % 5 === 0 ? 2 : 1,
      owner_id: i % 3 === 0 ? 2 : 1,
    })) as { id: number; title: string; status: string; pipeline_id: number; owner_id: number }[];
    const ids = (predicate: (d: (typeof deals)[number]) => boolean) => idsOf(deals.filter(predicate));

    expect(keys(await list("selectDeal", { status: "won" }))).toEqual(ids((d) => d.status === "won"));
    expect(keys(await list("selectDeal", { pipelineId: "2" }))).toEqual(ids((d) => d.pipeline_id === 2));
    expect(keys(await list("selectDeal", { ownerId: "2" }))).toEqual(ids((d) => d.owner_id === 2));
    expect(keys(await list("selectDeal", { status: "open", pipelineId: "1", ownerId: "1" }))).toEqual(
      ids((d) => d.status === "open" && d.pipeline_id === 1 && d.owner_id === 1),
    );

    bed.sim.clearRequests();
    const acme = await list("selectDeal", { searchTerm: "acme" });
    expect(bed.sim.requests.map((r) => r.path)).toEqual(["/api/v2/deals/search"]);
    expect(keys(acme)).toEqual(ids((d) => d.title.startsWith("Acme")));
    expect(acme.every((e) => /^Acme order \d+ - (open|won)$/.test(e.label))).toBe(true);
    expect(
      keys(await list("selectDeal", { searchTerm: "acme", status: "won", pipelineId: "2", ownerId: "2" })),
    ).toEqual(ids((d) => d.title.startsWith("Acme") && d.status === "won" && d.pipeline_id === 2 && d.owner_id === 2));
  });

  test("selectPerson, selectOrganization, selectProduct, selectLead: search term and filters", async () => {
    const orgs = bed.sim.seed("organizations", 4, (i) => ({
      name: i % 2 ? `Acme ${i}` : `Globex ${i}`,
      owner_id: i < 2 ? 1 : 2,
    }));
    const people = bed.sim.seed("persons", 6, (i) => ({
      name: i % 2 ? `Ada ${i}` : `Grace ${i}`,
      org_id: orgs[i % 2].id,
      owner_id: i < 3 ? 1 : 2,
    }));
    const products = bed.sim.seed("products", 4, (i) => ({
      name: i % 2 ? `Seat ${i}` : `Support ${i}`,
      code: `SKU-${i}`,
      owner_id: i < 2 ? 1 : 2,
    }));
    const leads = bed.sim.seed("leads", 4, (i) => ({
      title: i % 2 ? `Inbound ${i}` : `Trade show ${i}`,
      person_id: people[i].id,
      owner_id: i < 2 ? 1 : 2,
    }));

    expect(keys(await list("selectPerson", { searchTerm: "ada" }))).toEqual(idsOf(people.filter((_, i) => i % 2)));
    expect(keys(await list("selectPerson", { orgId: String(orgs[0].id) }))).toEqual(
      idsOf(people.filter((_, i) => i % 2 === 0)),
    );
    expect(keys(await list("selectPerson", { searchTerm: "ada", ownerId: "2" }))).toEqual(
      idsOf([people[3], people[5]]),
    );
    expect(keys(await list("selectOrganization", { searchTerm: "acme" }))).toEqual(idsOf([orgs[1], orgs[3]]));
    expect(keys(await list("selectOrganization", { ownerId: "2" }))).toEqual(idsOf([orgs[2], orgs[3]]));
    expect(keys(await list("selectProduct", { searchTerm: "SKU-3" }))).toEqual(idsOf([products[3]]));
    expect(keys(await list("selectProduct", { ownerId: "1" }))).toEqual(idsOf([products[0], products[1]]));
    expect(keys(await list("selectLead", { searchTerm: "inbound" }))).toEqual(idsOf([leads[1], leads[3]]));
    expect(keys(await list("selectLead", { personId: String(people[2].id) }))).toEqual(idsOf([leads[2]]));
    expect(keys(await list("selectLead", { ownerId: "2" }))).toEqual(idsOf([leads[2], leads[3]]));
    expect(bed.sim.requests.some((r) => r.path === "/api/v2/leads/search")).toBe(true);
  });

  test("a one-letter search term fails before any request, naming the input", async () => {
    bed.sim.clearRequests();
    const error = await failure(() => list("selectDeal", { searchTerm: "a" }));
    expect(error.message).toMatch(/^Search Term: expected at least 2 characters/);
    expect(bed.sim.requests.length).toBe(0);
  });

  test("a bad filter value fails before any request, naming the input", async () => {
    bed.sim.clearRequests();
    expect((await failure(() => list("selectDeal", { pipelineId: "abc" }))).message).toMatch(
      /^Pipeline ID: expected a positive whole number/,
    );
    expect((await failure(() => list("selectDeal", { status: "deleted" }))).message).toMatch(
      /^Status: expected one of open, won, lost/,
    );
    expect(bed.sim.requests.length).toBe(0);
  });
});

describe("empty accounts and bad credentials", () => {
  test.each([
    "selectDeal",
    "selectPerson",
    "selectOrganization",
    "selectProduct",
    "selectLead",
    "selectActivity",
    "selectFile",
    "selectFilter",
    "selectProject",
    "selectActivityField",
  ])("%s on an empty account gives an empty list", async (key) => {
    expect(await list(key)).toEqual([]);
  });

  test("a search that finds nothing gives an empty list", async () => {
    expect(await list("selectDeal", { searchTerm: "nothing here" })).toEqual([]);
  });

  test.each(["selectDeal", "selectUser", "selectStage", "selectFile", "selectLead"])(
    "%s with an invalid API token says to reconnect",
    async (key) => {
      const wrong = createConnection(apiToken, { apiToken: "0".repeat(40), companyDomain: bed.sim.url });
      const error = await failure(() => list(key, {}, wrong));
      expect(error.message).toMatch(/401 .*reconnect the Pipedrive connection/);
    },
  );

  test("a revoked OAuth token says to reconnect", async () => {
    const issued = bed.sim.issueOAuthToken({});
    const app = bed.sim.defaultOAuthApp;
    const response = await fetch(`${bed.sim.url}/oauth/revoke`, {
      method: "POST",
      headers: {
        Authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString("base64")}`,
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ token: issued.refresh_token, token_type_hint: "refresh_token" }).toString(),
    });
    expect(response.status).toBe(200);
    bed.secrets.push(issued.access_token, issued.refresh_token);
    const error = await failure(() =>
      list("selectPipeline", {}, { ...bed.oauth, token: issued as unknown as Record<string, unknown> }),
    );
    expect(error.message).toMatch(/401 .*reconnect the Pipedrive connection/);
  });
});

describe("ID inputs link to the data sources", () => {
  const inputsOf = (action: string) =>
    Object.fromEntries(
      (harness.component.actions[action].inputs as { key: string; dataSource?: string }[]).map((i) => [
        i.key,
        i.dataSource,
      ]),
    );

  test("deal actions: person, org, pipeline, stage, owner and filter dropdowns, keys unchanged", () => {
    expect(inputsOf("getDeals")).toMatchObject({
      personId: "selectPerson",
      orgId: "selectOrganization",
      pipelineId: "selectPipeline",
      stageId: "selectStage",
      ownerId: "selectUser",
      filterId: "selectFilter",
    });
    expect(inputsOf("addDeal")).toMatchObject({
      personId: "selectPerson",
      orgId: "selectOrganization",
      pipelineId: "selectPipeline",
      stageId: "selectStage",
      ownerId: "selectUser",
    });
    expect(inputsOf("getDeal")).toMatchObject({ id: "selectDeal" });
  });

  test("every data source an input names exists", () => {
    const sources = Object.keys(harness.component.dataSources);
    for (const action of Object.values(harness.component.actions))
      for (const i of action.inputs as { dataSource?: string }[])
        if (i.dataSource) expect(sources).toContain(i.dataSource);
  });

  test("lead and lead label IDs are UUIDs with their dropdowns", async () => {
    type Converted = { inputs: { key: string; dataSource?: string; clean: (v: unknown) => unknown }[] };
    const actions = harness.component.actions as unknown as Record<string, Converted>;
    const leadId = actions.getLead.inputs.find((i) => i.key === "id");
    expect(leadId?.dataSource).toBe("selectLead");
    expect(leadId?.clean("adf21080-0e10-11eb-879b-05d71fb426ec")).toBe("adf21080-0e10-11eb-879b-05d71fb426ec");
    expect(() => leadId?.clean("123")).toThrow(
      /^Lead ID: expected a UUID such as adf21080-0e10-11eb-879b-05d71fb426ec, got "123"\.$/,
    );
    expect(() => leadId?.clean("")).toThrow(/^Lead ID is required\.$/);
    expect(actions.updateLeadLabel.inputs.find((i) => i.key === "id")?.dataSource).toBe("selectLeadLabel");
  });
});

describe("dealCustomFieldsForm (jsonForm)", () => {
  type Form = {
    schema: { properties: Record<string, Record<string, unknown>> };
    uiSchema: { elements: { scope: string; label: string }[] };
    data: Record<string, unknown>;
  };
  const key = (name: string) => bed.sim.customFieldKey("deal", name);

  test("a form of the deal's custom fields by name: options with labels, dates, money with currency", async () => {
    const form = (
      (await harness.dataSource("dealCustomFieldsForm", { connectionInput: bed.oauth }, context)) as unknown as {
        result: Form;
      }
    ).result;
    expect(form.uiSchema.elements.map((e) => e.label)).toEqual([
      "Budget",
      "Kickoff date",
      "Lead source",
      "Priority",
      "Site address",
      "Tags",
    ]);
    expect(form.uiSchema.elements[0].scope).toBe(`#/properties/${key("Budget")}`);
    const priority = bed.sim.all("fields").find((f) => f.key === key("Priority")) as unknown as {
      options: { id: number; label: string }[];
    };
    expect(form.schema.properties[key("Priority")]).toEqual({
      type: "integer",
      title: "Priority",
      oneOf: priority.options.map((o) => ({ const: o.id, title: o.label })),
    });
    expect(form.schema.properties[key("Tags")]).toMatchObject({
      type: "array",
      uniqueItems: true,
      items: { type: "integer" },
    });
    expect(form.schema.properties[key("Kickoff date")]).toEqual({
      type: "string",
      format: "date",
      title: "Kickoff date",
    });
    expect(form.schema.properties[key("Budget")]).toMatchObject({
      type: "object",
      properties: { value: { type: "number" }, currency: { enum: ["USD", "EUR", "GBP", "JPY"] } },
    });
    expect(form.data).toEqual({});
  });

  test("prefilled from a deal, and its value goes back through Update Deal's Custom Fields as it is", async () => {
    const priority = bed.sim.all("fields").find((f) => f.key === key("Priority")) as unknown as {
      options: { id: number }[];
    };
    const [deal] = bed.sim.seed("deals", 1, () => ({
      title: "Acme",
      custom_fields: { [key("Priority")]: priority.options[2].id, [key("Budget")]: { value: 500, currency: "EUR" } },
    }));
    const form = (
      (await harness.dataSource(
        "dealCustomFieldsForm",
        { connectionInput: bed.token, recordId: String(deal.id) },
        context,
      )) as unknown as {
        result: Form;
      }
    ).result;
    expect(form.data).toEqual({
      [key("Priority")]: priority.options[2].id,
      [key("Budget")]: { value: 500, currency: "EUR" },
    });

    const edited = {
      ...form.data,
      [key("Kickoff date")]: "2026-04-01",
      [key("Budget")]: { value: 750, currency: "USD" },
    };
    await harness.action(
      "updateDeal",
      { connection: bed.token, id: String(deal.id), customFields: JSON.stringify(edited) },
      context,
    );
    expect(
      (bed.sim.get("deals", deal.id) as unknown as { custom_fields: Record<string, unknown> }).custom_fields,
    ).toMatchObject({
      [key("Priority")]: priority.options[2].id,
      [key("Kickoff date")]: "2026-04-01",
      [key("Budget")]: { value: 750, currency: "USD" },
    });
  });
});

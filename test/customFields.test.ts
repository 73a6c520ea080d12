import { customFieldKey } from "../sim/seed";
import { createPipedriveClient, InputError, type PipedriveClient } from "../src/client";
import { fieldCatalog } from "../src/customFields/catalog";
import { coerceValue, decodeCustomFields, encodeCustomFields } from "../src/customFields/codec";
import { context, failure, harness, logger, useTestBed } from "./support/setup";

const bed = useTestBed({ recordBodies: true }, { resetEachTest: true });
const newClient = (): PipedriveClient => createPipedriveClient(bed.oauth as never, { logger, debug: true });
const writes = () => bed.sim.requests.filter((r) => r.method !== "GET");
const fieldRequests = () => bed.sim.requests.filter((r) => /Fields$/.test(r.path));

interface Created {
  data: { id: number; custom_fields: Record<string, unknown> };
}

describe("round trip by name through the v2 API", () => {
  const cases = [
    {
      entity: "deal" as const,
      path: "/deals",
      base: { title: "Acme - 60 seats" },
      typed: {
        "Lead source": "Referral",
        " budget ": "1500.5 usd",
        Priority: "high",
        TAGS: "Alpha, gamma",
        "Kickoff date": "2026-03-01",
        "Site address": "Main St 1, Springfield",
      },
      expected: {
        "Lead source": "Referral",
        Budget: { value: 1500.5, currency: "USD" },
        Priority: "High",
        Tags: ["Alpha", "Gamma"],
        "Kickoff date": "2026-03-01",
        "Site address": { value: "Main St 1, Springfield" },
      },
    },
    {
      entity: "person" as const,
      path: "/persons",
      base: { name: "Ada Lovelace" },
      typed: {
        Nickname: "Ada",
        "Lifetime value": { value: "2500", currency: "eur" },
        "customer tier": "Gold",
        Interests: ["Support", "marketing"],
        Birthday: "1990-12-10",
        "Home address": {
          value: "12 Baker St, London",
          locality: "London",
          country: "United Kingdom",
          postal_code: "NW1 6XE",
        },
      },
      expected: {
        Nickname: "Ada",
        "Lifetime value": { value: 2500, currency: "EUR" },
        "Customer tier": "Gold",
        Interests: ["Support", "Marketing"],
        Birthday: "1990-12-10",
        "Home address": {
          value: "12 Baker St, London",
          locality: "London",
          country: "United Kingdom",
          postal_code: "NW1 6XE",
        },
      },
    },
    {
      entity: "organization" as const,
      path: "/organizations",
      base: { name: "Acme Inc" },
      typed: JSON.stringify({
        Website: "https://acme.example",
        "Annual revenue": "USD 1000000",
        Industry: "software",
        Regions: "EMEA,APAC",
        Founded: "1999-01-31",
        "HQ address": "1 Infinite Loop, Cupertino",
      }),
      expected: {
        Website: "https://acme.example",
        "Annual revenue": { value: 1000000, currency: "USD" },
        Industry: "Software",
        Regions: ["EMEA", "APAC"],
        Founded: "1999-01-31",
        "HQ address": { value: "1 Infinite Loop, Cupertino" },
      },
    },
  ];

  test.each(cases)(
    "$entity: create with names and labels, read back the same names and labels",
    async ({ entity, path, base, typed, expected }) => {
      const client = newClient();
      const custom_fields = await encodeCustomFields(client, entity, typed);
      // what goes over the wire: codes and option ids
      expect(Object.keys(custom_fields ?? {}).every((k) => /^[0-9a-f]{40}$/.test(k))).toBe(true);
      const created = await client.request<Created>({
        method: "POST",
        version: "v2",
        path,
        body: { ...base, custom_fields },
      });
      const read = await client.request<Created>({
        method: "GET",
        version: "v2",
        path: `${path}/{id}`,
        pathParams: { id: created.data.id },
      });
      const decoded = (await decodeCustomFields(client, entity, read.data)) as Created["data"];
      expect(decoded.id).toBe(created.data.id);
      expect(decoded.custom_fields).toEqual(expected);
      // the envelope works too, and nothing is changed in place
      const envelope = (await decodeCustomFields(client, entity, read)) as Created;
      expect(envelope.data.custom_fields).toEqual(expected);
      expect(Object.keys(read.data.custom_fields).every((k) => /^[0-9a-f]{40}$/.test(k))).toBe(true);
      expect(fieldRequests()).toHaveLength(1);
    },
  );

  test("values in the API's shape: option ids, null clears, a set is never []", async () => {
    const client = newClient();
    const key = (name: string) => customFieldKey("deal", name);
    const catalog = await fieldCatalog(client, "deal");
    const optionId = (name: string, label: string) =>
      catalog.get(key(name))?.options.find((o) => o.label === label)?.id;
    expect(
      await encodeCustomFields(client, "deal", {
        Priority: optionId("Priority", "Medium"),
        Tags: [String(optionId("Tags", "Beta")), "alpha", "Beta"],
        Budget: 99,
        [key("Lead source")]: 42,
      }),
    ).toEqual({
      [key("Priority")]: optionId("Priority", "Medium"),
      [key("Tags")]: [optionId("Tags", "Beta"), optionId("Tags", "Alpha")],
      [key("Budget")]: { value: 99 },
      [key("Lead source")]: "42",
    });
    expect(
      await encodeCustomFields(client, "deal", { Tags: "", Priority: null, Budget: "", "Kickoff date": " " }),
    ).toEqual({
      [key("Tags")]: null,
      [key("Priority")]: null,
      [key("Budget")]: null,
      [key("Kickoff date")]: null,
    });
    expect(await encodeCustomFields(client, "deal", { Tags: [] })).toEqual({ [key("Tags")]: null });

    const deal = await client.request<Created>({
      method: "POST",
      version: "v2",
      path: "/deals",
      body: {
        title: "Clear me",
        custom_fields: await encodeCustomFields(client, "deal", { Tags: "Alpha", Priority: "Low" }),
      },
    });
    await client.request({
      method: "PATCH",
      version: "v2",
      path: "/deals/{id}",
      pathParams: { id: deal.data.id },
      body: { custom_fields: await encodeCustomFields(client, "deal", { Tags: [], Priority: null }) },
    });
    const read = await client.request<Created>({
      method: "GET",
      version: "v2",
      path: "/deals/{id}",
      pathParams: { id: deal.data.id },
    });
    expect(((await decodeCustomFields(client, "deal", read.data)) as Created["data"]).custom_fields).toMatchObject({
      Tags: null,
      Priority: null,
    });
  });

  test("empty input gives undefined; Prismatic key-value lists work", async () => {
    const client = newClient();
    for (const empty of [undefined, null, "", "  ", "{}", {}, [], "null"]) {
      expect(await encodeCustomFields(client, "deal", empty)).toBeUndefined();
    }
    expect(
      await encodeCustomFields(client, "deal", [
        { key: "Priority", value: "Low" },
        { key: "Kickoff date", value: "2026-01-05" },
      ]),
    ).toEqual({
      [customFieldKey("deal", "Priority")]: expect.any(Number),
      [customFieldKey("deal", "Kickoff date")]: "2026-01-05",
    });
  });

  test("decoding reads include_option_labels shapes, keeps unknown codes and standard keys", async () => {
    const client = newClient();
    const catalog = await fieldCatalog(client, "deal");
    const tags = catalog.get(customFieldKey("deal", "Tags"));
    const priority = catalog.get(customFieldKey("deal", "Priority"));
    const unknown = "f".repeat(40);
    const decoded = await decodeCustomFields(client, "deal", [
      {
        id: 1,
        title: "x",
        custom_fields: {
          [customFieldKey("deal", "Priority")]: { id: priority?.options[2].id, label: "High" },
          [customFieldKey("deal", "Tags")]: [tags?.options[0].id, 9999],
          [unknown]: "kept",
        },
      },
    ]);
    expect(decoded).toEqual([
      { id: 1, title: "x", custom_fields: { Priority: "High", Tags: ["Alpha", 9999], [unknown]: "kept" } },
    ]);
    expect(await decodeCustomFields(client, "deal", null)).toBeNull();
  });
});

describe("v1 leads: custom fields at the top level of the lead body", () => {
  test("create a lead with deal custom fields by name and read them back by name", async () => {
    const client = newClient();
    const person = await client.request<Created>({
      method: "POST",
      version: "v2",
      path: "/persons",
      body: { name: "Lead Person" },
    });
    const fields = await encodeCustomFields(client, "lead", {
      "Lead source": "Webinar",
      Priority: "Medium",
      Tags: ["Beta", "Gamma"],
      "Kickoff date": "2026-05-01",
      "Site address": { value: "Main St 2", locality: "Springfield" },
    });
    const key = (name: string) => customFieldKey("deal", name);
    expect(fields?.[key("Tags")]).toMatch(/^\d+,\d+$/); // v1: comma-separated option ids
    expect(fields?.[key("Site address")]).toBe("Main St 2"); // v1: the address as text
    const lead = await client.request<{ data: { id: string } }>({
      method: "POST",
      version: "v1",
      path: "/leads",
      body: { title: "Webinar lead", person_id: person.data.id, ...fields },
    });
    const read = await client.request<{ data: Record<string, unknown> }>({
      method: "GET",
      version: "v1",
      path: "/leads/{id}",
      pathParams: { id: lead.data.id },
    });
    const decoded = (await decodeCustomFields(client, "lead", read.data)) as Record<string, unknown>;
    expect(decoded).toMatchObject({
      title: "Webinar lead",
      "Lead source": "Webinar",
      Priority: "Medium",
      Tags: ["Beta", "Gamma"],
      "Kickoff date": "2026-05-01",
      "Site address": "Main St 2",
    });
    expect(Object.keys(decoded).some((k) => /^[0-9a-f]{40}/.test(k))).toBe(false);
  });

  test("fields needing more than one key are refused on leads; v1 shapes for other entities", async () => {
    const client = newClient();
    const error = await failure(() => encodeCustomFields(client, "lead", { Budget: "100 USD" }));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toMatch(/^Custom Fields: "Budget" is a monetary field, which leads don't take/);
    const key = customFieldKey("deal", "Budget");
    expect(
      await encodeCustomFields(client, "deal", { Budget: "100 usd", Tags: "Alpha,Beta" }, { version: "v1" }),
    ).toEqual({
      [key]: 100,
      [`${key}_currency`]: "USD",
      [customFieldKey("deal", "Tags")]: expect.stringMatching(/^\d+,\d+$/),
    });
    expect(writes()).toEqual([]);
  });
});

describe("bad input fails before any write, naming the input and the field", () => {
  const cases: Array<[string, unknown, RegExp]> = [
    [
      "unknown field name",
      { Prioirty: "High" },
      /^Custom Fields: no deal custom field is named "Prioirty"; did you mean "Priority"\?$/,
    ],
    [
      "unknown name, nothing close",
      { Zebra: 1 },
      /^Custom Fields: no deal custom field is named "Zebra"; the deal custom fields are Lead source, Budget, Priority, Tags, Kickoff date, Site address\.$/,
    ],
    [
      "a 50,000-character unknown name: quoted short, matched within bounds",
      { ["Q".repeat(50_000)]: 1 },
      /^Custom Fields: no deal custom field is named "Q{77}\.\.\. \(50000 characters\)"; the deal custom fields are Lead source, .*\.$/,
    ],
    [
      "unknown option label",
      { Priority: "Urgent" },
      /^Custom Fields: "Priority" has no option "Urgent"; choose one of Low, Medium, High\.$/,
    ],
    [
      "unknown set label",
      { Tags: "Alpha, Delta" },
      /^Custom Fields: "Tags" has no option "Delta"; choose one of Alpha, Beta, Gamma\.$/,
    ],
    [
      "date in the wrong format",
      { "Kickoff date": "03/01/2026" },
      /^Custom Fields: "Kickoff date" \(date field\) expects a date as YYYY-MM-DD, e\.g\. 2026-12-31, got "03\/01\/2026"\.$/,
    ],
    ["impossible date", { "Kickoff date": "2026-02-30" }, /"Kickoff date" \(date field\) expects a date as YYYY-MM-DD/],
    [
      "a number that isn't one",
      { Budget: "lots" },
      /^Custom Fields: "Budget" \(monetary field\) expects .*"1500 USD" or a number.*, got "lots"\.$/,
    ],
    [
      "thousands separators",
      { Budget: { value: "1,500.50", currency: "USD" } },
      /"Budget" \(monetary field\) expects a number such as 1500 or 1500\.5 \(no thousands separators/,
    ],
    [
      "standard field by name",
      { Title: "x" },
      /^Custom Fields: "Title" is the standard deal field "Title", not a custom field; set it with the action's own Title input instead of Custom Fields\.$/,
    ],
    [
      "standard field by key",
      { expected_close_date: "2026-01-01" },
      /^Custom Fields: "expected_close_date" is the standard deal field "Expected close date"/,
    ],
    ["unknown code", { ["a".repeat(40)]: 1 }, /^Custom Fields: no deal custom field has the code "a{40}"/],
    [
      "same field twice",
      { Priority: "Low", " priority": "High" },
      /^Custom Fields: "Priority" and "priority" both name the field "Priority"; give it once\.$/,
    ],
    [
      "not JSON",
      "{Priority: High}",
      /^Custom Fields: expected a JSON object keyed by custom field name or code.*not valid JSON/,
    ],
    ["not an object", "42", /^Custom Fields: expected a JSON object keyed by custom field name or code/],
    ["address that is not text", { "Site address": 5 }, /"Site address" \(address field\) expects an address as text/],
  ];

  test.each(cases)("%s", async (_what, input, message) => {
    const client = newClient();
    const error = await failure(() => encodeCustomFields(client, "deal", input));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toMatch(message);
    expect(writes()).toEqual([]);
  });
});

describe("field metadata is fetched once per client", () => {
  test("encoding several fields and decoding 500 records make exactly one fields request", async () => {
    const options = (await fieldCatalog(newClient(), "deal")).get(customFieldKey("deal", "Tags"))?.options ?? [];
    bed.sim.seed("deals", 500, (i) => ({
      custom_fields: {
        [customFieldKey("deal", "Tags")]: [options[i % 3].id],
        [customFieldKey("deal", "Lead source")]: `source ${i}`,
      },
    }));
    bed.sim.clearRequests();

    const client = newClient();
    const typed = {
      Priority: "Low",
      Tags: "Alpha",
      Budget: "10 EUR",
      "Kickoff date": "2026-01-01",
      "Lead source": "x",
    };
    const [a, b] = await Promise.all([
      encodeCustomFields(client, "deal", typed),
      encodeCustomFields(client, "deal", typed),
    ]);
    expect(a).toEqual(b);
    await encodeCustomFields(client, "deal", { "Site address": "Somewhere" });
    const { items } = await client.collect<Created["data"]>({ version: "v2", path: "/deals", pagination: "cursor" });
    expect(items).toHaveLength(500);
    const decoded = (await decodeCustomFields(client, "deal", items)) as Created["data"][];
    expect(decoded[7].custom_fields).toMatchObject({ Tags: [options[7 % 3].label], "Lead source": "source 7" });

    expect(fieldRequests().map((r) => `${r.method} ${r.path}`)).toEqual(["GET /api/v2/dealFields"]);
    expect(bed.sim.requests.map((r) => r.path)).toEqual(["/api/v2/dealFields", "/api/v2/deals"]);
    // a new client (a new execution) fetches again
    await encodeCustomFields(newClient(), "deal", { Priority: "High" });
    expect(fieldRequests()).toHaveLength(2);
  });

  test("every page of fields is read (600 extra custom fields: two pages, once)", async () => {
    const store = (
      bed.sim as unknown as {
        store: { collection(name: string): { allocateId(): number; insert(r: object): unknown } };
      }
    ).store;
    const fields = store.collection("fields");
    for (let i = 0; i < 600; i++) {
      fields.insert({
        id: fields.allocateId(),
        entity: "deal",
        key: customFieldKey("deal", `Extra ${i}`),
        v1_key: null,
        name: `Extra ${i}`,
        field_type: "enum",
        is_custom: true,
        options: [{ id: 5000 + i, label: `Option ${i}` }],
        order_nr: 100 + i,
        mandatory: false,
        add_time: "2026-01-01T00:00:00Z",
        update_time: "2026-01-01T00:00:00Z",
      });
    }
    bed.sim.clearRequests();
    const client = newClient();
    const encoded = await encodeCustomFields(client, "deal", { "extra 599": "option 599", Priority: "Low" });
    expect(encoded?.[customFieldKey("deal", "Extra 599")]).toBe(5599);
    await decodeCustomFields(client, "deal", { custom_fields: {} });
    expect(fieldRequests()).toHaveLength(2);
    expect(fieldRequests().every((r) => r.query.limit === "500")).toBe(true);
  });
});

describe("value coercion per field type (types the seed has no field for)", () => {
  const field = (type: string, options: { id: number; label: string }[] = []) => ({
    code: "c".repeat(40),
    name: "F",
    type,
    isCustom: true,
    options,
  });
  const ok: Array<[string, unknown, unknown]> = [
    ["double", "1500.5", 1500.5],
    ["double", " -3 ", -3],
    ["double", 7, 7],
    ["int", "42", 42],
    ["daterange", "2026-01-01/2026-02-01", { value: "2026-01-01", until: "2026-02-01" }],
    ["daterange", { value: "2026-01-01", until: "2026-01-01" }, { value: "2026-01-01", until: "2026-01-01" }],
    ["daterange", ["2026-01-01", "2026-03-01"], { value: "2026-01-01", until: "2026-03-01" }],
    ["time", "9:30", { value: "09:30:00" }],
    [
      "time",
      { value: "17:05:10", timezone_id: 318, timezone_name: "Europe/London" },
      { value: "17:05:10", timezone_id: 318 },
    ],
    ["timerange", "09:00-17:30", { value: "09:00:00", until: "17:30:00" }],
    [
      "timerange",
      { value: "08:00", until: "12:00", timezone_id: "5" },
      { value: "08:00:00", until: "12:00:00", timezone_id: 5 },
    ],
    ["user", "12", 12],
    ["org", { value: 3, name: "Acme" }, 3],
    ["people", { id: 8 }, 8],
    ["boolean", "yes", true],
    ["lead", "adf21080-0e10-11eb-879b-05d71fb426ec", "adf21080-0e10-11eb-879b-05d71fb426ec"],
    ["text", 12, "12"],
    ["monetary", "-20", { value: -20 }],
    ["set", "A, with comma", [2]],
    ["json", { any: "thing" }, { any: "thing" }],
  ];
  test.each(ok)("%s accepts %j", (type, typed, expected) => {
    expect(
      coerceValue(
        field(type, [
          { id: 1, label: "A" },
          { id: 2, label: "A, with comma" },
        ]),
        typed,
      ),
    ).toEqual(expected);
  });

  const bad: Array<[string, unknown, RegExp]> = [
    [
      "double",
      "1,500.50",
      /expects a number such as 1500 or 1500\.5 \(no thousands separators or currency symbols\), got "1,500\.50"/,
    ],
    ["double", "$15", /expects a number/],
    ["int", "1.5", /expects a whole number/],
    ["daterange", "2026-02-01/2026-01-01", /"until" on or after the start/],
    ["daterange", "2026-01-01", /expects \{"value": "2026-01-01", "until": "2026-02-01"\}/],
    ["time", "25:00", /expects .*09:30/],
    ["time", { value: "10:00", timezone_name: "Europe/London" }, /timezone_id/],
    ["timerange", "9-5", /expects/],
    ["user", "abc", /expects a user ID, a positive whole number/],
    ["user", 0, /expects a user ID/],
    ["boolean", "maybe", /expects true or false/],
    ["lead", "12", /expects a lead ID \(a UUID\)/],
    ["text", { a: 1 }, /expects text/],
    ["monetary", { value: 5, currency: "dollars" }, /3-letter currency code/],
    ["monetary", { valeu: 5 }, /unknown key valeu/],
    ["address", { value: "x", city: "y" }, /unknown key city/],
  ];
  test.each(bad)("%s refuses %j", (type, typed, message) => {
    let error: unknown;
    try {
      coerceValue(field(type), typed);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(/^Custom Fields: "F" \(/);
    expect((error as Error).message).toMatch(message);
  });
});

describe("a write reads the fields only when the values need them (the token bill)", () => {
  const key = (name: string) => customFieldKey("deal", name);
  const addDeal = (customFields: unknown) =>
    harness.action("addDeal", { connection: bed.oauth, title: "By code", customFields }, context);
  const sent = () => bed.sim.requests.map((r) => `${r.method} ${r.path}`);
  const customFieldsSent = () =>
    (bed.sim.requests.find((r) => r.method === "POST")?.body as { value?: { custom_fields?: unknown } })?.value
      ?.custom_fields;

  test("blank values by field code clear the fields with the one write, the body the fields would have built", async () => {
    const catalog = await fieldCatalog(newClient(), "deal");
    const typed = { [key("Tags")]: null, [key("Priority")]: "", [key("Budget")]: "  ", [key("Kickoff date")]: null };
    // What the codec builds from the metadata, type by type: every blank clears.
    const expected = Object.fromEntries(
      Object.entries(typed).map(([code, value]) => [code, coerceValue(catalog.get(code) as never, value)]),
    );
    expect(Object.values(expected)).toEqual([null, null, null, null]);
    for (const form of [typed, JSON.stringify(typed), Object.entries(typed).map(([k, value]) => ({ key: k, value }))]) {
      bed.sim.clearRequests();
      await addDeal(form);
      expect(sent()).toEqual(["POST /api/v2/deals"]);
      expect(customFieldsSent()).toEqual(expected);
    }
  });

  test.each<[string, Record<string, unknown>, (option: (label: string) => unknown) => Record<string, unknown>]>([
    ["an option label by code", { [key("Priority")]: "High" }, (option) => ({ [key("Priority")]: option("High") })],
    ["a number for a text field, by code", { [key("Lead source")]: 42 }, () => ({ [key("Lead source")]: "42" })],
    [
      "text for an address field, by code",
      { [key("Site address")]: "Main St 1" },
      () => ({ [key("Site address")]: { value: "Main St 1" } }),
    ],
    ["a name", { Priority: null }, () => ({ [key("Priority")]: null })],
    ["a code in capitals", { [key("Priority").toUpperCase()]: null }, () => ({ [key("Priority")]: null })],
    [
      "a blank beside a value that needs the type",
      { [key("Tags")]: null, [key("Budget")]: "10 eur" },
      () => ({ [key("Tags")]: null, [key("Budget")]: { value: 10, currency: "EUR" } }),
    ],
  ])("%s: the fields are read once, then the translated body is sent", async (_what, typed, build) => {
    const catalog = await fieldCatalog(newClient(), "deal");
    const option = (label: string) => catalog.get(key("Priority"))?.options.find((o) => o.label === label)?.id;
    bed.sim.clearRequests();
    await addDeal(JSON.stringify(typed));
    expect(sent()).toEqual(["GET /api/v2/dealFields", "POST /api/v2/deals"]);
    expect(customFieldsSent()).toEqual(build(option));
  });

  test("leads (v1 bodies) read the fields even to clear: a money field is refused there before any write", async () => {
    const client = newClient();
    bed.sim.clearRequests();
    const error = await failure(() => encodeCustomFields(client, "lead", { [key("Budget")]: null }));
    expect(error.message).toMatch(/^Custom Fields: "Budget" is a monetary field, which leads don't take/);
    expect(sent()).toEqual(["GET /api/v1/leadFields"]);
  });

  test("an unknown code given blank is refused by Pipedrive's answer to the write, and nothing is created", async () => {
    const before = bed.sim.all("deals").length;
    bed.sim.clearRequests();
    const error = await failure(() => addDeal({ ["a".repeat(40)]: null }));
    expect(error.message).toMatch(/Custom field 'a{40}' does not exist for deal/);
    expect(sent()).toEqual(["POST /api/v2/deals"]);
    expect(bed.sim.all("deals")).toHaveLength(before);
  });
});

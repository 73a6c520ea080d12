import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import {
  type BridgeRequest,
  type BridgeResponse,
  createMarketplaceBridge,
  PRISMATIC_OPERATIONS,
  PRISMATIC_SCHEMA_OPERATIONS,
  PrismaticAdapter,
  prismaticPlatformFromEnv,
} from "pipedrive-prismatic-component/bridge";

/**
 * The Prismatic adapter against a local GraphQL stub that accepts exactly prism's operations (the
 * documents PRISMATIC_OPERATIONS holds, copied from @prismatic-io/prism 10.4.0's bundle) and the one
 * document from Prismatic's published schema (PRISMATIC_SCHEMA_OPERATIONS), and checks each one's
 * variables (names, required ones, and their JSON types as the document declares them): anything
 * else answers a GraphQL error, and the test fails on any. The stub also plays Prismatic's OAuth
 * callback: a code replayed with `state` = a connection config variable's id makes it ACTIVE.
 */
const ALL_DOCUMENTS: Record<string, string> = { ...PRISMATIC_OPERATIONS, ...PRISMATIC_SCHEMA_OPERATIONS };
const documents = new Map(
  Object.entries(ALL_DOCUMENTS).map(([name, query]) => [query.replace(/\s+/g, " ").trim(), name]),
);
/** `$name: Type` from a document's header: the JSON type each variable must have. */
const declared = (document: string) =>
  Object.fromEntries(
    [...(document.split("{")[0] ?? "").matchAll(/\$(\w+): (\[?)(\w+)/g)].map(([, name, list, type]) => [
      name,
      { list: list === "[", type },
    ]),
  );
const fits = (value: unknown, spec: { list: boolean; type: string }): boolean => {
  if (value === undefined || value === null) return true;
  if (spec.list) return Array.isArray(value) && value.every((item) => fits(item, { list: false, type: spec.type }));
  if (spec.type === "ID" || spec.type === "String") return typeof value === "string";
  if (spec.type === "Boolean") return typeof value === "boolean";
  return typeof value === "object"; // an input object such as InputInstanceConfigVariable
};
const VARIABLES: Record<string, { required: string[]; allowed: string[] }> = {
  listCustomers: { required: [], allowed: ["after"] },
  createCustomer: { required: ["name"], allowed: ["name", "description", "externalId", "labels"] },
  listInstances: { required: [], allowed: ["customer", "integration", "after"] },
  createInstance: {
    required: ["name", "integration", "customer"],
    allowed: ["name", "description", "integration", "customer", "configVariables", "labels"],
  },
  updateInstance: { required: ["id"], allowed: ["id", "name", "description", "version", "labels"] },
  deployInstance: { required: ["id"], allowed: ["id", "force"] },
  listInstanceConfigVariables: { required: ["id"], allowed: ["id"] },
  enableInstance: { required: ["id"], allowed: ["id"] },
  disableInstance: { required: ["id"], allowed: ["id"] },
  listLabelledInstances: { required: [], allowed: ["customer", "integration", "after"] },
};

interface Call {
  operation: string;
  variables: Record<string, unknown>;
}
let server: Server;
let url = "";
const calls: Call[] = [];
const refused: string[] = [];
const customers: { id: string; name: string; externalId: string | null }[] = [];
interface StubInstance {
  id: string;
  name: string;
  customer: string;
  integration: string;
  configVariables: unknown;
  deployed: number;
  enabled: boolean;
  labels: string[];
  /** The instance's config variables: the Pipedrive connection and one other. */
  variables: { id: string; key: string; dataType: string; status: string }[];
}
const instances: StubInstance[] = [];
/** What the stub's OAuth callback received: state and code of each replay. */
const replays: { state: string | null; code: string | null }[] = [];

const instanceNode = (i: StubInstance) => {
  const customer = customers.find((c) => c.id === i.customer);
  return {
    id: i.id,
    name: i.name,
    description: "",
    enabled: i.enabled,
    labels: i.labels,
    customer: { id: i.customer, name: customer?.name ?? "", externalId: customer?.externalId ?? null },
  };
};

function answer(operation: string, v: Record<string, unknown>): unknown {
  switch (operation) {
    case "listCustomers": {
      // Two to a page, so the adapter must follow the cursor.
      const start = v.after ? Number(v.after) : 0;
      const nodes = customers.slice(start, start + 2);
      return {
        customers: {
          nodes,
          pageInfo: { hasNextPage: start + 2 < customers.length, endCursor: String(start + 2) },
        },
      };
    }
    case "createCustomer": {
      const customer = { id: `cust-${customers.length + 1}`, name: String(v.name), externalId: String(v.externalId) };
      customers.push(customer);
      return { createCustomer: { customer: { id: customer.id }, errors: [] } };
    }
    case "listInstances":
    case "listLabelledInstances": {
      const nodes = instances
        .filter((i) => (v.customer === undefined || i.customer === v.customer) && i.integration === v.integration)
        .map(instanceNode);
      // listInstances (prism's) has no labels field: answer only what the document asks for.
      if (operation === "listInstances") for (const node of nodes) delete (node as { labels?: string[] }).labels;
      return { instances: { nodes, pageInfo: { hasNextPage: false, endCursor: null } } };
    }
    case "createInstance": {
      const n = instances.length + 1;
      const instance: StubInstance = {
        id: `inst-${n}`,
        name: String(v.name),
        customer: String(v.customer),
        integration: String(v.integration),
        configVariables: v.configVariables,
        deployed: 0,
        enabled: true,
        labels: (v.labels as string[] | undefined) ?? [],
        variables: [
          { id: `icv-${n}-sync`, key: "Sync Interval", dataType: "string", status: "ACTIVE" },
          { id: `icv-${n}-pd`, key: "Pipedrive Connection", dataType: "connection", status: "PENDING" },
        ],
      };
      instances.push(instance);
      return { createInstance: { instance: { id: instance.id }, errors: [] } };
    }
    case "updateInstance": {
      const instance = instances.find((i) => i.id === v.id);
      if (instance && Array.isArray(v.labels)) instance.labels = v.labels as string[];
      return { updateInstance: { instance: { id: v.id }, errors: [] } };
    }
    case "enableInstance":
    case "disableInstance": {
      const instance = instances.find((i) => i.id === v.id);
      if (!instance) return { updateInstance: { instance: null, errors: [{ field: "id", messages: ["not found"] }] } };
      instance.enabled = operation === "enableInstance";
      return { updateInstance: { instance: { id: instance.id }, errors: [] } };
    }
    case "listInstanceConfigVariables": {
      const instance = instances.find((i) => i.id === v.id);
      return {
        instance: instance && {
          configVariables: {
            nodes: instance.variables.map((cv) => ({
              id: cv.id,
              value: null,
              status: cv.status,
              inputs: { nodes: [] },
              requiredConfigVariable: { id: `rcv-${cv.key}`, key: cv.key, defaultValue: null, dataType: cv.dataType },
            })),
            pageInfo: { hasNextPage: false, endCursor: null },
          },
        },
      };
    }
    case "deployInstance": {
      const instance = instances.find((i) => i.id === v.id);
      if (!instance) return { deployInstance: { instance: null, errors: [{ field: "id", messages: ["not found"] }] } };
      instance.deployed += 1;
      return { deployInstance: { instance: { id: instance.id }, errors: [] } };
    }
  }
  throw new Error(operation);
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk) => {
      raw += chunk;
    });
    req.on("end", () => {
      const refuse = (why: string) => {
        refused.push(why);
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ errors: [{ message: why }] }));
      };
      if (req.url?.startsWith("/oauth2/callback?") && req.method === "GET") {
        // Prismatic's OAuth callback: the state names the connection config variable to connect.
        const q = new URL(req.url, "http://stub").searchParams;
        replays.push({ state: q.get("state"), code: q.get("code") });
        const variable = instances.flatMap((i) => i.variables).find((cv) => cv.id === q.get("state"));
        if (variable?.dataType !== "connection" || !q.get("code")) {
          res.writeHead(302, { Location: "https://stub.example/oauth2/failed?error=unknown_state" });
          return res.end();
        }
        variable.status = "ACTIVE";
        res.writeHead(302, { Location: "https://stub.example/oauth2/connected" });
        return res.end();
      }
      if (req.url !== "/api" || req.method !== "POST") return refuse(`${req.method} ${req.url}`);
      if (req.headers.authorization !== "Bearer prism-access-token") return refuse("no token");
      if (req.headers["prismatic-client"] !== "prism") return refuse("not prism's client header");
      const { query, variables } = JSON.parse(raw) as { query: string; variables: Record<string, unknown> };
      const operation = documents.get(query.replace(/\s+/g, " ").trim());
      if (!operation) return refuse(`unknown document ${query.slice(0, 40)}`);
      const spec = VARIABLES[operation];
      const unknown = Object.keys(variables).filter((name) => !spec.allowed.includes(name));
      const missing = spec.required.filter((name) => variables[name] === undefined || variables[name] === null);
      const types = declared(ALL_DOCUMENTS[operation]);
      const mistyped = Object.keys(variables).filter((name) => !types[name] || !fits(variables[name], types[name]));
      if (unknown.length || missing.length || mistyped.length)
        return refuse(`${operation}: unknown ${unknown}, missing ${missing}, mistyped ${mistyped}`);
      calls.push({ operation, variables });
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ data: answer(operation, variables) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
afterEach(() => expect(refused).toEqual([]));

const adapter = () =>
  new PrismaticAdapter({
    url,
    accessToken: "prism-access-token",
    integrationId: "integration-version-7",
    connectionConfigVar: "Pipedrive Connection",
  });

test("a first install creates the customer and the instance with the connection set, then deploys it", async () => {
  customers.push(
    { id: "cust-a", name: "Other", externalId: "other" },
    { id: "cust-b", name: "No id", externalId: null },
  );
  const result = await adapter().install({
    externalId: "pipedrive-company-42",
    name: "Acme (Pipedrive)",
    fields: { apiToken: "tok", companyDomain: "acme" },
  });
  expect(result).toEqual({ customer: { id: "cust-3", created: true }, instance: { id: "inst-1", created: true } });
  expect(calls.map((c) => c.operation)).toEqual([
    "listCustomers",
    "createCustomer",
    "listInstances",
    "createInstance",
    "deployInstance",
  ]);
  expect(calls[1].variables).toEqual({ name: "Acme (Pipedrive)", externalId: "pipedrive-company-42" });
  expect(calls[3].variables).toEqual({
    name: "Acme (Pipedrive)",
    integration: "integration-version-7",
    customer: "cust-3",
    configVariables: [
      {
        key: "Pipedrive Connection",
        values: JSON.stringify([
          { name: "apiToken", type: "value", value: "tok" },
          { name: "companyDomain", type: "value", value: "acme" },
        ]),
      },
    ],
  });
  expect(instances[0].deployed).toBe(1);
});

test("a repeat install finds the customer (across pages) and the instance, moves it to the version and redeploys", async () => {
  calls.length = 0;
  customers.push({ id: "cust-4", name: "Later", externalId: "later" });
  const result = await adapter().install({ externalId: "pipedrive-company-42", name: "Acme", fields: {} });
  expect(result).toEqual({ customer: { id: "cust-3", created: false }, instance: { id: "inst-1", created: false } });
  expect(calls.map((c) => c.operation)).toEqual([
    "listCustomers",
    "listCustomers",
    "listInstances",
    "updateInstance",
    "deployInstance",
  ]);
  expect(calls[1].variables).toEqual({ after: "2" });
  expect(calls[3].variables).toEqual({ id: "inst-1", version: "integration-version-7" });
  expect(customers.filter((c) => c.externalId === "pipedrive-company-42")).toHaveLength(1);
  expect(instances).toHaveLength(1);
  expect(instances[0].deployed).toBe(2);
});

test("Prismatic's errors fail with the operation named", async () => {
  await expect(adapter().deploy("inst-missing")).rejects.toThrow("Prismatic deployInstance: id: not found");
});

test("every document is one that Prismatic's CLI sends (read from @prismatic-io/prism's bundle)", () => {
  const bundle = readFileSync(require.resolve("@prismatic-io/prism/lib/index.js"), "utf8");
  // GraphQL ignores commas and the amount of white space.
  const normal = (document: string) =>
    document
      .replace(/[\s,]+/g, " ")
      .replace(/ ?([(){}:]) ?/g, "$1")
      .trim();
  const prisms = new Set([...bundle.matchAll(/`\s*((?:query|mutation) \w+[^`]*)`/g)].map(([, doc]) => normal(doc)));
  for (const [name, document] of Object.entries(PRISMATIC_OPERATIONS)) {
    expect([name, prisms.has(normal(document))]).toEqual([name, true]);
  }
});

test("the one document prism does not send is prism's listInstances with the instances' labels added, nothing else", () => {
  const bundle = readFileSync(require.resolve("@prismatic-io/prism/lib/index.js"), "utf8");
  const flat = (document: string) => document.replace(/[\s,]+/g, " ").trim();
  expect(Object.keys(PRISMATIC_SCHEMA_OPERATIONS)).toEqual(["listLabelledInstances"]);
  expect(flat(bundle)).not.toContain(flat(PRISMATIC_SCHEMA_OPERATIONS.listLabelledInstances));
  expect(
    flat(PRISMATIC_SCHEMA_OPERATIONS.listLabelledInstances)
      .replace("listLabelledInstances", "listInstances")
      .replace(" labels ", " "),
  ).toBe(flat(PRISMATIC_OPERATIONS.listInstances));
});

describe("the install bridge on Prismatic (adapter.platform() against the stub)", () => {
  const CLIENT_SECRET = "client-secret-of-the-pipedrive-app";
  const TOKEN = "prism-access-token";
  const lines: string[] = [];
  const log = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  const account = { id: "acct-77", name: "Globex" };
  const bridge = () =>
    createMarketplaceBridge({
      clientId: "pd-app",
      clientSecret: CLIENT_SECRET,
      cookieSecret: "cookie-secret-for-the-prismatic-bridge-test",
      platform: adapter().platform({
        oauthCallbackUrl: `${url}/oauth2/callback`,
        configurePageUrl: "https://app.example/integrations/pipedrive?instance={instanceId}",
      }),
      session: () => ({ status: "signedIn", account }),
      signUpUrl: "/signup",
      logInUrl: "/login",
      logger: { info: log("info"), warn: log("warn"), error: log("error") },
    });
  const get = (path: string, headers: Record<string, string> = {}): BridgeRequest => ({
    method: "GET",
    url: path,
    headers,
  });
  const cookieOf = (res: BridgeResponse) => ((res.headers["set-cookie"] as string[])[0] ?? "").split(";")[0];
  const tokenOf = (res: BridgeResponse) => /name="confirm" value="([^"]+)"/.exec(res.body)?.[1] ?? "";

  /** Pipedrive's callback without state, the confirmation page, its POST: what a Marketplace install does. */
  async function install(b: ReturnType<typeof bridge>, code: string) {
    const first = await b.handle(get(`/pipedrive/callback?code=${code}`));
    expect(first?.headers.location).toBe("/pipedrive/continue");
    const cookie = cookieOf(first as BridgeResponse);
    const shown = (await b.handle(get("/pipedrive/continue", { cookie }))) as BridgeResponse;
    expect(shown.body).toContain('data-kind="confirm"');
    return (await b.handle({
      method: "POST",
      url: "/pipedrive/continue",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: `confirm=${tokenOf(shown)}`,
    })) as BridgeResponse;
  }

  test("a callback without state: the adapter creates the customer and the instance, and the code is replayed with the connection config variable's id as state", async () => {
    calls.length = 0;
    replays.length = 0;
    const done = await install(bridge(), "CODE-prismatic-1");
    const customer = customers.find((c) => c.externalId === "acct-77");
    const instance = instances.find((i) => i.customer === customer?.id);
    expect(instance).toBeDefined();
    expect(done.status).toBe(302);
    expect(done.headers.location).toBe(
      `https://app.example/integrations/pipedrive?instance=${encodeURIComponent(String(instance?.id))}`,
    );
    // The state is the id of the instance's connection config variable (not the other one), and it is now ACTIVE.
    const connection = instance?.variables.find((cv) => cv.key === "Pipedrive Connection");
    expect(replays).toEqual([{ state: connection?.id, code: "CODE-prismatic-1" }]);
    expect(connection?.status).toBe("ACTIVE");
    expect(calls.map((c) => c.operation)).toEqual([
      // GET continue: find or create the customer (four listed, two a page) and its instance, read the connection's state
      "listCustomers",
      "listCustomers",
      "createCustomer",
      "listLabelledInstances",
      "createInstance",
      "listLabelledInstances",
      "listInstanceConfigVariables",
      // POST continue: the same look-ups (now found; five customers, two a page), the replay, then the connection read again
      "listCustomers",
      "listCustomers",
      "listCustomers",
      "listLabelledInstances",
      "listInstanceConfigVariables",
      "listInstanceConfigVariables",
    ]);
    expect(calls.find((c) => c.operation === "createCustomer")?.variables).toEqual({
      name: "Globex",
      externalId: "acct-77",
    });
    expect(calls.find((c) => c.operation === "createInstance")?.variables).toEqual({
      name: "Pipedrive (Globex)",
      integration: "integration-version-7",
      customer: customer?.id,
    });
    expect(instance?.deployed).toBe(0); // the configuration page deploys it
  });

  test("labels: added to those the instance has, once; found by label; an uninstall notice disables, a new install re-enables", async () => {
    const platform = adapter().platform({ configurePageUrl: (i) => `https://app.example/configure/${i.id}` });
    const customer = await platform.findOrCreateCustomer({ externalId: "acct-77", name: "Globex" });
    const instance = await platform.findOrCreateInstance(customer);
    const stub = instances.find((i) => i.id === instance.id) as StubInstance;
    stub.labels = ["vip"];
    calls.length = 0;
    await platform.labelInstance(instance, "pipedrive-user:5:9");
    await platform.labelInstance(instance, "pipedrive-user:5:9");
    expect(stub.labels).toEqual(["vip", "pipedrive-user:5:9"]);
    expect(calls.filter((c) => c.operation === "updateInstance").map((c) => c.variables)).toEqual([
      { id: instance.id, labels: ["vip", "pipedrive-user:5:9"] },
    ]);
    expect((await platform.findInstancesByLabel("pipedrive-user:5:9")).map((i) => i.id)).toEqual([instance.id]);
    expect(await platform.findInstancesByLabel("pipedrive-user:5:10")).toEqual([]);

    const b = bridge();
    const body = JSON.stringify({ client_id: "pd-app", company_id: 5, user_id: 9, timestamp: "2026-12-04T12:00:00Z" });
    const notice = await b.handle({
      method: "DELETE",
      url: "/pipedrive/callback",
      headers: {
        authorization: `Basic ${Buffer.from(`pd-app:${CLIENT_SECRET}`).toString("base64")}`,
        "content-type": "application/json",
      },
      body,
    });
    expect(JSON.parse(String(notice?.body))).toEqual({ ok: true, disabled: [instance.id] });
    expect(stub.enabled).toBe(false);
    expect(calls.filter((c) => c.operation === "disableInstance").map((c) => c.variables)).toEqual([
      { id: instance.id },
    ]);

    calls.length = 0;
    const again = await install(b, "CODE-prismatic-2");
    expect(again.headers.location).toContain(encodeURIComponent(instance.id));
    expect(stub.enabled).toBe(true);
    expect(calls.filter((c) => c.operation === "enableInstance").map((c) => c.variables)).toEqual([
      { id: instance.id },
    ]);
    expect(calls.some((c) => c.operation === "createInstance" || c.operation === "createCustomer")).toBe(false);
  });

  test("an instance without the connection config variable fails clearly, and no secret reaches a log line", async () => {
    const platform = adapter().platform({ configurePageUrl: "https://app.example/c/{instanceId}" });
    const [instance] = await platform.findInstancesByLabel("pipedrive-user:5:9");
    const stub = instances.find((i) => i.id === instance.id) as StubInstance;
    const saved = stub.variables;
    stub.variables = saved.filter((cv) => cv.dataType !== "connection");
    await expect(platform.getConnectionConfigVariable(instance)).rejects.toThrow(
      `Prismatic: instance ${instance.id} has no config variable "Pipedrive Connection"`,
    );
    stub.variables = saved;
    expect(platform.configurePageUrl({ ...instance, id: "a/b c" })).toBe("https://app.example/c/a%2Fb%20c");
    const all = lines.join("\n");
    expect(all).toContain("marketplace install connected");
    for (const secret of [TOKEN, CLIENT_SECRET, "CODE-prismatic-1", "CODE-prismatic-2"])
      expect(all).not.toContain(secret);
  });
});

describe("the example server with Prismatic credentials set", () => {
  test("prismaticPlatformFromEnv: none without a token; with one, the missing variables named and the token never", () => {
    expect(prismaticPlatformFromEnv({ PRISMATIC_URL: url })).toBeNull();
    expect(() => prismaticPlatformFromEnv({ PRISMATIC_ACCESS_TOKEN: "tok-secret-1" })).toThrow(
      "PRISMATIC_ACCESS_TOKEN is set, so the bridge uses Prismatic: set PRISMATIC_INTEGRATION_ID and PRISMATIC_CONFIGURE_URL too",
    );
    let message = "";
    try {
      prismaticPlatformFromEnv({ PRISMATIC_ACCESS_TOKEN: "tok-secret-1", PRISMATIC_INTEGRATION_ID: "i" });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain("set PRISMATIC_CONFIGURE_URL too");
    expect(message).not.toContain("tok-secret-1");
    const platform = prismaticPlatformFromEnv({
      PRISMATIC_ACCESS_TOKEN: "tok",
      PRISMATIC_INTEGRATION_ID: "i",
      PRISMATIC_CONFIGURE_URL: "https://app.example/{instanceId}",
    });
    expect(platform?.oauthCallbackUrl).toBe("https://oauth2.prismatic.io/callback");
  });

  test("npx tsx examples/marketplace-server.ts installs through the adapter: sign-up, confirmation, replay with the connection's id", async () => {
    const CLIENT_SECRET = "example-client-secret-xyz";
    const child = spawn(path.resolve(__dirname, "../node_modules/.bin/tsx"), ["examples/marketplace-server.ts"], {
      cwd: path.resolve(__dirname, ".."),
      env: {
        ...process.env,
        PRISMATIC_ACCESS_TOKEN: "prism-access-token",
        PRISMATIC_URL: url,
        PRISMATIC_INTEGRATION_ID: "integration-version-7",
        PRISMATIC_CONFIGURE_URL: "https://app.example/configure?instance={instanceId}",
        PRISMATIC_OAUTH_CALLBACK_URL: `${url}/oauth2/callback`,
        PIPEDRIVE_CLIENT_ID: "pd-example-app",
        PIPEDRIVE_CLIENT_SECRET: CLIENT_SECRET,
        PORT: "0",
        REDIS_URL: "",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    try {
      const app = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`example did not start: ${output}`)), 30_000);
        child.stdout.on("data", () => {
          const found = /App \(bridge \+ sign-up\/log-in\):\s+(\S+)/.exec(output);
          if (found) {
            clearTimeout(timer);
            resolve(found[1]);
          }
        });
        child.on("exit", () => reject(new Error(`example exited: ${output}`)));
      });
      expect(output).toContain(`Platform:                        Prismatic at ${url}`);
      const cookiesOf = (res: Response) => res.headers.getSetCookie().map((c) => c.split(";")[0]);
      const callback = await fetch(`${app}/pipedrive/callback?code=CODE-example-1`, { redirect: "manual" });
      expect(callback.headers.get("location")).toBe("/signup?next=%2Fpipedrive%2Fcontinue");
      const install = cookiesOf(callback);
      const signup = await fetch(`${app}/signup?next=%2Fpipedrive%2Fcontinue`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "same-origin" },
        body: "name=Initech&email=ops%40initech.example&password=correct-horse-9",
      });
      expect(signup.headers.get("location")).toBe("/pipedrive/continue");
      const cookie = [...install, ...cookiesOf(signup).filter((c) => c.startsWith("app_session="))].join("; ");
      const shown = await fetch(`${app}/pipedrive/continue`, { headers: { cookie } });
      const page = await shown.text();
      expect(page).toContain('data-kind="confirm"');
      const token = /name="confirm" value="([^"]+)"/.exec(page)?.[1] ?? "";
      const done = await fetch(`${app}/pipedrive/continue`, {
        method: "POST",
        redirect: "manual",
        headers: { cookie, "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "same-origin" },
        body: `confirm=${token}`,
      });
      const customer = customers.find((c) => c.name === "Initech");
      const instance = instances.find((i) => i.customer === customer?.id) as StubInstance;
      expect(done.status).toBe(302);
      expect(done.headers.get("location")).toBe(
        `https://app.example/configure?instance=${encodeURIComponent(instance.id)}`,
      );
      const connection = instance.variables.find((cv) => cv.dataType === "connection");
      expect(replays.at(-1)).toEqual({ state: connection?.id, code: "CODE-example-1" });
      expect(connection?.status).toBe("ACTIVE");
    } finally {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    }
    for (const secret of ["prism-access-token", CLIENT_SECRET, "CODE-example-1"]) expect(output).not.toContain(secret);
  });
});

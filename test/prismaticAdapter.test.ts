import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { PRISMATIC_OPERATIONS, PrismaticAdapter } from "pipedrive-prismatic-component/bridge";

/**
 * The Prismatic adapter against a local GraphQL stub that accepts exactly prism's operations (the
 * documents PRISMATIC_OPERATIONS holds, copied from @prismatic-io/prism 10.4.0's bundle) and checks
 * each one's variables: anything else answers a GraphQL error, and the test fails on any.
 */
const documents = new Map(
  Object.entries(PRISMATIC_OPERATIONS).map(([name, query]) => [query.replace(/\s+/g, " ").trim(), name]),
);
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
const instances: { id: string; customer: string; integration: string; configVariables: unknown; deployed: number }[] =
  [];

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
      return {
        instances: {
          nodes: instances.filter((i) => i.customer === v.customer && i.integration === v.integration),
          pageInfo: { hasNextPage: false, endCursor: null },
        },
      };
    case "createInstance": {
      const instance = {
        id: `inst-${instances.length + 1}`,
        customer: String(v.customer),
        integration: String(v.integration),
        configVariables: v.configVariables,
        deployed: 0,
      };
      instances.push(instance);
      return { createInstance: { instance: { id: instance.id }, errors: [] } };
    }
    case "updateInstance":
      return { updateInstance: { instance: { id: v.id }, errors: [] } };
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
      if (req.url !== "/api" || req.method !== "POST") return refuse(`${req.method} ${req.url}`);
      if (req.headers.authorization !== "Bearer prism-access-token") return refuse("no token");
      if (req.headers["prismatic-client"] !== "prism") return refuse("not prism's client header");
      const { query, variables } = JSON.parse(raw) as { query: string; variables: Record<string, unknown> };
      const operation = documents.get(query.replace(/\s+/g, " ").trim());
      if (!operation) return refuse(`unknown document ${query.slice(0, 40)}`);
      const spec = VARIABLES[operation];
      const unknown = Object.keys(variables).filter((name) => !spec.allowed.includes(name));
      const missing = spec.required.filter((name) => variables[name] === undefined || variables[name] === null);
      if (unknown.length || missing.length) return refuse(`${operation}: unknown ${unknown}, missing ${missing}`);
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

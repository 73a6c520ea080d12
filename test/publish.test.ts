import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

/**
 * Loads dist/index.js the way `prism components:publish` does (chdir into dist, require, take
 * .default) and checks what publish validates; then runs prism's own offline signature check.
 * `npm test` builds first, so dist/ is the bundle under test.
 */
const dist = path.resolve(__dirname, "../dist");

type Converted = {
  key: string;
  display: { label: string; description: string; iconPath: string };
  connections: { key: string; inputs: { key: string }[] }[];
  actions: Record<
    string,
    {
      key: string;
      display: { label: string; description: string };
      inputs: { key: string; dataSource?: string }[];
      examplePayload?: unknown;
    }
  >;
  dataSources: Record<string, { key: string; display: { label: string; description: string } }>;
  triggers: Record<string, unknown>;
};

let definition: Converted;

beforeAll(() => {
  expect(existsSync(path.join(dist, "index.js"))).toBe(true);
  const requireFromDist = createRequire(path.join(dist, "index.js"));
  definition = requireFromDist("./index.js").default as Converted;
});

test("component definition is publishable: key, label, description, PNG icon", () => {
  expect(definition.key).toBe("pipedrive");
  expect(definition.display.label).toBe("Pipedrive");
  expect(definition.display.description.length).toBeGreaterThan(20);
  const icon = readFileSync(path.join(dist, definition.display.iconPath));
  expect(definition.display.iconPath.endsWith(".png")).toBe(true);
  expect(icon.subarray(0, 8)).toEqual(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));
});

test("connections keep Prismatic's keys: oauth2 (authorizeUrl, tokenUrl, scopes, clientId, clientSecret) and apiToken", () => {
  const byKey = Object.fromEntries(definition.connections.map((c) => [c.key, c.inputs.map((i) => i.key).sort()]));
  expect(byKey.oauth2).toEqual(["authorizeUrl", "clientId", "clientSecret", "scopes", "tokenUrl"]);
  expect(byKey.apiToken).toEqual(["apiToken", "companyDomain"]);
});

test("the first slice's Prismatic keys are present", () => {
  for (const key of ["getDeal", "getDeals", "addDeal", "updateDeal", "deleteDeal"])
    expect(definition.actions[key]?.key).toBe(key);
  for (const key of ["selectDeal", "selectPerson", "selectOrganization"])
    expect(definition.dataSources[key]?.key).toBe(key);
});

test("every action has a label, description and example payload, and links only to data sources that exist", () => {
  for (const action of Object.values(definition.actions)) {
    expect(action.display.label).toBeTruthy();
    expect(action.display.description).toBeTruthy();
    expect(action.examplePayload).toBeDefined();
    for (const input of action.inputs)
      if (input.dataSource) expect(Object.keys(definition.dataSources)).toContain(input.dataSource);
  }
});

test("prism components:signature accepts the bundle offline", () => {
  const out = execFileSync(
    path.resolve(__dirname, "../node_modules/.bin/prism"),
    ["components:signature", "--skip-signature-verify"],
    {
      cwd: path.resolve(__dirname, ".."),
      encoding: "utf8",
      env: { ...process.env, PRISM_REFRESH_TOKEN: "", PRISM_ACCESS_TOKEN: "" },
    },
  );
  expect(out.trim()).toMatch(/^[0-9a-f]{40}$/);
}, 60_000);

test("npm run publish:check prints what would be published: key, version, counts, bundle size, signature", () => {
  const out = execFileSync(path.resolve(__dirname, "../node_modules/.bin/tsx"), ["scripts/publish-check.ts"], {
    cwd: path.resolve(__dirname, ".."),
    encoding: "utf8",
    env: { ...process.env, PRISM_REFRESH_TOKEN: "", PRISM_ACCESS_TOKEN: "" },
  });
  const version = JSON.parse(readFileSync(path.resolve(__dirname, "../package.json"), "utf8")).version;
  expect(out).toContain(`Component     pipedrive (Pipedrive), package version ${version}`);
  expect(out).toContain(`Actions       ${Object.keys(definition.actions).length}\n`);
  expect(out).toContain(`Triggers      ${Object.keys(definition.triggers).length}\n`);
  expect(out).toContain(`Data sources  ${Object.keys(definition.dataSources).length}\n`);
  expect(out).toMatch(/Bundle {8}dist\/index\.js [\d,]+ KiB \([\d,]+ KiB gzipped\)/);
  expect(out).toMatch(/Signature {5}[0-9a-f]{40} /);
  // This checkout's homepage is the placeholder: the summary says so rather than publishing a dead link quietly.
  const placeholder = JSON.parse(readFileSync(path.resolve(__dirname, "../package.json"), "utf8")).homepage.includes(
    "/OWNER/",
  );
  expect(out.includes("a placeholder: set package.json homepage")).toBe(placeholder);
}, 60_000);

test("documentationUrl is this component's own reference in the repository (package.json homepage + docs/actions.md)", () => {
  const pkg = JSON.parse(readFileSync(path.resolve(__dirname, "../package.json"), "utf8"));
  const url = (definition as unknown as { documentationUrl: string }).documentationUrl;
  expect(url).toBe(`${pkg.homepage.replace(/#.*$/, "")}/blob/main/docs/actions.md`);
  expect(existsSync(path.resolve(__dirname, "../docs/actions.md"))).toBe(true);
});

test("the bundle's connection errors keep their class and reach the platform as connection errors", async () => {
  const action = (
    definition.actions as unknown as Record<string, { perform: (...args: unknown[]) => Promise<unknown> }>
  ).getDeal;
  const connection = { key: "apiToken", configVar: {}, fields: { apiToken: "", companyDomain: "acme" } };
  const error = (await action
    .perform({ logger: { warn: () => undefined }, debug: { enabled: false } }, { connection, id: "1" })
    .then(
      () => new Error("expected a connection error"),
      (e: unknown) => e,
    )) as Error & { connection?: unknown };
  // Minified, the class name survives (webpack keep_classnames) and the error hook passes it on as is.
  expect(error.name).toBe("ConnectionError");
  expect(error.message).toMatch(/^API Token: paste your personal Pipedrive API token/);
  expect(error.connection).toBeDefined();
});

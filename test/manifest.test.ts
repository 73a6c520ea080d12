import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { KNOWN_KEYWORDS, keywordsOf } from "../scripts/outputTypes";
import component from "../src";

/**
 * npm run manifest: spectral's component-manifest generator, run offline on the built bundle,
 * gives code-native integrations typed calls; a small flow (test/fixtures/cni/flow.ts) type-checks
 * against it, and its @ts-expect-error lines prove wrong inputs are refused.
 */
const root = path.resolve(__dirname, "..");
const outDir = path.join(root, "test/artifacts/manifest");
const bin = (name: string) => path.join(root, "node_modules/.bin", name);

beforeAll(() => {
  execFileSync(bin("tsx"), ["scripts/manifest.ts", outDir], { cwd: root, stdio: "pipe" });
}, 120_000);

test("the manifest has every action with its outputSchema and performSafety", () => {
  const files = fs.readdirSync(path.join(outDir, "src/actions")).filter((file) => file !== "index.ts");
  expect(files.length).toBe(Object.keys(component.actions).length);
  const getDeals = fs.readFileSync(path.join(outDir, "src/actions/getDeals.ts"), "utf8");
  expect(getDeals).toMatch(/export interface GetDealsValues/);
  expect(getDeals).toMatch(/status\?: `open` \| `won` \| `lost` \| `deleted`;/);
  expect(getDeals).toMatch(/performSafety: "safe"/);
  expect(getDeals).toMatch(/"fetched_all"/);
  const addDeal = fs.readFileSync(path.join(outDir, "src/actions/addDeal.ts"), "utf8");
  expect(addDeal).toMatch(/performSafety: "notAllowed"/);
  expect(addDeal).toMatch(/\n {2}title: string;/);
  expect(addDeal).toMatch(/perform: async <TReturn = AddDealOutput>/);
});

test("the result types know every keyword the output schemas use", () => {
  const used = new Set<string>();
  for (const action of Object.values(component.actions)) {
    const schema = action.outputSchema && "schema" in action.outputSchema ? action.outputSchema.schema : undefined;
    keywordsOf(typeof schema === "string" ? JSON.parse(schema) : schema, used);
  }
  expect([...used].filter((keyword) => !KNOWN_KEYWORDS.has(keyword))).toEqual([]);
});

test("a code-native flow calling getDeals and addDeal type-checks against it", () => {
  const run = () =>
    execFileSync(bin("tsc"), ["-p", "test/fixtures/cni/tsconfig.json"], { cwd: root, stdio: "pipe" }).toString();
  expect(run).not.toThrow();
}, 120_000);

/**
 * The README's code-native snippet, exactly as written, in a fresh project: only
 * @prismatic-io/spectral and the generated manifest package beside it. A second file holds what must
 * not compile; tsc reports any @ts-expect-error that is not needed.
 */
test("the README's code-native snippet compiles as written, with typed results", () => {
  const readme = fs.readFileSync(path.join(root, "README.md"), "utf8");
  const snippet = /<!-- code-native-snippet -->\s*```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(snippet).toMatch(/IntegrationDefinitionComponentRegistry/);
  const project = fs.mkdtempSync(path.join(root, "test/artifacts/cni-"));
  const modules = path.join(project, "node_modules");
  fs.mkdirSync(path.join(modules, "@prismatic-io"), { recursive: true });
  fs.symlinkSync(path.join(root, "node_modules/@prismatic-io/spectral"), path.join(modules, "@prismatic-io/spectral"));
  fs.cpSync(outDir, path.join(modules, "@component-manifests/pipedrive"), { recursive: true });
  fs.mkdirSync(path.join(project, "src"));
  fs.writeFileSync(path.join(project, "src/index.ts"), snippet as string);
  fs.writeFileSync(
    path.join(project, "src/wrong.ts"),
    `import { flow } from "@prismatic-io/spectral";
export const wrong = flow({
  name: "Wrong",
  stableKey: "wrong",
  onExecution: async (context) => {
    const connection = context.configVars["Pipedrive Connection"];
    const deal = await context.components.pipedrive.getDeal({ connection, id: "1" });
    const title: string | null | undefined = deal.data.data?.title;
    // @ts-expect-error a deal has no "titel"
    deal.data.data?.titel;
    // @ts-expect-error a title is not a number
    const count: number | null | undefined = deal.data.data?.title;
    // @ts-expect-error Status takes only Pipedrive's values
    await context.components.pipedrive.getDeals({ connection, status: "closed" });
    // @ts-expect-error there is no such config var
    context.configVars["Pipedrive Conection"];
    return { data: [title, count] };
  },
});
`,
  );
  // The manifest package is compiled from its sources (its own build is tsc too).
  fs.writeFileSync(
    path.join(project, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "commonjs",
        moduleResolution: "node",
        strict: true,
        esModuleInterop: true,
        skipLibCheck: true,
        noEmit: true,
        types: [],
        baseUrl: ".",
        paths: { "@component-manifests/pipedrive": ["node_modules/@component-manifests/pipedrive/src"] },
      },
      files: ["src/index.ts", "src/wrong.ts"],
    }),
  );
  let output = "";
  try {
    execFileSync(bin("tsc"), ["-p", project], { cwd: project, stdio: "pipe" });
  } catch (error) {
    output = String((error as { stdout?: Buffer }).stdout);
  }
  expect(output).toBe("");
  fs.rmSync(project, { recursive: true, force: true });
}, 240_000);

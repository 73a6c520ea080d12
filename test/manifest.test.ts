import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
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
});

test("a code-native flow calling getDeals and addDeal type-checks against it", () => {
  const run = () =>
    execFileSync(bin("tsc"), ["-p", "test/fixtures/cni/tsconfig.json"], { cwd: root, stdio: "pipe" }).toString();
  expect(run).not.toThrow();
}, 120_000);

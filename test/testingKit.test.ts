import fs from "node:fs";
import path from "node:path";

/**
 * The test kit's documented examples (docs/testing-kit.md), run as written: each marked block is
 * written to test/artifacts/kit-examples/ and loaded here, so its test() calls join this file. The
 * package names resolve to this checkout (jest.config.js moduleNameMapper, tsconfig.json paths).
 */
const root = path.resolve(__dirname, "..");
const doc = fs.readFileSync(path.join(root, "docs/testing-kit.md"), "utf8");
const examples = [...doc.matchAll(/<!-- testing-kit-example (\w+) -->\s*```ts\n([\s\S]*?)```/g)];
const dir = path.join(root, "test/artifacts/kit-examples");
fs.mkdirSync(dir, { recursive: true });

test("the guide has a webhook and a polling example", () => {
  expect(examples.map(([, name]) => name)).toEqual(["webhook", "polling"]);
});

for (const [, name, source] of examples) {
  const file = path.join(dir, `${name}.ts`);
  fs.writeFileSync(file, source);
  describe(`docs/testing-kit.md: ${name}`, () => {
    require(file);
  });
}

test("package.json exports the kit and the bridge from the sources that build them (npm run build:lib)", () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
  const lib = JSON.parse(fs.readFileSync(path.join(root, "tsconfig.lib.json"), "utf8"));
  for (const [entry, source] of [
    ["./testing", "src/testing/index.ts"],
    ["./bridge", "src/bridge.ts"],
  ]) {
    expect(pkg.exports[entry].default).toBe(`./lib/${source.replace(/\.ts$/, ".js")}`);
    expect(lib.files).toContain(source);
  }
});

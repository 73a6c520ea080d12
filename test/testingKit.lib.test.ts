import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * The test kit as a package user gets it: compiled into lib/ by `npm run build:lib` (the same tsc
 * command), then started from lib/ in a fresh Node without PIPEDRIVE_OPENAPI_DIR. The simulator must
 * find Pipedrive's specs from the package root (../shared/pipedrive-openapi beside the checkout, then
 * the folder `npm run specs` writes), and say which variable to set when there are none.
 */
const root = path.resolve(__dirname, "..");
const kit = path.join(root, "lib/src/testing/index.js");

beforeAll(() => {
  execFileSync(path.join(root, "node_modules/.bin/tsc"), ["-p", "tsconfig.lib.json"], { cwd: root, stdio: "pipe" });
}, 180_000);

/** Runs a script in a fresh Node with the kit at `kitPath`, from a folder that is not the checkout, without PIPEDRIVE_OPENAPI_DIR. */
function runKit(kitPath: string) {
  const script = `
    const { startPipedrive } = require(${JSON.stringify(kitPath)});
    startPipedrive().then(async (pd) => {
      const res = await fetch(pd.sim.url + "/api/v1/users/me", { headers: { "x-api-token": pd.sim.apiToken } });
      console.log(JSON.stringify({ specDir: pd.sim.specInfo.specDir, status: res.status, me: (await res.json()).data?.id }));
      await pd.stop();
    }, (error) => { console.log(JSON.stringify({ error: error.message })); });
  `;
  const env = { ...process.env, PIPEDRIVE_OPENAPI_DIR: "" };
  const run = spawnSync(process.execPath, ["-e", script], { cwd: os.tmpdir(), env, encoding: "utf8", timeout: 60_000 });
  return JSON.parse(run.stdout.trim().split("\n").at(-1) ?? "{}");
}

test("lib/: the kit starts the simulator without PIPEDRIVE_OPENAPI_DIR, with the specs beside the checkout", () => {
  const out = runKit(kit);
  const expected = [path.resolve(root, "../shared/pipedrive-openapi"), path.resolve(root, "pipedrive-openapi")].find(
    (dir) => fs.existsSync(path.join(dir, "pipedrive-v1-openapi.yaml")),
  );
  expect(expected).toBeDefined();
  expect(out).toEqual({ specDir: expected, status: 200, me: expect.any(Number) });
});

test("lib/ in a package with no specs near it: the error names PIPEDRIVE_OPENAPI_DIR and where it looked", () => {
  // The built package alone (package.json, lib/, its dependencies), somewhere with no specs beside it.
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), "pd-kit-"));
  try {
    fs.cpSync(path.join(root, "lib"), path.join(copy, "pkg/lib"), { recursive: true });
    fs.copyFileSync(path.join(root, "package.json"), path.join(copy, "pkg/package.json"));
    fs.symlinkSync(fs.realpathSync(path.join(root, "node_modules")), path.join(copy, "pkg/node_modules"));
    const out = runKit(path.join(copy, "pkg/lib/src/testing/index.js"));
    expect(out.error).toContain("PIPEDRIVE_OPENAPI_DIR");
    expect(out.error).toContain(
      `looked in ${path.join(copy, "shared/pipedrive-openapi")} and ${path.join(copy, "pkg/pipedrive-openapi")}`,
    );
  } finally {
    fs.rmSync(copy, { recursive: true, force: true });
  }
});

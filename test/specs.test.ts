import { execFile } from "node:child_process";
import fs from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { PINNED_SPECS } from "../scripts/specs";

/**
 * npm run specs against a loopback server serving a copy of the specs at Pipedrive's paths: the
 * pinned files are written and pass; a changed file is kept as .new and the command fails.
 */
const root = path.resolve(__dirname, "..");
const shared = path.resolve(root, "../shared/pipedrive-openapi");
const run = promisify(execFile);
let server: Server;
let origin = "";
let tamper = false;

beforeAll(async () => {
  server = createServer((req, res) => {
    const spec = PINNED_SPECS.find((s) => s.path === req.url);
    if (!spec) {
      res.writeHead(404).end();
      return;
    }
    const body = fs.readFileSync(path.join(shared, spec.file));
    res.writeHead(200, { "Content-Type": "application/yaml" });
    res.end(tamper && spec.file.includes("v2") ? Buffer.concat([body, Buffer.from("\n# changed\n")]) : body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const specs = (folder: string) =>
  run(path.join(root, "node_modules/.bin/tsx"), ["scripts/specs.ts", folder], {
    cwd: root,
    env: { ...process.env, PIPEDRIVE_SPECS_BASE_URL: origin },
  });

test("npm run specs fetches both specs and checks them against the pinned sha256", async () => {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "specs-"));
  const { stdout } = await specs(folder);
  expect(stdout).toMatch(/ok {7}pipedrive-v1-openapi\.yaml/);
  expect(stdout).toMatch(/ok {7}pipedrive-v2-openapi\.yaml/);
  for (const spec of PINNED_SPECS) {
    expect(fs.readFileSync(path.join(folder, spec.file)).equals(fs.readFileSync(path.join(shared, spec.file)))).toBe(
      true,
    );
  }
  fs.rmSync(folder, { recursive: true, force: true });
}, 60_000);

test("a changed spec is kept as .new and fails the command", async () => {
  tamper = true;
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), "specs-"));
  const failed = await specs(folder).then(
    () => undefined,
    (error: { code: number; stdout: string }) => error,
  );
  tamper = false;
  expect(failed?.code).toBe(1);
  expect(failed?.stdout).toMatch(/CHANGED +pipedrive-v2-openapi\.yaml/);
  expect(fs.existsSync(path.join(folder, "pipedrive-v2-openapi.yaml"))).toBe(false);
  expect(fs.existsSync(path.join(folder, "pipedrive-v2-openapi.yaml.new"))).toBe(true);
  fs.rmSync(folder, { recursive: true, force: true });
}, 60_000);

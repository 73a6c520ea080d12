import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { actionDefinitions } from "../src/actions";
import { MAX_PAGE_SIZE } from "../src/client";
import { POLICY } from "../src/client/policy";
import { FIELD_CACHE_TTL_MS } from "../src/customFields/catalog";
import { PICKLIST_CAP } from "../src/dataSources/picklist";
import { DEFAULT_BATCH_SIZE, DEFAULT_MAX_PAGES_PER_RUN, MAX_SEEN, OVERLAP_MS } from "../src/triggers/sync";
import { generateCredentials } from "../src/triggers/webhook/credentials";
import { SEEN_EVENTS_LIMIT } from "../src/triggers/webhook/dedupe";
import { WEBHOOK_QUOTA } from "../src/triggers/webhook/lifecycle";

/**
 * The figures the hand-written docs state about the code (page sizes, caps, limits, defaults,
 * versions, counts, test scenarios), each held to the code here, so none can go stale. The
 * generated pages (actions.md, triggers.md, compatibility.md, migrating.md) and the policy table
 * of security.md are checked where they are generated; the README in test/readme.test.ts.
 */
const root = path.resolve(__dirname, "..");
const read = (file: string) => readFileSync(path.join(root, file), "utf8");
const page = (name: string) => read(`docs/${name}.md`);
const pkg = JSON.parse(read("package.json")) as {
  version: string;
  engines: { node: string };
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** The number a page states where `pattern` (with one group around the number) matches; fails when it is gone. */
function stated(name: string, pattern: RegExp): number {
  const match = pattern.exec(page(name).replace(/\s+/g, " "));
  if (!match) throw new Error(`docs/${name}.md no longer says ${pattern}: update the page and this test`);
  return Number(match[1].replace(/[, ]/g, ""));
}

const minutes = (ms: number) => ms / 60_000;

test("docs/actions-guide.md: field cache lifetime, page sizes and Max Records' default", () => {
  expect(stated("actions-guide", /instance state for (\d+) minutes/)).toBe(minutes(FIELD_CACHE_TTL_MS));
  expect(stated("actions-guide", /\*\*Fetch All\*\* \((\d+) a page/)).toBe(MAX_PAGE_SIZE);
  expect(stated("actions-guide", /such as (\d+) on files/)).toBe(actionDefinitions.getFiles.maxPageSize);
  const fifty = Object.entries(actionDefinitions).filter(([, d]) => d.maxPageSize === 50);
  expect(fifty.length).toBeGreaterThan(0);
  expect(fifty.filter(([key]) => !/CallLog/.test(key)).map(([key]) => key)).toEqual([]);
  expect(stated("actions-guide", /and (\d+) on call logs/)).toBe(50);
  const built = createRequire(path.join(root, "dist/index.js"))("./index.js").default as {
    actions: Record<string, { inputs: { key: string; default?: unknown }[] }>;
  };
  const maxRecords = built.actions.getDeals.inputs.find((input) => input.key === "maxRecords");
  expect(String(stated("actions-guide", /\*\*Max Records\*\* \(default (\d+)/))).toBe(maxRecords?.default);
});

test("docs/data-sources.md and docs/client.md: page sizes, the picklist cap, the burst window, the webhook limit", () => {
  expect(stated("data-sources", /every page \((\d+) a page/)).toBe(MAX_PAGE_SIZE);
  expect(stated("data-sources", /; (\d+) on files\)/)).toBe(actionDefinitions.getFiles.maxPageSize);
  expect(read("src/dataSources/index.ts")).toMatch(
    new RegExp(`path: "/files",[^}]*pageSize: ${actionDefinitions.getFiles.maxPageSize},`),
  );
  expect(stated("data-sources", /up to ([\d,]+) records/)).toBe(PICKLIST_CAP);
  expect(stated("client", /optional cap \(`collect`\), (\d+) a page/)).toBe(MAX_PAGE_SIZE);
  expect(stated("client", /to pace a (\d+) s window/)).toBe(POLICY.windowMs / 1000);
  expect(stated("client", /422 \(the (\d+)-webhook limit\)/)).toBe(WEBHOOK_QUOTA);
});

test("docs/triggers-guide.md: credentials, webhook limit, dedupe memory, caches, batches, pages, overlap, budget", () => {
  const password = generateCredentials().password;
  expect(stated("triggers-guide", /credentials \((\d+) random bytes\)/)).toBe(
    Buffer.from(password, "base64url").length,
  );
  expect(stated("triggers-guide", /Pipedrive allows (\d+) webhooks per user/)).toBe(WEBHOOK_QUOTA);
  expect(stated("triggers-guide", /webhooks per user: at (\d+) the deploy/)).toBe(WEBHOOK_QUOTA);
  expect(stated("triggers-guide", /\(the last (\d+), in flow-scoped instance state\)/)).toBe(SEEN_EVENTS_LIMIT);
  expect(stated("triggers-guide", /missing, (\d+) minutes old/)).toBe(minutes(FIELD_CACHE_TTL_MS));
  expect(stated("triggers-guide", /in batches \(default (\d+)\), each shaped like a create/)).toBe(DEFAULT_BATCH_SIZE);
  expect(stated("triggers-guide", /`batchConfig` \(batch size (\d+)\)/)).toBe(DEFAULT_BATCH_SIZE);
  expect(stated("triggers-guide", /\*\*one page\*\* \((\d+) records\)/)).toBe(MAX_PAGE_SIZE);
  expect(stated("triggers-guide", /\(`maxPagesPerRun`, default (\d+) =/)).toBe(DEFAULT_MAX_PAGES_PER_RUN);
  expect(stated("triggers-guide", /default \d+ = ([\d,]+) records/)).toBe(DEFAULT_MAX_PAGES_PER_RUN * MAX_PAGE_SIZE);
  expect(page("triggers-guide").replace(/\s+/g, " ")).toContain(
    `a ${["", "one", "two", "three"][minutes(OVERLAP_MS)]}-minute overlap`,
  );
  expect(stated("triggers-guide", /that window \(at most ([\d,]+),/)).toBe(MAX_SEEN);
  expect(stated("triggers-guide", /fewer than (\d+) % of the day's tokens/)).toBe(POLICY.budgetReserve * 100);
});

test("docs/triggers-guide.md quotes its test scenarios as they are named in the files it names", () => {
  const quoted = [...page("triggers-guide").matchAll(/^- `(test\/[\w.]+\.test\.ts)`: (.+)$/gm)].flatMap(
    ([, file, titles]) => [...titles.matchAll(/"([^"]+)"/g)].map(([, title]) => ({ file, title })),
  );
  expect(quoted.length).toBeGreaterThanOrEqual(6);
  const missing = quoted.filter(({ file, title }) => !read(file).includes(`test(${JSON.stringify(title)}`));
  expect(missing).toEqual([]);
});

test("docs/publishing.md: the sample summary is this build's version, counts and sizes", () => {
  const publishing = page("publishing");
  const built = createRequire(path.join(root, "dist/index.js"))("./index.js").default as {
    actions: object;
    triggers: object;
    dataSources: object;
    connections: { key: string }[];
  };
  const line = (label: string) => new RegExp(`^${label} +(.+)$`, "m").exec(publishing)?.[1] ?? "";
  expect(line("Component")).toContain(`package version ${pkg.version}`);
  expect(Number(line("Actions"))).toBe(Object.keys(built.actions).length);
  expect(Number(line("Triggers"))).toBe(Object.keys(built.triggers).length);
  expect(Number(line("Data sources"))).toBe(Object.keys(built.dataSources).length);
  expect(line("Connections")).toBe(built.connections.map((c) => c.key).join(", "));
  // Sizes move with every change: the sample holds within 15 % of the bundle as built.
  const [, kib, gzipped] = /([\d,]+) KiB \(([\d,]+) KiB gzipped\)/.exec(line("Bundle")) ?? [];
  const bundle = readFileSync(path.join(root, "dist/index.js"));
  const near = (stated: string | undefined, bytes: number) =>
    Math.abs(Number(stated?.replace(/,/g, "")) / (bytes / 1024) - 1);
  expect(near(kib, bundle.length)).toBeLessThan(0.15);
  expect(near(gzipped, gzipSync(bundle).length)).toBeLessThan(0.15);
});

test("versions and defaults named in docs/code-native.md, libraries.md, simulator.md and marketplace.md", () => {
  expect(page("code-native")).toContain(`spectral ${pkg.dependencies["@prismatic-io/spectral"]}`);
  expect(page("libraries")).toContain(`**ioredis** ${pkg.devDependencies.ioredis} `);
  expect(page("libraries")).toContain(`${pkg.devDependencies.ioredis} is the current release`);
  expect(stated("libraries", /requires Node (\d+), as we do/)).toBe(Number(/\d+/.exec(pkg.engines.node)?.[0]));
  expect(read("sim/cli.ts")).toContain(`process.env.PORT ?? ${stated("simulator", /on PORT \(default (\d+)\)/)})`);
  // The bridge's defaults, as its source sets them (src/marketplace/ is not imported by the component).
  const bridge = read("src/marketplace/bridge.ts");
  const store = read("src/marketplace/store.ts");
  expect(store).toContain(`options.maxEntries ?? ${stated("marketplace", /\(default (\d+) entries;/)}`);
  const ttl = stated("marketplace", /`codeTtlMs` \(([\d ]+)\)/);
  expect(store).toContain(`options.ttlMs ?? ${ttl / 60_000} * 60_000`);
  expect(read("src/marketplace/redisStore.ts")).toContain(`options.ttlMs ?? ${ttl / 60_000} * 60_000`);
  // Redis keeps an entry two TTLs (the code, then its tombstone).
  expect(read("src/marketplace/redisStore.ts")).toContain("'PX', 2 * ttl)");
  expect(stated("marketplace", /gone after (\d+) minutes/)).toBe((2 * ttl) / 60_000);
  // The races it says were tested are the tests' own (their bodies assert the counts).
  const redisTests = read("test/marketplace.redis.test.ts");
  const racers = stated("marketplace", /tested with (\d+) connections/);
  expect(redisTests).toContain(`test("${racers} replicas (${racers} connections) racing to take one code`);
  expect(page("marketplace").replace(/\s+/g, " ")).toContain(
    "ten concurrent returns from sign-in on two bridge instances",
  );
  expect(redisTests).toContain('test("ten continues racing on two instances with one install cookie: one replay');
  expect(bridge).toContain(
    `replayTimeoutMs ?? ${stated("marketplace", /`replayTimeoutMs` \(([\d ]+)\)/)
      .toLocaleString("en-US")
      .replace(/,/g, "_")}`,
  );
});

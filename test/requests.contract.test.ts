import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { RecordedBody } from "../sim";
import { REQUEST_DIFFERENCES } from "../src/actions/differences";
import { context, harness, startTestBed, type TestBed } from "./support/setup";

/**
 * Prismatic's requests as the contract: for each of its action keys and both input sets of
 * shared/reference/prismatic-requests.json (its defaults and examples; required inputs only), ours
 * runs on the same inputs against the simulator, and each request it sends equals the one
 * Prismatic's component sent, except where a difference is listed with its reason.
 */
interface ReferenceRequest {
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  body: RecordedBody;
}
interface Reference {
  scenarios: Record<
    "full" | "minimal",
    Record<string, { inputs: Record<string, unknown>; requests: ReferenceRequest[]; error: unknown }>
  >;
}
const reference = JSON.parse(
  readFileSync(path.resolve(__dirname, "../../shared/reference/prismatic-requests.json"), "utf8"),
) as Reference;
const SETS = ["full", "minimal"] as const;
const KEYS = Object.keys(reference.scenarios.full).sort();

/** One place where our request departs from Prismatic's: "method", "path", "query.x", "body.x", "requests". */
interface Difference {
  at: string;
  prismatic: unknown;
  ours: unknown;
}

/** Prismatic's component called https://api.pipedrive.com/v1/...; ours calls /api/v1/... (the same endpoint). */
const normalPath = (p: string) => (p.startsWith("/v1/") ? `/api${p}` : p);

const same = (a: unknown, b: unknown) => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sorted((value as Record<string, unknown>)[k])]),
    );
  return value;
}

function compareFields(where: string, theirs: Record<string, unknown>, ours: Record<string, unknown>): Difference[] {
  const out: Difference[] = [];
  for (const name of [...new Set([...Object.keys(theirs), ...Object.keys(ours)])].sort())
    if (!same(theirs[name], ours[name]))
      out.push({ at: `${where}.${name}`, prismatic: theirs[name], ours: ours[name] });
  return out;
}

function differences(theirs: ReferenceRequest[], ours: ReferenceRequest[]): Difference[] {
  const out: Difference[] = [];
  if (theirs.length !== ours.length)
    out.push({
      at: "requests",
      prismatic: theirs.map((r) => `${r.method} ${r.path}`),
      ours: ours.map((r) => `${r.method} ${r.path}`),
    });
  // Ours may look something up first (field metadata, the record before a merge): compare the last requests.
  const mine = ours.slice(-theirs.length);
  theirs.forEach((them, i) => {
    const us = mine[i];
    if (!us) return;
    if (them.method !== us.method) out.push({ at: "method", prismatic: them.method, ours: us.method });
    if (normalPath(them.path) !== us.path) out.push({ at: "path", prismatic: them.path, ours: us.path });
    out.push(...compareFields("query", them.query, us.query));
    const theirBody = them.body ?? { kind: "none", value: null };
    const ourBody = us.body ?? { kind: "none", value: null };
    if (theirBody.kind !== ourBody.kind) out.push({ at: "body.kind", prismatic: theirBody.kind, ours: ourBody.kind });
    const fields = (body: RecordedBody): Record<string, unknown> =>
      body.kind === "none"
        ? {}
        : body.value && typeof body.value === "object" && !Array.isArray(body.value)
          ? (body.value as Record<string, unknown>)
          : { "(whole)": body.value };
    out.push(...compareFields("body", fields(theirBody), fields(ourBody)));
  });
  return out;
}

let bed: TestBed;
const observed: Record<string, Record<string, Difference[]>> = {};
const failures: Record<string, string> = {};

beforeAll(async () => {
  bed = await startTestBed({ recordBodies: true });
  bed.sim.setBurst(100_000, 2000);
});
afterAll(async () => {
  const runs = Object.values(observed).flatMap((sets) => Object.values(sets));
  const equal = runs.filter((found) => found.length === 0).length;
  console.log(`Prismatic's requests: ${runs.length} key x set runs, ${equal} equal, ${runs.length - equal} differing`);
  if (process.env.CONTRACT_DUMP)
    writeFileSync(process.env.CONTRACT_DUMP, JSON.stringify({ observed, failures }, null, 1));
  await bed.sim.stop();
});

async function run(set: (typeof SETS)[number], key: string): Promise<Difference[]> {
  const { inputs, requests } = reference.scenarios[set][key];
  const params = { ...inputs, connection: bed.oauth };
  const before = bed.sim.requests.length;
  const outcome = await harness.action(key, params, context).catch((error: Error) => error);
  const ours = bed.sim.requests.slice(before).map((r) => ({
    method: r.method,
    path: r.path,
    query: r.query,
    body: r.body ?? { kind: "none" as const, value: null },
  }));
  const found = differences(requests, ours);
  observed[key] = { ...observed[key], [set]: found };
  if (outcome instanceof Error) failures[`${key} ${set}`] = outcome.message;
  return found;
}

test("the reference covers Prismatic's 158 action keys, each in both input sets", () => {
  expect(KEYS).toHaveLength(158);
  for (const set of SETS) expect(Object.keys(reference.scenarios[set]).sort()).toEqual(KEYS);
});

describe.each(SETS)("input set %s", (set) => {
  test.each(KEYS)("%s sends Prismatic's request, or differs only where a reason is listed", async (key) => {
    const found = await run(set, key);
    const listed = REQUEST_DIFFERENCES[key] ?? {};
    const unexplained = found.filter((d) => !listed[d.at]);
    expect(unexplained).toEqual([]);
  });
});

test("every listed difference has a reason and still occurs (none is stale)", () => {
  for (const [key, listed] of Object.entries(REQUEST_DIFFERENCES)) {
    const seen = new Set(SETS.flatMap((set) => (observed[key]?.[set] ?? []).map((d) => d.at)));
    for (const [at, reason] of Object.entries(listed)) {
      expect([key, at, reason.length > 10]).toEqual([key, at, true]);
      expect([key, at, seen.has(at)]).toEqual([key, at, true]);
    }
  }
});

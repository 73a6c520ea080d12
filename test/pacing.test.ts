/**
 * Pacing at Pipedrive's real limits, over HTTP against the simulator: 20 requests per 2 s (the
 * API-token Lite plan) with whole-second x-ratelimit-reset, on a rolling window and on a fixed one.
 * Assertions are on counts (429s, requests), never on time.
 */
import { createConnection } from "@prismatic-io/spectral/dist/testing";
import { createPipedriveClient } from "../src/client";
import { apiToken } from "../src/connections";
import { useTestBed } from "./support/setup";

const bed = useTestBed();

afterAll(() => bed.sim.setBurst(100, 2000));

/** A fresh token per run: its own window on the server and its own gate in the client. */
function freshConnection() {
  return createConnection(apiToken, { apiToken: bed.sim.createApiToken(1), companyDomain: bed.sim.url });
}

async function readPages(connection: ReturnType<typeof freshConnection>, count: number): Promise<void> {
  // A new client per call, as every execution has its own: the gate is shared by credential.
  for (let i = 0; i < count; i++)
    await createPipedriveClient(connection as never).request({
      method: "GET",
      version: "v2",
      path: "/deals",
      query: { limit: 5 },
    });
}

describe.each(["rolling", "fixed"] as const)("20 requests / 2 s, %s window, whole-second reset", (model) => {
  beforeEach(() => bed.sim.setBurst(20, 2000, model));

  test("sequential: 45 requests, more than two windows' worth, 0 429s and no request more", async () => {
    const requests = bed.sim.stats.requests;
    const limited = bed.sim.stats.rateLimited;
    await readPages(freshConnection(), 45);
    expect(bed.sim.stats.rateLimited - limited).toBe(0);
    expect(bed.sim.stats.requests - requests).toBe(45);
  });

  test("4 concurrent loops of one credential share the gate: 48 requests, 0 429s", async () => {
    const connection = freshConnection();
    const requests = bed.sim.stats.requests;
    const limited = bed.sim.stats.rateLimited;
    await Promise.all([0, 1, 2, 3].map(() => readPages(connection, 12)));
    expect(bed.sim.stats.rateLimited - limited).toBe(0);
    expect(bed.sim.stats.requests - requests).toBe(48);
  });
});

test("the whole-second reset header is what the simulator sends, in both models", async () => {
  for (const model of ["rolling", "fixed"] as const) {
    bed.sim.setBurst(20, 2000, model);
    const token = bed.sim.createApiToken(1);
    const response = await fetch(`${bed.sim.url}/api/v2/deals?limit=1`, { headers: { "x-api-token": token } });
    expect(response.headers.get("x-ratelimit-reset")).toMatch(/^[12]$/);
    expect(response.headers.get("x-ratelimit-remaining")).toBe("19");
  }
});

test("requests another process sends on the token are counted from x-ratelimit-remaining: still 0 429s", async () => {
  bed.sim.setBurst(20, 2000, "rolling");
  const token = bed.sim.createApiToken(1);
  const connection = createConnection(apiToken, { apiToken: token, companyDomain: bed.sim.url });
  const limited = bed.sim.stats.rateLimited;
  // The "other process": raw requests on the same token that our gate never sees.
  const foreign = async () => {
    for (let i = 0; i < 6; i++) await fetch(`${bed.sim.url}/api/v1/users/me`, { headers: { "x-api-token": token } });
  };
  await foreign();
  await readPages(connection, 30);
  expect(bed.sim.stats.rateLimited - limited).toBe(0);
});

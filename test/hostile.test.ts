/**
 * A hostile or broken upstream, on loopback servers of its own: redirects to other hosts, absurd
 * rate-limit headers, bodies that are malformed, huge, dripped or cut. Every call ends within its
 * time limit with a clear error, memory stays bounded, a credential never leaves the connection's
 * origin and a write that may have been processed is never re-sent.
 */
import * as fs from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createConnection } from "@prismatic-io/spectral/dist/testing";
import { createPipedriveClient, InputError, PipedriveError, POLICY } from "../src/client";
import { apiDomainToOrigin, companyDomainToOrigin, LOOPBACK_OPT_IN } from "../src/client/auth";
import { gateCount, gateFor } from "../src/client/rateLimit";
import { redact, registerSecret, secretCount } from "../src/client/redact";
import { apiToken, oauth2 } from "../src/connections";
import { context, expectNoSecretsLeaked, failure, harness } from "./support/setup";

/** Memory a single hostile answer may add to the process (after gc when exposed). */
const MEMORY_BOUND_MB = 64;

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
}
type Handler = (req: IncomingMessage, res: ServerResponse, seen: Seen[]) => void;

interface Upstream {
  /** The origin as the connection names it (127.0.0.1 or localhost). */
  url: string;
  seen: Seen[];
  handle: Handler;
}

const servers: { close: () => void; closeAllConnections: () => void }[] = [];
afterAll(() => {
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
});

async function upstream(name: "127.0.0.1" | "localhost" = "127.0.0.1", handle: Handler = () => {}): Promise<Upstream> {
  const up: Upstream = { url: "", seen: [], handle };
  const server = createServer((req, res) => {
    up.seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers });
    req.resume();
    req.on("end", () => up.handle(req, res, up.seen));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(server);
  up.url = `http://${name}:${(server.address() as AddressInfo).port}`;
  return up;
}

const json = (res: ServerResponse, body: unknown, headers: Record<string, string> = {}, status = 200) => {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
};

let tokens = 0;
const secrets: string[] = [];
/** A fresh API token per connection, so each case has its own pacing gate. */
const tokenConnection = (url: string) => {
  const token = `hostile-token-${process.pid}-${++tokens}-abcdef`;
  secrets.push(token);
  return { token, connection: createConnection(apiToken, { apiToken: token, companyDomain: url }) };
};
const oauthConnection = (url: string) => {
  const token = `hostile-bearer-${process.pid}-${++tokens}-abcdef`;
  secrets.push(token);
  return { token, connection: createConnection(oauth2, {}, { access_token: token, api_domain: url }) };
};
const clientFor = (connection: unknown, options = {}) =>
  createPipedriveClient(connection as never, { timeoutMs: 2_000, ...options });

afterAll(() => expectNoSecretsLeaked(secrets));

const heapMb = () => {
  (global as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 1024 / 1024;
};

/** Runs fn, returns its outcome and how long it took; never throws. */
async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value?: T; error?: Error }> {
  const started = Date.now();
  try {
    const value = await fn();
    return { ms: Date.now() - started, value };
  } catch (error) {
    return { ms: Date.now() - started, error: error as Error };
  }
}

const withoutLoopback = <T>(fn: () => T): T => {
  const saved = process.env[LOOPBACK_OPT_IN];
  delete process.env[LOOPBACK_OPT_IN];
  try {
    return fn();
  } finally {
    process.env[LOOPBACK_OPT_IN] = saved;
  }
};

describe("redirects never carry a credential to another origin", () => {
  const storage = () =>
    upstream("localhost", (req, res) => {
      res.writeHead(200, { "content-type": "application/pdf" });
      res.end(Buffer.from(`file at ${req.url}`));
    });

  test.each([
    ["GET", 302],
    ["GET", 301],
    ["POST", 307],
    ["PUT", 308],
  ] as const)("API token: %s answered %i to another host", async (method, status) => {
    const other = await storage();
    const api = await upstream("127.0.0.1", (_req, res) => {
      res.writeHead(status, { location: `${other.url}/elsewhere` });
      res.end();
    });
    const { token, connection } = tokenConnection(api.url);
    await clientFor(connection).send({
      method,
      version: "v1",
      path: "/deals",
      body: method === "GET" ? undefined : { title: "x" },
      responseType: "text",
    });
    expect(api.seen[0].headers["x-api-token"]).toBe(token);
    expect(other.seen.length).toBe(1);
    expect(JSON.stringify(other.seen[0].headers)).not.toContain(token);
    expect(other.seen[0].headers["x-api-token"]).toBeUndefined();
  });

  test("OAuth: a 302 to another host goes there without Authorization", async () => {
    const other = await storage();
    const api = await upstream("127.0.0.1", (_req, res) => {
      res.writeHead(302, { location: `${other.url}/elsewhere` });
      res.end();
    });
    const { token, connection } = oauthConnection(api.url);
    await clientFor(connection).send({ method: "GET", version: "v1", path: "/users/me", responseType: "text" });
    expect(api.seen[0].headers.authorization).toBe(`Bearer ${token}`);
    expect(JSON.stringify(other.seen[0].headers)).not.toContain(token);
  });

  test("a redirect on the connection's own origin keeps the credential", async () => {
    const api = await upstream("127.0.0.1", (req, res) => {
      if (req.url?.startsWith("/api/v1/moved")) return json(res, { success: true, data: { id: 1 } });
      res.writeHead(302, { location: "/api/v1/moved" });
      res.end();
    });
    const { token, connection } = tokenConnection(api.url);
    const body = await clientFor(connection).request<{ data: { id: number } }>({
      method: "GET",
      version: "v1",
      path: "/deals/1",
    });
    expect(body.data.id).toBe(1);
    expect(api.seen.map((s) => s.headers["x-api-token"])).toEqual([token, token]);
  });

  test("Download File: Pipedrive's redirect to a storage host still works, without the token", async () => {
    const other = await storage();
    const api = await upstream("127.0.0.1", (_req, res) => {
      res.writeHead(302, { location: `${other.url}/blobs/7?signature=abc` });
      res.end();
    });
    const { token, connection } = tokenConnection(api.url);
    const result = await harness.action("downloadFile", { connection, id: "7" }, context);
    expect(Buffer.from(result?.data as Buffer).toString()).toBe("file at /blobs/7?signature=abc");
    expect(api.seen[0].url).toBe("/api/v1/files/7/download");
    expect(api.seen[0].headers["x-api-token"]).toBe(token);
    expect(JSON.stringify(other.seen[0].headers)).not.toContain(token);
  });

  test("a redirect loop ends with a clear error after a bounded number of hops, not retried", async () => {
    const api = await upstream("127.0.0.1", (req, res) => {
      res.writeHead(302, { location: `/api/v1/loop/${Number(req.url?.split("/").pop()) + 1 || 1}` });
      res.end();
    });
    const { connection } = tokenConnection(api.url);
    const outcome = await timed(() => clientFor(connection).request({ method: "GET", version: "v1", path: "/loop/0" }));
    expect(outcome.error).toBeInstanceOf(PipedriveError);
    expect(outcome.error?.message).toMatch(/could not be used: more than 5 redirects/);
    expect(api.seen.length).toBe(POLICY.maxRedirects + 1);
  });
});

describe("a connection points at Pipedrive, and at this machine only with the opt-in", () => {
  test.each([
    "http://127.0.0.1:22",
    "localhost:9001",
    "[::1]:2375",
    "http://[::1]:2375",
    "127.1",
    "http://127.1:80",
    "0x7f000001",
    "2130706433",
    "http://2130706433:6379",
    "https://localhost",
    "http://[::ffff:127.0.0.1]:8080",
    "0.0.0.0:22",
  ])("Company Domain %p is refused without the opt-in, naming the input", (domain) => {
    withoutLoopback(() => {
      expect(() => companyDomainToOrigin(domain)).toThrow(InputError);
      expect(() => companyDomainToOrigin(domain)).toThrow(
        new RegExp(`^Company Domain: ".*" points at this machine .*${LOOPBACK_OPT_IN}=1`),
      );
    });
  });

  test("with the opt-in the simulator's loopback origin is accepted; Pipedrive domains either way", () => {
    expect(companyDomainToOrigin("http://127.0.0.1:4010")).toBe("http://127.0.0.1:4010");
    withoutLoopback(() => expect(companyDomainToOrigin("acme")).toBe("https://acme.pipedrive.com"));
  });

  test("without the opt-in an API-token action on loopback sends nothing", async () => {
    const api = await upstream();
    const { connection } = tokenConnection(api.url);
    const saved = process.env[LOOPBACK_OPT_IN];
    delete process.env[LOOPBACK_OPT_IN];
    try {
      const error = await failure(() => harness.action("getDeal", { connection, id: "1" }, context));
      expect(error.message).toMatch(/Company Domain: ".*" points at this machine/);
    } finally {
      process.env[LOOPBACK_OPT_IN] = saved;
    }
    expect(api.seen.length).toBe(0);
  });

  test.each([
    "https://acme.pipedrive.com.evil.com",
    "https://evil.com",
    "http://acme.pipedrive.com",
    "https://acme.pipedrive.com:8443",
    "https://a.b.pipedrive.com",
    "https://acme.pipedrive.com/path",
    "https://user@acme.pipedrive.com",
    "http://127.0.0.1:22",
  ])("OAuth api_domain %p is refused (loopback: without the opt-in)", (domain) => {
    withoutLoopback(() => {
      expect(apiDomainToOrigin(domain)).toBeUndefined();
      const { connection } = oauthConnection(domain);
      expect(() => clientFor(connection)).toThrow(/api_domain ".*" (is not a Pipedrive origin|points at this machine)/);
    });
  });

  test.each([
    ["https://acme.pipedrive.com", "https://acme.pipedrive.com"],
    ["https://api.pipedrive.com/", "https://api.pipedrive.com"],
    ["https://ACME.pipedrive.com", "https://acme.pipedrive.com"],
  ])("OAuth api_domain %p -> %p", (domain, origin) => {
    withoutLoopback(() => expect(apiDomainToOrigin(domain)).toBe(origin));
  });
});

describe("header names cannot replace the connection's", () => {
  test.each(["x-api-token ", " authorization", "Host ", "\tCookie", "X-API-TOKEN", "content-length\t"])(
    "Raw Request header %p is refused before any request",
    async (name) => {
      const api = await upstream("127.0.0.1", (_req, res) => json(res, { success: true, data: {} }));
      const { connection } = tokenConnection(api.url);
      const error = await failure(() =>
        harness.action(
          "rawRequest",
          { connection, version: "v1", url: "/users/me", method: "GET", headers: [{ key: name, value: "evil" }] },
          context,
        ),
      );
      expect(error.message).toMatch(/^Header: .* cannot be set/);
      expect(api.seen.length).toBe(0);
    },
  );

  test("an allowed header is sent trimmed and lower-cased", async () => {
    const api = await upstream("127.0.0.1", (_req, res) => json(res, { success: true, data: {} }));
    const { connection } = tokenConnection(api.url);
    await clientFor(connection).request({
      method: "GET",
      version: "v1",
      path: "/users/me",
      headers: { " X-Trace ": "abc" },
    });
    expect(api.seen[0].headers["x-trace"]).toBe("abc");
  });
});

describe("rate-limit headers are bounded", () => {
  test("200 without rate-limit headers, then 429 (retry-after 1, remaining 0): getDeal twice ends, memory bounded", async () => {
    let n = 0;
    const api = await upstream("127.0.0.1", (_req, res) => {
      n += 1;
      if (n === 2) return json(res, { success: false }, { "retry-after": "1", "x-ratelimit-remaining": "0" }, 429);
      json(res, { success: true, data: { id: 1 } });
    });
    const { connection } = tokenConnection(api.url);
    const before = heapMb();
    const started = Date.now();
    for (let i = 0; i < 2; i++) await harness.action("getDeal", { connection, id: "1" }, context);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(api.seen.length).toBe(3);
    expect(heapMb() - before).toBeLessThan(MEMORY_BOUND_MB);
  });

  test("x-ratelimit-limit 100000000 with remaining 0: the next request waits a window, memory bounded", async () => {
    const api = await upstream("127.0.0.1", (_req, res) =>
      json(
        res,
        { success: true, data: { id: 1 } },
        { "x-ratelimit-limit": "100000000", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "2" },
      ),
    );
    const { connection } = tokenConnection(api.url);
    const before = heapMb();
    const c = clientFor(connection);
    for (let i = 0; i < 2; i++) await c.request({ method: "GET", version: "v2", path: "/deals/1" });
    expect(api.seen.length).toBe(2);
    expect(c.rateLimit().limit).toBe(POLICY.maxBurstLimit);
    expect(heapMb() - before).toBeLessThan(MEMORY_BOUND_MB);
  });

  const HEADERS = [
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "retry-after",
    "x-daily-ratelimit-token-remaining",
    "x-daily-ratelimit-token-limit",
  ];
  const VALUES = ["-5", "NaN", "abc", "0.5", "1e308", "99999999999999999999", "Infinity", "-Infinity", "", "2, 3"];

  test(`every rate-limit header x ${VALUES.length} absurd values, on a 200 and on a 429: each call ends in time with data or a clear error`, async () => {
    const cases = HEADERS.flatMap((header) =>
      VALUES.flatMap((value) => [200, 429].map((status) => ({ header, value, status }))),
    );
    const before = heapMb();
    const outcomes = await Promise.all(
      cases.map(async ({ header, value, status }) => {
        let n = 0;
        const api = await upstream("127.0.0.1", (_req, res) => {
          n += 1;
          // A paced gate (limit 10, none left), with the header under test replaced by the absurd value.
          const headers: Record<string, string> = { "x-ratelimit-limit": "10", "x-ratelimit-remaining": "0" };
          headers[header] = value;
          if (status === 429 && n === 1) return json(res, { success: false, error: "Too many" }, headers, 429);
          json(res, { success: true, data: { id: n } }, headers);
        });
        const { connection } = tokenConnection(api.url);
        const c = clientFor(connection);
        const outcome = await timed(async () => {
          await c.request({ method: "GET", version: "v2", path: "/deals/1" });
          await c.request({ method: "GET", version: "v2", path: "/deals/1" });
        });
        return { header, value, status, outcome, requests: api.seen.length };
      }),
    );
    for (const { header, value, status, outcome } of outcomes) {
      const where = `${header}: ${JSON.stringify(value)} on a ${status}`;
      // A window is bounded by the policy; the longest wait is one 429's (at most maxRetryAfterSeconds).
      expect([where, outcome.ms < (POLICY.maxRetryAfterSeconds + 10) * 1000]).toEqual([where, true]);
      if (outcome.error) {
        expect([where, outcome.error]).toEqual([where, expect.any(PipedriveError)]);
        expect([where, outcome.error.message]).toEqual([
          where,
          expect.stringMatching(/^Pipedrive( answered 429|'s daily API token budget)/),
        ]);
        expect(outcome.error.message).not.toMatch(/NaN|Infinity|undefined/);
      }
    }
    // Only a 429 asking for a wait longer than the policy allows, or naming a spent (negative)
    // daily budget, fails; everything else read its data.
    const tooLong = ["1e308", "99999999999999999999"];
    expect(outcomes.filter((o) => o.outcome.error).map((o) => `${o.header}=${o.value}`)).toEqual(
      outcomes
        .filter(
          (o) =>
            o.status === 429 &&
            (((o.header === "retry-after" || o.header === "x-ratelimit-reset") && tooLong.includes(o.value)) ||
              (o.header === "x-daily-ratelimit-token-remaining" && o.value === "-5")),
        )
        .map((o) => `${o.header}=${o.value}`),
    );
    expect(heapMb() - before).toBeLessThan(MEMORY_BOUND_MB);
  }, 120_000);
});

describe("bodies", () => {
  test.each([
    ["truncated JSON", "application/json", '{"success":true,"data":{"id":1,"title":"cut'],
    ["malformed JSON", "application/json", "{success: true}"],
    ["an HTML error page with 200", "text/html", "<html><body><h1>Bad gateway</h1></body></html>"],
  ])("%s: a clear error, one request", async (_what, type, body) => {
    const api = await upstream("127.0.0.1", (_req, res) => {
      res.writeHead(200, { "content-type": type });
      res.end(body);
    });
    const { connection } = tokenConnection(api.url);
    const error = await failure(() => harness.action("getDeal", { connection, id: "1" }, context));
    expect(error.message).toMatch(
      /^Pipedrive's answer to GET \/api\/v2\/deals\/1 could not be used \(status 200\): the answer is not valid JSON/,
    );
    expect(error.message).toContain(type);
    expect(api.seen.length).toBe(1);
  });

  test("a POST answered with HTML is not re-sent and says it may have been processed", async () => {
    const api = await upstream("127.0.0.1", (_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html>oops</html>");
    });
    const { connection } = tokenConnection(api.url);
    const error = await failure(() =>
      clientFor(connection).request({ method: "POST", version: "v2", path: "/deals", body: { title: "x" } }),
    );
    expect(error.message).toMatch(/not re-sent because it may already have been processed/);
    expect(api.seen.length).toBe(1);
  });

  test(`a 50 MB answer is refused once the policy's ${POLICY.maxResponseBytes / 1024 / 1024} MB are read; memory stays within +${MEMORY_BOUND_MB} MB`, async () => {
    const chunk = Buffer.alloc(1024 * 1024, "a");
    const api = await upstream("127.0.0.1", (_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      let sent = 0;
      const more = () => {
        while (sent < 50 && res.write(chunk)) sent += 1;
        if (sent >= 50) res.end();
        else res.once("drain", more);
      };
      res.on("error", () => undefined);
      more();
    });
    const { connection } = tokenConnection(api.url);
    const before = heapMb();
    const outcome = await timed(() =>
      clientFor(connection, { timeoutMs: 20_000 }).request({ method: "GET", version: "v2", path: "/deals" }),
    );
    expect(outcome.error?.message).toMatch(/could not be used: an answer larger than the client accepts/);
    expect(api.seen.length).toBe(1);
    expect(heapMb() - before).toBeLessThan(MEMORY_BOUND_MB);
  });

  const drip: Handler = (_req, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    const timer = setInterval(() => {
      if (res.destroyed) return clearInterval(timer);
      res.write(" ");
    }, 50);
    res.on("close", () => clearInterval(timer));
  };

  test("a GET whose body drips byte by byte ends at the per-attempt deadline, retried as a timeout", async () => {
    const api = await upstream("127.0.0.1", drip);
    const { connection } = tokenConnection(api.url);
    const outcome = await timed(() =>
      clientFor(connection, { timeoutMs: 500 }).request({ method: "GET", version: "v2", path: "/deals" }),
    );
    expect(outcome.error).toBeInstanceOf(PipedriveError);
    expect((outcome.error as PipedriveError).kind).toBe("timeout");
    expect(api.seen.length).toBe(POLICY.maxRetries + 1);
    // Four attempts of 0.5 s plus the backoff between them.
    expect(outcome.ms).toBeLessThan(4 * 500 + 3 * POLICY.backoff.maxMs + 2_000);
  });

  test("a POST whose body drips is not re-sent", async () => {
    const api = await upstream("127.0.0.1", drip);
    const { connection } = tokenConnection(api.url);
    const error = await failure(() =>
      clientFor(connection, { timeoutMs: 500 }).request({
        method: "POST",
        version: "v2",
        path: "/deals",
        body: { title: "x" },
      }),
    );
    expect(error.kind).toBe("timeout");
    expect(error.message).toMatch(/not re-sent because the create may already have been processed/);
    expect(api.seen.length).toBe(1);
  });

  const cut: Handler = (_req, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
    res.write('{"success":true,"data":[');
    setTimeout(() => res.socket?.destroy(), 20);
  };

  test("a reset mid-body: a GET is retried, a POST is not", async () => {
    const api = await upstream("127.0.0.1", cut);
    const { connection } = tokenConnection(api.url);
    const get = await failure(() => clientFor(connection).request({ method: "GET", version: "v2", path: "/deals" }));
    expect(get.kind).toBe("network");
    expect(api.seen.length).toBe(POLICY.maxRetries + 1);
    api.seen.length = 0;
    const post = await failure(() =>
      clientFor(connection).request({ method: "POST", version: "v2", path: "/deals", body: { title: "x" } }),
    );
    expect(post.message).toMatch(/not re-sent/);
    expect(api.seen.length).toBe(1);
  });

  test("an error body is quoted at most 500 characters", async () => {
    const api = await upstream("127.0.0.1", (_req, res) =>
      json(res, { success: false, error: "x".repeat(100_000) }, {}, 400),
    );
    const { connection } = tokenConnection(api.url);
    const error = await failure(() => clientFor(connection).request({ method: "GET", version: "v2", path: "/deals" }));
    expect(error.message.length).toBeLessThan(1_000);
    expect(error.message).toContain("(100000 characters)");
  });
});

describe("inputs too large to send fail before any request", () => {
  const big = `{"title":"${"x".repeat(50 * 1024 * 1024)}"}`;

  test("Raw Request with 50 MB of Data: an input error naming Data", async () => {
    const api = await upstream();
    const { connection } = tokenConnection(api.url);
    const error = await failure(() =>
      harness.action("rawRequest", { connection, version: "v2", url: "/deals", method: "POST", data: big }, context),
    );
    expect(error.message).toMatch(/^Data: the JSON is 50\.0 MB; at most 10\.0 MB/);
    expect(error.message).not.toMatch(/may already have been processed/);
    expect(api.seen.length).toBe(0);
  });

  test("a 50 MB body through the client: an input error, nothing sent", async () => {
    const api = await upstream();
    const { connection } = tokenConnection(api.url);
    const error = await failure(() =>
      clientFor(connection).request({
        method: "POST",
        version: "v2",
        path: "/deals",
        body: { title: "x".repeat(50 * 1024 * 1024) },
      }),
    );
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toMatch(/Nothing was sent/);
    expect(api.seen.length).toBe(0);
  });
});

describe("per-credential state is dropped when idle", () => {
  test("gates and registered secrets no execution used within the idle time are forgotten", () => {
    gateFor("recent-fingerprint");
    registerSecret("recent-secret-123456");
    const later = Date.now() + POLICY.idleMs + 1;
    gateFor("later-fingerprint", later);
    registerSecret("later-secret-123456", later);
    expect(gateCount()).toBe(1);
    expect(secretCount()).toBe(1);
    expect(redact("later-secret-123456")).toBe("[redacted]");
  });

  test(`at most ${POLICY.maxCredentials} gates are kept`, () => {
    const now = Date.now() + 2 * POLICY.idleMs;
    for (let i = 0; i < POLICY.maxCredentials + 50; i++) gateFor(`fingerprint-${i}`, now);
    expect(gateCount()).toBe(POLICY.maxCredentials);
  });
});

test("docs/security.md tables the policy as it is (npm run docs)", () => {
  const docs = require("../scripts/generate-docs") as typeof import("../scripts/generate-docs");
  const current = fs.readFileSync(docs.SECURITY_DOC, "utf8");
  expect(docs.renderSecurityDoc(current)).toBe(current);
  expect(current).toContain(`| Retries after a 429 (any method) | ${POLICY.maxRateLimitRetries} |`);
});

import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { PipedriveSimulator, type SimulatorOptions } from "../../sim";

export interface CallOptions {
  /** x-api-token (default: sim.apiToken unless bearer or noAuth is given). */
  token?: string;
  bearer?: string;
  noAuth?: boolean;
  body?: unknown;
  query?: Record<string, string | number | boolean>;
  headers?: Record<string, string>;
}

export interface CallResult<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

/** One real HTTP call to the simulator; parses JSON bodies. */
export async function call<T = Record<string, unknown>>(
  sim: PipedriveSimulator,
  method: string,
  path: string,
  opts: CallOptions = {},
): Promise<CallResult<T>> {
  const url = new URL(sim.url + path);
  for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, String(v));
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.bearer) headers.authorization = `Bearer ${opts.bearer}`;
  else if (!opts.noAuth) headers["x-api-token"] = opts.token ?? sim.apiToken;
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers["content-type"] ??= "application/json";
  }
  const res = await fetch(url, { method, headers, body, redirect: "manual" });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON (HTML consent page, redirects)
  }
  return { status: res.status, headers: res.headers, body: parsed as T };
}

export interface ReceivedHook {
  headers: http.IncomingHttpHeaders;
  body: {
    meta: Record<string, unknown>;
    data: Record<string, unknown> | null;
    previous: Record<string, unknown> | null;
  };
}

export interface Receiver {
  url: string;
  received: ReceivedHook[];
  /** Status to answer per request (default 200); may be async to simulate a slow receiver. */
  respond: (hook: ReceivedHook, index: number) => number | Promise<number>;
  close(): Promise<void>;
}

/** A local webhook receiver (node:http). */
export async function startReceiver(): Promise<Receiver> {
  const receiver = {
    url: "",
    received: [] as ReceivedHook[],
    respond: (_hook: ReceivedHook, _index: number): number | Promise<number> => 200,
    close: async () => {},
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const hook: ReceivedHook = { headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) };
      const index = receiver.received.push(hook) - 1;
      const status = await receiver.respond(hook, index);
      if (res.destroyed) return;
      res.writeHead(status, { "content-type": "text/plain" });
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return receiver;
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}

/** application/x-www-form-urlencoded POST (OAuth endpoints). */
export async function postForm(
  url: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<CallResult> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(form).toString(),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // keep text
  }
  return { status: res.status, headers: res.headers, body: body as Record<string, unknown> };
}

/**
 * The usual simulator for a test file: started once, reset before each test, and no spec
 * violation allowed after any test. Returns a stand-in that forwards to the started simulator.
 */
export function useSimulator(options: SimulatorOptions = {}): PipedriveSimulator {
  let started: PipedriveSimulator | undefined;
  beforeAll(async () => {
    started = await PipedriveSimulator.start(options);
  });
  beforeEach(() => started?.reset());
  afterEach(() => {
    expect(started?.violations).toEqual([]);
  });
  afterAll(async () => {
    await started?.stop();
  });
  return new Proxy({} as PipedriveSimulator, {
    get: (_, property) => {
      if (!started) throw new Error("the simulator starts in beforeAll; use it inside tests and hooks");
      const value = Reflect.get(started, property, started);
      return typeof value === "function" ? value.bind(started) : value;
    },
  });
}

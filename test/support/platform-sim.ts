/**
 * PlatformSim: a small local stand-in for the integration platform (Prismatic) that the Marketplace
 * install bridge talks to. A real HTTP server on 127.0.0.1, in memory, beside the Pipedrive simulator.
 *
 * It holds one integration ("Pipedrive") whose instances each have one OAuth 2.0 connection config
 * variable using this component's `oauth2` connection with the org-wide inputs given to start().
 *
 * Browser routes (what a user sees):
 *   GET /oauth2/callback?code&state     The platform's OAuth callback. `state` names the connection
 *                                       config variable; the code is exchanged with the token URL
 *                                       (Basic client_id:client_secret, form body, the redirect URI
 *                                       Pipedrive saw, see `redirectUriAtTokenExchange`), the token
 *                                       is stored on the variable, and the browser goes to
 *                                       /oauth2/connected. `error` (with state), an unknown state or
 *                                       a refused exchange go to /oauth2/failed?error&error_description.
 *   GET /oauth2/connected, /oauth2/failed   Result pages.
 *   GET /connect/:configVariableId      The config wizard's Connect button: redirects to the
 *                                       Authorize URL plus client_id, response_type=code, state and,
 *                                       only when the URL carries none, redirect_uri=<own callback>.
 *   GET /instances/:id/configure        The instance's configuration page.
 *
 * API (JSON; header Authorization: Bearer <apiKey>):
 *   POST /api/customers {externalId, name}      find or create a customer
 *   POST /api/customers/:id/instance            find or create its (unconfigured) Pipedrive instance
 *   GET  /api/instances?label=                  instances carrying a label
 *   GET  /api/instances/:id/connection          the instance's connection config variable {id, key, status}
 *   POST /api/instances/:id/labels {label}      add a label
 *   POST /api/instances/:id/enabled {enabled}   enable or disable
 *   POST /api/instances/:id/identify            run the instance's identity step: the component's
 *                                               getCurrentUser with the stored connection ->
 *                                               {companyId, userId} (null when not connected)
 *
 * `platform.client()` is a PlatformApi (src/marketplace) over that API; `platform.connection(id)`
 * builds the spectral Connection from what is stored, to run any action with it.
 * Tokens are kept in memory and never logged or returned by the API.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Connection } from "@prismatic-io/spectral";
import { createConnection, createHarness } from "@prismatic-io/spectral/dist/testing";
import component from "../../src";
import { oauth2 } from "../../src/connections";
import type {
  ConnectionConfigVariable,
  PipedriveIdentity,
  PlatformApi,
  PlatformCustomer,
  PlatformInstance,
} from "../../src/marketplace";

export interface ConnectionInputs {
  authorizeUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  scopes: string;
}

export interface PlatformSimOptions {
  /** The org-wide values of the oauth2 connection's inputs (mutable later through `platform.connectionInputs`). */
  connection: Omit<ConnectionInputs, "scopes"> & { scopes?: string };
  /**
   * Which redirect_uri the platform sends at the token exchange:
   * - "authorizeUrl" (default): the redirect_uri carried by the Authorize URL (the bridge's callback),
   *   else its own callback; what Pipedrive requires, and what Prismatic's recipe relies on.
   * - "platformCallback": always its own callback, to show what happens when a platform does that.
   */
  redirectUriAtTokenExchange?: "authorizeUrl" | "platformCallback";
  integrationName?: string;
}

interface ConfigVariable {
  id: string;
  key: string;
  instanceId: string;
  status: "PENDING" | "ACTIVE" | "FAILED";
  token: Record<string, unknown> | null;
}

interface Instance {
  id: string;
  customerId: string;
  name: string;
  enabled: boolean;
  labels: string[];
  configVariableId: string;
}

/** One token exchange the platform made (no code or token: just what was sent and how it went). */
export interface ExchangeRecord {
  configVariableId: string;
  redirectUri: string;
  ok: boolean;
  error?: string;
}

const CONNECTION_KEY = "Pipedrive Connection";
const prismaticStyleId = (kind: string) => Buffer.from(`${kind}:${randomUUID()}`).toString("base64");
const quietContext = {
  logger: { debug() {}, info() {}, log() {}, trace() {}, warn() {}, error() {}, metric() {} },
} as never;
const harness = createHarness(component);

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function html(res: ServerResponse, status: number, title: string, inner: string): void {
  res.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
  });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)} - Platform (simulated)</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;line-height:1.5}
header{color:#555;border-bottom:1px solid #ddd;margin-bottom:1rem}dt{font-weight:bold}</style></head>
<body><header>Integration platform (simulated)</header>${inner}</body></html>`);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body));
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { location, "cache-control": "no-store" });
  res.end();
}

export class PlatformSim {
  url = "";
  /** The platform's OAuth callback (what Prismatic serves at https://oauth2.prismatic.io/callback). */
  oauthCallbackUrl = "";
  readonly apiKey = `platform-key-${randomUUID()}`;
  readonly connectionInputs: ConnectionInputs;
  readonly integrationName: string;
  redirectUriAtTokenExchange: "authorizeUrl" | "platformCallback";
  readonly customers = new Map<string, PlatformCustomer>();
  readonly instances = new Map<string, Instance>();
  readonly configVariables = new Map<string, ConfigVariable>();
  readonly exchanges: ExchangeRecord[] = [];
  /** "METHOD /path" of every API call, for tests. */
  readonly apiCalls: string[] = [];
  private server!: Server;

  private constructor(options: PlatformSimOptions) {
    this.connectionInputs = { scopes: "", ...options.connection };
    this.redirectUriAtTokenExchange = options.redirectUriAtTokenExchange ?? "authorizeUrl";
    this.integrationName = options.integrationName ?? "Pipedrive";
  }

  static async start(options: PlatformSimOptions): Promise<PlatformSim> {
    const platform = new PlatformSim(options);
    platform.server = createServer((req, res) => {
      platform.route(req, res).catch((error: Error) => {
        if (!res.headersSent) html(res, 500, "Error", `<h1>Platform error</h1><p>${escapeHtml(error.message)}</p>`);
        else res.end();
      });
    });
    await new Promise<void>((resolve) => platform.server.listen(0, "127.0.0.1", resolve));
    platform.url = `http://127.0.0.1:${(platform.server.address() as AddressInfo).port}`;
    platform.oauthCallbackUrl = `${platform.url}/oauth2/callback`;
    return platform;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** A PlatformApi over this platform's HTTP API (what the bridge is given). */
  client(): PlatformApi {
    return new PlatformSimClient(this.url, this.apiKey, this.oauthCallbackUrl);
  }

  /** The Connect button's URL for a connection config variable. */
  connectUrl(configVariableId: string): string {
    return `${this.url}/connect/${encodeURIComponent(configVariableId)}`;
  }

  /** The instance's connection as the platform would hand it to a step (token included), or null. */
  connection(instanceId: string): Connection | null {
    const instance = this.instances.get(instanceId);
    const variable = instance ? this.configVariables.get(instance.configVariableId) : undefined;
    if (!variable?.token) return null;
    return createConnection(oauth2, { ...this.connectionInputs }, variable.token) as Connection;
  }

  /** The stored token (for tests' secret scans), or null. */
  storedToken(instanceId: string): Record<string, unknown> | null {
    const instance = this.instances.get(instanceId);
    return (instance && this.configVariables.get(instance.configVariableId)?.token) ?? null;
  }

  instanceOf(customerExternalId: string): Instance | undefined {
    const customer = [...this.customers.values()].find((c) => c.externalId === customerExternalId);
    return customer ? [...this.instances.values()].find((i) => i.customerId === customer.id) : undefined;
  }

  configVariableOf(instanceId: string): ConfigVariable | undefined {
    const instance = this.instances.get(instanceId);
    return instance ? this.configVariables.get(instance.configVariableId) : undefined;
  }

  // --- the platform's data operations (used by the API routes and by tests) -----------------

  findOrCreateCustomer(externalId: string, name: string): PlatformCustomer {
    const found = [...this.customers.values()].find((c) => c.externalId === externalId);
    if (found) return found;
    const customer = { id: prismaticStyleId("Customer"), externalId, name };
    this.customers.set(customer.id, customer);
    return customer;
  }

  findOrCreateInstance(customerId: string): Instance {
    const customer = this.customers.get(customerId);
    if (!customer) throw new Error("unknown customer");
    const found = [...this.instances.values()].find((i) => i.customerId === customerId);
    if (found) return found;
    const instance: Instance = {
      id: prismaticStyleId("Instance"),
      customerId,
      name: `${this.integrationName} - ${customer.name}`,
      enabled: true,
      labels: [],
      configVariableId: prismaticStyleId("InstanceConfigVariable"),
    };
    this.instances.set(instance.id, instance);
    this.configVariables.set(instance.configVariableId, {
      id: instance.configVariableId,
      key: CONNECTION_KEY,
      instanceId: instance.id,
      status: "PENDING",
      token: null,
    });
    return instance;
  }

  /** The redirect_uri carried by the Authorize URL, if any. */
  authorizeUrlRedirectUri(): string | null {
    try {
      return new URL(this.connectionInputs.authorizeUrl).searchParams.get("redirect_uri");
    } catch {
      return null;
    }
  }

  // --- HTTP -----------------------------------------------------------------------------

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.url);
    const path = url.pathname;
    const method = req.method ?? "GET";
    if (path.startsWith("/api/")) return this.api(req, res, method, path, url);
    if (method !== "GET") return sendJson(res, 405, { error: "method not allowed" });
    if (path === "/oauth2/callback") return this.callback(res, url.searchParams);
    if (path === "/oauth2/connected") return this.connectedPage(res, url.searchParams);
    if (path === "/oauth2/failed") return this.failedPage(res, url.searchParams);
    let m = /^\/connect\/([^/]+)$/.exec(path);
    if (m) return this.connect(res, decodeURIComponent(m[1]));
    m = /^\/instances\/([^/]+)\/configure$/.exec(path);
    if (m) return this.configurePage(res, decodeURIComponent(m[1]));
    html(res, 404, "Not found", "<h1>Not found</h1>");
  }

  private fail(res: ServerResponse, error: string, description: string): void {
    redirect(res, `/oauth2/failed?${new URLSearchParams({ error, error_description: description })}`);
  }

  private async callback(res: ServerResponse, q: URLSearchParams): Promise<void> {
    const state = q.get("state");
    if (!state) return this.fail(res, "invalid_request", "The authorization came back without state.");
    const variable = this.configVariables.get(state);
    if (!variable)
      return this.fail(res, "unknown_state", "The state does not match any connection waiting for authorization.");
    const error = q.get("error");
    if (error) {
      const text =
        error === "user_denied"
          ? "You cancelled on Pipedrive's permission screen."
          : (q.get("error_description") ?? error);
      return this.fail(res, error, text);
    }
    const code = q.get("code");
    if (!code) return this.fail(res, "invalid_request", "The authorization came back without a code.");
    const redirectUri =
      this.redirectUriAtTokenExchange === "authorizeUrl"
        ? (this.authorizeUrlRedirectUri() ?? this.oauthCallbackUrl)
        : this.oauthCallbackUrl;
    const { clientId, clientSecret, tokenUrl } = this.connectionInputs;
    const answer = await fetch(tokenUrl, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`,
      },
      body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: redirectUri }).toString(),
    });
    const body = (await answer.json().catch(() => ({}))) as Record<string, unknown>;
    if (answer.status === 200 && typeof body.access_token === "string") {
      variable.token = body;
      variable.status = "ACTIVE";
      this.exchanges.push({ configVariableId: variable.id, redirectUri, ok: true });
      return redirect(
        res,
        `/oauth2/connected?${new URLSearchParams({ instanceId: variable.instanceId, configVariableId: variable.id })}`,
      );
    }
    const message = typeof body.message === "string" ? body.message : `token endpoint answered ${answer.status}`;
    if (!variable.token) variable.status = "FAILED";
    this.exchanges.push({ configVariableId: variable.id, redirectUri, ok: false, error: message });
    return this.fail(res, typeof body.error === "string" ? body.error : "exchange_failed", message);
  }

  private connect(res: ServerResponse, configVariableId: string): void {
    const variable = this.configVariables.get(configVariableId);
    if (!variable) {
      html(res, 404, "Not found", "<h1>Unknown connection</h1>");
      return;
    }
    const target = new URL(this.connectionInputs.authorizeUrl);
    target.searchParams.set("client_id", this.connectionInputs.clientId);
    target.searchParams.set("response_type", "code");
    if (!target.searchParams.has("redirect_uri")) target.searchParams.set("redirect_uri", this.oauthCallbackUrl);
    if (this.connectionInputs.scopes) target.searchParams.set("scope", this.connectionInputs.scopes);
    target.searchParams.set("state", variable.id);
    redirect(res, target.toString());
  }

  private connectedPage(res: ServerResponse, q: URLSearchParams): void {
    const instance = this.instances.get(q.get("instanceId") ?? "");
    const link = instance
      ? `<p><a id="configure-link" href="/instances/${encodeURIComponent(instance.id)}/configure">Continue configuring</a></p>`
      : "";
    html(
      res,
      200,
      "Connected",
      `<main id="oauth-result" data-result="connected"><h1>Pipedrive is connected</h1>
<p>The authorization was exchanged and the connection is active. You can close this window.</p>${link}</main>`,
    );
  }

  private failedPage(res: ServerResponse, q: URLSearchParams): void {
    const error = q.get("error") ?? "unknown";
    const description = q.get("error_description") ?? "";
    html(
      res,
      400,
      "Connection failed",
      `<main id="oauth-result" data-result="failed" data-error="${escapeHtml(error)}">
<h1>Pipedrive could not be connected</h1><p id="error-description">${escapeHtml(description)}</p>
<p>Open the integration's configuration and click Connect to try again.</p></main>`,
    );
  }

  private configurePage(res: ServerResponse, instanceId: string): void {
    const instance = this.instances.get(instanceId);
    if (!instance) {
      html(res, 404, "Not found", "<h1>Unknown instance</h1>");
      return;
    }
    const customer = this.customers.get(instance.customerId);
    const variable = this.configVariables.get(instance.configVariableId) as ConfigVariable;
    const connected = variable.status === "ACTIVE";
    html(
      res,
      200,
      `Configure ${instance.name}`,
      `<main id="configure" data-instance="${escapeHtml(instance.id)}">
<h1>Configure ${escapeHtml(instance.name)}</h1>
<dl>
<dt>Customer</dt><dd id="customer-name">${escapeHtml(customer?.name ?? "")}</dd>
<dt>${escapeHtml(variable.key)}</dt><dd id="connection-status" data-status="${variable.status}">${connected ? "Connected" : "Not connected"}</dd>
<dt>Instance</dt><dd id="instance-enabled">${instance.enabled ? "Enabled" : "Disabled"}</dd>
</dl>
${connected ? "<p>Step 2 of 2: choose the pipelines to sync, then Finish.</p>" : `<p><a id="connect" href="/connect/${encodeURIComponent(variable.id)}">Connect</a></p>`}
</main>`,
    );
  }

  private async api(req: IncomingMessage, res: ServerResponse, method: string, path: string, url: URL): Promise<void> {
    if (req.headers.authorization !== `Bearer ${this.apiKey}`) return sendJson(res, 401, { error: "unauthorized" });
    this.apiCalls.push(`${method} ${path}`);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
    const view = (i: Instance): PlatformInstance => ({
      id: i.id,
      customerId: i.customerId,
      name: i.name,
      enabled: i.enabled,
      labels: [...i.labels],
    });

    if (method === "POST" && path === "/api/customers") {
      if (typeof body.externalId !== "string" || typeof body.name !== "string")
        return sendJson(res, 400, { error: "externalId and name" });
      return sendJson(res, 200, this.findOrCreateCustomer(body.externalId, body.name));
    }
    let m = /^\/api\/customers\/([^/]+)\/instance$/.exec(path);
    if (method === "POST" && m) {
      if (!this.customers.has(decodeURIComponent(m[1]))) return sendJson(res, 404, { error: "unknown customer" });
      return sendJson(res, 200, view(this.findOrCreateInstance(decodeURIComponent(m[1]))));
    }
    if (method === "GET" && path === "/api/instances") {
      const label = url.searchParams.get("label") ?? "";
      return sendJson(res, 200, [...this.instances.values()].filter((i) => i.labels.includes(label)).map(view));
    }
    m = /^\/api\/instances\/([^/]+)\/(connection|labels|enabled|identify)$/.exec(path);
    const instance = m ? this.instances.get(decodeURIComponent(m[1])) : undefined;
    if (!m || !instance) return sendJson(res, 404, { error: "not found" });
    const op = m[2];
    if (method === "GET" && op === "connection") {
      const v = this.configVariables.get(instance.configVariableId) as ConfigVariable;
      const out: ConnectionConfigVariable = { id: v.id, key: v.key, status: v.status };
      return sendJson(res, 200, out);
    }
    if (method === "POST" && op === "labels") {
      if (typeof body.label !== "string" || !body.label) return sendJson(res, 400, { error: "label" });
      if (!instance.labels.includes(body.label)) instance.labels.push(body.label);
      return sendJson(res, 200, view(instance));
    }
    if (method === "POST" && op === "enabled") {
      if (typeof body.enabled !== "boolean") return sendJson(res, 400, { error: "enabled" });
      instance.enabled = body.enabled;
      return sendJson(res, 200, view(instance));
    }
    if (method === "POST" && op === "identify") {
      const connection = this.connection(instance.id);
      if (!connection) return sendJson(res, 200, null);
      const result = (await harness.action("getCurrentUser", { connection }, quietContext)) as {
        data: { data: { id: number; company_id: number; company_name?: string; name?: string } };
      };
      const me = result.data.data;
      return sendJson(res, 200, {
        companyId: me.company_id,
        userId: me.id,
        companyName: me.company_name,
        userName: me.name,
      });
    }
    return sendJson(res, 405, { error: "method not allowed" });
  }
}

/** PlatformApi over PlatformSim's HTTP API. */
class PlatformSimClient implements PlatformApi {
  constructor(
    private readonly base: string,
    private readonly apiKey: string,
    readonly oauthCallbackUrl: string,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.apiKey}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`platform API ${method} ${path.split("?")[0]} answered ${res.status}`);
    return (await res.json()) as T;
  }

  findOrCreateCustomer(account: { externalId: string; name: string }): Promise<PlatformCustomer> {
    return this.call("POST", "/api/customers", account);
  }

  findOrCreateInstance(customer: PlatformCustomer): Promise<PlatformInstance> {
    return this.call("POST", `/api/customers/${encodeURIComponent(customer.id)}/instance`);
  }

  getConnectionConfigVariable(instance: PlatformInstance): Promise<ConnectionConfigVariable> {
    return this.call("GET", `/api/instances/${encodeURIComponent(instance.id)}/connection`);
  }

  configurePageUrl(instance: PlatformInstance): string {
    return `${this.base}/instances/${encodeURIComponent(instance.id)}/configure`;
  }

  identifyPipedriveUser(instance: PlatformInstance): Promise<PipedriveIdentity | null> {
    return this.call("POST", `/api/instances/${encodeURIComponent(instance.id)}/identify`);
  }

  async labelInstance(instance: PlatformInstance, label: string): Promise<void> {
    await this.call("POST", `/api/instances/${encodeURIComponent(instance.id)}/labels`, { label });
  }

  findInstancesByLabel(label: string): Promise<PlatformInstance[]> {
    return this.call("GET", `/api/instances?${new URLSearchParams({ label })}`);
  }

  async setInstanceEnabled(instance: PlatformInstance, enabled: boolean): Promise<void> {
    await this.call("POST", `/api/instances/${encodeURIComponent(instance.id)}/enabled`, { enabled });
  }
}

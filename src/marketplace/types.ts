/**
 * Types shared by the Pipedrive Marketplace install bridge. The bridge is framework-agnostic: each
 * handler takes a small request object and returns a small response object, so it can sit behind
 * node:http, Express, Fastify, a serverless function or anything else that can copy these fields.
 */

/** What a handler needs from an HTTP request. */
export interface BridgeRequest {
  /** "GET", "DELETE", ... (any case). */
  method: string;
  /** The request target as received: path plus query string, e.g. "/pipedrive/callback?code=...". */
  url: string;
  /** Header names in any case; node:http's `req.headers` fits as is. */
  headers: Record<string, string | string[] | undefined>;
  /** The raw body (only the uninstall DELETE has one). */
  body?: string | Buffer;
}

/** What a handler answers; copy it to your framework's response as is. */
export interface BridgeResponse {
  status: number;
  /** Lower-case header names; `set-cookie` may hold several values. */
  headers: Record<string, string | string[]>;
  body: string;
}

/**
 * Who is using the app in this browser, as the app's own session layer sees it.
 * - signedIn: the bridge continues the install for this account (the platform customer).
 * - signedOut: the browser belongs to someone with an account (e.g. a "known device" cookie): send to log in.
 * - guest: anyone else: send to sign up.
 */
export type AppSession =
  | { status: "signedIn"; account: { id: string; name: string } }
  | { status: "signedOut" }
  | { status: "guest" };

/** Structured, single-line logging. Messages and fields never carry codes, tokens or secrets. */
export interface BridgeLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Who a connection belongs to in Pipedrive (GET /v1/users/me: company_id, id, company_name, name). */
export interface PipedriveIdentity {
  companyId: number;
  userId: number;
  /** Shown on the confirmation page when known. */
  companyName?: string;
  userName?: string;
}

export interface PlatformCustomer {
  id: string;
  externalId: string;
  name: string;
}

export interface PlatformInstance {
  id: string;
  customerId: string;
  name: string;
  enabled: boolean;
  labels: string[];
}

export interface ConnectionConfigVariable {
  /** The id the platform expects as OAuth `state` (Prismatic: the instance config variable's id). */
  id: string;
  /** The connection config variable's key in the integration, e.g. "Pipedrive Connection". */
  key: string;
  /** "PENDING" (never connected), "ACTIVE" (has a token), "FAILED" (the last exchange failed). */
  status: string;
}

/**
 * The operations the bridge needs from the integration platform (Prismatic or the simulated one in
 * test/support/platform-sim.ts). An adapter for Prismatic maps them onto its GraphQL API; see
 * docs/marketplace.md.
 */
export interface PlatformApi {
  /** The platform's OAuth 2.0 callback (Prismatic: https://oauth2.prismatic.io/callback). */
  readonly oauthCallbackUrl: string;
  /** The customer for an app account (matched on externalId), created when missing. */
  findOrCreateCustomer(account: { externalId: string; name: string }): Promise<PlatformCustomer>;
  /** The customer's instance of the Pipedrive integration; a new, unconfigured one when it has none. */
  findOrCreateInstance(customer: PlatformCustomer): Promise<PlatformInstance>;
  /** The instance's OAuth connection config variable (its id is the `state` to replay the code with). */
  getConnectionConfigVariable(instance: PlatformInstance): Promise<ConnectionConfigVariable>;
  /** Where the user configures the instance (Prismatic: your page that calls prismatic.configureInstance()). */
  configurePageUrl(instance: PlatformInstance): string;
  /**
   * Which Pipedrive user and company the instance's connection belongs to (Pipedrive's
   * GET /v1/users/me through the connection: data.company_id, data.id). Optional: without it the
   * uninstall notice cannot be matched to an instance.
   */
  identifyPipedriveUser?(instance: PlatformInstance): Promise<PipedriveIdentity | null>;
  /** Adds a label to the instance (kept unique). */
  labelInstance(instance: PlatformInstance, label: string): Promise<void>;
  /** Instances of the integration carrying the label. */
  findInstancesByLabel(label: string): Promise<PlatformInstance[]>;
  /** Enables or disables the instance (disabled instances run no flows). */
  setInstanceEnabled(instance: PlatformInstance, enabled: boolean): Promise<void>;
}

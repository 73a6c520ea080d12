import { action, type Connection, PerformSafety, util } from "@prismatic-io/spectral";
import { createPipedriveClient } from "../client";
import { connectionInput } from "../inputs";

/** The client of a hand-written action: the connection's own, with the step's logger and debug flag. */
export const clientFor = (connection: unknown, context: { logger?: unknown; debug?: { enabled?: boolean } }) =>
  createPipedriveClient(connection as Connection, { logger: context.logger as never, debug: context.debug?.enabled });

export const getConnectionInfo = action({
  display: {
    label: "Get Connection Info",
    description:
      "Check a connection: the company and user it acts as, whether the user is an admin, the OAuth scopes granted, the API domain, and the rate-limit budget left.",
  },
  inputs: { connection: connectionInput },
  perform: async (context, params) => {
    const client = clientFor(params.connection, context);
    const me = await client.request<{ data: Record<string, unknown> }>({
      method: "GET",
      version: "v1",
      path: "/users/me",
    });
    const connection = params.connection as Connection;
    const scope = util.types.toString(connection.token?.scope);
    return {
      data: {
        connection: connection.key,
        apiDomain: client.origin,
        company: { id: me.data.company_id, name: me.data.company_name, domain: me.data.company_domain },
        user: { id: me.data.id, name: me.data.name, email: me.data.email, isAdmin: me.data.is_admin },
        scopes: scope ? scope.split(",").map((s) => s.trim()) : null,
        rateLimit: client.rateLimit(),
      },
    };
  },
  outputSchema: {
    type: "actionOutput",
    schema: {
      type: "object",
      properties: {
        connection: { type: "string", description: "The connection's key: oauth2 or apiToken." },
        apiDomain: { type: "string" },
        company: {
          type: "object",
          properties: { id: { type: "integer" }, name: { type: "string" }, domain: { type: "string" } },
        },
        user: {
          type: "object",
          properties: {
            id: { type: "integer" },
            name: { type: "string" },
            email: { type: "string" },
            isAdmin: { type: "boolean" },
          },
        },
        scopes: {
          type: ["array", "null"],
          items: { type: "string" },
          description: "OAuth scopes; null with an API token.",
        },
        rateLimit: {
          type: "object",
          properties: {
            limit: { type: ["integer", "null"] },
            remaining: { type: ["integer", "null"] },
            resetAt: { type: ["integer", "null"] },
            dailyTokensRemaining: { type: ["integer", "null"] },
            dailyTokensLimit: { type: ["integer", "null"] },
          },
        },
      },
    },
  },
  performSafety: PerformSafety.SAFE,
  examplePayload: {
    data: {
      connection: "oauth2",
      apiDomain: "https://acme.pipedrive.com",
      company: { id: 1, name: "Acme", domain: "acme" },
      user: { id: 1, name: "Ada Lovelace", email: "ada@example.com", isAdmin: true },
      scopes: ["base", "deals:full"],
      rateLimit: {
        limit: 80,
        remaining: 79,
        resetAt: 1767225600000,
        dailyTokensRemaining: 29500,
        dailyTokensLimit: 30000,
      },
    },
  },
});

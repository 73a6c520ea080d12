/**
 * The cold-start floor: a one-action Pipedrive component on the same spectral, with the same HTTP
 * stack (spectral's createClient over axios), bundled by the same webpack configuration. What
 * require() costs beyond it is what our own code costs on every cold start.
 */
import { action, component, connection, input } from "@prismatic-io/spectral";
import { createClient } from "@prismatic-io/spectral/dist/clients/http";

const apiToken = connection({
  key: "apiToken",
  display: { label: "API Token", description: "Pipedrive API token" },
  inputs: {
    apiToken: { label: "API Token", type: "password", required: true },
    companyDomain: { label: "Company Domain", type: "string", required: true },
  },
});

const getDeals = action({
  display: { label: "List Deals", description: "One page of deals" },
  inputs: {
    connection: input({ label: "Connection", type: "connection", required: true }),
    limit: input({ label: "Limit", type: "string", required: false, default: "100" }),
  },
  perform: async (_context, params) => {
    const fields = params.connection.fields as Record<string, string>;
    const client = createClient({
      baseUrl: `https://${fields.companyDomain}.pipedrive.com/api/v2`,
      headers: { "x-api-token": fields.apiToken },
    });
    const response = await client.get("/deals", { params: { limit: params.limit } });
    return { data: response.data };
  },
});

export default component({
  key: "pipedriveFloor",
  display: { label: "Pipedrive (one action)", description: "Cold-start floor", iconPath: "icon.png" },
  actions: { getDeals },
  connections: [apiToken],
});

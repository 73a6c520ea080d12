import { type ActionDefinition, action, input, PerformSafety } from "@prismatic-io/spectral";
import type { PipedriveClient } from "../client";
import { InputError } from "../client/errors";
import { clean, connectionInput, optionalIdInput } from "../inputs";
import { clientFor } from "./connectionInfo";
import { responseSchemaOf } from "./generated/fromSpec";

interface SearchHit {
  item: { id: number; [key: string]: unknown };
}

async function searchExact(client: PipedriveClient, path: string, query: Record<string, string | number | undefined>) {
  const result = await client.request<{ data: { items?: SearchHit[] } }>({
    method: "GET",
    version: "v2",
    path,
    query: { ...query, exact_match: true, limit: 10 },
  });
  return result.data?.items?.map((hit) => hit.item) ?? [];
}

async function getOne(client: PipedriveClient, path: string, id: number) {
  return (
    await client.request<{ data: Record<string, unknown> }>({ method: "GET", version: "v2", path, pathParams: { id } })
  ).data;
}

async function create(client: PipedriveClient, path: string, body: Record<string, unknown>) {
  return (await client.request<{ data: Record<string, unknown> }>({ method: "POST", version: "v2", path, body })).data;
}

const compact = (body: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));

/** Find-or-create outputs say which happened, so a flow can branch on `created`. */
const findOrCreate = (definition: {
  label: string;
  description: string;
  inputs: Record<string, unknown>;
  find: (client: PipedriveClient, params: Record<string, unknown>) => Promise<Record<string, unknown> | undefined>;
  create: (client: PipedriveClient, params: Record<string, unknown>) => Promise<Record<string, unknown>>;
  example: Record<string, unknown>;
  /** The record's path on v2 (e.g. /deals/{id}): its response schema describes `data`. */
  recordPath: string;
}): ActionDefinition =>
  action({
    display: { label: definition.label, description: definition.description },
    inputs: { connection: connectionInput, ...(definition.inputs as Record<string, never>) },
    perform: async (context, params) => {
      const values = params as Record<string, unknown>;
      const client = clientFor(values.connection, context);
      const found = await definition.find(client, values);
      if (found) return { data: { created: false, data: found } };
      return { data: { created: true, data: await definition.create(client, values) } };
    },
    examplePayload: { data: { created: false, data: definition.example } },
    outputSchema: {
      type: "actionOutput",
      schema: {
        type: "object",
        properties: {
          created: { type: "boolean", description: "true when no match was found and the record was created." },
          data: responseSchemaOf("v2", "GET", definition.recordPath)?.properties?.data ?? { type: "object" },
        },
      },
    },
    // It may create a record.
    performSafety: PerformSafety.NOT_ALLOWED,
  }) as unknown as ActionDefinition;

const emailInput = input({
  label: "Email",
  type: "string",
  required: true,
  comments:
    "The person's email address; an existing person with exactly this email is returned instead of creating one.",
  example: "ada@example.com",
  clean: clean.optionalPattern("Email", /^[^\s@]+@[^\s@]+\.[^\s@]+$/, "an email address such as ada@example.com"),
});

/** Find-or-create actions: search by exact value, create when nothing matches. */
export const findOrCreateActions = {
  findOrCreatePerson: findOrCreate({
    label: "Find or Create Person",
    recordPath: "/persons/{id}",
    description: "Return the person with this email, or create one. The output's created says which happened.",
    inputs: {
      email: emailInput,
      name: input({
        label: "Name",
        type: "string",
        required: true,
        comments: "The name for a new person.",
        example: "Ada Lovelace",
        clean: clean.text("Name"),
      }),
      orgId: optionalIdInput({
        label: "Org ID",
        dataSource: "selectOrganization",
        comments: "The organization a new person belongs to.",
      }),
    },
    find: async (client, params) => {
      const email = params.email as string | undefined;
      if (!email) throw new InputError("Email is required.");
      const hits = await searchExact(client, "/persons/search", { term: email, fields: "email" });
      return hits[0] ? getOne(client, "/persons/{id}", hits[0].id) : undefined;
    },
    create: (client, params) =>
      create(
        client,
        "/persons",
        compact({
          name: params.name,
          org_id: params.orgId,
          emails: [{ value: params.email, primary: true, label: "work" }],
        }),
      ),
    example: { id: 1, name: "Ada Lovelace", emails: [{ value: "ada@example.com", primary: true, label: "work" }] },
  }),
  findOrCreateOrganization: findOrCreate({
    label: "Find or Create Organization",
    recordPath: "/organizations/{id}",
    description:
      "Return the organization with exactly this name, or create one. The output's created says which happened.",
    inputs: {
      name: input({
        label: "Name",
        type: "string",
        required: true,
        comments: "The organization's exact name.",
        example: "Acme Inc.",
        clean: clean.text("Name"),
      }),
    },
    find: async (client, params) => {
      const hits = await searchExact(client, "/organizations/search", { term: params.name as string, fields: "name" });
      return hits[0] ? getOne(client, "/organizations/{id}", hits[0].id) : undefined;
    },
    create: (client, params) => create(client, "/organizations", { name: params.name }),
    example: { id: 1, name: "Acme Inc." },
  }),
  findOrCreateDeal: findOrCreate({
    label: "Find or Create Deal",
    recordPath: "/deals/{id}",
    description:
      "Return the deal with exactly this title for the given person and/or organization, or create it. The output's created says which happened.",
    inputs: {
      title: input({
        label: "Title",
        type: "string",
        required: true,
        comments: "The deal's exact title.",
        example: "Acme - 50 seats",
        clean: clean.text("Title"),
      }),
      personId: optionalIdInput({
        label: "Person ID",
        dataSource: "selectPerson",
        comments: "Match and link deals of this person.",
      }),
      orgId: optionalIdInput({
        label: "Org ID",
        dataSource: "selectOrganization",
        comments: "Match and link deals of this organization.",
      }),
    },
    find: async (client, params) => {
      const hits = await searchExact(client, "/deals/search", {
        term: params.title as string,
        fields: "title",
        person_id: params.personId as number | undefined,
        organization_id: params.orgId as number | undefined,
      });
      return hits[0] ? getOne(client, "/deals/{id}", hits[0].id) : undefined;
    },
    create: (client, params) =>
      create(client, "/deals", compact({ title: params.title, person_id: params.personId, org_id: params.orgId })),
    example: { id: 1, title: "Acme - 50 seats", person_id: 1, org_id: 1, status: "open" },
  }),
};

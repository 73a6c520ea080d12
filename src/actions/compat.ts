import { type ActionDefinition, action, input, PerformSafety } from "@prismatic-io/spectral";
import { InputError } from "../client/errors";
import { clean, connectionInput, idInput } from "../inputs";
import { linkedIdInput } from "../inputs/ids";
import { toDefinition } from "./generated";
import { OPERATIONS } from "./generated/operations";
import type { GeneratedOperation } from "./generated/types";
import { inBody, inPath, inQuery, type OperationDefinition } from "./operation";

/**
 * Prismatic's published keys that are not Pipedrive operationIds: each kept with its meaning, on
 * the current endpoint, or failing before any request with the replacement when Pipedrive removed
 * the endpoint outright.
 */

const find = (version: "v1" | "v2", id: string): GeneratedOperation => {
  const op = OPERATIONS.find((o) => o.version === version && o.id === id);
  if (!op) throw new Error(`Pipedrive operation ${version} ${id} is missing from the generated table`);
  return op;
};

type Related = { record: "deal" | "person" | "organization"; list: "activities" | "persons" | "deals" };
const QUERY: Record<Related["record"], string> = { deal: "deal_id", person: "person_id", organization: "org_id" };
const LIST: Record<Related["list"], string> = { activities: "getActivities", persons: "getPersons", deals: "getDeals" };

/** A v1-era "records of a record" list, now the v2 list filtered by the record's id (input key `id`). */
function relatedList({ record, list }: Related, available: Set<string>, label: string): OperationDefinition {
  const base = toDefinition(find("v2", LIST[list]), available);
  const query = QUERY[record];
  const params = { ...base.params };
  delete params[query.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())];
  return {
    ...base,
    label,
    description: `List the ${list} of a ${record}, on GET /api/v2/${list}?${query}= (Pipedrive's v1 endpoint for this is out of support).`,
    params: {
      id: inQuery(query, linkedIdInput(record, { comments: `The ${record} whose ${list} to list.` })),
      ...params,
    },
  };
}

/**
 * Prismatic's Get Pipeline Deals and Get Stage Deals list v2 deals filtered by the pipeline or stage
 * (cursor, sort), not Pipedrive's deprecated v1 /pipelines/{id}/deals and /stages/{id}/deals.
 */
function dealsOf(record: "pipeline" | "stage", available: Set<string>, label: string): OperationDefinition {
  const base = toDefinition(find("v2", "getDeals"), available);
  const params = { ...base.params };
  delete params[`${record}Id`];
  return {
    ...base,
    label,
    description: `List the deals of a ${record}, on GET /api/v2/deals?${record}_id= (Pipedrive has deprecated GET /api/v1/${record}s/{id}/deals).`,
    params: {
      id: inQuery(`${record}_id`, linkedIdInput(record, { comments: `The ${record} whose deals to list.` })),
      ...params,
    },
  };
}

export function compatDefinitions(available: Set<string>): Record<string, OperationDefinition> {
  const personField = toDefinition(find("v1", "getPersonField"), available);
  return {
    getPipelineDeals: dealsOf("pipeline", available, "Get Pipeline Deals"),
    getStageDeals: dealsOf("stage", available, "Get Stage Deals"),
    getDealActivities: relatedList({ record: "deal", list: "activities" }, available, "Get Deal Activities"),
    getDealPersons: relatedList({ record: "deal", list: "persons" }, available, "Get Deal Persons"),
    getOrganizationActivities: relatedList(
      { record: "organization", list: "activities" },
      available,
      "Get Organization Activities",
    ),
    getOrganizationDeals: relatedList({ record: "organization", list: "deals" }, available, "Get Organization Deals"),
    getOrganizationPersons: relatedList(
      { record: "organization", list: "persons" },
      available,
      "Get Organization Persons",
    ),
    getPersonActivities: relatedList({ record: "person", list: "activities" }, available, "Get Person Activities"),
    getPersonDeals: relatedList({ record: "person", list: "deals" }, available, "Get Person Deals"),
    getPersonFieldDetails: {
      ...personField,
      label: "Get Person Field Details",
      description:
        "Get one person field by its numeric ID (GET /api/v1/personFields/{id}). Get Person Field takes the field code instead.",
      params: {
        fieldId: inPath("id", idInput({ label: "Field ID", comments: "The numeric ID of the person field." })),
      },
    },
    setFieldValueForPerson: {
      label: "Set Person Field Value",
      description: "Set one custom field of a person (PATCH /api/v2/persons/{id} with custom_fields).",
      method: "PATCH",
      version: "v2",
      path: "/persons/{id}",
      params: {
        personId: inPath("id", linkedIdInput("person", { comments: "The person to change." })),
        customFieldKey: {
          in: "body",
          name: "custom_field_key",
          input: input({
            label: "Field Key",
            type: "string",
            required: true,
            comments: "The 40-character key of the person's custom field (see Get Person Fields).",
            example: "d4de1c1518b4531717c676029a45911c340390a6",
            clean: clean.text("Field Key"),
          }),
        },
        value: inBody(
          "value",
          input({
            label: "Value",
            type: "string",
            required: true,
            comments: "The new value.",
            example: "Gold",
            clean: clean.text("Value"),
          }),
        ),
      },
      prepare: (parts) => {
        const { custom_field_key: key, value } = parts.body;
        parts.body = { custom_fields: { [String(key)]: value } };
      },
      examplePayload: { data: { success: true, data: { id: 1, custom_fields: {} } } },
    },
    findSubscriptionByDeal: {
      ...toDefinition(find("v2", "getInstallments"), available),
      label: "Find Subscription By Deal",
      description:
        "Pipedrive removed the Subscriptions API; this now lists the deal's installments (GET /api/v2/deals/installments), its replacement.",
      params: {
        id: inQuery(
          "deal_ids",
          input({
            label: "Deal ID",
            type: "string",
            required: true,
            comments: "The deal whose installments to list.",
            example: "123",
            ...(available.has("selectDeal") ? { dataSource: "selectDeal" } : {}),
            clean: (value: unknown) => [clean.id("Deal ID")(value)],
          }),
        ),
      },
    },
  };
}

const REMOVED: Record<string, { label: string; replacement: string }> = {
  getSubscription: {
    label: "Get Subscription",
    replacement: "Find Subscription By Deal or Get Installments (getInstallments)",
  },
  getSubscriptionPayments: {
    label: "Get Subscription Payments",
    replacement: "Get Installments (getInstallments) for the deal",
  },
  deleteSubscription: { label: "Delete Subscription", replacement: "Delete Installment (deleteInstallment)" },
  cancelRecurringSubscription: {
    label: "Cancel Recurring Subscription",
    replacement: "Delete Installment (deleteInstallment) for the remaining installments",
  },
};

/** Removed by Pipedrive with no one-to-one replacement: fail before any request, naming the replacement. */
export function removedActions(): Record<string, ActionDefinition> {
  const out: Record<string, ActionDefinition> = {};
  for (const [key, { label, replacement }] of Object.entries(REMOVED))
    out[key] = action({
      display: { label, description: `Pipedrive removed the Subscriptions API. Use ${replacement} instead.` },
      inputs: {
        connection: connectionInput,
        id: input({
          label: "Subscription ID",
          type: "string",
          required: false,
          comments: "Kept for compatibility; not used.",
        }),
      },
      perform: async (): Promise<{ data: unknown }> => {
        throw new InputError(
          `${label}: Pipedrive removed the Subscriptions API, so this action can no longer run. Use ${replacement} instead.`,
        );
      },
      examplePayload: { data: null },
      outputSchema: {
        type: "actionOutput",
        schema: { type: "null", description: "Never returns: Pipedrive removed this API." },
      },
      // Runs nothing worth running inline: it only explains the replacement.
      performSafety: PerformSafety.NOT_ALLOWED,
    }) as unknown as ActionDefinition;
  return out;
}

export const REMOVED_ACTION_KEYS = Object.keys(REMOVED);

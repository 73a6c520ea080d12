import { type ActionContext, type InputFieldDefinition, input } from "@prismatic-io/spectral";
import type { Envelope, PipedriveClient } from "../../client";
import { InputError } from "../../client/errors";
import { choiceInput, clean } from "../../inputs";
import type { Param, RequestParts } from "../operation";
import { EXACT_MATCH, NOTHING_TO_CHANGE, ON_UPDATE } from "./compose";
import { LABEL_IDS, LEAD_VALUE, NO_FIELD_SET } from "./reasons";
import type { ActionEntry } from "./types";

export const yesNo = (label: string, comments: string) =>
  input({ label, type: "boolean", required: false, default: "false", comments, clean: clean.boolean(label) });

/** The spec's template has currency "text"; Pipedrive takes a currency code. */
const VALUE_EXAMPLE = { value: '{"amount":200,"currency":"USD"}' };

/** Value takes Pipedrive's {amount, currency} or, as Prismatic's component did, a bare amount. */
const leadValue = (generated: Record<string, Param>): Record<string, Param> => ({
  ...generated,
  value: {
    ...generated.value,
    input: {
      ...generated.value.input,
      comments:
        'The lead\'s potential value: {"amount": 1500, "currency": "USD"}, or an amount alone (1500), which is sent in the connected user\'s default currency.',
      clean: clean.optionalMoney("Value"),
    } as InputFieldDefinition,
  },
});

/** A bare amount gets the connected user's default currency: Pipedrive refuses a value without one. */
async function completeLeadValue(parts: RequestParts, client: PipedriveClient, context: ActionContext) {
  const value = parts.body.value as { amount: number; currency?: string } | undefined;
  if (!value || value.currency) return;
  const me = await client.request<Envelope<{ default_currency?: string } | null>>({
    method: "GET",
    version: "v1",
    path: "/users/me",
  });
  const currency = me.data?.default_currency;
  if (!currency)
    throw new InputError(
      'Value: Pipedrive did not say the connected user\'s default currency; give the value as {"amount": 1500, "currency": "USD"}.',
    );
  parts.body.value = { amount: value.amount, currency };
  context.logger?.warn?.(`Value: no currency given; the connected user's default currency ${currency} was used.`);
}

export const leadEntries: Record<string, ActionEntry> = {
  getLead: { customFields: { entity: "lead", writes: false } },
  getArchivedLeads: { customFields: { entity: "lead", writes: false } },
  addLead: {
    differences: [
      { what: "requests", why: LEAD_VALUE },
      { what: "body.value", why: LEAD_VALUE },
      { what: "body.label_ids", why: LABEL_IDS },
    ],
    examples: VALUE_EXAMPLE,
    params: leadValue,
    lookUp: completeLeadValue,
    types: { wasSeen: "boolean" },
    defaults: { wasSeen: "false" },
    atLeastOne: {
      inputs: ["personId", "organizationId"],
      why: "Pipedrive links every lead to a person or an organization.",
    },
    customFields: { entity: "lead", writes: true },
    outcome: {
      error: "input",
      why: "with required inputs only, the lead is linked to neither a person nor an organization",
    },
  },
  updateLead: {
    differences: [
      { what: "requests", why: LEAD_VALUE },
      { what: "body.value", why: LEAD_VALUE },
      { what: "body.label_ids", why: LABEL_IDS },
    ],
    examples: VALUE_EXAMPLE,
    params: leadValue,
    lookUp: completeLeadValue,
    outcome: NOTHING_TO_CHANGE,
    types: { isArchived: "boolean", wasSeen: "boolean" },
    defaultsNotKept: { isArchived: ON_UPDATE("un-archive the lead"), wasSeen: ON_UPDATE("mark the lead unseen") },
    customFields: { entity: "lead", writes: true },
  },
  searchLeads: EXACT_MATCH,
  getLeads: {
    differences: [
      {
        what: "path",
        why: "Pipedrive removed archived_status from its leads list and lists archived leads in a separate list of their own: Archived Status archived reads that list (all reads both, active leads first).",
      },
      { what: "query.archived_status", why: "Pipedrive removed this parameter (see path)." },
    ],
    customFields: { entity: "lead", writes: false },
    operation: { version: "v1", id: "getLeads" },
    description: (generated) => `${generated} With Archived on, lists archived leads instead.`,
    params: (generated) => ({
      ...generated,
      archived: {
        in: "query",
        name: "archived",
        input: yesNo("Archived", "When true, list archived leads instead of active ones."),
      },
      archivedStatus: {
        in: "query",
        name: "archived_status",
        input: choiceInput({
          label: "Archived Status",
          choices: [
            { label: "Not Archived", value: "not_archived" },
            { label: "Archived", value: "archived" },
            { label: "All", value: "all" },
          ],
          comments:
            "Which leads: Not Archived (active), Archived, or All (active ones, then archived ones, read in full as with Fetch All; Max Records bounds them).",
        }),
      },
    }),
    prepare: (parts) => {
      const status = parts.query.archived_status;
      if (status === "archived" || status === "all" || (status === undefined && parts.query.archived === true)) {
        if (parts.query.updated_since !== undefined)
          throw new InputError(
            "Updated Since: Pipedrive's list of archived leads cannot filter by update time; leave it empty to list archived leads.",
          );
        // Pipedrive lists the two apart: all reads active then archived leads, as one list.
        if (status === "all") parts.paths = ["/leads", "/leads/archived"];
        else parts.path = "/leads/archived";
      }
      delete parts.query.archived;
      delete parts.query.archived_status;
    },
  },
  updateLeadLabel: { differences: [{ what: "requests", why: NO_FIELD_SET }], outcome: NOTHING_TO_CHANGE },
};

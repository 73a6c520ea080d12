import { input } from "@prismatic-io/spectral";
import { InputError } from "../../client/errors";
import { choiceInput, clean } from "../../inputs";
import { EXACT_MATCH, NOTHING_TO_CHANGE, ON_UPDATE } from "./compose";
import type { ActionEntry } from "./types";

export const yesNo = (label: string, comments: string) =>
  input({ label, type: "boolean", required: false, default: "false", comments, clean: clean.boolean(label) });

/** The spec's template has currency "text"; Pipedrive takes a currency code. */
const VALUE_EXAMPLE = { value: '{"amount":200,"currency":"USD"}' };

export const leadEntries: Record<string, ActionEntry> = {
  getLead: { customFields: { entity: "lead", writes: false } },
  getArchivedLeads: { customFields: { entity: "lead", writes: false } },
  addLead: {
    examples: VALUE_EXAMPLE,
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
    examples: VALUE_EXAMPLE,
    outcome: NOTHING_TO_CHANGE,
    types: { isArchived: "boolean", wasSeen: "boolean" },
    defaultsNotKept: { isArchived: ON_UPDATE("un-archive the lead"), wasSeen: ON_UPDATE("mark the lead unseen") },
    customFields: { entity: "lead", writes: true },
  },
  searchLeads: EXACT_MATCH,
  getLeads: {
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
            "Kept for existing flows (Pipedrive no longer takes an archived status; Archived does the same): Archived lists archived leads, Not Archived active ones. All is refused: Pipedrive lists the two apart, so run Get Leads once with each.",
        }),
      },
    }),
    prepare: (parts) => {
      const status = parts.query.archived_status;
      if (status === "all")
        throw new InputError(
          "Archived Status: all is no longer offered by Pipedrive, which lists active leads (GET /api/v1/leads) and archived ones (GET /api/v1/leads/archived) apart; run Get Leads once with Archived Status archived and once with not_archived.",
        );
      if (status === "archived" || (status === undefined && parts.query.archived === true)) {
        if (parts.query.updated_since !== undefined)
          throw new InputError(
            "Updated Since: Pipedrive's list of archived leads (GET /api/v1/leads/archived) cannot filter by update time; leave it empty to list archived leads.",
          );
        parts.path = "/leads/archived";
      }
      delete parts.query.archived;
      delete parts.query.archived_status;
    },
  },
};

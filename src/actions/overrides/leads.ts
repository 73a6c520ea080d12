import { input } from "@prismatic-io/spectral";
import { InputError } from "../../client/errors";
import { choiceInput, clean } from "../../inputs";
import { EXACT_MATCH, NOTHING_TO_CHANGE, ON_UPDATE } from "./compose";
import { LEAD_VALUE, NO_FIELD_SET } from "./reasons";
import type { ActionEntry } from "./types";

export const yesNo = (label: string, comments: string) =>
  input({ label, type: "boolean", required: false, default: "false", comments, clean: clean.boolean(label) });

/** The spec's template has currency "text"; Pipedrive takes a currency code. */
const VALUE_EXAMPLE = { value: '{"amount":200,"currency":"USD"}' };

export const leadEntries: Record<string, ActionEntry> = {
  getLead: { customFields: { entity: "lead", writes: false } },
  getArchivedLeads: { customFields: { entity: "lead", writes: false } },
  addLead: {
    differences: [{ what: "requests", why: LEAD_VALUE }],
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
    differences: [{ what: "requests", why: LEAD_VALUE }],
    examples: VALUE_EXAMPLE,
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
        why: "Pipedrive removed archived_status from its leads list and lists archived leads at /leads/archived: Archived Status archived reads that list (all reads both).",
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
            "Updated Since: Pipedrive's list of archived leads (GET /api/v1/leads/archived) cannot filter by update time; leave it empty to list archived leads.",
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

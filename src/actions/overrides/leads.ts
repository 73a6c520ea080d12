import { input } from "@prismatic-io/spectral";
import { InputError } from "../../client/errors";
import { choiceInput, clean } from "../../inputs";
import { EXACT_MATCH, ON_UPDATE } from "./compose";
import type { ActionEntry } from "./types";

export const yesNo = (label: string, comments: string) =>
  input({ label, type: "boolean", required: false, default: "false", comments, clean: clean.boolean(label) });

export const leadEntries: Record<string, ActionEntry> = {
  getLead: { customFields: { entity: "lead", writes: false } },
  getArchivedLeads: { customFields: { entity: "lead", writes: false } },
  addLead: {
    types: { wasSeen: "boolean" },
    defaults: { wasSeen: "false" },
    customFields: { entity: "lead", writes: true },
  },
  updateLead: {
    types: { isArchived: "boolean", wasSeen: "boolean" },
    defaultsNotKept: { isArchived: ON_UPDATE("un-archive the lead"), wasSeen: ON_UPDATE("mark the lead unseen") },
    customFields: { entity: "lead", writes: true },
  },
  searchLeads: EXACT_MATCH,
  getLeads: {
    customFields: { entity: "lead", writes: false },
    operation: { version: "v1", id: "getLeads" },
    description: (generated) => `${generated} With Archived on, lists archived leads (GET /api/v1/leads/archived).`,
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
            "Prismatic's filter (its archived_status parameter is gone from Pipedrive's API): archived lists archived leads (GET /api/v1/leads/archived), not_archived active ones. all is refused: Pipedrive now lists the two apart, so run Get Leads once with each.",
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

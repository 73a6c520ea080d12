import { dealsOf, NOTHING_TO_CHANGE, ON_UPDATE } from "./compose";
import { NO_FIELD_SET, SORT_BY } from "./reasons";
import type { ActionEntry } from "./types";

const ROTTEN = { rottenFlag: "is_deal_rot_enabled", rottenDays: "days_to_rotten" };

export const pipelines: Record<string, ActionEntry> = {
  addPipeline: { types: { isDealProbabilityEnabled: "boolean" }, defaults: { isDealProbabilityEnabled: "false" } },
  updatePipeline: {
    outcome: NOTHING_TO_CHANGE,
    types: { isDealProbabilityEnabled: "boolean" },
    defaultsNotKept: { isDealProbabilityEnabled: ON_UPDATE("turn deal probability off") },
  },
  getPipeline: {
    differences: [
      {
        what: "query.totals_convert_currency",
        why: "Pipedrive's v2 pipeline has no deal totals to convert: the input is kept, logged when set and not sent (Get Deals Summary converts totals).",
      },
    ],
    notSent: {
      totalsConvertCurrency: {
        label: "Totals Convert Currency",
        why: "Pipedrive's v2 pipeline has no deal totals; Get Deals Summary converts totals.",
      },
    },
  },
  getPipelineDeals: {
    differences: [{ what: "query.sort_by", why: SORT_BY }],
    operation: dealsOf("pipeline", "Get Pipeline Deals"),
    defaults: { sortDirection: "desc" },
    customFields: { entity: "deal", writes: false },
  },
  getStageDeals: {
    differences: [{ what: "query.sort_by", why: SORT_BY }],
    operation: dealsOf("stage", "Get Stage Deals"),
    customFields: { entity: "deal", writes: false },
  },
  addStage: { renames: ROTTEN, types: { rottenFlag: "boolean" }, defaults: { rottenFlag: "false" } },
  updateStage: {
    differences: [{ what: "requests", why: NO_FIELD_SET }],
    outcome: NOTHING_TO_CHANGE,
    renames: ROTTEN,
    types: { rottenFlag: "boolean" },
    defaults: { rottenFlag: "false" },
    // As Prismatic's component did: false (its default) is left out, so a rename keeps deal rotting; true is sent.
    prepare: (parts) => {
      if (parts.body.is_deal_rot_enabled === false) delete parts.body.is_deal_rot_enabled;
    },
  },
  getPipelines: { differences: [{ what: "query.sort_by", why: SORT_BY }] },
  getStages: { differences: [{ what: "query.sort_by", why: SORT_BY }] },
};

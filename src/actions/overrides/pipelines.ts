import { dealsOf, ON_UPDATE } from "./compose";
import type { ActionEntry } from "./types";

const ROTTEN = { rottenFlag: "is_deal_rot_enabled", rottenDays: "days_to_rotten" };

export const pipelines: Record<string, ActionEntry> = {
  addPipeline: { types: { isDealProbabilityEnabled: "boolean" }, defaults: { isDealProbabilityEnabled: "false" } },
  updatePipeline: {
    types: { isDealProbabilityEnabled: "boolean" },
    defaultsNotKept: { isDealProbabilityEnabled: ON_UPDATE("turn deal probability off") },
  },
  getPipeline: {
    notSent: {
      totalsConvertCurrency: {
        label: "Totals Convert Currency",
        why: "Pipedrive's v2 pipeline has no deal totals; Get Deals Summary (GET /api/v1/deals/summary) converts totals.",
      },
    },
  },
  getPipelineDeals: {
    operation: dealsOf("pipeline", "Get Pipeline Deals"),
    defaults: { sortDirection: "desc" },
    customFields: { entity: "deal", writes: false },
  },
  getStageDeals: { operation: dealsOf("stage", "Get Stage Deals"), customFields: { entity: "deal", writes: false } },
  addStage: { renames: ROTTEN, types: { rottenFlag: "boolean" }, defaults: { rottenFlag: "false" } },
  updateStage: {
    renames: ROTTEN,
    types: { rottenFlag: "boolean" },
    defaultsNotKept: { rottenFlag: ON_UPDATE("turn deal rotting off") },
  },
};

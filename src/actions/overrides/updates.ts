import { NOTHING_TO_CHANGE } from "./compose";
import type { ActionEntry } from "./types";

/**
 * Generated updates that differ only in their stated outcome: their inputs are all optional, so
 * run with required inputs only they have nothing to send and say so before any request.
 */
export const updates: Record<string, ActionEntry> = Object.fromEntries(
  [
    "updateAdditionalDiscount",
    "updateInstallment",
    "updateDealField",
    "updatePersonField",
    "updateOrganizationField",
    "updateProductVariation",
    "updateProductField",
    "updateProjectField",
    "updateTask",
    "updateProjectBoard",
    "updateProjectPhase",
    "updateActivityType",
    "updateGoal",
    "updateTeam",
    "updateMailThreadDetails",
    "updateNote",
    "updateOrganizationRelationship",
    "putProjectPlanActivity",
    "putProjectPlanTask",
    "updateRole",
  ].map((key) => [key, { outcome: NOTHING_TO_CHANGE }]),
);

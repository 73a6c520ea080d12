import { input } from "@prismatic-io/spectral";
import { deleteDealExample, getDealExample, getDealsExample } from "../../examplePayloads/deals";
import {
  choiceInput,
  clean,
  sortDirectionInput,
  updatedSinceInput,
  updatedUntilInput,
  visibleToInput,
} from "../../inputs";
import { linkedIdInput } from "../../inputs/ids";
import { inBody, inPath, inQuery, type Param, type RequestParts } from "../operation";
import { CURSOR_ON_OFFSET, EXACT_MATCH, FILES_DELETED, NOTHING_TO_CHANGE, ON_UPDATE, relatedList } from "./compose";
import { CURSOR_NOT_SENT, FILES_DELETED_NOT_SENT, NO_FIELD_SET, NUMBERS, SORT_BY, V1_ONLY } from "./reasons";
import type { ActionEntry } from "./types";

const DEAL_STATUSES = ["open", "won", "lost"] as const;

/** Status labels; "deleted" stays a value (configurations may hold it) and says what it does. */
const STATUS_LABELS: Record<string, string> = {
  open: "Open",
  won: "Won",
  lost: "Lost",
  deleted: "Deleted",
};

const statusInput = (comments: string, values: readonly string[], labels: Record<string, string> = STATUS_LABELS) =>
  choiceInput({
    label: "Status",
    choices: values.map((value) => ({ label: labels[value], value })),
    comments,
    example: "open",
  });

const personId = linkedIdInput("person", {
  required: false,
  comments: "The ID of the person (contact) the deal is linked to.",
});
const orgId = linkedIdInput("organization", {
  label: "Org ID",
  required: false,
  comments: "The ID of the organization the deal is linked to.",
});
const pipelineId = linkedIdInput("pipeline", {
  required: false,
  comments: "The ID of the pipeline. When a stage is given, Pipedrive takes the stage's pipeline.",
});
const stageId = linkedIdInput("stage", {
  required: false,
  comments: "The ID of the stage (the dropdown shows Pipeline > Stage).",
});
const ownerId = linkedIdInput("owner", {
  required: false,
  comments: "The ID of the user who owns the deal.",
});

/** What an empty input means: on a create, Pipedrive's choice; on an update, no change. */
const WHEN_EMPTY: Record<"create" | "update", Record<string, string>> = {
  create: {
    currency: "When empty, the company's default currency.",
    stageId: "When empty, the deal goes to the first stage of the pipeline.",
    ownerId: "When empty, the connection's user owns it.",
    visibleTo: "When empty, Pipedrive uses the owner's default visibility.",
  },
  update: {
    currency: "When empty, the currency stays as it is.",
    stageId: "When empty, the deal stays in its stage.",
    ownerId: "When empty, the owner stays as it is.",
    visibleTo: "When empty, the visibility stays as it is.",
  },
};
const withEmpty = <T extends { comments?: string }>(mode: "create" | "update", key: string, base: T): T => ({
  ...base,
  comments: `${base.comments} ${WHEN_EMPTY[mode][key]}`,
});

/** Writable deal fields shared by Add Deal and Update Deal (Pipedrive v2 DealRequestBody). */
const dealFields = (mode: "create" | "update"): Record<string, Param> => ({
  title: inBody(
    "title",
    input({
      label: "Title",
      type: "string",
      required: mode === "create",
      comments: "The title of the deal.",
      example: "Acme - 50 seats",
      placeholder: "Acme - 50 seats",
      clean: mode === "create" ? clean.text("Title", 255) : clean.optionalText("Title", 255),
    }),
  ),
  value: inBody(
    "value",
    input({
      label: "Value",
      type: "string",
      required: false,
      comments: "The deal's value as a number, without currency symbol or thousands separators.",
      example: "12500",
      clean: clean.optionalNumber("Value"),
    }),
  ),
  currency: inBody(
    "currency",
    input({
      label: "Currency",
      type: "string",
      required: false,
      comments: `The 3-letter ISO currency code of the value, e.g. USD or EUR. ${WHEN_EMPTY[mode].currency}`,
      example: "USD",
      clean: clean.optionalPattern("Currency", /^[A-Z]{3}$/, "a 3-letter currency code such as USD", (t) =>
        t.toUpperCase(),
      ),
    }),
  ),
  personId: inBody("person_id", personId),
  orgId: inBody("org_id", orgId),
  pipelineId: inBody("pipeline_id", pipelineId),
  stageId: inBody("stage_id", withEmpty(mode, "stageId", stageId)),
  ownerId: inBody("owner_id", withEmpty(mode, "ownerId", ownerId)),
  status: inBody(
    "status",
    statusInput(
      mode === "create"
        ? "Open (the default), Won or Lost. Deleted creates the deal straight in the trash, kept for older flows; use Delete Deal to remove one."
        : "Open, Won or Lost. Deleted moves the deal to the trash, the same as Delete Deal.",
      [...DEAL_STATUSES, "deleted"],
      mode === "create" ? { ...STATUS_LABELS, deleted: "Deleted (straight to the trash)" } : STATUS_LABELS,
    ),
  ),
  expectedCloseDate: inBody(
    "expected_close_date",
    input({
      label: "Expected Close Date",
      type: "string",
      required: false,
      comments: "The date the deal is expected to close, as YYYY-MM-DD.",
      example: "2026-03-31",
      placeholder: "YYYY-MM-DD",
      clean: clean.optionalDate("Expected Close Date"),
    }),
  ),
  probability: inBody(
    "probability",
    input({
      label: "Probability",
      type: "string",
      required: false,
      comments: "The success probability in percent, 0 to 100 (used when the pipeline has deal probability on).",
      example: "60",
      clean: clean.optionalInteger("Probability", 0, 100),
    }),
  ),
  lostReason: inBody(
    "lost_reason",
    input({
      label: "Lost Reason",
      type: "string",
      required: false,
      comments: "Why the deal was lost. Only allowed when Status is lost.",
      example: "Budget constraints",
      clean: clean.optionalText("Lost Reason"),
    }),
  ),
  visibleTo: inBody("visible_to", withEmpty(mode, "visibleTo", visibleToInput)),
  labelIds: inBody(
    "label_ids",
    input({
      label: "Label IDs",
      type: "string",
      required: false,
      comments: "Comma-separated IDs of deal labels to set, e.g. 3,7. Replaces the deal's labels.",
      example: "3,7",
      clean: clean.optionalIdList("Label IDs"),
    }),
  ),
});

/** Pipedrive v2 has no status "deleted" on writes (v1 had): a deleted deal is is_deleted: true. */
const deletedStatus = (parts: RequestParts) => {
  if (parts.body.status !== "deleted") return;
  delete parts.body.status;
  parts.body.is_deleted = true;
};

const dealId = () => ({ id: inPath("id", linkedIdInput("deal")) });

export const deals: Record<string, ActionEntry> = {
  getDeal: {
    label: "Get Deal",
    description: "Get one deal by ID, with its custom fields.",
    params: dealId,
    customFields: { entity: "deal", writes: false },
    examplePayload: getDealExample,
  },
  getDeals: {
    differences: [{ what: "query.sort_by", why: SORT_BY }],
    label: "Get Deals",
    description:
      "List deals (not archived ones), filtered by status, person, organization, pipeline, stage, owner or update time. Returns one page, or every page with Fetch All.",
    params: () => ({
      status: inQuery(
        "status",
        statusInput("Only deals with this status. Empty returns open, won and lost deals.", [
          ...DEAL_STATUSES,
          "deleted",
        ]),
      ),
      personId: inQuery("person_id", { ...personId, comments: "Only deals linked to this person." }),
      orgId: inQuery("org_id", { ...orgId, comments: "Only deals linked to this organization." }),
      pipelineId: inQuery("pipeline_id", { ...pipelineId, comments: "Only deals in this pipeline." }),
      stageId: inQuery("stage_id", { ...stageId, comments: "Only deals in this stage." }),
      ownerId: inQuery("owner_id", { ...ownerId, comments: "Only deals owned by this user." }),
      filterId: inQuery(
        "filter_id",
        linkedIdInput("filter", {
          required: false,
          comments:
            "Apply a saved Pipedrive deal filter (the dropdown shows each filter's type). When set, Pipedrive ignores the other filters.",
        }),
      ),
      updatedSince: inQuery("updated_since", updatedSinceInput),
      updatedUntil: inQuery("updated_until", updatedUntilInput),
      sortBy: inQuery("sort_by", {
        ...choiceInput({
          label: "Sort By",
          choices: [
            { label: "ID", value: "id" },
            { label: "Update time", value: "update_time" },
            { label: "Add time", value: "add_time" },
          ],
          comments: "The field to order by. Pipedrive's default is id.",
          example: "update_time",
        }),
        clean: clean.optionalSortField("Sort By", ["id", "update_time", "add_time"]),
      }),
      sortDirection: inQuery("sort_direction", sortDirectionInput),
    }),
    customFields: { entity: "deal", writes: false },
    examplePayload: getDealsExample,
  },
  addDeal: {
    differences: [
      { what: "body.value", why: NUMBERS },
      { what: "body.visible_to", why: NUMBERS },
      {
        what: "body.add_time",
        why: "Pipedrive's v2 Add Deal has no add_time (Pipedrive sets it): the input is kept, logged when set and not sent.",
      },
    ],
    label: "Add Deal",
    description:
      "Create a deal. Only Title is required; it goes to the pipeline's first stage unless a stage is given.",
    params: () => dealFields("create"),
    // Prismatic's Add Deal had Add Time; Pipedrive v2 sets the creation time itself.
    notSent: { addTime: { label: "Add Time", why: "Pipedrive's v2 API sets the creation time itself." } },
    prepare: deletedStatus,
    customFields: { entity: "deal", writes: true },
    examplePayload: getDealExample,
  },
  updateDeal: {
    differences: [
      { what: "body.value", why: NUMBERS },
      { what: "body.visible_to", why: NUMBERS },
      { what: "requests", why: NO_FIELD_SET },
    ],
    outcome: NOTHING_TO_CHANGE,
    label: "Update Deal",
    description: "Change a deal's fields. Only the inputs you set are sent; the rest stay as they are.",
    params: () => ({ ...dealId(), ...dealFields("update") }),
    prepare: deletedStatus,
    customFields: { entity: "deal", writes: true },
    examplePayload: getDealExample,
  },
  deleteDeal: {
    label: "Delete Deal",
    description: "Delete a deal. Pipedrive keeps deleted deals for 30 days (list them with status deleted).",
    params: dealId,
    examplePayload: deleteDealExample,
  },
  getArchivedDeals: { customFields: { entity: "deal", writes: false } },
  searchDeals: { ...EXACT_MATCH, defaults: { ...EXACT_MATCH.defaults, fields: "custom_fields,notes,title" } },
  getDealActivities: {
    differences: [{ what: "query.sort_by", why: SORT_BY }],
    operation: relatedList({ record: "deal", list: "activities" }, "Get Deal Activities"),
    types: { done: "boolean" },
    defaults: { done: "false" },
    customFields: { entity: "activity", writes: false },
  },
  getDealPersons: {
    operation: relatedList({ record: "deal", list: "persons" }, "Get Deal Persons"),
    customFields: { entity: "person", writes: false },
  },
  addDealProduct: {
    differences: [
      {
        what: "body.isEnabled",
        why: "Prismatic's component sent Is Enabled as isEnabled, a name Pipedrive ignores (its products stayed enabled); ours sends is_enabled only when true, so the default keeps Pipedrive's enabled.",
      },
    ],
    types: { isEnabled: "boolean" },
    defaults: { discount: "0", tax: "0", isEnabled: "false" },
    // Prismatic's default false never reached Pipedrive (sent as isEnabled), so products stayed
    // enabled: false is not sent (Pipedrive's default, enabled, holds), true is.
    prepare: (parts) => {
      if (parts.body.is_enabled === false) delete parts.body.is_enabled;
    },
  },
  updateDealProduct: {
    outcome: NOTHING_TO_CHANGE,
    defaultsNotKept: { discount: ON_UPDATE("reset the discount"), tax: ON_UPDATE("reset the tax") },
  },
  getDealFiles: {
    differences: [
      { what: "query.cursor", why: CURSOR_NOT_SENT },
      { what: "query.include_deleted_files", why: FILES_DELETED_NOT_SENT },
    ],
    notSent: { includeDeletedFiles: FILES_DELETED, cursor: CURSOR_ON_OFFSET },
  },
  getDealMailMessages: {
    differences: [{ what: "query.cursor", why: CURSOR_NOT_SENT }],
    notSent: { cursor: CURSOR_ON_OFFSET },
  },
  getDealParticipants: {
    differences: [{ what: "query.cursor", why: CURSOR_NOT_SENT }],
    notSent: { cursor: CURSOR_ON_OFFSET },
  },
  getDealProducts: { differences: [{ what: "query.sort_by", why: SORT_BY }] },
  getDealsSummary: { differences: [{ what: "path", why: V1_ONLY }] },
  getDealsTimeline: { differences: [{ what: "path", why: V1_ONLY }] },
};

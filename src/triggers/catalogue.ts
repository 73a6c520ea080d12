import { input } from "@prismatic-io/spectral";
import { FIELD_CACHE_TTL_MS } from "../customFields/catalog";
import { exampleDeal } from "../examplePayloads/deals";
import { clean } from "../inputs";
import { linkedIdInput } from "../inputs/ids";
import { RECORDS, WEBHOOK_EVENT_OBJECT_CHOICES, WEBHOOK_EVENT_OBJECTS } from "../records";
import { touchesAny } from "./webhook/event";
import {
  type Delivery,
  passThroughWebhookTrigger,
  type TriggerOutput,
  type WebhookTriggerDefinition,
  webhookTrigger,
  webhookUserIdInput,
} from "./webhook/factory";

/** The webhook objects with catalogue triggers: the records with custom fields, and the webhooks v2 project objects. */
const TRIGGER_OBJECTS = {
  ...Object.fromEntries(Object.entries(RECORDS).map(([entity, names]) => [entity, names.one])),
  project: "Project",
  task: "Task",
  deal_product: "Deal Product",
} as Record<keyof typeof RECORDS | "project" | "task" | "deal_product", string>;

type Entity = keyof typeof TRIGGER_OBJECTS;

const exampleRecords: Record<Entity, Record<string, unknown>> = {
  deal: exampleDeal,
  person: {
    id: 1,
    name: "Ada Lovelace",
    owner_id: 1,
    org_id: 1,
    emails: [{ value: "ada@example.com", primary: true, label: "work" }],
    custom_fields: {},
  },
  organization: { id: 1, name: "Acme Inc.", owner_id: 1, custom_fields: {} },
  activity: { id: 1, subject: "Call Ada", type: "call", owner_id: 1, deal_id: 1, done: false, due_date: "2026-02-01" },
  lead: {
    id: "adf21080-0e10-11eb-879b-05d71fb426ec",
    title: "Acme lead",
    owner_id: 1,
    person_id: 1,
    organization_id: 1,
  },
  note: { id: 1, content: "Spoke with Ada about seats.", deal_id: 1, user_id: 1 },
  product: { id: 1, name: "Seat license", code: "SEAT", owner_id: 1, custom_fields: {} },
  project: {
    id: 1,
    title: "Acme onboarding",
    status: "open",
    board_id: 1,
    phase_id: 1,
    owner_id: 1,
    deal_ids: [1],
    start_date: "2026-02-01",
    end_date: null,
    custom_fields: {},
  },
  task: {
    id: 1,
    title: "Kick-off call",
    project_id: 1,
    creator_id: 1,
    is_done: false,
    is_milestone: false,
    due_date: "2026-02-03",
    assignee_ids: [1],
    parent_task_id: null,
  },
  deal_product: {
    id: 1,
    deal_id: 1,
    product_id: 1,
    item_price: 50,
    quantity: 60,
    discount: 0,
    discount_type: "percentage",
    tax: 0,
    tax_method: "inclusive",
    sum: 3000,
    currency: "USD",
    is_enabled: true,
    comments: null,
  },
};

/** What an example edit changed, per record: one field a builder cares about (with update_time). */
const EXAMPLE_EDITS: Record<Entity, [field: string, previous: unknown]> = {
  deal: ["value", 10000],
  person: ["name", "Ada King"],
  organization: ["name", "Acme"],
  activity: ["subject", "Call Ada back"],
  lead: ["title", "Acme"],
  note: ["content", "Spoke with Ada."],
  product: ["name", "Seat"],
  project: ["status", "planned"],
  task: ["title", "Kick-off"],
  deal_product: ["quantity", 50],
};

const example = (
  entity: Entity,
  action: "create" | "change" | "delete",
  extra: Partial<TriggerOutput> = {},
): TriggerOutput => {
  const record = exampleRecords[entity];
  const [edited, before] = EXAMPLE_EDITS[entity];
  const changes: [string, unknown, unknown][] = [
    [edited, before, record[edited]],
    ["update_time", "2026-01-05T09:12:44Z", "2026-01-06T14:02:10Z"],
  ];
  return {
    event: {
      id: "8a3f1c2e-5b7d-4e1f-9a0b-2c3d4e5f6a7b",
      object: entity,
      action,
      entityId: String(record.id),
      timestamp: "2026-01-06T14:02:10.000Z",
      userId: "1",
      companyId: "1",
      webhookId: "12",
      attempt: 1,
      changeSource: "app",
    },
    current: action === "delete" ? null : record,
    previous:
      action === "create"
        ? null
        : action === "delete"
          ? record
          : Object.fromEntries(changes.map(([field, previous]) => [field, previous])),
    changedFields:
      action === "change"
        ? changes.map(([field, previous, current]) => ({ field, name: field, isCustom: false, previous, current }))
        : [],
    ...extra,
  };
};

const onlyFieldsInput = input({
  label: "Only When These Fields Change",
  type: "string",
  required: false,
  comments:
    "Comma-separated field keys (e.g. value, stage_id) or custom field names (e.g. Lead Source). When set, other edits go to the Ignored branch.",
  example: "value, stage_id",
  clean: (value: unknown) =>
    (clean.optionalText("Only When These Fields Change")(value) ?? "")
      .split(",")
      .map((part) => part.trim())
      .filter(Boolean),
});

const fieldFilter: WebhookTriggerDefinition["accept"] = ({ output, params }) => {
  const wanted = params.onlyFields as string[] | undefined;
  if (!wanted?.length || touchesAny(output.changedFields, wanted)) return true;
  return `none of ${wanted.join(", ")} changed`;
};

function lifecycleTriggers(entity: Entity) {
  const label = TRIGGER_OBJECTS[entity];
  const key = label.replace(/ /g, "");
  const lower = label.toLowerCase();
  return {
    [`new${key}`]: webhookTrigger({
      label: `New ${label}`,
      description: `Runs when a ${lower} is created in Pipedrive. Registers its own webhook on deploy and removes it on delete.`,
      eventObject: entity,
      eventAction: "create",
      example: example(entity, "create"),
    }),
    [`updated${key}`]: webhookTrigger({
      label: `Updated ${label}`,
      description: `Runs when a ${lower} changes, with the changed fields (old and new values${entity in RECORDS ? ", custom fields by name" : ""}). Optionally only for chosen fields.`,
      eventObject: entity,
      eventAction: "change",
      inputs: { onlyFields: onlyFieldsInput },
      accept: fieldFilter,
      example: example(entity, "change"),
    }),
    [`deleted${key}`]: webhookTrigger({
      label: `Deleted ${label}`,
      description: `Runs when a ${lower} is deleted; the output's previous holds its last state.`,
      eventObject: entity,
      eventAction: "delete",
      example: example(entity, "delete"),
    }),
  };
}

interface StageSummary {
  id: number;
  name: string;
  pipeline_id: number;
}

/** Stages of the company, kept in the flow's instance state: { origin, at, stages: { id: [name, pipeline_id] } }. */
const STAGES_KEY = "pipedriveStages";
interface StoredStages {
  origin: string;
  at: number;
  stages: Record<string, [string, number]>;
}

/**
 * The from- and to-stage of a move, named from the flow's cache of stages; the stages are listed
 * again (one request) only when the cache is missing, older than the field cache's TTL, or lacks
 * one of the ids (a stage created since).
 */
async function stages(delivery: Delivery, ids: unknown[]): Promise<(StageSummary | null)[]> {
  const wanted = ids.filter((id): id is number => typeof id === "number");
  let stored = delivery.instanceState[STAGES_KEY] as StoredStages | undefined;
  const client = delivery.client();
  const fresh =
    stored?.origin === client.origin &&
    Date.now() - stored.at >= 0 &&
    Date.now() - stored.at < FIELD_CACHE_TTL_MS &&
    wanted.every((id) => String(id) in (stored as StoredStages).stages);
  if (!fresh && wanted.length) {
    const { items } = await client.collect<StageSummary>({ version: "v2", path: "/stages", pagination: "cursor" });
    stored = {
      origin: client.origin,
      at: Date.now(),
      stages: Object.fromEntries(items.map((stage) => [String(stage.id), [stage.name, stage.pipeline_id]])),
    };
    delivery.keep[STAGES_KEY] = stored;
  }
  return ids.map((id) => {
    const entry = typeof id === "number" ? stored?.stages[String(id)] : undefined;
    return entry ? { id: id as number, name: entry[0], pipeline_id: entry[1] } : null;
  });
}

const statusTrigger = (status: "won" | "lost") =>
  webhookTrigger({
    label: `Deal ${status === "won" ? "Won" : "Lost"}`,
    description: `Runs when a deal's status changes to ${status}.`,
    eventObject: "deal",
    eventAction: "change",
    accept: ({ event }) =>
      event.previous?.status !== undefined && event.data?.status === status
        ? true
        : `the deal's status did not change to ${status}`,
    example: example("deal", "change", {
      current: { ...exampleDeal, status },
      previous: { status: "open" },
      changedFields: [{ field: "status", name: "status", isCustom: false, previous: "open", current: status }],
    }),
  });

const dealTriggers = {
  ...lifecycleTriggers("deal"),
  dealStageChanged: webhookTrigger({
    label: "Deal Stage Changed",
    description:
      "Runs when a deal moves to another stage; outputs the from-stage and to-stage. Optionally only for one pipeline or one target stage.",
    eventObject: "deal",
    eventAction: "change",
    inputs: {
      pipelineId: linkedIdInput("pipeline", {
        label: "Pipeline ID",
        comments: "Only deals in this pipeline (after the move). Empty: every pipeline.",
        required: false,
      }),
      stageId: linkedIdInput("stage", {
        label: "To Stage ID",
        comments: "Only moves into this stage (the dropdown shows Pipeline > Stage). Empty: any stage.",
        required: false,
      }),
    },
    accept: ({ event, params }) => {
      if (event.previous?.stage_id === undefined) return "the deal's stage did not change";
      if (params.pipelineId !== undefined && event.data?.pipeline_id !== params.pipelineId) return "another pipeline";
      if (params.stageId !== undefined && event.data?.stage_id !== params.stageId) return "another target stage";
      return true;
    },
    enrich: async (delivery) => {
      const [fromStage, toStage] = await stages(delivery, [
        delivery.event.previous?.stage_id,
        delivery.event.data?.stage_id,
      ]);
      return { fromStage, toStage };
    },
    example: example("deal", "change", {
      previous: { stage_id: 1 },
      changedFields: [{ field: "stage_id", name: "stage_id", isCustom: false, previous: 1, current: 2 }],
      fromStage: { id: 1, name: "Qualified", pipeline_id: 1 },
      toStage: { id: 2, name: "Proposal Made", pipeline_id: 1 },
    }),
  }),
  dealWon: statusTrigger("won"),
  dealLost: statusTrigger("lost"),
};

const EVENT_ACTIONS = [
  { label: "Create", value: "create" },
  { label: "Change", value: "change" },
  { label: "Delete", value: "delete" },
  { label: "All", value: "*" },
] as const;

/** Objects Pipedrive's webhooks take (POST /v1/webhooks event_object). */
const EVENT_OBJECTS = WEBHOOK_EVENT_OBJECTS;

/** Objects that only webhooks v2 deliver (Pipedrive's webhooks v2 guide: "not available in v1"). */
const V2_ONLY_OBJECTS: readonly string[] = [
  "lead",
  "board",
  "deal_installment",
  "deal_product",
  "phase",
  "project",
  "task",
];

const VERSIONS = ["1.0", "2.0"] as const;
const chooseVersion = clean.choice("Version", VERSIONS);

/**
 * Prismatic's published generic trigger: same key, input keys, dropdown values and defaults, and
 * the same output (the delivery passed through, one path). Our lifecycle and credential check stay.
 */
const pipedriveTrigger = passThroughWebhookTrigger({
  label: "Webhook",
  description:
    "Receive any Pipedrive event (object x action) through a webhook this trigger creates, verifies and removes itself. The output is Pipedrive's delivery unchanged: results.body.data holds its meta, data and previous (v2) or current and previous (1.0).",
  eventObject: (params) => params.eventObject as string,
  eventAction: (params) => params.eventAction as string,
  version: (params) => (params.version as "1.0" | "2.0" | undefined) ?? "2.0",
  check: (params) =>
    params.version === "1.0" && V2_ONLY_OBJECTS.includes(params.eventObject as string)
      ? `Event Object "${params.eventObject}" needs Version 2.0: Pipedrive's webhooks 1.0 do not cover it.`
      : undefined,
  inputs: {
    version: input({
      label: "Version",
      type: "string",
      required: true,
      model: VERSIONS.map((value) => ({ label: `Version ${value}`, value })),
      default: "2.0",
      example: "2.0",
      comments:
        "The webhook payload version: 2.0 (Pipedrive's default since March 2025; meta, data, previous) or 1.0 (current, previous, meta in v1 form).",
      // As Prismatic's trigger did, an empty Version means 2.0.
      clean: (value: unknown) => (value === undefined || value === null || value === "" ? "2.0" : chooseVersion(value)),
    }),
    eventAction: input({
      label: "Event Action",
      type: "string",
      required: true,
      model: EVENT_ACTIONS.map((choice) => ({ ...choice })),
      default: "*",
      comments: "The action to receive: create, change, delete, or all.",
      clean: clean.choice(
        "Event Action",
        EVENT_ACTIONS.map((choice) => choice.value),
      ),
    }),
    eventObject: input({
      label: "Event Object",
      type: "string",
      required: true,
      model: WEBHOOK_EVENT_OBJECT_CHOICES,
      default: "deal",
      comments:
        "The kind of record to receive events about, or all. Board, Deal Installment, Deal Product, Lead, Phase, Project and Task need Version 2.0.",
      clean: clean.choice("Event Object", EVENT_OBJECTS),
    }),
    userId: webhookUserIdInput,
    httpAuthUser: input({
      label: "HTTP Auth User",
      type: "string",
      required: false,
      comments: "Optional. Leave empty: the trigger generates random credentials and checks them on every delivery.",
      clean: clean.optionalText("HTTP Auth User"),
    }),
    httpAuthPassword: input({
      label: "HTTP Auth Password",
      type: "password",
      required: false,
      comments: "Optional, with HTTP Auth User. Leave both empty to use generated credentials.",
      clean: clean.optionalText("HTTP Auth Password"),
    }),
  },
  credentialsFrom: (params) =>
    params.httpAuthUser && params.httpAuthPassword
      ? { user: params.httpAuthUser as string, password: params.httpAuthPassword as string }
      : undefined,
  example: {
    meta: {
      action: "create",
      entity: "deal",
      version: "2.0",
      id: "8a3f1c2e-5b7d-4e1f-9a0b-2c3d4e5f6a7b",
      entity_id: String(exampleDeal.id),
      company_id: "1",
      user_id: "1",
      webhook_id: "12",
      webhook_owner_id: "1",
      permitted_user_ids: ["1"],
      attempt: 1,
      host: "acme.pipedrive.com",
      timestamp: "2026-01-06T14:02:10.000Z",
      change_source: "app",
      is_bulk_edit: false,
      type: "general",
    },
    data: exampleDeal,
    previous: null,
  },
});

export const webhookTriggers = {
  pipedriveTrigger,
  ...dealTriggers,
  ...lifecycleTriggers("person"),
  ...lifecycleTriggers("organization"),
  ...lifecycleTriggers("activity"),
  ...lifecycleTriggers("lead"),
  ...lifecycleTriggers("note"),
  ...lifecycleTriggers("product"),
  ...lifecycleTriggers("project"),
  ...lifecycleTriggers("task"),
  ...lifecycleTriggers("deal_product"),
};

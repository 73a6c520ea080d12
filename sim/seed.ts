/**
 * The seeded company: two users, two pipelines (4 + 2 stages), field definitions with custom
 * fields of every common type, activity types, currencies and lead labels. Custom-field keys are
 * 40-hex hashes like Pipedrive's, derived deterministically from entity + name so they are the
 * same in every run (see `customFieldKey`).
 */
import * as crypto from "node:crypto";
import type { Store } from "./store";
import type { FieldEntity, SimRecord } from "./types";
import { formatTime, hashKey } from "./util";

export const COMPANY = { id: 1, name: "Sim Company", domain: "sim", country: "US", industry: "Software" };

export interface FieldDef extends SimRecord {
  id: number;
  entity: FieldEntity;
  /** v2 field_code / v1 key. */
  key: string;
  /** v1 key when it differs from the v2 field_code (e.g. deal owner_id vs user_id). */
  v1_key: string | null;
  name: string;
  field_type: string;
  is_custom: boolean;
  options: Array<{ id: number; label: string }> | null;
  order_nr: number;
  mandatory: boolean;
  add_time: string;
  update_time: string;
}

type StdField = [key: string, name: string, type: string, v1Key?: string, options?: Array<[number, string]>];
type CustomField = [name: string, type: string, options?: string[]];

const VISIBLE_TO: Array<[number, string]> = [
  [1, "Owner & followers"],
  [3, "Entire company"],
];

const STANDARD: Record<FieldEntity, StdField[]> = {
  deal: [
    ["title", "Title", "varchar"],
    ["value", "Value", "monetary"],
    ["currency", "Currency", "varchar"],
    ["person_id", "Contact person", "people"],
    ["org_id", "Organization", "org"],
    ["pipeline_id", "Pipeline", "int"],
    ["stage_id", "Stage", "stage"],
    ["status", "Status", "status"],
    ["owner_id", "Owner", "user", "user_id"],
    ["expected_close_date", "Expected close date", "date"],
    ["probability", "Probability", "double"],
    ["lost_reason", "Lost reason", "varchar"],
    [
      "label_ids",
      "Label",
      "set",
      "label",
      [
        [1, "Hot"],
        [2, "Warm"],
        [3, "Cold"],
      ],
    ],
    ["visible_to", "Visible to", "visible_to", undefined, VISIBLE_TO],
    ["add_time", "Deal created", "date"],
    ["update_time", "Update time", "date"],
  ],
  person: [
    ["name", "Name", "varchar"],
    ["first_name", "First name", "varchar"],
    ["last_name", "Last name", "varchar"],
    ["emails", "Email", "varchar", "email"],
    ["phones", "Phone", "phone", "phone"],
    ["org_id", "Organization", "org"],
    ["owner_id", "Owner", "user"],
    [
      "label_ids",
      "Label",
      "set",
      "label",
      [
        [4, "Customer"],
        [5, "Lead"],
      ],
    ],
    ["visible_to", "Visible to", "visible_to", undefined, VISIBLE_TO],
    ["add_time", "Person created", "date"],
    ["update_time", "Update time", "date"],
  ],
  organization: [
    ["name", "Name", "varchar"],
    ["owner_id", "Owner", "user"],
    ["address", "Address", "address"],
    [
      "label_ids",
      "Label",
      "set",
      "label",
      [
        [6, "Partner"],
        [7, "Competitor"],
      ],
    ],
    ["visible_to", "Visible to", "visible_to", undefined, VISIBLE_TO],
    ["add_time", "Organization created", "date"],
    ["update_time", "Update time", "date"],
  ],
  product: [
    ["name", "Name", "varchar"],
    ["code", "Product code", "varchar"],
    ["unit", "Unit", "varchar"],
    ["tax", "Tax", "double"],
    [
      "category",
      "Category",
      "enum",
      undefined,
      [
        [8, "Hardware"],
        [9, "Services"],
      ],
    ],
    ["owner_id", "Owner", "user"],
    ["prices", "Price", "price_list"],
    ["visible_to", "Visible to", "visible_to", undefined, VISIBLE_TO],
  ],
  activity: [
    ["subject", "Subject", "varchar"],
    ["type", "Type", "varchar"],
    ["due_date", "Due date", "date"],
    ["due_time", "Due time", "time"],
    ["duration", "Duration", "time"],
    ["owner_id", "Assigned to user", "user", "user_id"],
    ["deal_id", "Deal", "deal"],
    ["lead_id", "Lead", "lead"],
    ["person_id", "Contact person", "people"],
    ["org_id", "Organization", "org"],
    ["note", "Note", "text"],
    ["done", "Done", "boolean"],
    ["busy", "Busy", "boolean", "busy_flag"],
    ["location", "Location", "address"],
    ["public_description", "Public description", "text"],
    [
      "priority",
      "Priority",
      "enum",
      undefined,
      [
        [10, "Low"],
        [11, "High"],
      ],
    ],
  ],
  note: [
    ["content", "Content", "text"],
    // v1's field_type enum has no deal or lead type (nor boolean, below): the closest types it lists.
    ["deal_id", "Deal", "varchar"],
    ["person_id", "Person", "people"],
    ["org_id", "Organization", "org"],
    ["lead_id", "Lead", "varchar"],
    ["user_id", "User", "user"],
    [
      "pinned_to_deal_flag",
      "Note is pinned to deal",
      "enum",
      undefined,
      [
        [1, "Yes"],
        [0, "No"],
      ],
    ],
    [
      "pinned_to_person_flag",
      "Note is pinned to person",
      "enum",
      undefined,
      [
        [1, "Yes"],
        [0, "No"],
      ],
    ],
    [
      "pinned_to_organization_flag",
      "Note is pinned to organization",
      "enum",
      undefined,
      [
        [1, "Yes"],
        [0, "No"],
      ],
    ],
  ],
  lead: [
    ["title", "Title", "varchar"],
    ["owner_id", "Owner", "user"],
    ["person_id", "Person", "people"],
    ["organization_id", "Organization", "org"],
    ["value", "Value", "monetary"],
    ["expected_close_date", "Expected close date", "date"],
    ["label_ids", "Labels", "set"],
    ["visible_to", "Visible to", "visible_to", undefined, VISIBLE_TO],
    [
      "was_seen",
      "Was seen",
      "enum",
      undefined,
      [
        [1, "Yes"],
        [0, "No"],
      ],
    ],
  ],
};

/** Custom fields per entity. Leads share the deal custom fields (as in Pipedrive). */
const CUSTOM: Partial<Record<FieldEntity, CustomField[]>> = {
  deal: [
    ["Lead source", "varchar"],
    ["Budget", "monetary"],
    ["Priority", "enum", ["Low", "Medium", "High"]],
    ["Tags", "set", ["Alpha", "Beta", "Gamma"]],
    ["Kickoff date", "date"],
    ["Site address", "address"],
  ],
  person: [
    ["Nickname", "varchar"],
    ["Lifetime value", "monetary"],
    ["Customer tier", "enum", ["Gold", "Silver", "Bronze"]],
    ["Interests", "set", ["Sales", "Support", "Marketing"]],
    ["Birthday", "date"],
    ["Home address", "address"],
  ],
  organization: [
    ["Website", "varchar"],
    ["Annual revenue", "monetary"],
    ["Industry", "enum", ["Software", "Retail", "Finance"]],
    ["Regions", "set", ["EMEA", "AMER", "APAC"]],
    ["Founded", "date"],
    ["HQ address", "address"],
  ],
  product: [
    ["SKU group", "varchar"],
    ["List price", "monetary"],
    ["Size", "enum", ["S", "M", "L"]],
    ["Channels", "set", ["Online", "Store"]],
    ["Launch date", "date"],
    ["Warehouse", "address"],
  ],
};

/** The 40-hex key of a seeded custom field. */
export function customFieldKey(entity: FieldEntity, name: string): string {
  return hashKey(`pipedrive-sim:${entity === "lead" ? "deal" : entity}:${name}`);
}

export interface SeedUser {
  id: number;
  name: string;
  email: string;
  admin: boolean;
}

export const SEED_USERS: SeedUser[] = [
  { id: 1, name: "Sim Admin", email: "admin@sim.example", admin: true },
  { id: 2, name: "Sim User", email: "user@sim.example", admin: false },
];

export function seedStore(store: Store, now: number): void {
  const t2 = formatTime(now, "rfc3339");
  const t1 = formatTime(now, "v1");
  const tIso = formatTime(now, "iso");

  const users = store.collection("users");
  for (const u of SEED_USERS) {
    users.insert({
      id: u.id,
      name: u.name,
      default_currency: "USD",
      locale: "en_US",
      lang: 1,
      email: u.email,
      phone: null,
      activated: true,
      last_login: t1,
      created: t1,
      modified: t1,
      has_created_company: u.admin,
      access: [
        { app: "sales", admin: u.admin, permission_set_id: crypto.randomUUID() },
        { app: "global", admin: u.admin, permission_set_id: crypto.randomUUID() },
      ],
      active_flag: true,
      timezone_name: "UTC",
      timezone_offset: "+00:00",
      role_id: 1,
      icon_url: null,
      is_deleted: false,
      is_admin: u.admin,
    });
  }

  const pipelines = store.collection("pipelines");
  const stages = store.collection("stages");
  const plan: Array<[string, string[]]> = [
    ["Sales pipeline", ["Qualified", "Contact made", "Proposal made", "Negotiations started"]],
    ["Partnerships", ["Prospecting", "Signed"]],
  ];
  plan.forEach(([name, stageNames], i) => {
    const p = pipelines.insert({
      id: pipelines.allocateId(),
      name,
      order_nr: i + 1,
      is_deleted: false,
      is_deal_probability_enabled: false,
      add_time: t2,
      update_time: t2,
    });
    stageNames.forEach((s, j) => {
      stages.insert({
        id: stages.allocateId(),
        order_nr: j + 1,
        name: s,
        is_deleted: false,
        deal_probability: 100,
        pipeline_id: p.id,
        is_deal_rot_enabled: false,
        days_to_rotten: null,
        add_time: t2,
        update_time: t2,
      });
    });
  });

  const fields = store.collection("fields");
  let optionId = 100;
  for (const entity of Object.keys(STANDARD) as FieldEntity[]) {
    let order = 1;
    for (const [key, name, type, v1Key, options] of STANDARD[entity]) {
      fields.insert({
        id: fields.allocateId() as number,
        entity,
        key,
        v1_key: v1Key ?? null,
        name,
        field_type: type,
        is_custom: false,
        options: options ? options.map(([id, label]) => ({ id, label })) : null,
        order_nr: order++,
        mandatory: key === "title" || key === "name" || key === "content" || key === "subject",
        add_time: t2,
        update_time: t2,
      } satisfies FieldDef);
    }
    const custom = CUSTOM[entity === "lead" ? "deal" : entity];
    for (const [name, type, options] of custom ?? []) {
      const existing = entity === "lead";
      fields.insert({
        id: fields.allocateId() as number,
        entity,
        key: customFieldKey(entity, name),
        v1_key: null,
        name,
        field_type: type,
        is_custom: true,
        // leads share the deal fields' option ids
        options: options
          ? options.map((label, i) => ({ id: existing ? optionIdFor(store, "deal", name, i) : optionId++, label }))
          : null,
        order_nr: order++,
        mandatory: false,
        add_time: t2,
        update_time: t2,
      } satisfies FieldDef);
    }
  }

  const activityTypes = store.collection("activityTypes");
  const types: Array<[string, string, string]> = [
    ["Call", "call", "call"],
    ["Meeting", "meeting", "meeting"],
    ["Task", "task", "task"],
    ["Deadline", "deadline", "deadline"],
    ["Email", "email", "email"],
    ["Lunch", "lunch", "lunch"],
  ];
  types.forEach(([name, key, icon], i) => {
    activityTypes.insert({
      id: activityTypes.allocateId(),
      order_nr: i + 1,
      name,
      key_string: key,
      icon_key: icon,
      active_flag: true,
      color: "FFFFFF",
      is_custom_flag: false,
      add_time: t1,
      update_time: t1,
    });
  });

  const currencies = store.collection("currencies");
  const list: Array<[string, string, number, string]> = [
    ["USD", "US Dollar", 2, "$"],
    ["EUR", "Euro", 2, "€"],
    ["GBP", "British Pound", 2, "£"],
    ["JPY", "Japanese Yen", 0, "¥"],
  ];
  for (const [code, name, decimals, symbol] of list) {
    currencies.insert({
      id: currencies.allocateId(),
      code,
      name,
      decimal_points: decimals,
      symbol,
      active_flag: true,
      is_custom_flag: false,
    });
  }

  const labels = store.collection("leadLabels");
  for (const [name, color] of [
    ["Hot", "red"],
    ["Warm", "yellow"],
    ["Cold", "blue"],
  ]) {
    labels.insert({ id: labels.allocateId(), name, color, add_time: tIso, update_time: tIso });
  }
}

function optionIdFor(store: Store, entity: FieldEntity, name: string, index: number): number {
  const key = customFieldKey(entity, name);
  for (const f of store.collection("fields").values() as FieldDef[]) {
    if (f.entity === entity && f.key === key && f.options) return f.options[index].id;
  }
  throw new Error(`seed: no ${entity} field ${name}`);
}

const fieldCache = new WeakMap<object, { version: number; byEntity: Map<FieldEntity, FieldDef[]> }>();

/** Field definitions of an entity in id order (cached until the fields collection changes). */
export function fieldsOf(store: Store, entity: FieldEntity): FieldDef[] {
  const col = store.collection("fields");
  let cache = fieldCache.get(col);
  if (!cache || cache.version !== col.version) {
    cache = { version: col.version, byEntity: new Map() };
    fieldCache.set(col, cache);
  }
  let list = cache.byEntity.get(entity);
  if (!list) {
    list = (col.ordered() as FieldDef[]).filter((f) => f.entity === entity);
    cache.byEntity.set(entity, list);
  }
  return list;
}

import { type Connection, dataSource, type JSONForm } from "@prismatic-io/spectral";
import { createPipedriveClient, type Envelope, type PipedriveClient } from "../client";
import { type FieldInfo, fieldCatalog } from "../customFields/catalog";
import { connectionInput } from "../inputs";
import { linkedIdInput } from "../inputs/ids";

/**
 * jsonForm data sources: a form of an entity's custom fields, by name, generated from Pipedrive's
 * field definitions. The form's value is an object keyed by field_code in Pipedrive's v2
 * `custom_fields` format, so an action can send it as `custom_fields` as it is:
 *
 *   { "<hash>": "text", "<hash>": 42, "<hash>": { "value": 500, "currency": "EUR" },
 *     "<hash>": 12 (enum option id), "<hash>": [12, 13] (set option ids), "<hash>": "2026-03-31" }
 *
 * Fields left empty are absent, so they stay as they are on an update.
 */

type Schema = Record<string, unknown>;

interface Control {
  type: "Control";
  scope: string;
  label: string;
  options?: Record<string, unknown>;
}

const DATE = { type: "string", format: "date" };
const TIME = { type: "string", pattern: "^([01]\\d|2[0-3]):[0-5]\\d(:[0-5]\\d)?$", description: "HH:MM or HH:MM:SS" };

const optionsOf = (field: FieldInfo) =>
  field.options.map((option) => ({
    const: typeof option.id === "number" ? option.id : Number(option.id),
    title: option.label,
  }));

/** JSON schema of one custom field's v2 value; undefined for types a form can't fill sensibly. */
export function fieldSchema(
  field: FieldInfo,
  currencies: string[],
): { schema: Schema; multiline?: boolean } | undefined {
  const title = field.name;
  switch (field.type) {
    case "varchar":
    case "varchar_auto":
    case "phone":
      return { schema: { type: "string", title } };
    case "text":
      return { schema: { type: "string", title }, multiline: true };
    case "double":
      return { schema: { type: "number", title } };
    case "int":
      return { schema: { type: "integer", title } };
    case "monetary":
      return {
        schema: {
          type: "object",
          title,
          properties: {
            value: { type: "number", title: "Amount" },
            currency: currencies.length
              ? { type: "string", title: "Currency", enum: currencies }
              : { type: "string", title: "Currency" },
          },
          required: ["value", "currency"],
        },
      };
    case "enum":
      return field.options.length ? { schema: { type: "integer", title, oneOf: optionsOf(field) } } : undefined;
    case "set":
      return field.options.length
        ? { schema: { type: "array", title, uniqueItems: true, items: { type: "integer", oneOf: optionsOf(field) } } }
        : undefined;
    case "date":
      return { schema: { ...DATE, title } };
    case "daterange":
      return {
        schema: {
          type: "object",
          title,
          properties: { value: { ...DATE, title: "From" }, until: { ...DATE, title: "Until" } },
          required: ["value", "until"],
        },
      };
    case "time":
      return {
        schema: { type: "object", title, properties: { value: { ...TIME, title: "Time" } }, required: ["value"] },
      };
    case "timerange":
      return {
        schema: {
          type: "object",
          title,
          properties: { value: { ...TIME, title: "From" }, until: { ...TIME, title: "Until" } },
          required: ["value", "until"],
        },
      };
    case "address":
      return {
        schema: {
          type: "object",
          title,
          properties: { value: { type: "string", title: "Address" } },
          required: ["value"],
        },
      };
    case "user":
    case "org":
    case "people":
      return {
        schema: {
          type: "integer",
          title,
          minimum: 1,
          description: `The ID of a ${field.type === "user" ? "user" : field.type === "org" ? "organization" : "person"}.`,
        },
      };
    default:
      return undefined;
  }
}

/** Keeps a record's current values that fit the form (address reduced to its value). */
function prefill(values: Record<string, unknown> | undefined, fields: FieldInfo[]): Record<string, unknown> {
  const data: Record<string, unknown> = {};
  for (const field of fields) {
    const value = values?.[field.code];
    if (value === undefined || value === null) continue;
    if (field.type === "address" && typeof value === "object")
      data[field.code] = { value: (value as { value?: unknown }).value ?? "" };
    else if (field.type === "enum" && typeof value === "object") data[field.code] = (value as { id?: unknown }).id;
    else if (field.type === "set" && Array.isArray(value))
      data[field.code] = value.map((v) => (typeof v === "object" && v !== null ? (v as { id?: unknown }).id : v));
    else data[field.code] = value;
  }
  return data;
}

async function activeCurrencies(client: PipedriveClient): Promise<string[]> {
  const envelope = await client.request<Envelope<{ code: string; active_flag?: boolean }[] | null>>({
    method: "GET",
    version: "v1",
    path: "/currencies",
  });
  return (envelope.data ?? []).filter((c) => c.active_flag !== false).map((c) => c.code);
}

/** Builds the form (schema, uiSchema, data) from field definitions; exported for tests and actions. */
export function customFieldsJsonForm(
  fields: FieldInfo[],
  currencies: string[],
  current?: Record<string, unknown>,
): JSONForm {
  const properties: Record<string, Schema> = {};
  const elements: Control[] = [];
  const used: FieldInfo[] = [];
  const collator = new Intl.Collator("en", { sensitivity: "base", numeric: true });
  for (const field of [...fields].sort((a, b) => collator.compare(a.name, b.name))) {
    const built = fieldSchema(field, currencies);
    if (!built) continue;
    used.push(field);
    properties[field.code] = built.schema;
    elements.push({
      type: "Control",
      scope: `#/properties/${field.code}`,
      label: field.name,
      ...(built.multiline ? { options: { multi: true } } : {}),
    });
  }
  return {
    schema: { type: "object", properties } as JSONForm["schema"],
    uiSchema: { type: "VerticalLayout", elements } as JSONForm["uiSchema"],
    data: prefill(current, used),
  };
}

type FormEntity = "deal" | "person" | "organization" | "product";

const ENTITIES: Record<FormEntity, { noun: string; path: string }> = {
  deal: { noun: "deal", path: "/deals/{id}" },
  person: { noun: "person", path: "/persons/{id}" },
  organization: { noun: "organization", path: "/organizations/{id}" },
  product: { noun: "product", path: "/products/{id}" },
};

const formFor = (entity: FormEntity) => {
  const { noun, path } = ENTITIES[entity];
  return dataSource({
    display: {
      label: `${noun[0].toUpperCase()}${noun.slice(1)} Custom Fields Form`,
      description: `A form of the ${noun}'s custom fields by name (options as dropdowns, dates as dates, money as amount and currency). Its value is an object keyed by field key in Pipedrive's v2 custom_fields format, ready to send as custom_fields.`,
    },
    dataSourceType: "jsonForm",
    inputs: {
      connectionInput,
      recordId: linkedIdInput(entity, {
        label: `${noun[0].toUpperCase()}${noun.slice(1)} ID`,
        required: false,
        comments: `Optional: fill the form with this ${noun}'s current values (for updates).`,
      }),
    },
    examplePayload: {
      result: {
        schema: {
          type: "object",
          properties: {
            "9dc80c50d78a15643bfc4ca79d76156a73a1ca0e": {
              type: "integer",
              title: "Priority",
              oneOf: [{ const: 12, title: "High" }],
            },
          },
        },
        uiSchema: {
          type: "VerticalLayout",
          elements: [
            { type: "Control", scope: "#/properties/9dc80c50d78a15643bfc4ca79d76156a73a1ca0e", label: "Priority" },
          ],
        } as JSONForm["uiSchema"],
        data: {},
      },
    },
    perform: async (context, params) => {
      const client = createPipedriveClient(params.connectionInput as Connection, { logger: context.logger });
      const recordId = params.recordId as number | undefined;
      const [catalog, record] = await Promise.all([
        fieldCatalog(client, entity),
        recordId === undefined
          ? Promise.resolve(undefined)
          : client.request<Envelope<{ custom_fields?: Record<string, unknown> }>>({
              method: "GET",
              version: "v2",
              path,
              pathParams: { id: recordId },
            }),
      ]);
      const fields = [...catalog.values()].filter((field) => field.isCustom);
      const currencies = fields.some((field) => field.type === "monetary") ? await activeCurrencies(client) : [];
      return { result: customFieldsJsonForm(fields, currencies, record?.data?.custom_fields) };
    },
  });
};

export const dealCustomFieldsForm = formFor("deal");
export const personCustomFieldsForm = formFor("person");
export const organizationCustomFieldsForm = formFor("organization");
export const productCustomFieldsForm = formFor("product");

export const customFieldsForms = {
  dealCustomFieldsForm,
  personCustomFieldsForm,
  organizationCustomFieldsForm,
  productCustomFieldsForm,
};

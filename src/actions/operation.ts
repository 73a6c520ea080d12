import {
  type ActionContext,
  type ActionDefinition,
  action,
  type Connection,
  type InputFieldDefinition,
  input,
  PerformSafety,
} from "@prismatic-io/spectral";
import {
  type ApiVersion,
  createPipedriveClient,
  type HttpMethod,
  MAX_PAGE_SIZE,
  type Pagination,
  type PipedriveClient,
  type Query,
} from "../client";
import { InputError, PipedriveError } from "../client/errors";
import type { FieldEntity } from "../customFields/catalog";
import { fieldCacheState, fieldCatalog, useFieldCache } from "../customFields/catalog";
import { decodeCustomFields, encodeCustomFields } from "../customFields/codec";
import { clean, connectionInput, cursorInput, listInputs, startInput } from "../inputs";
import { Adjusted } from "../inputs/clean";
import { type JsonSchema, responseSchemaOf } from "./generated/fromSpec";

/**
 * The one action helper. Each Pipedrive operation is declared as data (method, path, API version,
 * and where each input goes); validation, the HTTP call, pagination and output shape live here.
 */

/** "ignored": an input kept for compatibility that the endpoint no longer takes; set, it is logged and not sent. */
type Location = "path" | "query" | "body" | "rawBody" | "ignored";

export interface Param {
  in: Location;
  /** Pipedrive's parameter or body field name; for an ignored input, why it is ignored. */
  name: string;
  input: InputFieldDefinition;
}

export const inPath = (name: string, input: InputFieldDefinition): Param => ({ in: "path", name, input });
export const inQuery = (name: string, input: InputFieldDefinition): Param => ({ in: "query", name, input });
export const inBody = (name: string, input: InputFieldDefinition): Param => ({ in: "body", name, input });

export interface RequestParts {
  pathParams: Record<string, string | number>;
  query: Record<string, unknown>;
  body: Record<string, unknown>;
  /** Set when the operation takes its whole body from one input. */
  rawBody?: unknown;
  /** Set by `prepare` to call another path of the same shape (e.g. /leads/archived). */
  path?: string;
  /** Set by `prepare` to read several lists of the same shape as one, each in full (Get Leads, Archived Status all). */
  paths?: string[];
}

export interface OperationDefinition {
  label: string;
  description: string;
  method: HttpMethod;
  version: ApiVersion;
  /** Path under /api/{version}; {name} placeholders are filled from path params. */
  path: string;
  /** Input key -> where it goes. Input keys are permanent: never rename one. */
  params?: Record<string, Param>;
  /** List operations get Fetch All, Limit, Max Records and Cursor (v2) or Start (v1). */
  list?: Pagination;
  /** Pipedrive's page-size cap for this list when it is not 500. */
  maxPageSize?: number;
  /**
   * The record type whose custom fields this operation reads or writes: writes take a Custom Fields
   * input by name, and Name Custom Fields renames custom fields in the output.
   */
  customFields?: { entity: FieldEntity; writes: boolean };
  /** How the body is sent: JSON (default), multipart (file uploads) or form-encoded. */
  body?: "json" | "multipart" | "form";
  /** The response is a file: the action returns its bytes and content type. */
  download?: boolean;
  /** Last look at the request before it is sent (inputs kept for compatibility, cross-field rules). */
  prepare?: (parts: RequestParts, values: Record<string, unknown>, context: ActionContext) => void;
  /** Reads from Pipedrive what the request still needs (e.g. the default currency), just before it is sent. */
  lookUp?: (parts: RequestParts, client: PipedriveClient, context: ActionContext) => Promise<void>;
  /** Adds to the output with further requests (e.g. file contents); runs after custom fields are named. */
  transform?: (data: unknown, client: PipedriveClient, values: Record<string, unknown>) => Promise<unknown>;
  examplePayload?: { data: unknown };
  /** Adjusts the output schema derived from the response schema (for what `transform` adds). */
  shapeOutput?: (schema: JsonSchema) => JsonSchema;
}

const WRITES = new Set<HttpMethod>(["POST", "PUT", "PATCH"]);

/** Custom-field values by name, as a builder would write them (the simulator seeds these fields). */
const CUSTOM_FIELD_EXAMPLES: Partial<Record<FieldEntity, Record<string, unknown>>> = {
  deal: { Priority: "High", Budget: { value: 5000, currency: "USD" }, "Kickoff date": "2026-03-01" },
  lead: { Priority: "High", "Kickoff date": "2026-03-01" },
  person: { "Customer tier": "Gold", Birthday: "1990-05-17" },
  organization: { Industry: "Software", Regions: ["EMEA", "APAC"] },
  product: { Size: "M", "Launch date": "2026-06-01" },
  // activity: the simulated company has no activity custom fields, and Pipedrive's v2 spec of
  // activities lists none, so no example would run.
};

const customFieldsInput = (entity: FieldEntity) =>
  input({
    label: "Custom Fields",
    type: "code",
    language: "json",
    required: false,
    comments: `The ${entity}'s custom fields as JSON, keyed by field name (or key), with option labels for dropdowns. null clears a field; fields left out are not changed.`,
    ...(CUSTOM_FIELD_EXAMPLES[entity] ? { example: JSON.stringify(CUSTOM_FIELD_EXAMPLES[entity]) } : {}),
  });

/** Opt-in on every action that returns records with custom fields; the same key everywhere. */
const nameCustomFieldsInput = input({
  label: "Name Custom Fields",
  type: "boolean",
  required: false,
  default: "false",
  comments:
    "When true, custom fields in the output are keyed by their names, with option labels instead of option ids. Off by default: the output is Pipedrive's, custom fields under their 40-character keys. Costs one field-metadata request, cached.",
  clean: clean.boolean("Name Custom Fields"),
});

function buildInputs(definition: OperationDefinition): Record<string, InputFieldDefinition> {
  const inputs: Record<string, InputFieldDefinition> = { connection: connectionInput };
  for (const [key, param] of Object.entries(definition.params ?? {})) inputs[key] = param.input;
  if (definition.customFields?.writes) inputs.customFields = customFieldsInput(definition.customFields.entity);
  if (definition.customFields) inputs.nameCustomFields = nameCustomFieldsInput;
  if (definition.list === "cursor") Object.assign(inputs, listInputs, { cursor: cursorInput });
  if (definition.list === "offset") Object.assign(inputs, listInputs, { start: startInput });
  if (definition.list && definition.maxPageSize)
    inputs.limit = {
      ...listInputs.limit,
      comments: `Records per page, 1 to ${definition.maxPageSize} (Pipedrive's cap for this list; a larger Limit is lowered to it, with a warning).`,
      example: String(Math.min(definition.maxPageSize, 100)),
      clean: clean.optionalPageSize("Limit", definition.maxPageSize),
    };
  else if (definition.list)
    inputs.limit = { ...listInputs.limit, clean: clean.optionalPageSize("Limit", MAX_PAGE_SIZE) };
  return inputs;
}

/** Values a cleaner adjusted (see Adjusted): each warning logged, the adjusted value used. */
function applyAdjusted(
  label: string,
  params: Record<string, unknown>,
  context: ActionContext,
): Record<string, unknown> {
  const values = { ...params };
  for (const [key, value] of Object.entries(values))
    if (value instanceof Adjusted) {
      context.logger?.warn?.(`${label}: ${value.warning}`);
      values[key] = value.value;
    }
  return values;
}

function splitParams(
  definition: OperationDefinition,
  values: Record<string, unknown>,
  context: ActionContext,
): RequestParts {
  const parts: RequestParts = { pathParams: {}, query: {}, body: {} };
  for (const [key, param] of Object.entries(definition.params ?? {})) {
    if (definition.customFields?.writes && key === "customFields") continue;
    const value = values[key];
    if (value === undefined) continue;
    if (param.in === "ignored") {
      if (value !== false && value !== "")
        context.logger?.warn?.(`${definition.label}: ${param.input.label} is ignored; ${param.name}`);
    } else if (param.in === "path") parts.pathParams[param.name] = value as string | number;
    else if (param.in === "query") parts.query[param.name] = value;
    else if (param.in === "rawBody") parts.rawBody = value;
    else parts.body[param.name] = value;
  }
  return parts;
}

async function runList(
  client: PipedriveClient,
  definition: OperationDefinition,
  parts: RequestParts,
  values: Record<string, unknown>,
) {
  const pagination = definition.list as Pagination;
  const from = (pagination === "cursor" ? values.cursor : values.start) as string | number | undefined;
  const base = {
    version: definition.version,
    path: parts.path ?? definition.path,
    pathParams: parts.pathParams,
    query: parts.query as Query,
    pagination,
    from,
    pageSize: definition.maxPageSize,
  };
  if (parts.paths) return readLists(client, base, parts.paths, values.maxRecords as number | undefined);
  if (!values.fetchAll) {
    const position = pagination === "cursor" ? { cursor: from } : { start: from ?? 0 };
    return client.request({
      method: "GET",
      version: definition.version,
      path: parts.path ?? definition.path,
      pathParams: parts.pathParams,
      query: { ...(parts.query as Query), ...position, limit: values.limit as number | undefined },
    });
  }
  const result = await client.collect(base, values.maxRecords as number | undefined);
  const resume =
    pagination === "cursor"
      ? { next_cursor: result.truncated ? result.next : null }
      : {
          // Where Prismatic's component put them: limit is the page size, next_start null once complete.
          pagination: {
            start: from ?? 0,
            limit: Math.min(definition.maxPageSize ?? MAX_PAGE_SIZE, MAX_PAGE_SIZE),
            more_items_in_collection: result.truncated,
            next_start: result.truncated ? result.next : null,
          },
        };
  return {
    success: true,
    data: result.items,
    additional_data: {
      ...resume,
      fetched_all: !result.truncated,
      record_count: result.items.length,
      pages: result.pages,
    },
  };
}

/** Several offset lists read one after the other as one Fetch All result; Max Records bounds them together. */
async function readLists(
  client: PipedriveClient,
  base: Parameters<PipedriveClient["collect"]>[0],
  paths: string[],
  maxRecords: number | undefined,
) {
  const cap = maxRecords && maxRecords > 0 ? maxRecords : Number.POSITIVE_INFINITY;
  const items: unknown[] = [];
  let pages = 0;
  let truncated = false;
  for (const path of paths) {
    // Max Records reached before this list: whether it holds records is not known, so say so.
    if (items.length >= cap) {
      truncated = true;
      break;
    }
    const result = await client.collect(
      { ...base, path, from: undefined },
      Number.isFinite(cap) ? cap - items.length : undefined,
    );
    items.push(...result.items);
    pages += result.pages;
    if (result.truncated) {
      truncated = true;
      break;
    }
  }
  return {
    success: true,
    data: items,
    additional_data: {
      pagination: { start: 0, limit: MAX_PAGE_SIZE, more_items_in_collection: truncated, next_start: null },
      fetched_all: !truncated,
      record_count: items.length,
      pages,
    },
  };
}

/** What Fetch All puts in additional_data (runList above); page outputs carry Pipedrive's own keys. */
const FETCH_ALL_ADDITIONAL_DATA: Record<string, JsonSchema> = {
  next_cursor: { type: ["string", "null"] },
  pagination: {
    type: "object",
    properties: {
      start: { type: "integer" },
      limit: { type: "integer" },
      more_items_in_collection: { type: "boolean" },
      next_start: { type: ["integer", "null"] },
    },
  },
  fetched_all: { type: "boolean", description: "Fetch All: false when Max Records cut the list." },
  record_count: { type: "integer", description: "Fetch All: the number of records returned." },
  pages: { type: "integer", description: "Fetch All: the number of pages requested." },
};

const DOWNLOAD_SCHEMA: JsonSchema = {
  type: "string",
  format: "binary",
  description: "The file's bytes (a Buffer); the step's contentType says what they are.",
};

/** Where the spec documents no JSON response: Pipedrive's envelope with any data. */
const ANY_ENVELOPE: JsonSchema = { type: "object", properties: { success: { type: "boolean" }, data: {} } };

/**
 * The action's outputSchema: the JSON Schema of its `data`, derived from the operation's response
 * schema in Pipedrive's specs and the action's own flags (lists with Fetch All, downloads).
 */
export function outputSchemaOf(definition: OperationDefinition): JsonSchema {
  if (definition.download) return DOWNLOAD_SCHEMA;
  const response = responseSchemaOf(definition.version, definition.method, definition.path) ?? ANY_ENVELOPE;
  let schema = response;
  if (definition.list) {
    const page = (response.properties?.additional_data ?? {}) as JsonSchema;
    // Fetch All returns the records as one array; search pages hold them in data.items.
    const pageData = (response.properties?.data ?? {}) as JsonSchema;
    const searchItems = pageData.properties?.items;
    schema = {
      ...response,
      properties: {
        ...response.properties,
        ...(searchItems ? { data: { anyOf: [pageData, { ...searchItems, type: ["array", "null"] }] } } : {}),
        additional_data: {
          type: "object",
          properties: {
            ...page.properties,
            ...FETCH_ALL_ADDITIONAL_DATA,
            pagination: page.properties?.pagination ?? FETCH_ALL_ADDITIONAL_DATA.pagination,
          },
        } as JsonSchema,
      },
    } as JsonSchema;
  }
  if (definition.method === "DELETE")
    schema = {
      ...schema,
      properties: {
        ...schema.properties,
        alreadyDeleted: {
          type: "boolean",
          description: "Set when a retried delete found the record already gone (the first attempt did it).",
        },
      },
    };
  return definition.shapeOutput ? definition.shapeOutput(schema) : schema;
}

/** Reads may run inline in the designer to fill reference data; anything that writes or sends may not. */
export const performSafetyOf = (method: HttpMethod): PerformSafety =>
  method === "GET" ? PerformSafety.SAFE : PerformSafety.NOT_ALLOWED;

/** A file input's cleaned value: a Buffer, or spectral's { data, contentType } payload. */
interface FilePayload {
  data: Buffer;
  contentType?: string;
}

const isFilePayload = (value: unknown): value is FilePayload =>
  typeof value === "object" && value !== null && Buffer.isBuffer((value as FilePayload).data);

/** The body fields that take a file (inputs of type data): text given there is sent as the file's contents. */
const fileFieldsOf = (definition: OperationDefinition) =>
  new Set(
    Object.values(definition.params ?? {})
      .filter((param) => param.in === "body" && param.input.type === "data")
      .map((param) => param.name),
  );

function encodeBody(kind: "json" | "multipart" | "form", parts: RequestParts, fileFields = new Set<string>()): unknown {
  if (parts.rawBody !== undefined) return parts.rawBody;
  if (kind === "json") return parts.body;
  if (kind === "form") {
    const form = new URLSearchParams();
    for (const [key, value] of Object.entries(parts.body))
      form.append(key, Array.isArray(value) ? value.join(",") : String(value));
    return form;
  }
  const form = new FormData();
  const fileName = String(parts.body.file_name ?? "upload.bin");
  for (const [key, value] of Object.entries(parts.body)) {
    if (key === "file_name") continue;
    if (Buffer.isBuffer(value) || isFilePayload(value) || (fileFields.has(key) && typeof value === "string")) {
      const payload =
        typeof value === "string"
          ? { data: Buffer.from(value, "utf8"), contentType: "text/plain; charset=utf-8" }
          : Buffer.isBuffer(value)
            ? { data: value }
            : value;
      form.append(
        key,
        new Blob([new Uint8Array(payload.data)], { type: payload.contentType ?? "application/octet-stream" }),
        fileName,
      );
    } else form.append(key, Array.isArray(value) ? value.join(",") : String(value));
  }
  return form;
}

export function operation(definition: OperationDefinition): ActionDefinition {
  return action({
    display: { label: definition.label, description: definition.description },
    inputs: buildInputs(definition),
    examplePayload: definition.examplePayload,
    outputSchema: { type: "actionOutput", schema: outputSchemaOf(definition) },
    performSafety: performSafetyOf(definition.method),
    perform: async (context, params) => {
      const values = applyAdjusted(definition.label, params as Record<string, unknown>, context);
      const parts = splitParams(definition, values, context);
      definition.prepare?.(parts, values, context);
      const takesBody =
        Boolean(definition.customFields?.writes) ||
        Object.values(definition.params ?? {}).some((param) => param.in === "body" || param.in === "rawBody");
      const sendsBody = takesBody && (WRITES.has(definition.method) || parts.rawBody !== undefined);
      const client = createPipedriveClient(values.connection as Connection, {
        debug: context.debug?.enabled,
        logger: context.logger,
      });
      // Field metadata lives in the flow's instance state for a few minutes, so naming custom
      // fields does not cost a request per execution; whatever this execution fetched goes back.
      useFieldCache(client, context.instanceState);
      const done = <R extends object>(result: R): R => {
        const instanceState = fieldCacheState(client, context.instanceState);
        return instanceState ? { ...result, instanceState } : result;
      };
      const entity = definition.customFields?.entity;
      if (
        entity &&
        definition.customFields?.writes &&
        values.customFields !== undefined &&
        values.customFields !== ""
      ) {
        const encoded = await encodeCustomFields(client, entity, values.customFields, { version: definition.version });
        if (encoded && definition.version === "v2") parts.body.custom_fields = encoded;
        else if (encoded) Object.assign(parts.body, encoded);
      }
      if (
        takesBody &&
        WRITES.has(definition.method) &&
        definition.method !== "POST" &&
        parts.rawBody === undefined &&
        Object.keys(parts.body).length === 0
      )
        throw new InputError(`${definition.label}: set at least one field to change.`);
      await definition.lookUp?.(parts, client, context);
      // Load field names before a write, so naming the output can never fail after the write happened.
      if (entity && values.nameCustomFields && WRITES.has(definition.method)) await fieldCatalog(client, entity);
      const named = async (data: unknown) => {
        // The response was just fetched for this action: renaming in place saves a copy of every record.
        const resolved =
          entity && values.nameCustomFields ? await decodeCustomFields(client, entity, data, { inPlace: true }) : data;
        return definition.transform ? definition.transform(resolved, client, values) : resolved;
      };
      if (definition.list) return done({ data: await named(await runList(client, definition, parts, values)) });
      const request = {
        method: definition.method,
        version: definition.version,
        path: parts.path ?? definition.path,
        pathParams: parts.pathParams,
        query: parts.query as Query,
        body: sendsBody ? encodeBody(definition.body ?? "json", parts, fileFieldsOf(definition)) : undefined,
      };
      if (definition.download) {
        const response = await client.send<ArrayBuffer>({ ...request, responseType: "arraybuffer" });
        const contentType = String(response.headers["content-type"] ?? "application/octet-stream");
        return { data: Buffer.from(response.data), contentType };
      }
      try {
        return done({ data: await named(await client.request(request)) });
      } catch (error) {
        // A DELETE whose first answer was lost and whose retry finds nothing did its work.
        if (
          definition.method === "DELETE" &&
          error instanceof PipedriveError &&
          error.status === 404 &&
          error.retries > 0
        ) {
          context.logger?.warn?.(
            `${definition.label}: the record was already gone when the request was retried; treating the delete as done.`,
          );
          return { data: { success: true, data: parts.pathParams, alreadyDeleted: true } };
        }
        throw error;
      }
    },
  });
}

/** Builds a record of actions from a table of operation declarations, keyed by action key. */
export function operations<K extends string>(table: Record<K, OperationDefinition>): Record<K, ActionDefinition> {
  const out = {} as Record<K, ActionDefinition>;
  for (const key of Object.keys(table) as K[]) out[key] = operation(table[key]);
  return out;
}

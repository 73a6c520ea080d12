/** Shapes of the declarations that scripts/generate-operations.ts writes from Pipedrive's specs. */
export type FieldType =
  | "string"
  | "integer"
  | "number"
  | "boolean"
  | "enum"
  | "date"
  | "date-time"
  /** Pipedrive's v1 "YYYY-MM-DD HH:MM:SS" in UTC. */
  | "utc-date-time"
  /** Emails or phones: [{ value, primary, label }] in the body. */
  | "contact-list"
  /** Comma-separated enum fields, each optionally followed by ASC or DESC ("title ASC, id DESC"). */
  | "sort-list"
  | "uuid"
  | "uuid[]"
  | "url"
  | "integer-csv"
  | "enum-csv"
  | "integer[]"
  | "string[]"
  | "json"
  | "file";

export interface GeneratedField {
  /** Pipedrive's parameter or body field name. */
  name: string;
  in: "path" | "query" | "body" | "rawBody";
  type: FieldType;
  required?: boolean;
  values?: (string | number)[];
  /** What each value means, where the spec says (its table of values). */
  labels?: Record<string, string>;
  /** For json fields: what the JSON must be. */
  shape?: "object" | "array";
  /** For json fields with required parts: a minimal valid value, shown as the example. */
  template?: string;
  description?: string;
  example?: string | number;
}

export interface GeneratedOperation {
  /** Pipedrive's operationId. */
  id: string;
  version: "v1" | "v2";
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  summary: string;
  description?: string;
  fields: GeneratedField[];
  list?: "cursor" | "offset";
  /** Pipedrive's page-size cap when it is not 500. */
  maxPageSize?: number;
  body?: "json" | "multipart" | "form";
  download?: boolean;
  deprecated?: boolean;
  /** The name of its 200/201 JSON response schema in RESPONSES. */
  response?: string;
}

/** A response schema trimmed for outputSchema (JSON Schema: types and properties only). */
export interface OutputSchemaNode {
  type?: string | string[];
  properties?: Record<string, OutputSchemaNode>;
  items?: OutputSchemaNode;
  anyOf?: OutputSchemaNode[];
  additionalProperties?: boolean | OutputSchemaNode;
  description?: string;
  /** "#/$defs/<name>": another entry of RESPONSES. */
  $ref?: string;
}

/**
 * TypeScript types from the actions' output schemas, for the component manifest (scripts/manifest.ts).
 * spectral's generator types every perform as Promise<unknown>; the manifest's performs instead default
 * to `{ data: <the output schema as a type> }`, the step result a code-native flow receives.
 *
 * The schemas use only type (one or a list, "null" included), properties, items, additionalProperties,
 * anyOf, description and format (test/manifest.test.ts fails if another keyword appears).
 */
export interface OutputSchema {
  type?: string | string[];
  properties?: Record<string, OutputSchema>;
  items?: OutputSchema;
  additionalProperties?: boolean | OutputSchema;
  anyOf?: OutputSchema[];
  description?: string;
  format?: string;
}

export const KNOWN_KEYWORDS = new Set([
  "type",
  "properties",
  "items",
  "additionalProperties",
  "anyOf",
  "description",
  "format",
]);

const SCALARS: Record<string, string> = {
  string: "string",
  integer: "number",
  number: "number",
  boolean: "boolean",
  null: "null",
};

const key = (name: string) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name));

const indent = (depth: number) => "  ".repeat(depth);

const union = (parts: string[]) => [...new Set(parts)].join(" | ") || "unknown";

function objectType(schema: OutputSchema, depth: number): string {
  const lines: string[] = [];
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (property.description) lines.push(`${indent(depth + 1)}/** ${property.description.replace(/\*\//g, "* /")} */`);
    lines.push(`${indent(depth + 1)}${key(name)}?: ${schemaType(property, depth + 1)};`);
  }
  const extra = schema.additionalProperties;
  if (extra !== false && (extra !== undefined || !schema.properties)) {
    // Named properties must fit the index signature, so an open object with properties stays unknown.
    const value = typeof extra === "object" && !schema.properties ? schemaType(extra, depth + 1) : "unknown";
    lines.push(`${indent(depth + 1)}[key: string]: ${value};`);
  }
  return lines.length ? `{\n${lines.join("\n")}\n${indent(depth)}}` : "Record<string, never>";
}

/** The TypeScript type of one output schema, nested objects indented from `depth`. */
export function schemaType(schema: OutputSchema, depth = 0): string {
  if (schema.anyOf) return union(schema.anyOf.map((part) => schemaType(part, depth)));
  const types = schema.type === undefined ? [] : Array.isArray(schema.type) ? schema.type : [schema.type];
  if (!types.length) return "unknown";
  return union(
    types.map((type) => {
      if (type === "object") return objectType(schema, depth);
      if (type === "array") {
        const item = schema.items ? schemaType(schema.items, depth) : "unknown";
        return /^[\w$<>, ]+$/.test(item) ? `${item}[]` : `Array<${item}>`;
      }
      if (type === "string" && schema.format === "binary") return "unknown";
      return SCALARS[type] ?? "unknown";
    }),
  );
}

/** Every keyword used anywhere in a schema, to catch one this converter does not know. */
export function keywordsOf(schema: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) for (const part of schema) keywordsOf(part, into);
  else if (schema && typeof schema === "object") {
    for (const [name, value] of Object.entries(schema)) {
      into.add(name);
      if (name === "properties") for (const property of Object.values(value as object)) keywordsOf(property, into);
      else keywordsOf(value, into);
    }
  }
  return into;
}

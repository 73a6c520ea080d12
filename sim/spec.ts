/**
 * Loads Pipedrive's official OpenAPI specs (v1 + v2) and the operation inventories (TSV), turns
 * them into a compact operation table, routes requests to operations and validates them.
 *
 * Why ajv directly rather than openapi-backend: openapi-backend's router re-flattens all ~200
 * operations (lodash chain + one RegExp per operation) on every request, merges `/oauth/token`
 * with `/oauth/token/` (trailing-slash folding), and its query validator accepts unknown
 * parameters (`additionalProperties: true`) with messages that name internal schema paths. Here we
 * need our own checks anyway (unknown query/body fields, limit caps, comma-separated enums), so a
 * 60-line router plus ajv (the validator openapi-backend itself uses) gives exact control,
 * readable reasons and lazy compilation per operation.
 *
 * Startup: parsing the two YAML files costs ~0.8 s, so the compact table (descriptions and
 * examples stripped, OpenAPI 3.0 schemas converted to JSON Schema) is cached as JSON under
 * node_modules/.cache/pipedrive-sim/, keyed by size+mtime of the four source files and
 * CACHE_FORMAT. Validators compile lazily on an operation's first request.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import { CORRECTIONS, type Correction, commaListCorrection } from "./corrections";
import type { ApiVersion } from "./types";

/** Bump when the compact format or the derivation rules below change (the corrections list is hashed in). */
const CACHE_FORMAT = "pipedrive-sim-spec-7";

export type JsonSchema = Record<string, unknown>;

export interface ParamSpec {
  name: string;
  in: "query" | "path" | "header";
  required: boolean;
  schema: JsonSchema;
  /** Enum-typed string documented as "comma separated" (sim/corrections.ts): each item is checked against the enum. */
  commaList?: boolean;
  /** Items may carry a sort mode: "field ASC" (v1 `sort`). */
  sortModes?: boolean;
  /** Max number of comma-separated items (e.g. `ids` up to 100, `custom_fields` up to 15). */
  maxListItems?: number;
  /** Each comma-separated item must be an integer (`ids`). */
  integerItems?: boolean;
  /** Pipedrive's documented page-size cap for `limit` (500 unless stated otherwise). */
  maxLimit?: number;
  /** Minimum search-term length from the description ("Minimum 2 characters (or 1 if using exact_match)"). */
  minTermLength?: number;
}

export interface BodySpec {
  required: boolean;
  /** content type -> schema and the top-level property names the schema lists (null: any allowed). */
  content: Record<string, { schema: JsonSchema; knownProps: string[] | null }>;
}

export interface SpecOperation {
  version: ApiVersion;
  method: string;
  path: string;
  operationId: string;
  deprecated: boolean;
  tokenCost: number;
  /** OAuth scopes, any one of which suffices. null: no OAuth requirement documented. */
  scopes: string[] | null;
  tags: string[];
  successStatus: number;
  params: ParamSpec[];
  body: BodySpec | null;
  /** Shape of the 200 `data`: list, object or other; with the documented pagination style. */
  responseKind: "list" | "object" | "other";
  pagination: "cursor" | "offset" | "offset-flat" | "none";
  /** The documented JSON body of the success response, as JSON Schema; null when none is documented. */
  response: JsonSchema | null;
}

interface CompactSpec {
  format: string;
  key: string;
  v1: SpecOperation[];
  v2: SpecOperation[];
}

export interface RouteMatch {
  op: SpecOperation;
  params: Record<string, string>;
}

export type RouteResult = RouteMatch | { error: "not_found" | "method_not_allowed" };

interface RouteEntry {
  op: SpecOperation;
  segments: string[];
  statics: number;
}

/** Operations of one API version with a router. */
export class VersionSpec {
  readonly version: ApiVersion;
  readonly operations: SpecOperation[];
  private readonly byLength = new Map<number, RouteEntry[]>();
  private readonly byOperationId = new Map<string, SpecOperation>();
  private readonly byRouteKey = new Map<string, SpecOperation>();

  constructor(version: ApiVersion, operations: SpecOperation[]) {
    this.version = version;
    this.operations = operations;
    for (const op of operations) {
      this.byOperationId.set(op.operationId, op);
      this.byRouteKey.set(`${op.method} ${op.path}`, op);
      // OAuth endpoints live on oauth.pipedrive.com, never under /api/v1: not routable here.
      if (op.path.startsWith("/oauth/")) continue;
      const segments = op.path.split("/").filter(Boolean);
      const entry: RouteEntry = { op, segments, statics: segments.filter((s) => !s.startsWith("{")).length };
      const list = this.byLength.get(segments.length) ?? [];
      list.push(entry);
      this.byLength.set(segments.length, list);
    }
    for (const list of this.byLength.values()) list.sort((a, b) => b.statics - a.statics);
  }

  operation(operationId: string): SpecOperation | undefined {
    return this.byOperationId.get(operationId);
  }

  /** The operation declared for METHOD + spec path (e.g. "GET", "/deals/{id}"). */
  route(method: string, specPath: string): SpecOperation | undefined {
    return this.byRouteKey.get(`${method.toUpperCase()} ${specPath}`);
  }

  match(method: string, urlPath: string): RouteResult {
    const raw = urlPath.split("/").filter((s, i, all) => s !== "" || (i > 0 && i === all.length - 1));
    // A trailing slash yields an empty last segment, which matches nothing: Pipedrive paths have none.
    const candidates = this.byLength.get(raw.length);
    if (!candidates) return { error: "not_found" };
    let pathMatched = false;
    const upper = method.toUpperCase();
    for (const entry of candidates) {
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < entry.segments.length; i++) {
        const seg = entry.segments[i];
        const got = raw[i];
        if (seg.startsWith("{")) {
          if (got === "") {
            ok = false;
            break;
          }
          try {
            params[seg.slice(1, -1)] = decodeURIComponent(got);
          } catch {
            ok = false;
            break;
          }
        } else if (seg !== got) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      pathMatched = true;
      if (entry.op.method === upper) return { op: entry.op, params };
    }
    return { error: pathMatched ? "method_not_allowed" : "not_found" };
  }
}

export interface LoadedSpecs {
  v1: VersionSpec;
  v2: VersionSpec;
  /** All OAuth scopes named anywhere in the inventories. */
  scopes: string[];
  loadMs: number;
  fromCache: boolean;
  specDir: string;
}

export interface LoadOptions {
  specDir?: string;
  cacheDir?: string | false;
}

/**
 * This package's root: the nearest folder above this file with our package.json, the same from the
 * sources (sim/) and from the compiled test kit (lib/sim/, `npm run build:lib`). tsc copies
 * package.json into lib/ (src/index.ts reads it), so a lib/ whose parent holds ours too is skipped.
 */
export function packageRoot(from = __dirname): string {
  const ours = (dir: string) => {
    try {
      return (
        JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")).name === "pipedrive-prismatic-component"
      );
    } catch {
      return false;
    }
  };
  for (let dir = from; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    if (!ours(dir)) continue;
    return path.basename(dir) === "lib" && ours(path.dirname(dir)) ? path.dirname(dir) : dir;
  }
  return path.resolve(from, "..");
}

/** Where the specs are looked for, in order: ../shared/pipedrive-openapi beside the checkout, then `npm run specs`' folder. */
export function specDirCandidates(root = packageRoot()): string[] {
  return [path.resolve(root, "../shared/pipedrive-openapi"), path.resolve(root, "pipedrive-openapi")];
}

/** PIPEDRIVE_OPENAPI_DIR, else the first candidate holding the v1 spec (else the first, for the error). */
export function defaultSpecDir(): string {
  if (process.env.PIPEDRIVE_OPENAPI_DIR) return process.env.PIPEDRIVE_OPENAPI_DIR;
  const candidates = specDirCandidates();
  return candidates.find((dir) => fs.existsSync(path.join(dir, "pipedrive-v1-openapi.yaml"))) ?? candidates[0];
}

function defaultCacheDir(): string {
  return path.resolve(packageRoot(), "node_modules/.cache/pipedrive-sim");
}

const loaded = new Map<string, LoadedSpecs>();

/** Loads (or returns the already loaded) specs. Cheap after the first call in a process. */
export function loadSpecs(opts: LoadOptions = {}): LoadedSpecs {
  const specDir = path.resolve(opts.specDir ?? defaultSpecDir());
  const files = {
    v1: path.join(specDir, "pipedrive-v1-openapi.yaml"),
    v2: path.join(specDir, "pipedrive-v2-openapi.yaml"),
    t1: path.join(specDir, "v1-operations.tsv"),
    t2: path.join(specDir, "v2-operations.tsv"),
  };
  const started = performance.now();
  const stats: string[] = [];
  for (const f of Object.values(files)) {
    let st: fs.Stats;
    try {
      st = fs.statSync(f);
    } catch {
      throw new Error(
        `Pipedrive simulator: OpenAPI spec file not found: ${f}. Point options.specDir or env PIPEDRIVE_OPENAPI_DIR at a folder with Pipedrive's specs (shared/pipedrive-openapi, or the one npm run specs writes${opts.specDir || process.env.PIPEDRIVE_OPENAPI_DIR ? "" : `; looked in ${specDirCandidates().join(" and ")}`}).`,
      );
    }
    stats.push(`${path.basename(f)}:${st.size}:${Math.floor(st.mtimeMs)}`);
  }
  const key = crypto
    .createHash("sha1")
    .update(`${CACHE_FORMAT}|${JSON.stringify(CORRECTIONS)}|${stats.join("|")}`)
    .digest("hex");
  const memo = loaded.get(key);
  if (memo) return memo;

  const cacheDir = opts.cacheDir === undefined ? defaultCacheDir() : opts.cacheDir;
  const cacheFile = cacheDir ? path.join(cacheDir, `specs-${key}.json`) : null;
  let compact: CompactSpec | null = null;
  let fromCache = false;
  if (cacheFile) {
    try {
      const parsed = JSON.parse(fs.readFileSync(cacheFile, "utf8")) as CompactSpec;
      if (parsed.format === CACHE_FORMAT && parsed.key === key) {
        compact = parsed;
        fromCache = true;
      }
    } catch {
      // no cache yet, or a partial file: rebuild
    }
  }
  if (!compact) {
    compact = {
      format: CACHE_FORMAT,
      key,
      v1: buildOperations("v1", readYaml(files.v1), fs.readFileSync(files.t1, "utf8")),
      v2: buildOperations("v2", readYaml(files.v2), fs.readFileSync(files.t2, "utf8")),
    };
    if (cacheFile && cacheDir) {
      try {
        fs.mkdirSync(cacheDir, { recursive: true });
        const tmp = `${cacheFile}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
        fs.writeFileSync(tmp, JSON.stringify(compact));
        fs.renameSync(tmp, cacheFile); // atomic: parallel jest workers never read a partial file
      } catch {
        // read-only node_modules: run without a cache
      }
    }
  }
  const scopes = new Set<string>();
  for (const op of [...compact.v1, ...compact.v2]) for (const s of op.scopes ?? []) scopes.add(s);
  const result: LoadedSpecs = {
    v1: new VersionSpec("v1", compact.v1),
    v2: new VersionSpec("v2", compact.v2),
    scopes: [...scopes].sort(),
    loadMs: performance.now() - started,
    fromCache,
    specDir,
  };
  loaded.set(key, result);
  return result;
}

function readYaml(file: string): OpenApiDoc {
  // loaded only when the cache is cold: keeps ~20 ms of module loading off every warm start
  const yaml = require("yaml") as typeof import("yaml");
  return yaml.parse(fs.readFileSync(file, "utf8"), { maxAliasCount: -1 }) as OpenApiDoc;
}

// ---------------------------------------------------------------------------------------------
// Building the compact table
// ---------------------------------------------------------------------------------------------

interface OpenApiParam {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema?: JsonSchema;
}

interface OpenApiOperation {
  operationId?: string;
  deprecated?: boolean;
  tags?: string[];
  "x-token-cost"?: number;
  parameters?: OpenApiParam[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
  responses?: Record<string, { content?: Record<string, { schema?: JsonSchema }> }>;
}

interface OpenApiDoc {
  paths: Record<string, Record<string, OpenApiOperation | OpenApiParam[]>>;
}

interface TsvRow {
  cost: number;
  deprecated: boolean;
  tags: string[];
  scopes: string[] | null;
  codes: number[];
}

function parseTsv(text: string): Map<string, TsvRow> {
  const rows = new Map<string, TsvRow>();
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const [method, p, operationId, cost, deprecated, tags, security, codes] = line.split("\t");
    if (!operationId || method === "method") continue;
    const oauth = /oauth2:([^\s]+)/.exec(security ?? "");
    rows.set(`${method.toUpperCase()} ${p}`, {
      cost: Number(cost) || 0,
      deprecated: /depr/i.test(deprecated ?? ""),
      tags: (tags ?? "").split(",").filter(Boolean),
      scopes: oauth ? oauth[1].split("|").filter(Boolean) : null,
      codes: (codes ?? "")
        .split(",")
        .map((c) => Number(c))
        .filter((n) => Number.isFinite(n) && n > 0),
    });
  }
  return rows;
}

/** The corrections (sim/corrections.ts) that rewrite an operation's body schema before it is compiled. */
function applyBodyCorrections(version: ApiVersion, op: OpenApiOperation): void {
  for (const c of CORRECTIONS) {
    if (c.version !== version || c.operationId !== op.operationId) continue;
    if (c.kind === "comma-list" || c.kind === "response-type") continue;
    const schemas = Object.values(op.requestBody?.content ?? {}).map((media) => media.schema as JsonSchema | undefined);
    let applied = false;
    for (const schema of schemas) {
      if (!schema) continue;
      if (c.kind === "required-rename" && Array.isArray(schema.required) && schema.required.includes(c.from)) {
        schema.required = (schema.required as string[]).map((r) => (r === c.from ? c.to : r));
        applied = true;
      }
      const property =
        c.kind === "enum-values" ? (schema.properties as Record<string, JsonSchema>)?.[c.property] : null;
      const timed = c.kind === "utc-time" ? (schema.properties as Record<string, JsonSchema>)?.[c.property] : null;
      if (timed && timed.format === "date-time") {
        timed.format = "pipedrive-time";
        applied = true;
      }
      if (c.kind === "enum-values" && property && Array.isArray(property.enum)) {
        const values = property.enum as unknown[];
        const wildcard = values.indexOf("*");
        const added = c.add.filter((v) => !values.includes(v));
        values.splice(wildcard === -1 ? values.length : wildcard, 0, ...added);
        applied = true;
      }
    }
    if (!applied) throw staleCorrection(c);
  }
}

/**
 * The response-type corrections (sim/corrections.ts) of an operation: its documented success
 * response, as parsed, retyped where Pipedrive answers otherwise. The operations generator applies
 * them too, so the actions' output schemas agree.
 */
export function applyResponseCorrections(version: ApiVersion, op: { operationId?: string; responses?: unknown }): void {
  for (const c of CORRECTIONS) {
    if (c.kind !== "response-type" || c.version !== version || c.operationId !== op.operationId) continue;
    const responses = (op.responses ?? {}) as OpenApiOperation["responses"] & object;
    const schema = (responses["200"] ?? responses["201"])?.content?.["application/json"]?.schema;
    let applied = false;
    const visit = (node: unknown): void => {
      if (!node || typeof node !== "object") return;
      const property = ((node as JsonSchema).properties as Record<string, JsonSchema> | undefined)?.[c.property];
      if (property?.type === c.from) {
        property.type = c.to;
        applied = true;
      }
      for (const value of Object.values(node)) visit(value);
    };
    visit(schema);
    if (!applied) throw staleCorrection(c);
  }
}

const staleCorrection = (c: Correction) =>
  new Error(
    `sim/corrections.ts: the ${c.kind} correction for ${c.version} ${c.operationId} no longer matches the spec; check it against Pipedrive's docs and update or remove it.`,
  );

/** Spec errata the simulator applies (from sim/corrections.ts), for tests and docs. */
export const SPEC_ERRATA = CORRECTIONS.filter((c) => c.kind === "required-rename").map(
  ({ version, operationId, spec, docs }) => ({ version, operationId, why: `The spec ${spec}; ${docs}.` }),
);

const METHODS = ["get", "post", "put", "patch", "delete"];

function buildOperations(version: ApiVersion, doc: OpenApiDoc, tsvText: string): SpecOperation[] {
  const tsv = parseTsv(tsvText);
  const ops: SpecOperation[] = [];
  for (const [p, item] of Object.entries(doc.paths ?? {})) {
    const shared = (Array.isArray(item.parameters) ? item.parameters : []) as OpenApiParam[];
    for (const m of METHODS) {
      const raw = item[m] as OpenApiOperation | undefined;
      if (!raw?.operationId) continue;
      applyBodyCorrections(version, raw);
      applyResponseCorrections(version, raw);
      const method = m.toUpperCase();
      const row = tsv.get(`${method} ${p}`);
      const params = [...shared, ...(raw.parameters ?? [])]
        .map((param) => buildParam(param, version, raw.operationId as string))
        .filter((x): x is ParamSpec => !!x);
      const codes = row?.codes.length ? row.codes : Object.keys(raw.responses ?? {}).map(Number);
      const successStatus = codes.find((c) => c >= 200 && c < 300) ?? 200;
      const { responseKind, pagination } = describeResponse(raw, params);
      ops.push({
        version,
        method,
        path: p,
        operationId: raw.operationId,
        deprecated: row ? row.deprecated : !!raw.deprecated,
        tokenCost: row ? row.cost : Number(raw["x-token-cost"] ?? 0),
        scopes: row ? row.scopes : null,
        tags: row?.tags ?? raw.tags ?? [],
        successStatus,
        params,
        body: buildBody(raw),
        responseKind,
        pagination,
        response: successSchema(raw),
      });
    }
  }
  for (const c of CORRECTIONS) {
    if (c.kind !== "comma-list" || c.version !== version) continue;
    const op = ops.find((o) => o.operationId === c.operationId);
    if (!op?.params.some((param) => param.name === c.parameter && param.commaList)) throw staleCorrection(c);
  }
  return ops;
}

function buildParam(p: OpenApiParam, version: ApiVersion, operationId: string): ParamSpec | null {
  if (!p || (p.in !== "query" && p.in !== "path" && p.in !== "header")) return null;
  const description = p.description ?? "";
  const schema = toJsonSchema(p.schema ?? {}) as JsonSchema;
  const spec: ParamSpec = { name: p.name, in: p.in, required: !!p.required || p.in === "path", schema };
  const correction = p.in === "query" ? commaListCorrection(version, operationId, p.name) : undefined;
  if (correction) {
    if (schema.type !== "string" || !Array.isArray(schema.enum)) throw staleCorrection(correction);
    spec.commaList = true;
    // The enum lists single values (and, for *Fields include_fields, a few pre-joined combos):
    // keep only single values; the combos are covered by checking each item.
    schema.enum = (schema.enum as unknown[]).filter((v) => typeof v !== "string" || !v.includes(","));
    if (correction.sortModes) spec.sortModes = true;
  }
  const upTo = /comma separated string array of up to (\d+)/i.exec(description);
  if (upTo) {
    spec.maxListItems = Number(upTo[1]);
    if (p.name === "ids") spec.integerItems = true;
  }
  const maxKeys = /maximum of (\d+) keys/i.exec(description);
  if (maxKeys) spec.maxListItems = Number(maxKeys[1]);
  if (p.name === "limit" && p.in === "query") {
    const documented = /maximum value of (\d+)|upper limit is (\d+)/i.exec(description);
    const fromSchema = typeof schema.maximum === "number" ? (schema.maximum as number) : undefined;
    spec.maxLimit = fromSchema ?? (documented ? Number(documented[1] ?? documented[2]) : 500);
    delete schema.maximum; // reported once, by the limit rule
  }
  if (schema.type === "string" && !schema.format && /RFC ?3339/i.test(description)) schema.format = "date-time";
  const term = /Minimum (\d+) characters/i.exec(description);
  if (p.name === "term" && term) spec.minTermLength = Number(term[1]);
  return spec;
}

function buildBody(op: OpenApiOperation): BodySpec | null {
  const content = op.requestBody?.content;
  if (!content) return null;
  const out: BodySpec = { required: !!op.requestBody?.required, content: {} };
  for (const [ct, media] of Object.entries(content)) {
    const schema = toJsonSchema(media.schema ?? {}) as JsonSchema;
    out.content[ct.toLowerCase()] = { schema, knownProps: knownTopLevelProps(schema) };
  }
  return out;
}

/** Top-level property names a body schema lists (through allOf/anyOf/oneOf), or null if open. */
function knownTopLevelProps(schema: JsonSchema): string[] | null {
  const names = new Set<string>();
  let open = false;
  const visit = (s: JsonSchema) => {
    if (s.additionalProperties !== undefined && s.additionalProperties !== false) open = true;
    if (s.properties && typeof s.properties === "object") for (const k of Object.keys(s.properties)) names.add(k);
    for (const key of ["allOf", "anyOf", "oneOf"]) {
      const list = s[key];
      if (Array.isArray(list)) for (const sub of list) visit(sub as JsonSchema);
    }
  };
  visit(schema);
  if (open || names.size === 0) return null;
  return [...names];
}

function describeResponse(
  op: OpenApiOperation,
  params: ParamSpec[],
): { responseKind: SpecOperation["responseKind"]; pagination: SpecOperation["pagination"] } {
  const ok = op.responses?.["200"] ?? op.responses?.["201"];
  const schema = ok?.content?.["application/json"]?.schema;
  const props = schema ? collectProps(schema) : {};
  const data = props.data as JsonSchema | undefined;
  const responseKind =
    data?.type === "array" ? "list" : data?.type === "object" || data?.properties ? "object" : "other";
  const names = new Set(params.map((x) => x.name));
  const additional = props.additional_data ? collectProps(props.additional_data as JsonSchema) : {};
  let pagination: SpecOperation["pagination"] = "none";
  if (names.has("cursor")) pagination = "cursor";
  else if (names.has("start")) pagination = additional.pagination ? "offset" : "offset-flat";
  return { responseKind, pagination };
}

function successSchema(op: OpenApiOperation): JsonSchema | null {
  const ok = op.responses?.["200"] ?? op.responses?.["201"];
  const schema = ok?.content?.["application/json"]?.schema;
  return schema ? (toJsonSchema(schema) as JsonSchema) : null;
}

function collectProps(schema: JsonSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const visit = (s: JsonSchema) => {
    if (s.properties && typeof s.properties === "object") Object.assign(out, s.properties);
    for (const key of ["allOf", "anyOf", "oneOf"]) {
      const list = s[key];
      if (Array.isArray(list)) for (const sub of list) visit(sub as JsonSchema);
    }
  };
  visit(schema);
  return out;
}

const DROP_KEYS = new Set(["description", "example", "examples", "title", "externalDocs", "xml", "deprecated"]);

/** OpenAPI 3.0 schema -> JSON Schema (draft-07) for ajv: nullable, binary, doc-only keys. */
export function toJsonSchema(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(toJsonSchema);
  if (!s || typeof s !== "object") return s;
  const src = s as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(src)) {
    if (DROP_KEYS.has(k) || k.startsWith("x-") || k === "nullable" || k === "readOnly" || k === "writeOnly") continue;
    if (k === "properties" && v && typeof v === "object") {
      out[k] = Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([n, ps]) => [n, toJsonSchema(ps)]));
    } else if (k === "enum" || k === "required" || k === "default" || k === "const") {
      out[k] = v;
    } else {
      out[k] = toJsonSchema(v);
    }
  }
  if (out.format === "binary") delete out.format;
  if (src.nullable === true) {
    if (typeof out.type === "string") out.type = [out.type, "null"];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME_RE = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

function isDateTime(s: string): boolean {
  return DATE_TIME_RE.test(s) && !Number.isNaN(Date.parse(s)) && isDate(s.slice(0, 10));
}

function isUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}

let ajvInstance: Ajv | null = null;
function ajv(): Ajv {
  if (!ajvInstance) {
    ajvInstance = new Ajv({ strict: false, allErrors: true, logger: false, validateSchema: false });
    ajvInstance.addFormat("date", isDate);
    ajvInstance.addFormat("YYYY-MM-DD", isDate);
    ajvInstance.addFormat("date-time", isDateTime);
    ajvInstance.addFormat("uuid", (s: string) => UUID_RE.test(s));
    ajvInstance.addFormat("url", isUrl);
    ajvInstance.addFormat("pipedrive-time", (s: string) => isDateTime(s) || isDateTime(`${s.replace(" ", "T")}Z`));
  }
  return ajvInstance;
}

const compiled = new WeakMap<object, ValidateFunction>();
function validatorFor(schema: JsonSchema): ValidateFunction {
  let fn = compiled.get(schema);
  if (!fn) {
    fn = ajv().compile(schema);
    compiled.set(schema, fn);
  }
  return fn;
}

function describeError(where: string, e: ErrorObject): string {
  const at = where + e.instancePath.replace(/\/(\d+)(?=\/|$)/g, "[$1]").replace(/\//g, ".");
  switch (e.keyword) {
    case "enum":
      return `${at} must be one of: ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`;
    case "required":
      return `${at} must have required property '${e.params.missingProperty}'`;
    case "additionalProperties":
      return `${at} has unknown property '${e.params.additionalProperty}'`;
    case "format":
      return `${at} must match format "${e.params.format}"`;
    default:
      return `${at} ${e.message ?? "is invalid"}`;
  }
}

function coerceScalar(raw: string, schema: JsonSchema): unknown {
  // `allOf: [{type: number, enum: [0, 1]}]` (Pipedrive's numberBoolean) carries its type one level down.
  const typed =
    schema.type === undefined && Array.isArray(schema.allOf) ? ((schema.allOf as JsonSchema[])[0] ?? schema) : schema;
  const types = Array.isArray(typed.type) ? (typed.type as string[]) : [typed.type as string | undefined];
  if (types.includes("integer") && /^-?\d+$/.test(raw)) return Number(raw);
  if (types.includes("number") && raw.trim() !== "" && Number.isFinite(Number(raw))) return Number(raw);
  if (types.includes("boolean") && (raw === "true" || raw === "false")) return raw === "true";
  return raw; // left as a string: ajv reports the type mismatch
}

export interface ValidationInput {
  pathParams: Record<string, string>;
  query: URLSearchParams;
  /** Query parameter names to ignore (e.g. the legacy api_token, reported separately). */
  ignoreQuery?: string[];
  contentType: string | undefined;
  rawBody: Buffer;
  /** Extra top-level body keys allowed (custom-field hashes on v1 bodies). */
  allowBodyKey?: (key: string) => boolean;
}

export interface ValidationResult {
  reasons: string[];
  /** Typed query parameters (comma lists split into arrays). */
  query: Record<string, unknown>;
  pathParams: Record<string, unknown>;
  body: unknown;
}

/** Validates a request against its operation. Never throws; returns reasons (empty = valid). */
export function validateRequest(op: SpecOperation, input: ValidationInput): ValidationResult {
  const reasons: string[] = [];
  const query: Record<string, unknown> = {};
  const pathParams: Record<string, unknown> = {};
  const ignore = new Set(input.ignoreQuery ?? []);

  const validators = opValidators(op);

  // --- path parameters
  for (const p of op.params) {
    if (p.in !== "path") continue;
    const raw = input.pathParams[p.name];
    if (raw !== undefined) pathParams[p.name] = coerceScalar(raw, p.schema);
  }
  runValidator("path", validators.path, pathParams, reasons);

  // --- query parameters
  const declared = new Map(op.params.filter((p) => p.in === "query").map((p) => [p.name, p]));
  const seen = new Set<string>();
  for (const name of input.query.keys()) {
    if (seen.has(name) || ignore.has(name)) continue;
    seen.add(name);
    if (!declared.has(name)) reasons.push(`query parameter '${name}' is not defined for ${op.method} ${op.path}`);
  }
  for (const p of declared.values()) {
    const values = input.query.getAll(p.name);
    if (values.length === 0) {
      if (p.required) reasons.push(`query parameter '${p.name}' is required`);
      continue;
    }
    const isArray = p.schema.type === "array";
    if (!isArray && values.length > 1) {
      reasons.push(`query parameter '${p.name}' must be given once (got ${values.length} values)`);
      continue;
    }
    let value: unknown;
    if (isArray) {
      const items = (p.schema.items ?? {}) as JsonSchema;
      value = values.map((v) => coerceScalar(v, items));
    } else if (p.commaList) {
      const parts = values[0].split(",").map((s) => s.trim());
      value = p.sortModes ? parts.map((s) => s.replace(/\s+(asc|desc)$/i, "")) : parts;
    } else {
      value = coerceScalar(values[0], p.schema);
    }
    query[p.name] = value;
    // rules the spec states only in prose
    if (p.maxLimit !== undefined && typeof value === "number") {
      if (value > p.maxLimit) reasons.push(`query.limit must be <= ${p.maxLimit} (Pipedrive's maximum page size here)`);
      if (value < 1) reasons.push("query.limit must be >= 1");
    }
    if (p.maxListItems !== undefined || p.integerItems) {
      const items = values[0].split(",");
      if (p.maxListItems !== undefined && items.length > p.maxListItems) {
        reasons.push(`query.${p.name} allows at most ${p.maxListItems} comma-separated items (got ${items.length})`);
      }
      if (p.integerItems && items.some((s) => !/^\d+$/.test(s.trim()))) {
        reasons.push(`query.${p.name} must be a comma-separated list of integer ids`);
      }
    }
    if (p.minTermLength !== undefined && typeof value === "string") {
      const exact = input.query.get("exact_match") === "true";
      const min = exact ? 1 : p.minTermLength;
      if (value.trim().length < min) {
        reasons.push(
          `query.term must have at least ${min} character${min === 1 ? "" : "s"}${exact ? "" : " (1 with exact_match=true)"}`,
        );
      }
    }
  }
  runValidator("query", validators.query, query, reasons);

  // --- body
  let body: unknown;
  const hasBody = input.rawBody.length > 0;
  const ct = (input.contentType ?? "").split(";")[0].trim().toLowerCase();
  if (!op.body) {
    if (hasBody && input.rawBody.toString("utf8").trim() !== "") {
      reasons.push(`${op.method} ${op.path} takes no request body`);
    }
  } else if (!hasBody) {
    if (op.body.required) reasons.push("request body is required");
  } else {
    const media = op.body.content[ct];
    if (!media) {
      reasons.push(
        `content-type '${ct || "(none)"}' is not accepted; use ${Object.keys(op.body.content).join(" or ")}`,
      );
    } else if (ct === "application/json") {
      try {
        body = JSON.parse(input.rawBody.toString("utf8"));
      } catch {
        reasons.push("request body is not valid JSON");
      }
      if (body !== undefined) checkBody(media, body, reasons, input.allowBodyKey);
    } else if (ct === "application/x-www-form-urlencoded") {
      const form = new URLSearchParams(input.rawBody.toString("utf8"));
      const obj: Record<string, unknown> = {};
      const props = ((media.schema.properties ?? {}) as Record<string, JsonSchema>) || {};
      for (const [k, v] of form) obj[k] = props[k] ? coerceScalar(v, props[k]) : v;
      body = obj;
      checkBody(media, obj, reasons, input.allowBodyKey);
    }
    // multipart/form-data (file uploads) is not parsed: the generic handler answers it.
  }
  return { reasons, query, pathParams, body };
}

function checkBody(
  media: { schema: JsonSchema; knownProps: string[] | null },
  body: unknown,
  reasons: string[],
  allowBodyKey?: (key: string) => boolean,
) {
  runValidator("body", validatorFor(media.schema), body, reasons);
  if (media.knownProps && body && typeof body === "object" && !Array.isArray(body)) {
    const known = new Set(media.knownProps);
    for (const k of Object.keys(body)) {
      if (!known.has(k) && !allowBodyKey?.(k)) reasons.push(`body has unknown property '${k}' (not in the spec)`);
    }
  }
}

function runValidator(where: string, fn: ValidateFunction, value: unknown, reasons: string[]) {
  if (!fn(value) && fn.errors) {
    for (const e of fn.errors) {
      if (e.keyword === "if") continue;
      reasons.push(describeError(where, e));
    }
  }
}

interface OpValidators {
  path: ValidateFunction;
  query: ValidateFunction;
}
const opValidatorCache = new WeakMap<SpecOperation, OpValidators>();

/** Path and query validators of an operation, compiled on its first request. */
function opValidators(op: SpecOperation): OpValidators {
  let v = opValidatorCache.get(op);
  if (!v) {
    const pathProps: Record<string, unknown> = {};
    const queryProps: Record<string, unknown> = {};
    for (const p of op.params) {
      if (p.in === "path") pathProps[p.name] = p.schema;
      if (p.in === "query") {
        queryProps[p.name] = p.commaList ? { type: "array", minItems: 1, items: p.schema } : p.schema;
      }
    }
    v = {
      path: ajv().compile({ type: "object", properties: pathProps }),
      query: ajv().compile({ type: "object", properties: queryProps }),
    };
    opValidatorCache.set(op, v);
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// Responses (opt-in: SimulatorOptions.validateResponses)
// ---------------------------------------------------------------------------------------------

/**
 * How a response schema is read: Pipedrive answers null for any unset field (`"org_id": null`,
 * `"data": null` on an empty v1 list) though the specs mark few fields nullable, so every property
 * also accepts null; types, required properties and enums are checked as written, except
 * `field_type`, whose enum lists the custom-field types while the *Fields lists also hold standard
 * fields (v1 dealFields: `int` for id, `stage`, `status`); oneOf is read as
 * anyOf (Pipedrive's branches overlap, so a record often matches two); and a `date-time` may also be
 * v1's "YYYY-MM-DD HH:MM:SS", as the spec's own examples show (v1 getActivityTypes: add_time
 * '2019-10-04 16:24:55').
 */
function responseReading(s: unknown, isProperty = false): unknown {
  if (Array.isArray(s)) return s.map((item) => responseReading(item));
  if (!s || typeof s !== "object") return s;
  const src = s as JsonSchema;
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(src)) {
    if (k === "properties" && v && typeof v === "object")
      out.properties = Object.fromEntries(
        Object.entries(v as Record<string, unknown>).map(([n, p]) => [
          n,
          responseReading(n === "field_type" ? withoutEnum(p) : p, true),
        ]),
      );
    else if (k === "oneOf") out.anyOf = responseReading(v);
    else if (k === "format" && v === "date-time") out.format = "pipedrive-time";
    else if (k === "enum" || k === "required" || k === "default" || k === "const") out[k] = v;
    else out[k] = responseReading(v);
  }
  if (!isProperty) return out;
  if (typeof out.type === "string") out.type = [out.type, "null"];
  else if (Array.isArray(out.type) && !out.type.includes("null")) out.type = [...out.type, "null"];
  if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  return out.type || out.enum ? out : { anyOf: [out, { type: "null" }] };
}

/** A schema with its enums dropped, through allOf/anyOf/oneOf. */
function withoutEnum(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(withoutEnum);
  if (!s || typeof s !== "object") return s;
  return Object.fromEntries(
    Object.entries(s as JsonSchema)
      .filter(([k]) => k !== "enum")
      .map(([k, v]) => [k, withoutEnum(v)]),
  );
}

const responseValidators = new WeakMap<SpecOperation, ValidateFunction | null>();

/** Where a success response's JSON body departs from the operation's documented response (empty = conforms). */
export function validateResponse(op: SpecOperation, body: unknown): string[] {
  let fn = responseValidators.get(op);
  if (fn === undefined) {
    fn = op.response ? ajv().compile(responseReading(op.response) as JsonSchema) : null;
    responseValidators.set(op, fn);
  }
  const reasons: string[] = [];
  if (fn) runValidator("response", fn, body, reasons);
  return reasons;
}

import { action, type Connection, input, PerformSafety, util } from "@prismatic-io/spectral";
import { createPipedriveClient, type HttpMethod } from "../client";
import { InputError } from "../client/errors";
import { choiceInput, clean, connectionInput } from "../inputs";

/** A request to any Pipedrive endpoint on the connection's own host; the credentials cannot leak. */

/** A path relative to /api/v1 or /api/v2 of the connection's own host, or a clear error. */
export function relativeApiPath(raw: unknown): { path: string; query: Record<string, string> } {
  const text = util.types.toString(raw).trim();
  const refuse = (why: string): never => {
    throw new InputError(`URL: expected a path relative to the Pipedrive API such as /deals/12 or /users/me; ${why}.`);
  };
  if (!text) return refuse("it is empty");
  if (/^[a-z][a-z0-9+.-]*:/i.test(text) || text.startsWith("//") || text.includes("\\"))
    return refuse(
      "absolute URLs and other hosts are not allowed (the connection's token is only ever sent to its own Pipedrive domain)",
    );
  const [pathPart, queryPart = ""] = text.split("?", 2);
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathPart);
  } catch {
    return refuse("it is not validly URL-encoded");
  }
  const withoutPrefix = decoded.replace(/^\/?(api\/)?v[12](?=\/|$)/, "");
  const segments = withoutPrefix.split("/").filter(Boolean);
  if (segments.some((segment) => segment === "." || segment === ".."))
    return refuse('"." and ".." segments are not allowed');
  if (segments.length === 0) return refuse("it names no endpoint");
  const query = Object.fromEntries(new URLSearchParams(queryPart));
  return { path: `/${segments.map(encodeURIComponent).join("/")}`, query };
}

/** Prismatic's raw-request methods (spectral's list); HEAD and OPTIONS are safe to retry, the rest as POST. */
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "LINK", "UNLINK", "PURGE"] as const;
const WITH_BODY = new Set(["POST", "PUT", "PATCH"]);
const FORBIDDEN_HEADERS = /^(authorization|x-api-token|host|cookie|content-length)$/i;
const RESPONSE_TYPES = ["json", "text", "arraybuffer", "document"] as const;

const pairsOf = (value: unknown, label: string): { key: string; value: unknown }[] => {
  if (value === undefined || value === null || value === "") return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((item) => {
    const pair = item as { key?: unknown; value?: unknown };
    if (typeof pair !== "object" || pair === null || !pair.key)
      throw new InputError(`${label}: expected a list of key/value pairs.`);
    return { key: String(pair.key), value: pair.value };
  });
};

const keyValues = (value: unknown, label: string): Record<string, string> =>
  Object.fromEntries(pairsOf(value, label).map((pair) => [pair.key, util.types.toString(pair.value)]));

const keyValueInput = (label: string, comments: string) =>
  input({ label, type: "string", collection: "keyvaluelist", required: false, comments });

/** Form Data and File Data as one multipart body (spectral's raw request does the same). */
function multipartBody(params: Record<string, unknown>): FormData | undefined {
  const fields = pairsOf(params.formData, "Form Data");
  const files = pairsOf(params.fileData, "File Data");
  if (!fields.length && !files.length) return undefined;
  const names = keyValues(params.fileDataFileNames, "File Data File Names");
  const form = new FormData();
  for (const field of fields) form.append(field.key, util.types.toString(field.value));
  for (const file of files) {
    const payload = util.types.toBufferDataPayload(file.value);
    form.append(
      file.key,
      new Blob([new Uint8Array(payload.data)], { type: payload.contentType ?? "application/octet-stream" }),
      names[file.key] ?? file.key,
    );
  }
  return form;
}

const optionalCount = (label: string) => clean.optionalInteger(label, 0);

export const rawRequest = action({
  display: {
    label: "Raw Request",
    description:
      "Send a request to any Pipedrive API endpoint on the connection's own domain (v1 or v2), with the connection's credentials, pacing and retries. Absolute URLs are refused.",
  },
  inputs: {
    connection: connectionInput,
    version: input({
      label: "API Version",
      type: "string",
      required: true,
      default: "v1",
      model: [
        { label: "v1", value: "v1" },
        { label: "v2", value: "v2" },
      ],
      comments:
        "Pipedrive API version of the endpoint: v2 for deals, persons, organizations, activities, products, pipelines, stages and fields; v1 for the rest.",
      example: "v2",
      clean: clean.choice("API Version", ["v1", "v2"]),
    }),
    url: input({
      label: "URL",
      type: "string",
      required: true,
      comments:
        "The endpoint path relative to /api/v1 or /api/v2, e.g. /deals/12 (v2) or /users/me (v1). A query string is allowed.",
      example: "/deals?limit=10",
      placeholder: "/deals/12",
      clean: relativeApiPath,
    }),
    method: choiceInput({
      label: "Method",
      choices: METHODS.map((value) => ({ label: value, value })),
      comments:
        "The HTTP method. Pipedrive's API uses GET, POST, PUT, PATCH and DELETE; the others are sent as chosen and answered by Pipedrive.",
      example: "GET",
      required: true,
    }),
    data: input({
      label: "Data",
      type: "code",
      language: "json",
      required: false,
      comments: "The JSON body for POST, PUT and PATCH.",
      example: '{"title": "Acme - 50 seats"}',
      clean: clean.optionalJson("Data"),
    }),
    formData: keyValueInput("Form Data", "Fields of a multipart/form-data body (instead of Data)."),
    fileData: keyValueInput(
      "File Data",
      "Files of a multipart/form-data body: the field name, and the file (a reference to an earlier step's file).",
    ),
    fileDataFileNames: keyValueInput("File Data File Names", "The file name of each File Data field, by field name."),
    queryParams: keyValueInput("Query Parameter", "Query parameters to send, e.g. limit = 100."),
    headers: keyValueInput(
      "Header",
      "Extra headers. Authorization and x-api-token come from the connection and cannot be set here.",
    ),
    responseType: input({
      label: "Response Type",
      type: "string",
      required: true,
      default: "json",
      model: RESPONSE_TYPES.map((value) => ({ label: value, value })),
      comments:
        "How to read the response: json (parsed), text or document (the body as text), arraybuffer (the bytes, e.g. a file download).",
      clean: clean.choice("Response Type", RESPONSE_TYPES),
    }),
    timeout: input({
      label: "Timeout",
      type: "string",
      required: false,
      comments: "Milliseconds to wait for each response (default 30000).",
      example: "30000",
      clean: optionalCount("Timeout"),
    }),
    retryDelayMS: input({
      label: "Retry Delay (ms)",
      type: "string",
      required: false,
      default: "0",
      comments:
        "Accepted for Prismatic's component. The connection's client waits for Pipedrive's rate-limit reset after a 429, and backs off exponentially (250 ms doubling, with jitter) after a 5xx or reset.",
      clean: optionalCount("Retry Delay (ms)"),
    }),
    retryAllErrors: input({
      label: "Retry On All Errors",
      type: "boolean",
      required: false,
      default: "false",
      comments:
        "Accepted for Prismatic's component. 429s are always retried; 5xx, resets and timeouts only for GET, HEAD, OPTIONS, PUT, PATCH and DELETE, never for a POST Pipedrive may have processed (no duplicate creates).",
      clean: clean.boolean("Retry On All Errors"),
    }),
    maxRetries: input({
      label: "Max Retry Count",
      type: "string",
      required: false,
      default: "0",
      comments:
        "Retries after a 5xx, reset or timeout of a request that is safe to repeat; 0 keeps the client's default of 3. 429s are waited out separately (up to 6 times).",
      clean: optionalCount("Max Retry Count"),
    }),
    useExponentialBackoff: input({
      label: "Use Exponential Backoff",
      type: "boolean",
      required: false,
      default: "false",
      comments: "Accepted for Prismatic's component; the client always backs off exponentially after a 5xx or reset.",
      clean: clean.boolean("Use Exponential Backoff"),
    }),
  },
  perform: async (context, params) => {
    const { path, query } = params.url as ReturnType<typeof relativeApiPath>;
    const headers = keyValues(params.headers, "Header");
    for (const name of Object.keys(headers))
      if (FORBIDDEN_HEADERS.test(name))
        throw new InputError(`Header: ${name} cannot be set; the connection provides the credentials.`);
    const method = params.method as (typeof METHODS)[number];
    const form = multipartBody(params);
    const client = createPipedriveClient(params.connection as Connection, {
      logger: context.logger as never,
      debug: context.debug?.enabled,
      ...(params.timeout ? { timeoutMs: params.timeout as number } : {}),
      ...(params.maxRetries ? { maxRetries: params.maxRetries as number } : {}),
    });
    const responseType =
      params.responseType === "arraybuffer" ? "arraybuffer" : params.responseType === "json" ? "json" : "text";
    const response = await client.send<unknown>({
      method: method as HttpMethod,
      version: params.version as "v1" | "v2",
      // Placeholders were encoded by relativeApiPath; braces cannot reach fillPath unencoded.
      path,
      query: { ...query, ...keyValues(params.queryParams, "Query Parameter") },
      body: form ?? (WITH_BODY.has(method) ? (params.data ?? {}) : undefined),
      headers,
      responseType,
    });
    return {
      data: responseType === "arraybuffer" ? Buffer.from(response.data as unknown as ArrayBuffer) : response.data,
    };
  },
  examplePayload: { data: { success: true, data: { id: 1, name: "Sim Admin" } } },
  outputSchema: {
    type: "actionOutput",
    schema: {
      description:
        "Pipedrive's response body as it came: parsed JSON (usually its envelope { success, data, additional_data }), text, or the bytes with Response Type arraybuffer.",
    },
  },
  // Any method to any endpoint: it may write, so the designer never runs it inline.
  performSafety: PerformSafety.NOT_ALLOWED,
});

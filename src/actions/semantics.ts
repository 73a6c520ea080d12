import { input } from "@prismatic-io/spectral";
import type { PipedriveClient } from "../client";
import { InputError } from "../client/errors";
import { choiceInput, clean } from "../inputs";
import { type JsonSchema, toDefinition } from "./generated";
import { OPERATIONS } from "./generated/operations";
import type { OperationDefinition } from "./operation";

/**
 * Inputs that Sim's Pipedrive tools offer on top of the plain endpoints: archived leads from the
 * same action, and file contents along with the file list.
 */
const op = (id: string) => {
  const found = OPERATIONS.find((o) => o.id === id && o.version === "v1");
  if (!found) throw new Error(`Pipedrive operation v1 ${id} is missing from the generated table`);
  return found;
};

const yesNo = (label: string, comments: string) =>
  input({ label, type: "boolean", required: false, default: "false", comments, clean: clean.boolean(label) });

interface FileRecord {
  id: number;
  name?: string;
  file_name?: string;
  file_type?: string;
}

/** At most this many files are downloaded by one Get Files run. */
export const MAX_DOWNLOADS = 25;

async function withContents(data: unknown, client: PipedriveClient): Promise<unknown> {
  const envelope = data as { data?: FileRecord[] | null };
  const files = (envelope.data ?? []).slice(0, MAX_DOWNLOADS);
  const downloadedFiles = [];
  for (const file of files) {
    const response = await client.send<ArrayBuffer>({
      method: "GET",
      version: "v1",
      path: "/files/{id}/download",
      pathParams: { id: file.id },
      responseType: "arraybuffer",
    });
    downloadedFiles.push({
      id: file.id,
      name: file.name ?? file.file_name ?? `file-${file.id}`,
      contentType: String(response.headers["content-type"] ?? "application/octet-stream"),
      base64: Buffer.from(response.data).toString("base64"),
    });
  }
  return { ...envelope, downloadedFiles };
}

const DOWNLOADED_FILES_SCHEMA: JsonSchema = {
  type: "array",
  description: "With Download Files: each file's contents as base64.",
  items: {
    type: "object",
    properties: {
      id: { type: "integer" },
      name: { type: "string" },
      contentType: { type: "string" },
      base64: { type: "string" },
    },
  },
};

export function semanticDefinitions(available: Set<string>): Record<string, OperationDefinition> {
  const leads = toDefinition(op("getLeads"), available);
  const files = toDefinition(op("getFiles"), available);
  return {
    getLeads: {
      ...leads,
      description: `${leads.description} With Archived on, lists archived leads (GET /api/v1/leads/archived).`,
      params: {
        ...leads.params,
        archived: {
          in: "query",
          name: "archived",
          input: yesNo("Archived", "When true, list archived leads instead of active ones."),
        },
        archivedStatus: {
          in: "query",
          name: "archived_status",
          input: choiceInput({
            label: "Archived Status",
            choices: [
              { label: "Not Archived", value: "not_archived" },
              { label: "Archived", value: "archived" },
              { label: "All", value: "all" },
            ],
            comments:
              "Prismatic's filter (its archived_status parameter is gone from Pipedrive's API): archived lists archived leads (GET /api/v1/leads/archived), not_archived active ones. all is refused: Pipedrive now lists the two apart, so run Get Leads once with each.",
          }),
        },
      },
      prepare: (parts) => {
        const status = parts.query.archived_status;
        if (status === "all")
          throw new InputError(
            "Archived Status: all is no longer offered by Pipedrive, which lists active leads (GET /api/v1/leads) and archived ones (GET /api/v1/leads/archived) apart; run Get Leads once with Archived Status archived and once with not_archived.",
          );
        if (status === "archived" || (status === undefined && parts.query.archived === true)) {
          if (parts.query.updated_since !== undefined)
            throw new InputError(
              "Updated Since: Pipedrive's list of archived leads (GET /api/v1/leads/archived) cannot filter by update time; leave it empty to list archived leads.",
            );
          parts.path = "/leads/archived";
        }
        delete parts.query.archived;
        delete parts.query.archived_status;
      },
    },
    getFiles: {
      ...files,
      description: `${files.description} With Download Files on, also returns the contents (base64) of up to ${MAX_DOWNLOADS} files of the page.`,
      params: {
        ...files.params,
        downloadFiles: {
          in: "query",
          name: "download_files",
          input: yesNo(
            "Download Files",
            `When true, the output's downloadedFiles holds each file's contents as base64 (at most ${MAX_DOWNLOADS}).`,
          ),
        },
      },
      prepare: (parts) => {
        delete parts.query.download_files;
      },
      transform: (data, client, values) => (values.downloadFiles ? withContents(data, client) : Promise.resolve(data)),
      shapeOutput: (schema) => ({
        ...schema,
        properties: { ...schema.properties, downloadedFiles: DOWNLOADED_FILES_SCHEMA },
      }),
    },
  };
}

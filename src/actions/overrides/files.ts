import type { PipedriveClient } from "../../client";
import type { JsonSchema } from "../generated/fromSpec";
import { NOTHING_TO_CHANGE } from "./compose";
import { yesNo } from "./leads";
import { NO_FIELD_SET, PUT } from "./reasons";
import type { ActionEntry } from "./types";

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

export const fileEntries: Record<string, ActionEntry> = {
  getFiles: {
    operation: { version: "v1", id: "getFiles" },
    description: (generated) =>
      `${generated} With Download Files on, also returns the contents (base64) of up to ${MAX_DOWNLOADS} files of the page.`,
    params: (generated) => ({
      ...generated,
      downloadFiles: {
        in: "query",
        name: "download_files",
        input: yesNo(
          "Download Files",
          `When true, the output's downloadedFiles holds each file's contents as base64 (at most ${MAX_DOWNLOADS}).`,
        ),
      },
    }),
    prepare: (parts) => {
      delete parts.query.download_files;
    },
    transform: (data, client, values) => (values.downloadFiles ? withContents(data, client) : Promise.resolve(data)),
    shapeOutput: (schema) => ({
      ...schema,
      properties: { ...schema.properties, downloadedFiles: DOWNLOADED_FILES_SCHEMA },
    }),
  },
  addFile: {
    entity: {
      type: "entityType",
      id: "entityId",
      fields: {
        deal: "deal_id",
        person: "person_id",
        org: "org_id",
        product: "product_id",
        activity: "activity_id",
        lead: "lead_id",
      },
    },
  },
  updateFile: {
    differences: [
      { what: "method", why: PUT },
      { what: "body.kind", why: "form-encoded, as Pipedrive's v1 spec defines this endpoint's body." },
      { what: "requests", why: NO_FIELD_SET },
    ],
    outcome: NOTHING_TO_CHANGE,
  },
};

import { z } from "zod";
import { col, SEED_COLUMN } from "./fields.ts";
import { defineStream, type MapContext, type RawObject } from "./define.ts";

/** A `documents` record: the seed's columns, then the API's. */
export const DocumentRecord = z.object({
  id: col.id(),
  person_id: col.string(),
  name: col.string(),
  description: col.string(SEED_COLUMN),
  type: col.string(),
  filename: col.string(),
  file_size: col.integer(SEED_COLUMN),
  mime_type: col.string(SEED_COLUMN),
  url: col.string(),
  expiry_date: col.date(SEED_COLUMN),
  tags: col.string(SEED_COLUMN),
  created_at: col.timestamp(),
  updated_at: col.timestamp(),
  timestamp: col.timestamp(),
  company_id: col.string(),
  document_type_id: col.string(),
  folder_id: col.string(),
  link: col.string(),
  file_id: col.string(),
  file_filename: col.string(),
  file_url: col.string(),
  source: col.string(),
  source_id: col.string(),
  issue_date: col.date(),
  created_by: col.string(),
});

/** A `documents` record. */
export type DocumentRecord = z.infer<typeof DocumentRecord>;

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** Seed columns of a document: `url` from `link` or `file.url`, `filename` and `type` from the API. */
export function deriveDocument(raw: RawObject, _context: MapContext): RawObject {
  const file = raw.file && typeof raw.file === "object" ? raw.file as RawObject : {};
  return {
    url: text(raw.link) ?? text(file.url) ?? null,
    filename: text(file.filename) ?? null,
    type: raw.documentTypeId ?? null,
  };
}

/** Employee documents: a link or an uploaded file (needs documents:read). */
export const documents = defineStream({
  name: "documents",
  path: "/documents",
  description: "Employee documents: a link or an uploaded file, with its type and folder.",
  scopes: ["documents:read"],
  incremental: true,
  evidence: {
    path: "likely",
    fields: "guessed",
    source: "one public SDK only, AI-assisted and citing no response",
  },
  sensitive: true,
  record: DocumentRecord,
  derive: deriveDocument,
});

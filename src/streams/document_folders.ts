import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream, type MapContext, type RawObject } from "./define.ts";

/** A `document_folders` record. */
export const DocumentFolderRecord = z.object({
  id: col.id(),
  company_id: col.string(),
  name: col.string(),
  /** Who may see the folder: an object of undocumented shape, as JSON text. */
  audience: col.string(),
  created_by: col.string(),
  created_at: col.timestamp(),
  updated_at: col.timestamp(),
  deleted_at: col.timestamp(),
  timestamp: col.timestamp(),
});

/** A `document_folders` record. */
export type DocumentFolderRecord = z.infer<typeof DocumentFolderRecord>;

/** `audience` kept whole as JSON text: its keys are not documented, so flattening would lose them. */
export function deriveDocumentFolder(raw: RawObject, _context: MapContext): RawObject {
  return { audience: raw.audience };
}

/** Folders that documents are filed in; the scope it needs is a guess. */
export const documentFolders = defineStream({
  name: "document_folders",
  path: "/document-folders",
  description: "Folders that documents are filed in, with who may see them.",
  scopes: ["private:read", "documents:read"],
  incremental: true,
  evidence: {
    path: "likely",
    fields: "guessed",
    source: "one public SDK only, AI-assisted and citing no response",
  },
  record: DocumentFolderRecord,
  derive: deriveDocumentFolder,
});

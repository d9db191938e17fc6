import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream } from "./define.ts";

/** A `document_types` record. */
export const DocumentTypeRecord = z.object({
  id: col.id(),
  company_id: col.string(),
  name: col.string(),
  created_at: col.timestamp(),
  updated_at: col.timestamp(),
  timestamp: col.timestamp(),
});

/** A `document_types` record. */
export type DocumentTypeRecord = z.infer<typeof DocumentTypeRecord>;

/** The kinds of document that documents reference; the scope it needs is a guess. */
export const documentTypes = defineStream({
  name: "document_types",
  path: "/document-types",
  description: "Kinds of document (contract, passport, ...) that documents refer to.",
  scopes: ["private:read", "documents:read"],
  incremental: true,
  evidence: {
    path: "likely",
    fields: "guessed",
    source: "one public SDK only, AI-assisted and citing no response",
  },
  record: DocumentTypeRecord,
});

import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream } from "./define.ts";

/** An `identity_document_types` record. */
export const IdentityDocumentTypeRecord = z.object({
  id: col.id(),
  company_id: col.string(),
  name: col.string(),
  created_at: col.timestamp(),
  updated_at: col.timestamp(),
  timestamp: col.timestamp(),
});

/** An `identity_document_types` record. */
export type IdentityDocumentTypeRecord = z.infer<typeof IdentityDocumentTypeRecord>;

/** The kinds of identity document; the scope it needs is a guess. */
export const identityDocumentTypes = defineStream({
  name: "identity_document_types",
  path: "/identity-document-types",
  description: "Kinds of identity document (passport, national ID, ...).",
  scopes: ["private:read", "documents:read"],
  incremental: true,
  evidence: {
    path: "likely",
    fields: "guessed",
    source: "one public SDK only, AI-assisted and citing no response",
  },
  record: IdentityDocumentTypeRecord,
});

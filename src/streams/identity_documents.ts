import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream } from "./define.ts";

/** An `identity_documents` record: the scan, if any, is `file` flattened like a document's. */
export const IdentityDocumentRecord = z.object({
  id: col.id(),
  person_id: col.string(),
  identity_document_type_id: col.string(),
  name: col.string(),
  number: col.string(),
  issuing_country: col.string(),
  issue_date: col.date(),
  expiry_date: col.date(),
  file_id: col.string(),
  file_filename: col.string(), // guess: the shape of a document's file
  file_url: col.string(), // guess: the shape of a document's file
  created_at: col.timestamp(),
  updated_at: col.timestamp(),
  timestamp: col.timestamp(),
});

/** An `identity_documents` record. */
export type IdentityDocumentRecord = z.infer<typeof IdentityDocumentRecord>;

/** Passports, ID cards and visas with number and expiry (needs documents:read). */
export const identityDocuments = defineStream({
  name: "identity_documents",
  path: "/identity-documents",
  description: "Passports, ID cards and visas: number, issuing country, issue and expiry dates.",
  scopes: ["documents:read"],
  incremental: true,
  evidence: {
    path: "likely",
    fields: "guessed",
    source: "one public SDK only, AI-assisted and citing no response",
  },
  sensitive: true,
  record: IdentityDocumentRecord,
});

import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream, sharedEvidence, type StreamDefinition } from "./define.ts";

/** The `identity_document_types` stream. The scope it needs is a guess. */
export const identityDocumentTypes: StreamDefinition = defineStream({
  name: "identity_document_types",
  description: "Kinds of identity document (passport, national ID, ...).",
  scopes: ["private:read", "documents:read"],
  evidence: sharedEvidence("one_sdk"),
  record: z.object({
    company_id: col.string(),
    name: col.string(),
  }),
  example: {
    id: "It1Yp2Ea3Bc4De5Fg6Hi7Jk8",
    companyId: "Tq3mZ8kLp2Vx9Rb4Nc7Wd1Ye",
    name: "Passport",
    createdAt: "2021-02-01T10:00:00.000Z",
    updatedAt: "2021-02-01T10:00:00.000Z",
  },
});

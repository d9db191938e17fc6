import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream, sharedEvidence, type StreamDefinition } from "./define.ts";

/** The `document_types` stream. The scope it needs is a guess. */
export const documentTypes: StreamDefinition = defineStream({
  name: "document_types",
  description: "Kinds of document (contract, passport, ...) that documents refer to.",
  scopes: ["private:read", "documents:read"],
  evidence: sharedEvidence("one_sdk"),
  record: z.object({
    company_id: col.string(),
    name: col.string(),
  }),
  example: {
    id: "Ty1Ab2Cd3Ef4Gh5Ij6Kl7Mn8",
    companyId: "Tq3mZ8kLp2Vx9Rb4Nc7Wd1Ye",
    name: "Contract",
    createdAt: "2021-02-01T10:00:00.000Z",
    updatedAt: "2021-02-01T10:00:00.000Z",
  },
});

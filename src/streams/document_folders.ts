import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream, sharedEvidence, type StreamDefinition } from "./define.ts";

/** The `document_folders` stream. The scope it needs is a guess. */
export const documentFolders: StreamDefinition = defineStream({
  name: "document_folders",
  description: "Folders that documents are filed in, with who may see them.",
  scopes: ["private:read", "documents:read"],
  evidence: sharedEvidence("one_sdk"),
  record: z.object({
    company_id: col.string(),
    name: col.string(),
    /** Who may see the folder: an object of undocumented shape. */
    audience: col.object(),
    created_by: col.string(),
    created_at: col.timestamp(),
    updated_at: col.timestamp(),
    deleted_at: col.timestamp(),
    timestamp: col.timestamp(),
  }),
  example: {
    id: "Fo9Pq8Rs7Tu6Vw5Xy4Za3Bc2",
    companyId: "Tq3mZ8kLp2Vx9Rb4Nc7Wd1Ye",
    name: "Payroll",
    audience: { type: "roles", roleIds: ["Ro1Le2Ab3Cd4Ef5Gh6Ij7Kl8"] },
    createdBy: "Pe0Ad1Mi2Nb3Cd4Ef5Gh6Ij7",
    createdAt: "2021-02-01T10:00:00.000Z",
    updatedAt: "2025-02-01T10:00:00.000Z",
    deletedAt: "2026-02-01T10:00:00.000Z",
  },
});

import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream, sharedEvidence, type StreamDefinition } from "./define.ts";

/** The `spaces` stream: its `description` says what it holds. */
export const spaces: StreamDefinition = defineStream({
  name: "spaces",
  description:
    "Spaces: the separate parts of a company that people belong to (a person's space_id).",
  evidence: sharedEvidence("client_survey"),
  // A `spaces` record (its columns are guesses: no source shows a row).
  record: z.object({
    company_id: col.string(),
    name: col.string(),
  }),
  example: {
    id: "Sp4Ac3Eu2Kh1Qz9Xw8Vb7Nm6",
    companyId: "Tq3mZ8kLp2Vx9Rb4Nc7Wd1Ye",
    name: "Northwind UK",
    createdAt: "2021-02-01T10:00:00.000Z",
    updatedAt: "2024-02-01T10:00:00.000Z",
  },
});

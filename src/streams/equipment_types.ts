import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream, sharedEvidence, type StreamDefinition } from "./define.ts";

/** The `equipment_types` stream: its `description` says what it holds. */
export const equipmentTypes: StreamDefinition = defineStream({
  name: "equipment_types",
  description: "Kinds of equipment (laptop, phone, ...) that equipment rows refer to.",
  evidence: sharedEvidence("client_survey"),
  // An `equipment_types` record (its columns are guesses: no source shows a row).
  record: z.object({
    company_id: col.string(),
    name: col.string(),
  }),
  example: {
    id: "Et1Yp2Ee3Qu4Ip5Me6Nt7Ab8",
    companyId: "Tq3mZ8kLp2Vx9Rb4Nc7Wd1Ye",
    name: "Laptop",
    createdAt: "2021-02-01T10:00:00.000Z",
    updatedAt: "2021-02-01T10:00:00.000Z",
  },
});

import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream, sharedEvidence, type StreamDefinition } from "./define.ts";

/** The `equipment_names` stream: its `description` says what it holds. */
export const equipmentNames: StreamDefinition = defineStream({
  name: "equipment_names",
  description: "Named equipment models (MacBook Pro 14, ...) of each equipment type.",
  evidence: sharedEvidence("client_survey"),
  // An `equipment_names` record (its columns are guesses: no source shows a row).
  record: z.object({
    company_id: col.string(),
    equipment_type_id: col.string(),
    name: col.string(),
  }),
  example: {
    id: "En1Am2Ee3Qu4Ip5Me6Nt7Ab8",
    companyId: "Tq3mZ8kLp2Vx9Rb4Nc7Wd1Ye",
    equipmentTypeId: "Et1Yp2Ee3Qu4Ip5Me6Nt7Ab8",
    name: "MacBook Pro 14",
    createdAt: "2023-02-01T10:00:00.000Z",
    updatedAt: "2023-02-01T10:00:00.000Z",
  },
});

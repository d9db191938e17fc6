import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream, sharedEvidence, type StreamDefinition } from "./define.ts";

/** The `working_patterns` stream: its `description` says what it holds. */
export const workingPatterns: StreamDefinition = defineStream({
  name: "working_patterns",
  description: "Named weekly working patterns (full time, four days, ...).",
  evidence: sharedEvidence("one_sdk"),
  record: z.object({
    company_id: col.string(),
    name: col.string(),
    days: col.array(), // guess: the working days
  }),
  example: {
    id: "Wp1At2Te3Rn4Ab5Cd6Ef7Gh8",
    companyId: "Tq3mZ8kLp2Vx9Rb4Nc7Wd1Ye",
    name: "Four days",
    days: ["monday", "tuesday", "wednesday", "thursday"],
    createdAt: "2023-01-01T00:00:00.000Z",
    updatedAt: "2023-01-01T00:00:00.000Z",
  },
});

import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream, sharedEvidence, type StreamDefinition } from "./define.ts";

/** The `time_away_types` stream: its `description` says what it holds. */
export const timeAwayTypes: StreamDefinition = defineStream({
  name: "time_away_types",
  description: "Kinds of absence (holiday, sick leave, parental leave, ...) time away refers to.",
  evidence: sharedEvidence("one_sdk"),
  record: z.object({
    company_id: col.string(),
    name: col.string(),
    is_time_off: col.boolean(), // guess: time away rows carry it
  }),
  example: {
    id: "Ta1Ho2Li3Da4Ys5Ty6Pe7Xq8",
    companyId: "Tq3mZ8kLp2Vx9Rb4Nc7Wd1Ye",
    name: "Holiday",
    isTimeOff: true,
    createdAt: "2021-02-01T10:00:00.000Z",
    updatedAt: "2023-01-01T00:00:00.000Z",
  },
});

import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream, sharedEvidence, type StreamDefinition } from "./define.ts";

/** The `time_away_adjustments` stream: its `description` says what it holds. */
export const timeAwayAdjustments: StreamDefinition = defineStream({
  name: "time_away_adjustments",
  description: "Manual changes to a person's time away allowance (carry-over, extra days).",
  evidence: sharedEvidence("one_sdk"),
  initialWindow: true,
  record: z.object({
    person_id: col.string(),
    time_away_allocation_id: col.string(),
    time_away_type_id: col.string(), // guess
    amount: col.number(),
    date: col.date(), // guess
    note: col.string(),
  }),
  example: {
    id: "Ad1Ju2St3Me4Nt5Ab6Cd7Ef8",
    personId: "Pe6Hs2Jd9Kf4Lg1Zx7Cv3Bn8",
    timeAwayAllocationId: "Al5Lo6Ca7Ti8On9Ab1Cd2Ef3",
    timeAwayTypeId: "Ta1Ho2Li3Da4Ys5Ty6Pe7Xq8",
    amount: -1.5,
    date: "2026-01-05",
    note: "Carry-over correction",
    createdAt: "2026-01-05T10:00:00.000Z",
    updatedAt: "2026-01-05T10:00:00.000Z",
  },
});

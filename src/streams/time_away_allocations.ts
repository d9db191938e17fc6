import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream, sharedEvidence, type StreamDefinition } from "./define.ts";

/** The `time_away_allocations` stream: its `description` says what it holds. */
export const timeAwayAllocations: StreamDefinition = defineStream({
  name: "time_away_allocations",
  description: "Each person's time away allowance per policy and period.",
  evidence: sharedEvidence("one_sdk"),
  record: z.object({
    person_id: col.string(),
    time_away_type_id: col.string(),
    time_away_policy_id: col.string(),
    amount: col.number(),
    unit: col.string(),
    year: col.integer(), // guess
    start_date: col.date(),
    end_date: col.date(),
  }),
  example: {
    id: "Al5Lo6Ca7Ti8On9Ab1Cd2Ef3",
    personId: "Pe6Hs2Jd9Kf4Lg1Zx7Cv3Bn8",
    timeAwayTypeId: "Ta1Ho2Li3Da4Ys5Ty6Pe7Xq8",
    timeAwayPolicyId: "Po7Li3Cy9Ab2Cd4Ef6Gh8Ij0",
    amount: 27.5,
    unit: "days",
    year: 2026,
    startDate: "2026-01-01",
    endDate: "2026-12-31",
    createdAt: "2025-12-01T00:00:00.000Z",
    updatedAt: "2026-01-02T00:00:00.000Z",
  },
});

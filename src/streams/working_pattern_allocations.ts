import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream, sharedEvidence, type StreamDefinition } from "./define.ts";

/** The `working_pattern_allocations` stream: its `description` says what it holds. */
export const workingPatternAllocations: StreamDefinition = defineStream({
  name: "working_pattern_allocations",
  description: "Which working pattern each person follows, and from when.",
  evidence: sharedEvidence("client_survey"),
  // A `working_pattern_allocations` record (its columns are guesses: no source shows a row).
  record: z.object({
    person_id: col.string(),
    working_pattern_id: col.string(),
    effective_date: col.date(),
    end_date: col.date(),
  }),
  example: {
    id: "Wa1Ll2Oc3At4Io5Nn6Ab7Cd8",
    personId: "Pe6Hs2Jd9Kf4Lg1Zx7Cv3Bn8",
    workingPatternId: "Wp1At2Te3Rn4Ab5Cd6Ef7Gh8",
    effectiveDate: "2025-01-06",
    endDate: "2026-12-31",
    createdAt: "2024-12-20T10:00:00.000Z",
    updatedAt: "2024-12-20T10:00:00.000Z",
  },
});

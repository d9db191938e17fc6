import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream } from "./define.ts";

/** A `time_away_allocations` record. */
export const TimeAwayAllocationRecord = z.object({
  id: col.id(),
  person_id: col.string(),
  time_away_type_id: col.string(),
  time_away_policy_id: col.string(),
  amount: col.number(),
  unit: col.string(),
  year: col.integer(), // guess
  start_date: col.date(),
  end_date: col.date(),
  created_at: col.timestamp(),
  updated_at: col.timestamp(),
  timestamp: col.timestamp(),
});

/** A `time_away_allocations` record. */
export type TimeAwayAllocationRecord = z.infer<typeof TimeAwayAllocationRecord>;

/** How much time away each person is allowed, per policy and period. */
export const timeAwayAllocations = defineStream({
  name: "time_away_allocations",
  path: "/time-away-allocations",
  description: "Each person's time away allowance per policy and period.",
  scopes: ["public:read", "private:read"],
  incremental: true,
  evidence: {
    path: "likely",
    fields: "guessed",
    source: "one public SDK only, AI-assisted and citing no response",
  },
  record: TimeAwayAllocationRecord,
});

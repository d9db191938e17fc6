import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream } from "./define.ts";

/** A `time_away_adjustments` record. */
export const TimeAwayAdjustmentRecord = z.object({
  id: col.id(),
  person_id: col.string(),
  time_away_allocation_id: col.string(),
  time_away_type_id: col.string(), // guess
  amount: col.number(),
  date: col.date(), // guess
  note: col.string(),
  created_at: col.timestamp(),
  updated_at: col.timestamp(),
  timestamp: col.timestamp(),
});

/** A `time_away_adjustments` record. */
export type TimeAwayAdjustmentRecord = z.infer<typeof TimeAwayAdjustmentRecord>;

/** Manual changes to a person's allowance (carry-over, extra days). */
export const timeAwayAdjustments = defineStream({
  name: "time_away_adjustments",
  path: "/time-away-adjustments",
  description: "Manual changes to a person's time away allowance (carry-over, extra days).",
  scopes: ["public:read", "private:read"],
  incremental: true,
  evidence: {
    path: "likely",
    fields: "guessed",
    source: "one public SDK only, AI-assisted and citing no response",
  },
  initialWindow: true,
  record: TimeAwayAdjustmentRecord,
});

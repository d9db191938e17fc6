import { z } from "zod";
import { col, GUESSED } from "./fields.ts";
import { defineStream } from "./define.ts";

/**
 * A `time_away_periods` record: one person's balance for one allowance period of a policy.
 * `allowance`, `pto_used`, `pto_upcoming`, `pto_carried_over` and `is_current_period` are
 * named by public clients (which filter on `personId` and `isCurrentPeriod`); the other
 * columns are guesses.
 */
export const TimeAwayPeriodRecord = z.object({
  id: col.id(),
  person_id: col.string(),
  time_away_policy_id: col.string(GUESSED),
  time_away_allocation_id: col.string(GUESSED),
  start_date: col.date(GUESSED),
  end_date: col.date(GUESSED),
  is_current_period: col.boolean(),
  allowance: col.number(),
  pto_used: col.number(),
  pto_upcoming: col.number(),
  pto_carried_over: col.number(),
  unit: col.string(GUESSED),
  timestamp: col.timestamp(),
});

/** A `time_away_periods` record. */
export type TimeAwayPeriodRecord = z.infer<typeof TimeAwayPeriodRecord>;

/**
 * Time away balances per person and period. Full refresh only: a balance is computed from the
 * time away booked, so a row's own timestamp (if it has one) need not move when it changes.
 */
export const timeAwayPeriods = defineStream({
  name: "time_away_periods",
  path: "/time-away-periods",
  description:
    "Time away balances: each person's allowance, used, upcoming and carried-over days per period.",
  scopes: ["public:read", "private:read"],
  incremental: false,
  evidence: {
    path: "likely",
    fields: "likely",
    source: "a survey of public clients: the list exists, no response shown",
  },
  record: TimeAwayPeriodRecord,
});

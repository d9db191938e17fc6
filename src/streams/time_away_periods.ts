import { z } from "zod";
import { col, GUESSED } from "./fields.ts";
import { defineStream, type StreamDefinition } from "./define.ts";

/**
 * The `time_away_periods` stream. Full refresh only: a balance is computed from the time away
 * booked, so a row's own timestamp (if it has one) need not move when it changes.
 */
export const timeAwayPeriods: StreamDefinition = defineStream({
  name: "time_away_periods",
  description:
    "Time away balances: each person's allowance, used, upcoming and carried-over days per period.",
  untimed: true,
  evidence: {
    path: "likely",
    fields: "likely",
    source: "a survey of public clients: the list exists, no response shown",
  },
  // A `time_away_periods` record: one person's balance for one allowance period of a policy.
  // `allowance`, `pto_used`, `pto_upcoming`, `pto_carried_over` and `is_current_period` are
  // named by public clients (which filter on `personId` and `isCurrentPeriod`); the other
  // columns are guesses.
  record: z.object({
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
  }),
  example: {
    id: "Tp1Er2Io3Da4Bc5De6Fg7Hi8",
    personId: "Pe6Hs2Jd9Kf4Lg1Zx7Cv3Bn8",
    timeAwayPolicyId: "Po7Li3Cy9Ab2Cd4Ef6Gh8Ij0",
    timeAwayAllocationId: "Al5Lo6Ca7Ti8On9Ab1Cd2Ef3",
    startDate: "2026-01-01",
    endDate: "2026-12-31",
    isCurrentPeriod: true,
    allowance: 27.5,
    ptoUsed: 12.5,
    ptoUpcoming: 4.5,
    ptoCarriedOver: 2,
    unit: "days",
  },
});

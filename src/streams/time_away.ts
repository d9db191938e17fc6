import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream } from "./define.ts";

/**
 * A `time_away` record; `breakdown` (one entry a day: `{date, period: full|am|pm, weekend?,
 * holiday?}`) and `working_days` are JSON text.
 */
export const TimeAwayRecord = z.object({
  id: col.id(),
  person_id: col.string(),
  time_away_type_id: col.string(),
  /** The kind of absence, e.g. `pto`; clients filter on it. */
  type: col.string(),
  name: col.string(),
  is_time_off: col.boolean(),
  start_date: col.date(),
  start_period: col.string(),
  end_date: col.date(),
  end_period: col.string(),
  days: col.number(),
  breakdown: col.string(
    "One entry a day, JSON text: {date, period: full|am|pm, weekend?, holiday?}.",
  ),
  note: col.string(),
  request_status: col.string(),
  reviewed_by: col.string(),
  reviewed_at: col.timestamp(),
  review_note: col.string(),
  working_from_location_id: col.string(),
  public_holiday_calendar_id: col.string(),
  working_days: col.string(),
  created_at: col.timestamp(),
  updated_at: col.timestamp(),
  timestamp: col.timestamp(),
});

/** A `time_away` record. */
export type TimeAwayRecord = z.infer<typeof TimeAwayRecord>;

/** Holidays, sick leave and other absences; sensitive because sick leave is health data. */
export const timeAway = defineStream({
  name: "time_away",
  path: "/time-away",
  description:
    "Absences (holiday, sick leave, ...): who, which type, from and to, how many days, approval.",
  scopes: ["public:read", "private:read"],
  incremental: true,
  evidence: {
    path: "confirmed",
    fields: "confirmed",
    source: "API docs, CLI and browser-extension clients, the Elixir SDK",
  },
  initialWindow: true,
  sensitive: true,
  record: TimeAwayRecord,
});

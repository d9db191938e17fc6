import { z } from "zod";
import { col, sensitive } from "./fields.ts";
import { defineStream, type StreamDefinition } from "./define.ts";

/** The `time_away` stream. Sensitive because sick leave is health data. */
export const timeAway: StreamDefinition = defineStream({
  name: "time_away",
  description:
    "Absences (holiday, sick leave, ...): who, which type, from and to, how many days, approval.",
  evidence: {
    path: "confirmed",
    fields: "confirmed",
    source: "API docs, CLI and browser-extension clients, the Elixir SDK",
  },
  initialWindow: true,
  sensitive: true,
  // A `time_away` record; `breakdown` (one entry a day: `{date, period: full|am|pm, weekend?,
  // holiday?}`) and `working_days` are arrays.
  record: z.object({
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
    breakdown: col.array(
      "One entry a day: {date, period: full|am|pm, weekend?, holiday?}.",
    ),
    note: sensitive(col.string(), "health"),
    request_status: col.string(),
    reviewed_by: col.string(),
    reviewed_at: col.timestamp(),
    review_note: sensitive(col.string(), "health"),
    working_from_location_id: col.string(),
    public_holiday_calendar_id: col.string(),
    working_days: col.array(),
  }),
  example: {
    id: "Tw1Aw2Ay3Ab4Cd5Ef6Gh7Ij8",
    personId: "Pe6Hs2Jd9Kf4Lg1Zx7Cv3Bn8",
    timeAwayTypeId: "Ta1Ho2Li3Da4Ys5Ty6Pe7Xq8",
    name: "Lisbon trip",
    isTimeOff: true,
    startDate: "2026-08-03",
    startPeriod: "full",
    endDate: "2026-08-07",
    endPeriod: "am",
    days: 4.5,
    breakdown: [
      { date: "2026-08-03", period: "full" },
      { date: "2026-08-04", period: "full", holiday: true },
      { date: "2026-08-07", period: "am" },
      { date: "2026-08-08", period: "full", weekend: true },
    ],
    note: "Back on Monday afternoon",
    requestStatus: "approved",
    reviewedBy: "Pe0Ad1Mi2Nb3Cd4Ef5Gh6Ij7",
    reviewedAt: "2026-07-01T08:12:00.000Z",
    type: "pto",
    reviewNote: "Enjoy Lisbon",
    workingFromLocationId: "Lo4Nd0nHq7Gb2Xy5Qw8Er1Ty",
    publicHolidayCalendarId: "GB",
    workingDays: [{ day: "monday" }, { day: "friday" }],
    createdAt: "2026-06-30T16:40:00.000Z",
    updatedAt: "2026-07-01T08:12:00.000Z",
  },
});

import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream } from "./define.ts";

/** A `public_holidays` record. */
export const PublicHolidayRecord = z.object({
  id: col.id(),
  public_holiday_calendar_id: col.string(),
  name: col.string(),
  date: col.date(),
  created_at: col.timestamp(),
  updated_at: col.timestamp(),
  timestamp: col.timestamp(),
});

/** A `public_holidays` record. */
export type PublicHolidayRecord = z.infer<typeof PublicHolidayRecord>;

/** Public holidays of every calendar the company uses. */
export const publicHolidays = defineStream({
  name: "public_holidays",
  path: "/public-holidays",
  description: "Public holidays: one row per day off, with its calendar and name.",
  scopes: ["public:read", "private:read"],
  incremental: true,
  evidence: {
    path: "confirmed",
    fields: "confirmed",
    source: "API docs, CLI and browser-extension clients",
  },
  initialWindow: true,
  record: PublicHolidayRecord,
});

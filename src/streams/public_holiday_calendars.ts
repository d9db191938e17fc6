import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream } from "./define.ts";

/** A `public_holiday_calendars` record: ids are region codes such as `GB` or `ES-MD`. */
export const PublicHolidayCalendarRecord = z.object({
  id: col.id(),
  name: col.string(),
  timestamp: col.timestamp(),
});

/** A `public_holiday_calendars` record. */
export type PublicHolidayCalendarRecord = z.infer<typeof PublicHolidayCalendarRecord>;

/** Public holiday calendars; rows carry no timestamps, so full refresh only. */
export const publicHolidayCalendars = defineStream({
  name: "public_holiday_calendars",
  path: "/public-holiday-calendars",
  description: "Public holiday calendars by region (ids such as GB or ES-MD).",
  scopes: ["public:read", "private:read"],
  incremental: false,
  evidence: {
    path: "likely",
    fields: "guessed",
    source: "one public SDK only, AI-assisted and citing no response",
  },
  record: PublicHolidayCalendarRecord,
});

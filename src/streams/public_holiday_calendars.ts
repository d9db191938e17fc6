import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream, sharedEvidence, type StreamDefinition } from "./define.ts";

/** The `public_holiday_calendars` stream. Rows carry no timestamps, so full refresh only. */
export const publicHolidayCalendars: StreamDefinition = defineStream({
  name: "public_holiday_calendars",
  description: "Public holiday calendars by region (ids such as GB or ES-MD).",
  untimed: true,
  evidence: sharedEvidence("one_sdk"),
  // A `public_holiday_calendars` record: ids are region codes such as `GB` or `ES-MD`.
  record: z.object({
    name: col.string(),
  }),
  example: { id: "ES-MD", name: "Spain (Madrid)" },
});

import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream, sharedEvidence, type StreamDefinition } from "./define.ts";

/** The `public_holidays` stream: its `description` says what it holds. */
export const publicHolidays: StreamDefinition = defineStream({
  name: "public_holidays",
  description: "Public holidays: one row per day off, with its calendar and name.",
  evidence: sharedEvidence("docs_clients"),
  initialWindow: true,
  record: z.object({
    public_holiday_calendar_id: col.string(),
    name: col.string(),
    date: col.date(),
  }),
  example: {
    id: "Ph1Ol2Id3Ay4Ab5Cd6Ef7Gh8",
    publicHolidayCalendarId: "GB",
    name: "Christmas Day",
    date: "2026-12-25",
    createdAt: "2025-11-01T00:00:00.000Z",
    updatedAt: "2025-11-01T00:00:00.000Z",
  },
});

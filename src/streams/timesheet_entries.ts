import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream, sharedEvidence, type StreamDefinition } from "./define.ts";

/** The `timesheet_entries` stream. Times are HH:MM:SS on the entry's date. */
export const timesheetEntries: StreamDefinition = defineStream({
  name: "timesheet_entries",
  description: "Clocked working time: one row per entry, with date, start, end and duration.",
  evidence: sharedEvidence("docs_clients"),
  initialWindow: true,
  // A `timesheet_entries` record; `duration` ({ hours, minutes }) becomes two columns.
  record: z.object({
    person_id: col.string(),
    date: col.date(),
    start_time: col.time(),
    end_time: col.time(),
    duration_hours: col.integer(),
    duration_minutes: col.integer(),
  }),
  example: {
    id: "Te1En2Tr3Ya4Bc5De6Fg7Hi8",
    personId: "Pe6Hs2Jd9Kf4Lg1Zx7Cv3Bn8",
    date: "2026-11-27",
    startTime: "09:00:00",
    endTime: "17:30:00",
    duration: { hours: 8, minutes: 30 },
    createdAt: "2026-11-27T17:31:00.000Z",
    updatedAt: "2026-11-27T17:31:00.000Z",
  },
});

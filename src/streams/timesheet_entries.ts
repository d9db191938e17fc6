import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream } from "./define.ts";

/** A `timesheet_entries` record; `duration` ({ hours, minutes }) becomes two columns. */
export const TimesheetEntryRecord = z.object({
  id: col.id(),
  person_id: col.string(),
  date: col.date(),
  start_time: col.string(),
  end_time: col.string(),
  duration_hours: col.integer(),
  duration_minutes: col.integer(),
  created_at: col.timestamp(),
  updated_at: col.timestamp(),
  timestamp: col.timestamp(),
});

/** A `timesheet_entries` record. */
export type TimesheetEntryRecord = z.infer<typeof TimesheetEntryRecord>;

/** Clocked working time: one row per entry (times are HH:MM:SS on the entry's date). */
export const timesheetEntries = defineStream({
  name: "timesheet_entries",
  path: "/timesheet-entries",
  description: "Clocked working time: one row per entry, with date, start, end and duration.",
  scopes: ["public:read", "private:read"],
  incremental: true,
  evidence: {
    path: "confirmed",
    fields: "confirmed",
    source: "API docs, CLI and browser-extension clients",
  },
  initialWindow: true,
  record: TimesheetEntryRecord,
});

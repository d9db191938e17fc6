import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream } from "./define.ts";

/** A `timesheet_submissions` record; `durationAsTime` ({ hours, minutes }) becomes two columns. */
export const TimesheetSubmissionRecord = z.object({
  id: col.id(),
  person_id: col.string(),
  start_date: col.date(),
  end_date: col.date(),
  status: col.string(),
  submitted_at: col.timestamp(),
  reviewed_by: col.string(),
  reviewed_at: col.timestamp(),
  changes_requested: col.string(),
  duration_as_time_hours: col.integer(),
  duration_as_time_minutes: col.integer(),
  duration_as_days: col.number(),
  created_at: col.timestamp(),
  updated_at: col.timestamp(),
  timestamp: col.timestamp(),
});

/** A `timesheet_submissions` record. */
export type TimesheetSubmissionRecord = z.infer<typeof TimesheetSubmissionRecord>;

/** Timesheets submitted for review, one row per person and period. */
export const timesheetSubmissions = defineStream({
  name: "timesheet_submissions",
  path: "/timesheet-submissions",
  description: "Timesheets submitted for review: period, status, submission and review.",
  scopes: ["public:read", "private:read"],
  incremental: true,
  evidence: {
    path: "confirmed",
    fields: "confirmed",
    source: "API docs, the Elixir SDK that copies their examples",
  },
  initialWindow: true,
  record: TimesheetSubmissionRecord,
});

import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream, sharedEvidence, type StreamDefinition } from "./define.ts";

/** The `timesheet_submissions` stream: its `description` says what it holds. */
export const timesheetSubmissions: StreamDefinition = defineStream({
  name: "timesheet_submissions",
  description: "Timesheets submitted for review: period, status, submission and review.",
  evidence: sharedEvidence("docs_elixir"),
  initialWindow: true,
  // A `timesheet_submissions` record; `durationAsTime` ({ hours, minutes }) becomes two columns.
  record: z.object({
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
  }),
  example: {
    id: "Ts1Ub2Mi3Ss4Io5Nn6Ab7Cd8",
    personId: "Pe6Hs2Jd9Kf4Lg1Zx7Cv3Bn8",
    startDate: "2026-11-23",
    endDate: "2026-11-29",
    status: "approved",
    submittedAt: "2026-11-27T17:35:00.000Z",
    reviewedBy: "Pe0Ad1Mi2Nb3Cd4Ef5Gh6Ij7",
    reviewedAt: "2026-11-28T09:00:00.000Z",
    changesRequested: "Add Friday's hours",
    durationAsTime: { hours: 37, minutes: 30 },
    durationAsDays: 5,
    createdAt: "2026-11-27T17:35:00.000Z",
    updatedAt: "2026-11-28T09:00:00.000Z",
  },
});

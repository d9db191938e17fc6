import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream } from "./define.ts";

/** A `time_away_policies` record. */
export const TimeAwayPolicyRecord = z.object({
  id: col.id(),
  company_id: col.string(),
  name: col.string(),
  time_away_type_id: col.string(), // guess
  allowance: col.number(), // guess
  created_at: col.timestamp(),
  updated_at: col.timestamp(),
  timestamp: col.timestamp(),
});

/** A `time_away_policies` record. */
export type TimeAwayPolicyRecord = z.infer<typeof TimeAwayPolicyRecord>;

/** Time away policies: the rules that allocations come from. */
export const timeAwayPolicies = defineStream({
  name: "time_away_policies",
  path: "/time-away-policies",
  description: "Time away policies: the allowance rules that allocations come from.",
  scopes: ["public:read", "private:read"],
  incremental: true,
  evidence: {
    path: "confirmed",
    fields: "guessed",
    source: "API docs for the path; no source shows the fields",
  },
  record: TimeAwayPolicyRecord,
});

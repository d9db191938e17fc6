import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream } from "./define.ts";

/** A `time_away_types` record. */
export const TimeAwayTypeRecord = z.object({
  id: col.id(),
  company_id: col.string(),
  name: col.string(),
  is_time_off: col.boolean(), // guess: time away rows carry it
  created_at: col.timestamp(),
  updated_at: col.timestamp(),
  timestamp: col.timestamp(),
});

/** A `time_away_types` record. */
export type TimeAwayTypeRecord = z.infer<typeof TimeAwayTypeRecord>;

/** The kinds of absence that time away rows reference. */
export const timeAwayTypes = defineStream({
  name: "time_away_types",
  path: "/time-away-types",
  description: "Kinds of absence (holiday, sick leave, parental leave, ...) time away refers to.",
  scopes: ["public:read", "private:read"],
  incremental: true,
  evidence: {
    path: "likely",
    fields: "guessed",
    source: "one public SDK only, AI-assisted and citing no response",
  },
  record: TimeAwayTypeRecord,
});

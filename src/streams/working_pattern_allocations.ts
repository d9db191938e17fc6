import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream } from "./define.ts";

/** A `working_pattern_allocations` record (its columns are guesses: no source shows a row). */
export const WorkingPatternAllocationRecord = z.object({
  id: col.id(),
  person_id: col.string(),
  working_pattern_id: col.string(),
  effective_date: col.date(),
  end_date: col.date(),
  created_at: col.timestamp(),
  updated_at: col.timestamp(),
  timestamp: col.timestamp(),
});

/** A `working_pattern_allocations` record. */
export type WorkingPatternAllocationRecord = z.infer<typeof WorkingPatternAllocationRecord>;

/** Which working pattern each person follows, and from when. */
export const workingPatternAllocations = defineStream({
  name: "working_pattern_allocations",
  path: "/working-pattern-allocations",
  description: "Which working pattern each person follows, and from when.",
  scopes: ["public:read", "private:read"],
  incremental: true,
  evidence: {
    path: "likely",
    fields: "guessed",
    source: "a survey of public clients: the list exists, no response shown",
  },
  record: WorkingPatternAllocationRecord,
});

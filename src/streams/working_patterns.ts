import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream } from "./define.ts";

/** A `working_patterns` record. */
export const WorkingPatternRecord = z.object({
  id: col.id(),
  company_id: col.string(),
  name: col.string(),
  days: col.string(), // guess: the working days, JSON text
  created_at: col.timestamp(),
  updated_at: col.timestamp(),
  timestamp: col.timestamp(),
});

/** A `working_patterns` record. */
export type WorkingPatternRecord = z.infer<typeof WorkingPatternRecord>;

/** Named weekly working patterns (full time, four days, ...). */
export const workingPatterns = defineStream({
  name: "working_patterns",
  path: "/working-patterns",
  description: "Named weekly working patterns (full time, four days, ...).",
  scopes: ["public:read", "private:read"],
  incremental: true,
  evidence: {
    path: "likely",
    fields: "guessed",
    source: "one public SDK only, AI-assisted and citing no response",
  },
  record: WorkingPatternRecord,
});

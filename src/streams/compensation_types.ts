import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream } from "./define.ts";

/** A `compensation_types` record. */
export const CompensationTypeRecord = z.object({
  id: col.id(),
  company_id: col.string(),
  name: col.string(),
  base_type: col.string(),
  created_at: col.timestamp(),
  updated_at: col.timestamp(),
  timestamp: col.timestamp(),
});

/** A `compensation_types` record. */
export type CompensationTypeRecord = z.infer<typeof CompensationTypeRecord>;

/**
 * The kinds of pay (salary, bonus, commission, ...). Which scope Humaans asks for is not
 * documented: private:read or compensations:read is a guess, and a 403 ends the stream with a
 * warning.
 */
export const compensationTypes = defineStream({
  name: "compensation_types",
  path: "/compensation-types",
  description: "Kinds of pay (salary, bonus, commission, equity, custom) that compensations use.",
  scopes: ["private:read", "compensations:read"],
  incremental: true,
  evidence: {
    path: "confirmed",
    fields: "confirmed",
    source: "API docs, the Elixir SDK that copies their examples",
  },
  record: CompensationTypeRecord,
});

import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream } from "./define.ts";

/** A `compensations` record; `amount` stays a string, as Humaans sends it, to keep its precision. */
export const CompensationRecord = z.object({
  id: col.id(),
  person_id: col.string(),
  compensation_type_id: col.string(),
  amount: col.string(),
  currency: col.string(),
  period: col.string(),
  note: col.string(),
  effective_date: col.date(),
  end_date: col.date(),
  end_reason: col.string(),
  created_at: col.timestamp(),
  updated_at: col.timestamp(),
  timestamp: col.timestamp(),
});

/** A `compensations` record. */
export type CompensationRecord = z.infer<typeof CompensationRecord>;

/** Effective-dated pay of each person (needs compensations:read). */
export const compensations = defineStream({
  name: "compensations",
  path: "/compensations",
  description:
    "Each person's pay history: one row per effective-dated amount, currency and period.",
  scopes: ["compensations:read"],
  incremental: true,
  evidence: {
    path: "confirmed",
    fields: "confirmed",
    source: "API docs, the Elixir SDK that copies their examples",
  },
  sensitive: true,
  record: CompensationRecord,
});

import { z } from "zod";
import { col, sensitive } from "./fields.ts";
import { defineStream, sharedEvidence, type StreamDefinition } from "./define.ts";

/** The `compensations` stream: its `description` says what it holds. */
export const compensations: StreamDefinition = defineStream({
  name: "compensations",
  description:
    "Each person's pay history: one row per effective-dated amount, currency and period.",
  scopes: ["compensations:read"],
  evidence: sharedEvidence("docs_elixir"),
  sensitive: true,
  // A `compensations` record; `amount` is a number (Humaans sends it as text: "70000.50").
  record: z.object({
    person_id: col.string(),
    compensation_type_id: col.string(),
    amount: sensitive(col.number(), "compensation"),
    currency: col.string(),
    period: col.string(),
    note: sensitive(col.string(), "compensation"),
    effective_date: col.date(),
    end_date: col.date(),
    end_reason: col.string(),
  }),
  example: {
    id: "Co1Mp2En3Sa4Ti5On6Ab7Cd8",
    personId: "Pe6Hs2Jd9Kf4Lg1Zx7Cv3Bn8",
    compensationTypeId: "Ct1Ab2Cd3Ef4Gh5Ij6Kl7Mn8",
    amount: "70000.50",
    currency: "GBP",
    period: "annual",
    note: "Annual review",
    effectiveDate: "2026-04-01",
    endDate: "2027-03-31",
    endReason: "raise",
    createdAt: "2026-03-15T09:00:00.000Z",
    updatedAt: "2026-03-15T09:00:00.000Z",
  },
});

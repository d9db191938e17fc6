import { z } from "zod";
import { col, SEED_COLUMN } from "./fields.ts";
import { defineStream } from "./define.ts";

/** A `companies` record: the seed's columns, then the API's. */
export const CompanyRecord = z.object({
  id: col.id(),
  name: col.string(),
  description: col.string(SEED_COLUMN),
  website: col.string(SEED_COLUMN),
  phone: col.string(SEED_COLUMN),
  address_line1: col.string(SEED_COLUMN),
  address_line2: col.string(SEED_COLUMN),
  address_city: col.string(SEED_COLUMN),
  address_state: col.string(SEED_COLUMN),
  address_postal_code: col.string(SEED_COLUMN),
  address_country: col.string(SEED_COLUMN),
  created_at: col.timestamp(),
  updated_at: col.timestamp(),
  timestamp: col.timestamp(),
  domains: col.string(),
  trial_end_date: col.date(),
  status: col.string(),
  payment_status: col.string(),
  package: col.string(),
  is_timesheet_enabled: col.boolean(),
  autogenerate_employee_id: col.boolean(),
  autogenerate_employee_id_for_new_hires: col.boolean(),
  next_employee_id: col.integer(),
  require_time_away_approval_for: col.string(
    "Which time away needs approval, as the API sends it (JSON text for a list); its shape is not public.",
  ),
});

/** A `companies` record. */
export type CompanyRecord = z.infer<typeof CompanyRecord>;

/** The tenant company. Humaans has no address, website, phone or description: those stay null. */
export const companies = defineStream({
  name: "companies",
  path: "/companies",
  description: "The company (tenant) the token belongs to: one row.",
  scopes: ["public:read", "private:read"],
  incremental: true,
  evidence: {
    path: "confirmed",
    fields: "confirmed",
    source: "API docs, the Elixir SDK that copies their examples",
  },
  record: CompanyRecord,
});

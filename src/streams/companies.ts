import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream } from "./define.ts";

/** A `companies` record: the seed's columns, then the API's. */
export const CompanyRecord = z.object({
  id: col.id(),
  name: col.string(),
  description: col.string(),
  website: col.string(),
  phone: col.string(),
  address_line1: col.string(),
  address_line2: col.string(),
  address_city: col.string(),
  address_state: col.string(),
  address_postal_code: col.string(),
  address_country: col.string(),
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
  record: CompanyRecord,
});

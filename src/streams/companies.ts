import { z } from "zod";
import { col, SEED_COLUMN } from "./fields.ts";
import { defineStream, sharedEvidence, type StreamDefinition } from "./define.ts";

/**
 * The `companies` stream. Humaans has no address, website, phone or description: those seed
 * columns stay null.
 */
export const companies: StreamDefinition = defineStream({
  name: "companies",
  description: "The company (tenant) the token belongs to: one row.",
  evidence: sharedEvidence("docs_elixir"),
  noCompanyId: true,
  // A `companies` record: the seed's columns, then the API's.
  record: z.object({
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
    domains: col.array(),
    trial_end_date: col.date(),
    status: col.string(),
    payment_status: col.string(),
    package: col.string(),
    is_timesheet_enabled: col.boolean(),
    autogenerate_employee_id: col.boolean(),
    autogenerate_employee_id_for_new_hires: col.boolean(),
    next_employee_id: col.integer(),
    require_time_away_approval_for: col.array(
      "Which time away needs approval, as the API sends it; its shape is not public.",
    ),
  }),
  example: {
    id: "Tq3mZ8kLp2Vx9Rb4Nc7Wd1Ye",
    name: "Northwind Trading Ltd",
    domains: ["northwind.example"],
    trialEndDate: "2021-02-14",
    status: "active",
    paymentStatus: "ok",
    package: "growth",
    isTimesheetEnabled: true,
    autogenerateEmployeeId: false,
    autogenerateEmployeeIdForNewHires: true,
    nextEmployeeId: 143,
    requireTimeAwayApprovalFor: ["pto", "sick"],
    createdAt: "2021-01-31T09:12:44.000Z",
    updatedAt: "2026-10-02T16:05:11.381Z",
  },
});

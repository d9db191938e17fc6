import { z } from "zod";
import { col, SEED_COLUMN } from "./fields.ts";
import { defineStream, type MapContext, type RawObject, type StreamDefinition } from "./define.ts";

function departmentName(value: unknown): unknown {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const object = value as RawObject;
    for (const key of ["name", "label", "title"]) {
      if (typeof object[key] === "string" && object[key] !== "") return object[key] as string;
    }
    return null;
  }
  // Text as sent; anything else goes to the column, which keeps what does not fit.
  return value === "" || value === undefined ? null : value;
}

/**
 * Seed columns of a job role: `name` from `jobTitle`, `department` as text (an object's `id`
 * fills `department_id`). `is_active` is not derived: whether a role is in effect depends on the
 * day it is asked, and a row that incremental syncs do not read again would keep a stale answer.
 */
export function deriveJobRole(raw: RawObject, _context: MapContext): RawObject {
  return {
    name: typeof raw.jobTitle === "string" ? raw.jobTitle : null,
    department: departmentName(raw.department),
  };
}

/** The description of `job_roles.is_active`. */
export const IS_ACTIVE_DESCRIPTION =
  "Seed column: an isActive field of the API row if it sends one, else null; never computed from the sync date, which a row not read again would keep stale. A role is in effect on day D when effective_date <= D and (end_date is null or end_date >= D)";

/** The `job_roles` stream: its `description` says what it holds. */
export const jobRoles: StreamDefinition = defineStream({
  name: "job_roles",
  description: "Each person's job history: one row per effective-dated role.",
  evidence: {
    path: "confirmed",
    fields: "likely",
    source: "API docs, CLI clients; fields from the Elixir SDK",
  },
  // A `job_roles` record: the seed's columns, then the API's. A job role is one effective-dated
  // entry of a person's job history (`jobTitle`, `department`, `reportingTo`, `effectiveDate`,
  // `endDate`, `endReason`, `note`), not a job definition: the seed's salary range, requirements,
  // responsibilities and benefits exist in no source and stay null.
  record: z.object({
    name: col.string(),
    description: col.string(SEED_COLUMN),
    department: col.string(),
    location: col.string(SEED_COLUMN),
    employment_type: col.string(SEED_COLUMN),
    salary_range_min: col.number(SEED_COLUMN),
    salary_range_max: col.number(SEED_COLUMN),
    salary_currency: col.string(SEED_COLUMN),
    requirements: col.json(SEED_COLUMN),
    responsibilities: col.json(SEED_COLUMN),
    benefits: col.json(SEED_COLUMN),
    is_active: col.boolean(IS_ACTIVE_DESCRIPTION),
    created_at: col.timestamp(),
    updated_at: col.timestamp(),
    timestamp: col.timestamp(),
    company_id: col.string(),
    person_id: col.string(),
    job_title: col.string(),
    reporting_to: col.string(),
    effective_date: col.date(),
    end_date: col.date(),
    end_reason: col.string(),
    note: col.string(),
    department_id: col.string(
      "The department's id, when the API sends the department as an object {id, name}.",
    ),
  }),
  example: {
    id: "Jr3Ol8Ea2Ng5Ix9Ne4Er7Qa1",
    companyId: "Tq3mZ8kLp2Vx9Rb4Nc7Wd1Ye",
    personId: "Pe6Hs2Jd9Kf4Lg1Zx7Cv3Bn8",
    jobTitle: "Senior Engineer",
    department: "Engineering",
    reportingTo: "Pe0Ad1Mi2Nb3Cd4Ef5Gh6Ij7",
    effectiveDate: "2025-04-01",
    endDate: "2027-03-31",
    endReason: "promotion",
    note: "Moved to the platform team",
    createdAt: "2025-03-20T11:00:00.000Z",
    updatedAt: "2025-03-21T09:15:30.500Z",
  },
  derive: deriveJobRole,
});

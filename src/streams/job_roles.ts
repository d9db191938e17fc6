import { z } from "zod";
import { col, SEED_COLUMN } from "./fields.ts";
import { defineStream, type MapContext, type RawObject, type StreamDefinition } from "./define.ts";

const DATE = /^\d{4}-\d{2}-\d{2}/;

function dateOf(value: unknown): string | undefined {
  return typeof value === "string" && DATE.test(value) ? value.slice(0, 10) : undefined;
}

function departmentName(value: unknown): string | null {
  if (typeof value === "string") return value === "" ? null : value;
  if (value && typeof value === "object") {
    const object = value as RawObject;
    for (const key of ["name", "label", "title"]) {
      if (typeof object[key] === "string" && object[key] !== "") return object[key] as string;
    }
  }
  return null;
}

/**
 * Whether the role is in effect on the sync date: started (effectiveDate not in the future) and
 * not ended (no endDate before today). Null when the dates cannot tell.
 */
export function isRoleActive(raw: RawObject, today: string): boolean | null {
  const start = dateOf(raw.effectiveDate);
  const end = dateOf(raw.endDate);
  if (end !== undefined && end < today) return false;
  if (start === undefined) return null;
  return start <= today;
}

/** Seed columns of a job role: `name` from `jobTitle`, `department` as text, `is_active`. */
export function deriveJobRole(raw: RawObject, context: MapContext): RawObject {
  return {
    name: typeof raw.jobTitle === "string" ? raw.jobTitle : null,
    department: departmentName(raw.department),
    is_active: isRoleActive(raw, context.today),
  };
}

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
    requirements: col.string(SEED_COLUMN),
    responsibilities: col.string(SEED_COLUMN),
    benefits: col.string(SEED_COLUMN),
    is_active: col.boolean(),
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

import assert from "node:assert/strict";
import type { MapContext, RawObject } from "../../src/streams/define.ts";
import { deriveJobRole, IS_ACTIVE_DESCRIPTION, jobRoles } from "../../src/streams/job_roles.ts";

const TODAY = "2026-11-28";
const CONTEXT: MapContext = { syncedAt: "2026-11-28T12:00:00.000Z", today: TODAY };

/** The columns the seed's README lists for JOB_ROLES. */
const SEED_COLUMNS = [
  "id",
  "name",
  "description",
  "department",
  "location",
  "employment_type",
  "salary_range_min",
  "salary_range_max",
  "salary_currency",
  "requirements",
  "responsibilities",
  "benefits",
  "is_active",
  "created_at",
  "updated_at",
  "timestamp",
];

/** A job role (one effective-dated entry of a person's job history) as GET /job-roles returns it. */
function jobRole(overrides: RawObject = {}): RawObject {
  return {
    id: "Jr7Hn2Bv5Cx8Zl1Kq4Wm9Pe3",
    companyId: "Tq3mZ8kLp2Vx9Rb4Nc7Wd1Ye",
    personId: "Pe6Hs2Jd9Kf4Lg1Zx7Cv3Bn8",
    jobTitle: "Senior Data Engineer",
    department: "Engineering",
    reportingTo: "Pe0Ad1Mi2Nb3Cd4Ef5Gh6Ij7",
    effectiveDate: "2025-04-01",
    endDate: null,
    endReason: null,
    note: "Promoted after review",
    createdAt: "2025-03-20T14:02:09.000Z",
    updatedAt: "2025-03-21T09:15:00.250Z",
    ...overrides,
  };
}

const RECORD = {
  id: "Jr7Hn2Bv5Cx8Zl1Kq4Wm9Pe3",
  name: "Senior Data Engineer",
  description: null,
  department: "Engineering",
  location: null,
  employment_type: null,
  salary_range_min: null,
  salary_range_max: null,
  salary_currency: null,
  requirements: null,
  responsibilities: null,
  benefits: null,
  is_active: null,
  created_at: "2025-03-20T14:02:09.000Z",
  updated_at: "2025-03-21T09:15:00.250Z",
  timestamp: "2026-11-28T12:00:00.000Z",
  _ab_cdc_deleted_at: null,
  company_id: "Tq3mZ8kLp2Vx9Rb4Nc7Wd1Ye",
  person_id: "Pe6Hs2Jd9Kf4Lg1Zx7Cv3Bn8",
  job_title: "Senior Data Engineer",
  reporting_to: "Pe0Ad1Mi2Nb3Cd4Ef5Gh6Ij7",
  effective_date: "2025-04-01",
  end_date: null,
  end_reason: null,
  note: "Promoted after review",
  department_id: null,
  additional_fields: null,
};

function checkShape(record: Record<string, unknown>): void {
  assert.deepEqual(Object.keys(record), Object.keys(jobRoles.record.shape), "exactly the columns");
  const json = (value: unknown) => JSON.parse(JSON.stringify(value));
  assert.deepEqual(json(jobRoles.record.parse(record)), json(record), "validates");
  for (const column of SEED_COLUMNS) assert.ok(column in record, `seed column ${column}`);
  for (const [key, value] of Object.entries(record)) {
    assert.notEqual(value, "", `${key} is "" (missing data must be null)`);
    assert.notEqual(value, undefined, `${key} is undefined`);
  }
}

Deno.test("job_roles: declaration", () => {
  assert.equal(jobRoles.name, "job_roles");
  assert.equal(jobRoles.path, "/job-roles");
  assert.equal(jobRoles.incremental, true);
  for (const column of SEED_COLUMNS) assert.ok(jobRoles.columns.has(column), column);
});

Deno.test("job_roles: mapping table", async (t) => {
  const rows: [string, RawObject, Record<string, unknown>][] = [
    ["a current role with a string department", jobRole(), RECORD],
    [
      "department as an object with a name",
      jobRole({ department: { id: "Dp1", name: "Platform" } }),
      { ...RECORD, department: "Platform", department_id: "Dp1" },
    ],
    [
      "department as an object with a label only",
      jobRole({ department: { id: "Dp1", label: "Platform" } }),
      { ...RECORD, department: "Platform", department_id: "Dp1" },
    ],
    [
      "department as an object without a name",
      jobRole({ department: { id: "Dp1" } }),
      { ...RECORD, department: null, department_id: "Dp1" },
    ],
    ["an empty department string", jobRole({ department: "" }), { ...RECORD, department: null }],
    ["a null department", jobRole({ department: null }), { ...RECORD, department: null }],
    ["a missing department", jobRole({ department: undefined }), { ...RECORD, department: null }],
    [
      "a missing job title: name and job_title null",
      jobRole({ jobTitle: null }),
      { ...RECORD, name: null, job_title: null },
    ],
    [
      "a past role with an end date and reason",
      jobRole({ effectiveDate: "2023-01-09", endDate: "2025-03-31", endReason: "promotion" }),
      {
        ...RECORD,
        effective_date: "2023-01-09",
        end_date: "2025-03-31",
        end_reason: "promotion",
      },
    ],
    [
      "a future role",
      jobRole({ effectiveDate: "2027-01-01" }),
      { ...RECORD, effective_date: "2027-01-01" },
    ],
    [
      "no dates at all: activity unknown",
      jobRole({ effectiveDate: null, endDate: null }),
      { ...RECORD, effective_date: null },
    ],
    [
      "dates sent as timestamps are read as dates",
      jobRole({ effectiveDate: "2025-04-01T00:00:00.000Z", endDate: "2027-01-01T00:00:00.000Z" }),
      { ...RECORD, effective_date: "2025-04-01", end_date: "2027-01-01" },
    ],
    [
      "unknown fields are kept in additional_fields",
      jobRole({
        pay: { amount: "70000", currency: "GBP" },
        flags: ["x"],
        location: undefined,
        customFields: { grade: "L5" },
      }),
      {
        ...RECORD,
        additional_fields: {
          pay: { amount: "70000", currency: "GBP" },
          flags: ["x"],
          customFields: { grade: "L5" },
        },
      },
    ],
    [
      "a salaryRange object, if the API ever sends one, fills the seed's salary columns",
      jobRole({ salaryRange: { min: "50000", max: 65000.5, currency: "EUR" } }),
      {
        ...RECORD,
        salary_range_min: 50000,
        salary_range_max: 65000.5,
        salary_currency: null,
        additional_fields: { salaryRange: { currency: "EUR" } },
      },
    ],
    [
      "arrays the seed expected are JSON strings when present",
      jobRole({ requirements: ["SQL", "Deno"], benefits: [] }),
      { ...RECORD, requirements: '["SQL","Deno"]', benefits: "[]" },
    ],
    [
      "an API isActive field fills is_active (from the row alone)",
      jobRole({ isActive: false }),
      { ...RECORD, is_active: false },
    ],
  ];
  for (const [name, raw, expected] of rows) {
    await t.step(name, () => {
      const { record } = jobRoles.map(raw, CONTEXT);
      assert.deepEqual(JSON.parse(JSON.stringify(record)), expected);
      checkShape(record);
    });
  }
});

Deno.test("is_active does not depend on the sync date: null, with the SQL that answers it", () => {
  // A row that incremental syncs do not read again must not keep the answer of the day it was
  // read: the same row maps to the same record whatever day the sync runs.
  const raw = jobRole({ effectiveDate: "2026-01-01", endDate: "2026-12-31" });
  const on = (day: string) =>
    jobRoles.map(raw, { syncedAt: `${day}T00:00:00.000Z`, today: day }).record;
  const before = on("2026-06-01");
  const after = on("2027-06-01");
  assert.equal(before.is_active, null);
  assert.deepEqual({ ...before, timestamp: null }, { ...after, timestamp: null });
  assert.equal(jobRoles.record.shape.is_active.description, IS_ACTIVE_DESCRIPTION);
  assert.match(
    IS_ACTIVE_DESCRIPTION,
    /effective_date <= D and \(end_date is null or end_date >= D\)/,
  );
});

Deno.test("deriveJobRole: the seed columns alone", async (t) => {
  const rows: [string, RawObject, RawObject][] = [
    ["full", jobRole(), {
      name: "Senior Data Engineer",
      department: "Engineering",
    }],
    ["title not a string", jobRole({ jobTitle: 7 }), {
      name: null,
      department: "Engineering",
    }],
    ["department object with a title", jobRole({ department: { title: "Ops" } }), {
      name: "Senior Data Engineer",
      department: "Ops",
    }],
    ["nothing", {}, { name: null, department: null }],
  ];
  for (const [name, raw, expected] of rows) {
    await t.step(name, () => assert.deepEqual(deriveJobRole(raw, CONTEXT), expected));
  }
});

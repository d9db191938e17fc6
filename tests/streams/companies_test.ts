import assert from "node:assert/strict";
import { companies } from "../../src/streams/companies.ts";
import type { MapContext, RawObject } from "../../src/streams/define.ts";
import { FIXTURES } from "./fixtures.ts";

const CONTEXT: MapContext = { syncedAt: "2026-11-28T12:00:00.000Z", today: "2026-11-28" };

/** The columns the seed's README lists for COMPANIES. */
const SEED_COLUMNS = [
  "id",
  "name",
  "description",
  "website",
  "phone",
  "address_line1",
  "address_line2",
  "address_city",
  "address_state",
  "address_postal_code",
  "address_country",
  "created_at",
  "updated_at",
  "timestamp",
];

/** A company as GET /companies returns it. */
function company(overrides: RawObject = {}): RawObject {
  return {
    ...FIXTURES.companies,
    domains: ["northwind.example", "northwind.example.org"],
    ...overrides,
  };
}

const FULL_RECORD = {
  id: "Tq3mZ8kLp2Vx9Rb4Nc7Wd1Ye",
  name: "Northwind Trading Ltd",
  description: null,
  website: null,
  phone: null,
  address_line1: null,
  address_line2: null,
  address_city: null,
  address_state: null,
  address_postal_code: null,
  address_country: null,
  created_at: "2021-01-31T09:12:44.000Z",
  updated_at: "2026-10-02T16:05:11.381Z",
  timestamp: "2026-11-28T12:00:00.000Z",
  _ab_cdc_deleted_at: null,
  domains: ["northwind.example", "northwind.example.org"],
  trial_end_date: "2021-02-14",
  status: "active",
  payment_status: "ok",
  package: "growth",
  is_timesheet_enabled: true,
  autogenerate_employee_id: false,
  autogenerate_employee_id_for_new_hires: true,
  next_employee_id: 143,
  require_time_away_approval_for: ["pto", "sick"],
  additional_fields: null,
};

function checkShape(record: Record<string, unknown>): void {
  assert.deepEqual(Object.keys(record), Object.keys(companies.record.shape), "exactly the columns");
  const json = (value: unknown) => JSON.parse(JSON.stringify(value));
  assert.deepEqual(json(companies.record.parse(record)), json(record), "validates");
  for (const column of SEED_COLUMNS) assert.ok(column in record, `seed column ${column}`);
  for (const [key, value] of Object.entries(record)) {
    assert.notEqual(value, "", `${key} is "" (missing data must be null)`);
    assert.notEqual(value, undefined, `${key} is undefined`);
  }
}

Deno.test("companies: declaration", () => {
  assert.equal(companies.name, "companies");
  assert.equal(companies.path, "/companies");
  assert.equal(companies.incremental, true);
  assert.ok(companies.scopes.includes("public:read"));
  assert.ok(companies.scopes.includes("private:read"));
  for (const column of SEED_COLUMNS) assert.ok(companies.columns.has(column), column);
});

Deno.test("companies: mapping table", async (t) => {
  const rows: [string, RawObject, Record<string, unknown>][] = [
    ["a full company", company(), FULL_RECORD],
    [
      "nulls and missing fields become null",
      {
        id: "Tq3mZ8kLp2Vx9Rb4Nc7Wd1Ye",
        name: null,
        domains: null,
        trialEndDate: null,
        createdAt: "2021-01-31T09:12:44.000Z",
        updatedAt: "2026-10-02T16:05:11.381Z",
      },
      {
        ...Object.fromEntries(Object.keys(FULL_RECORD).map((key) => [key, null])),
        id: "Tq3mZ8kLp2Vx9Rb4Nc7Wd1Ye",
        created_at: "2021-01-31T09:12:44.000Z",
        updated_at: "2026-10-02T16:05:11.381Z",
        timestamp: CONTEXT.syncedAt,
      },
    ],
    [
      "an empty domains list",
      company({ domains: [] }),
      { ...FULL_RECORD, domains: [] },
    ],
    [
      "timestamps with an offset are normalised to UTC",
      company({ updatedAt: "2026-10-02T18:05:11+02:00", createdAt: "2021-01-31" }),
      {
        ...FULL_RECORD,
        updated_at: "2026-10-02T16:05:11.000Z",
        created_at: "2021-01-31T00:00:00.000Z",
      },
    ],
    [
      "an address object, if the API ever sends one, fills the seed's address columns",
      company({
        address: {
          line1: "1 Harbour Row",
          line2: null,
          city: "Bristol",
          state: "Avon",
          postalCode: "BS1 4RN",
          country: "GB",
        },
      }),
      {
        ...FULL_RECORD,
        address_line1: "1 Harbour Row",
        address_city: "Bristol",
        address_state: "Avon",
        address_postal_code: "BS1 4RN",
        address_country: "GB",
      },
    ],
    ["a null address does not break mapping", company({ address: null }), FULL_RECORD],
    [
      "values typed loosely by the API are coerced",
      company({ nextEmployeeId: "143", isTimesheetEnabled: "true" }),
      FULL_RECORD,
    ],
    [
      "unknown fields are kept in additional_fields",
      company({
        logoUrl: "https://cdn.example/logo.png",
        settings: { locale: "en-GB", weekStart: 1 },
        featureFlags: ["a", "b"],
      }),
      {
        ...FULL_RECORD,
        additional_fields: {
          logoUrl: "https://cdn.example/logo.png",
          settings: { locale: "en-GB", weekStart: 1 },
          featureFlags: ["a", "b"],
        },
      },
    ],
    [
      "an API `timestamp` field never overrides the sync time (it is kept as an extra field)",
      company({ timestamp: "2001-01-01T00:00:00.000Z" }),
      { ...FULL_RECORD, additional_fields: { timestamp: "2001-01-01T00:00:00.000Z" } },
    ],
  ];
  for (const [name, raw, expected] of rows) {
    await t.step(name, () => {
      const { record } = companies.map(raw, CONTEXT);
      assert.deepEqual(JSON.parse(JSON.stringify(record)), expected);
      checkShape(record);
    });
  }
});

Deno.test("companies: a value of the wrong type is reported and nulled", () => {
  const reported: [string, unknown][] = [];
  const { record, changes } = companies.map(
    company({ nextEmployeeId: "many", trialEndDate: "soon" }),
    { ...CONTEXT, onInvalid: (column, value) => reported.push([column, value]) },
  );
  assert.equal(record.next_employee_id, null);
  assert.equal(record.trial_end_date, null);
  assert.deepEqual(reported, [["trial_end_date", "soon"], ["next_employee_id", "many"]]);
  // Kept under their API keys, as every key of additional_fields is.
  assert.equal(
    JSON.stringify(record.additional_fields),
    '{"trialEndDate":"soon","nextEmployeeId":"many"}',
  );
  assert.deepEqual(changes, [
    { field: "trial_end_date", change: "NULLED", reason: "SOURCE_SERIALIZATION_ERROR" },
    { field: "next_employee_id", change: "NULLED", reason: "SOURCE_SERIALIZATION_ERROR" },
  ]);
  checkShape(record);
});

import assert from "node:assert/strict";
import { type ColumnKind, SEED_COLUMN, snakeCase } from "../../src/streams/fields.ts";
import {
  DELETED_AT,
  type MapContext,
  type RawObject,
  type StreamDefinition,
  STREAMS,
} from "../../src/streams/mod.ts";
import { sensitiveCell, streamsTable } from "../tools/readme_tables.ts";
import { droppedFields, FIXTURES, LEFT_OUT, UNFILLED } from "./fixtures.ts";

const CONTEXT: MapContext = { syncedAt: "2026-11-28T12:00:00.000Z", today: "2026-11-28" };

/** Read scopes a Humaans API token can hold. */
const HUMAANS_SCOPES = ["public:read", "private:read", "compensations:read", "documents:read"];

/** The lists issue 6 asks for, besides the seed's three. */
const REQUIRED = [
  "people",
  "locations",
  "compensations",
  "compensation_types",
  "time_away",
  "time_away_types",
  "time_away_allocations",
  "public_holidays",
  "public_holiday_calendars",
  "timesheet_entries",
  "timesheet_submissions",
  "document_types",
  "identity_documents",
  "emergency_contacts",
  "bank_accounts",
  "custom_fields",
  "custom_values",
  "equipment",
];

/** The lists the fidelity issue (15) adds. */
const ISSUE_15 = [
  "time_away_periods",
  "spaces",
  "working_pattern_allocations",
  "equipment_types",
  "equipment_names",
];

/** Personal or financial data: documented as sensitive. */
const SENSITIVE = [
  "documents",
  "people",
  "compensations",
  "bank_accounts",
  "time_away",
  "identity_documents",
  "emergency_contacts",
];

const UTC_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function isPlainObject(value: unknown): value is RawObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** What a column holds for a raw value, by the rules every stream follows. */
function expectedValue(kind: ColumnKind, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === "object") return value; // arrays, objects kept whole, as native JSON
  switch (kind) {
    case "timestamp":
      return new Date(value as string).toISOString();
    case "integer":
    case "number":
      return Number(value);
    case "id":
    case "string":
      return String(value);
    default:
      return value;
  }
}

/** Checks each raw field against its column: values typed, objects flattened or kept whole. */
function checkFields(stream: StreamDefinition, record: Record<string, unknown>, raw: RawObject) {
  const walk = (object: RawObject, prefix: string) => {
    for (const [key, value] of Object.entries(object)) {
      const name = prefix + snakeCase(key);
      const kind = stream.columns.get(name);
      if (kind !== undefined) {
        assert.deepEqual(record[name], expectedValue(kind, value), `column ${name}`);
      } else if (isPlainObject(value)) {
        walk(value, `${name}_`);
      }
    }
  };
  walk(raw, "");
}

function checkShape(stream: StreamDefinition, record: Record<string, unknown>): void {
  assert.deepEqual(Object.keys(record), Object.keys(stream.record.shape), "exactly the columns");
  assert.equal(Object.keys(record).at(-1), "additional_fields", "additional_fields comes last");
  const json = (value: unknown) => JSON.parse(JSON.stringify(value));
  assert.deepEqual(json(stream.record.parse(record)), json(record), "validates as the schema says");
  for (const [name, kind] of stream.columns) {
    assert.notEqual(record[name], "", `${name} is "" (missing data must be null)`);
    if (kind === "timestamp" && record[name] !== null) {
      assert.match(record[name] as string, UTC_TIMESTAMP, `${name} is UTC with milliseconds`);
    }
  }
  assert.equal(record.timestamp, CONTEXT.syncedAt, "timestamp is the sync time");
}

Deno.test("catalog: stream declarations", async (t) => {
  await t.step("names are snake_case and unique", () => {
    for (const stream of STREAMS) assert.match(stream.name, /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/);
    assert.equal(new Set(STREAMS.map((s) => s.name)).size, STREAMS.length);
  });
  await t.step("paths are kebab-case list paths and unique", () => {
    for (const stream of STREAMS) assert.match(stream.path, /^\/[a-z]+(-[a-z]+)*$/, stream.name);
    // A pivoted stream reads the list of another stream (people_custom_fields: custom_values's).
    const mapped = STREAMS.filter((s) => !s.pivoted);
    assert.equal(new Set(mapped.map((s) => s.path)).size, mapped.length);
  });
  await t.step("every scope is a known Humaans read scope, listed once", () => {
    for (const stream of STREAMS) {
      assert.ok(stream.scopes.length > 0, `${stream.name} needs a scope`);
      assert.equal(new Set(stream.scopes).size, stream.scopes.length, stream.name);
      for (const scope of stream.scopes) {
        assert.ok(HUMAANS_SCOPES.includes(scope), `${stream.name}: unknown scope ${scope}`);
      }
    }
  });
  await t.step("the seed's streams come first, then every list the issue asks for", () => {
    assert.deepEqual(STREAMS.slice(0, 3).map((s) => s.name), [
      "companies",
      "documents",
      "job_roles",
    ]);
    const names = STREAMS.map((s) => s.name);
    for (const name of [...REQUIRED, ...ISSUE_15]) {
      assert.ok(names.includes(name), `missing stream ${name}`);
    }
  });
  await t.step("scopes that guard money and documents", () => {
    const scopes = (name: string) => STREAMS.find((s) => s.name === name)?.scopes;
    assert.deepEqual(scopes("compensations"), ["compensations:read"]);
    assert.deepEqual(scopes("documents"), ["documents:read"]);
    assert.deepEqual(scopes("identity_documents"), ["documents:read"]);
    assert.deepEqual(scopes("bank_accounts"), ["private:read"]);
  });
  await t.step("sensitive streams are exactly the personal and financial ones", () => {
    assert.deepEqual(
      STREAMS.filter((s) => s.sensitive).map((s) => s.name).sort(),
      [...SENSITIVE].sort(),
    );
  });
  await t.step("incremental where rows have updated_at, full refresh otherwise", () => {
    for (const stream of STREAMS) {
      assert.equal(stream.incremental, stream.columns.has("updated_at"), stream.name);
      for (const column of ["created_at", "updated_at", "timestamp"]) {
        const kind = stream.columns.get(column);
        if (kind !== undefined) assert.equal(kind, "timestamp", `${stream.name}.${column}`);
      }
      assert.equal(stream.columns.get(stream.primaryKey ?? "id"), "id", stream.name);
      assert.ok(stream.columns.has("timestamp"), stream.name);
    }
    assert.equal(STREAMS.find((s) => s.name === "public_holiday_calendars")?.incremental, false);
  });
  await t.step("JSON text only in the seed's four columns; nested values are native JSON", () => {
    const text = STREAMS.flatMap((stream) =>
      [...stream.columns].filter(([, kind]) => kind === "json").map(([name]) =>
        `${stream.name}.${name}`
      )
    );
    assert.deepEqual(text.sort(), [
      "documents.tags",
      "job_roles.benefits",
      "job_roles.requirements",
      "job_roles.responsibilities",
    ]);
    for (const stream of STREAMS) {
      for (const [name, value] of Object.entries(stream.example)) {
        const kind = stream.columns.get(snakeCase(name));
        if (Array.isArray(value)) assert.equal(kind, "array", `${stream.name}.${name}`);
      }
      assert.equal(stream.columns.get("additional_fields"), "object", stream.name);
    }
  });
  await t.step("descriptions are one sentence that fits a table cell", () => {
    for (const stream of STREAMS) {
      assert.match(stream.description, /^[A-Z][^|\n]*\.$/, stream.name);
    }
  });
  await t.step(
    "every example is a row of its stream: an id, and updatedAt when incremental",
    () => {
      for (const stream of STREAMS) {
        assert.equal(typeof stream.example.id, "string", stream.name);
        assert.equal(typeof stream.example.updatedAt === "string", stream.incremental, stream.name);
      }
    },
  );
});

Deno.test("catalog: a full row maps to every column", async (t) => {
  for (const stream of STREAMS.filter((s) => !s.pivoted)) {
    await t.step(stream.name, () => {
      const raw = FIXTURES[stream.name];
      const { record, changes } = stream.map(raw, CONTEXT);
      checkShape(stream, record);
      assert.deepEqual(changes, [], "every fixture value fits its column");
      const nulls = Object.keys(record).filter((name) => record[name] === null);
      // A fixture without companyId leaves the company_id column every stream has null.
      const noCompany = raw.companyId === undefined && stream.columns.has("company_id");
      assert.deepEqual(
        nulls.sort(),
        [
          ...(UNFILLED[stream.name] ?? []),
          ...(noCompany ? ["company_id"] : []),
          "additional_fields",
          DELETED_AT,
        ].sort(),
        "null columns (every fixture field has a column, so none is additional)",
      );
      assert.deepEqual(droppedFields(stream, raw), [], "API fields without a column");
      checkFields(stream, record, raw);
      for (const field of LEFT_OUT[stream.name] ?? []) {
        const secret = String(raw[field]);
        assert.ok(!JSON.stringify(record).includes(secret), `${field} must not be synced`);
      }
    });
  }
});

Deno.test("catalog: missing and null fields become null", async (t) => {
  for (const stream of STREAMS.filter((s) => !s.pivoted)) {
    await t.step(stream.name, () => {
      const raw = FIXTURES[stream.name];
      const allNull = Object.fromEntries(
        Object.keys(raw).map((key) => [key, key === "id" ? raw.id : null]),
      );
      const expected: Record<string, unknown> = Object.fromEntries(
        [...stream.columns.keys()].map((name) => [name, null]),
      );
      expected.id = raw.id;
      expected.timestamp = CONTEXT.syncedAt;
      for (const input of [{ id: raw.id }, allNull]) {
        const { record } = stream.map(input, CONTEXT);
        assert.deepEqual(record, expected);
        checkShape(stream, record);
      }
    });
  }
});

Deno.test("catalog: an API field a stream has no column for arrives in additional_fields", async (t) => {
  for (const stream of STREAMS.filter((s) => !s.pivoted)) {
    await t.step(stream.name, () => {
      const raw = {
        ...FIXTURES[stream.name],
        brandNewField: "kept",
        brandNewObject: { a: [1, 2], b: null },
      };
      const kept: string[] = [];
      const { record } = stream.map(raw, { ...CONTEXT, onExtra: (field) => kept.push(field) });
      assert.deepEqual(JSON.parse(JSON.stringify(record.additional_fields)), {
        brandNewField: "kept",
        brandNewObject: { a: [1, 2], b: null },
      });
      assert.deepEqual(kept, ["brandNewField", "brandNewObject"]);
      checkShape(stream, record);
    });
  }
});

Deno.test("catalog: companyId lands in company_id in every stream but companies", async (t) => {
  for (const stream of STREAMS) {
    await t.step(stream.name, () => {
      const { record } = stream.map({ ...FIXTURES[stream.name], companyId: "Co1" }, CONTEXT);
      if (stream.name === "companies") {
        // A company's own id is its id; a companyId there would be kept, not dropped.
        assert.deepEqual(record.additional_fields, { companyId: "Co1" });
      } else {
        assert.equal(record.company_id, "Co1");
        // A pivoted stream's one value has no column without definitions: it is kept aside.
        if (!stream.pivoted) assert.equal(record.additional_fields, null);
      }
    });
  }
});

Deno.test("catalog: evidence is declared, and columns with none say so", () => {
  for (const stream of STREAMS) {
    const { path, fields, source } = stream.evidence;
    for (const level of [path, fields]) {
      assert.ok(["confirmed", "likely", "guessed"].includes(level), stream.name);
    }
    assert.match(source, /^[a-zA-Z][^|\n]*[^.]$/, `${stream.name}: the kind of source`);
    const guessed = Object.entries(stream.record.shape)
      .filter(([, field]) => field.description?.startsWith("Guessed"))
      .map(([name]) => name);
    if (fields === "guessed") {
      const base = ["id", "created_at", "updated_at", "timestamp", DELETED_AT, "additional_fields"];
      const seed = (name: string) => stream.record.shape[name].description === SEED_COLUMN;
      assert.deepEqual(
        guessed,
        [...stream.columns.keys()].filter((c) => !base.includes(c) && !seed(c)),
        `${stream.name}: every column but the base ones is marked guessed`,
      );
    }
  }
  const evidence = (name: string) => STREAMS.find((s) => s.name === name)?.evidence;
  assert.equal(evidence("people")?.fields, "confirmed");
  assert.equal(evidence("locations")?.path, "likely");
  assert.equal(evidence("equipment")?.fields, "guessed");
});

Deno.test("catalog: timestamps with an offset or none are normalised to UTC", async (t) => {
  for (const stream of STREAMS.filter((s) => s.columns.has("created_at"))) {
    await t.step(stream.name, () => {
      const { record } = stream.map({
        ...FIXTURES[stream.name],
        createdAt: "2026-03-01T10:00:00+01:00",
        updatedAt: "2026-03-01 10:00:00.5",
      }, CONTEXT);
      assert.equal(record.created_at, "2026-03-01T09:00:00.000Z");
      assert.equal(record.updated_at, "2026-03-01T10:00:00.500Z");
      checkShape(stream, record);
    });
  }
});

Deno.test("catalog: nested objects are flattened, arrays and other objects kept as native JSON", () => {
  const stream = (name: string) => STREAMS.find((s) => s.name === name)!;
  const find = (name: string) => ({
    map: (raw: RawObject, context: MapContext) => stream(name).map(raw, context).record,
  });
  const entry = find("timesheet_entries").map(FIXTURES.timesheet_entries, CONTEXT);
  assert.equal(entry.duration_hours, 8);
  assert.equal(entry.duration_minutes, 30);
  const submission = find("timesheet_submissions").map(FIXTURES.timesheet_submissions, CONTEXT);
  assert.equal(submission.duration_as_time_hours, 37);
  assert.equal(submission.duration_as_time_minutes, 30);
  const person = find("people").map(FIXTURES.people, CONTEXT);
  assert.deepEqual(person.teams, [{ name: "Platform" }, { name: "Guild: Security" }]);
  assert.deepEqual(person.working_days, [{ day: "monday" }, { day: "tuesday" }, {
    day: "thursday",
  }]);
  assert.deepEqual(person.nationalities, ["GB", "IE"]);
  assert.deepEqual(person.direct_reports, FIXTURES.people.directReports);
  assert.deepEqual(person.address, FIXTURES.people.address);
  assert.deepEqual(person.slack, FIXTURES.people.slack);
  const company = find("companies").map(FIXTURES.companies, CONTEXT);
  assert.deepEqual(company.domains, ["northwind.example"]);
  const away = find("time_away").map(FIXTURES.time_away, CONTEXT);
  assert.deepEqual(away.breakdown, FIXTURES.time_away.breakdown);
  const identity = find("identity_documents").map(FIXTURES.identity_documents, CONTEXT);
  assert.equal(identity.file_filename, "passport.pdf");
  assert.equal(identity.file_url, "https://files.example/passport.pdf");
  const empty = find("people").map({ ...FIXTURES.people, teams: [] }, CONTEXT);
  assert.deepEqual(empty.teams, []);
});

Deno.test("catalog: values the API types loosely", async (t) => {
  const find = (name: string) => STREAMS.find((s) => s.name === name)!;
  const rows: [string, string, RawObject, string, unknown][] = [
    [
      "an amount sent as text is a number",
      "compensations",
      { amount: "70000.50" },
      "amount",
      70000.5,
    ],
    ["a numeric amount", "compensations", { amount: 70000.5 }, "amount", 70000.5],
    ["an amount that is no number", "compensations", { amount: "70k" }, "amount", null],
    ["half days stay fractional", "time_away", { days: 4.5 }, "days", 4.5],
    ["days sent as text become a number", "time_away", { days: "2.5" }, "days", 2.5],
    ["a negative adjustment", "time_away_adjustments", { amount: "-1.5" }, "amount", -1.5],
    ["an employee id sent as a number", "people", { employeeId: 42 }, "employee_id", "42"],
    [
      "a date sent as a timestamp",
      "people",
      { birthday: "1990-12-10T00:00:00.000Z" },
      "birthday",
      "1990-12-10",
    ],
    ["a date that is no date", "people", { birthday: "soon" }, "birthday", null],
  ];
  for (const [name, stream, overrides, column, expected] of rows) {
    await t.step(name, () => {
      const { record } = find(stream).map({ ...FIXTURES[stream], ...overrides }, CONTEXT);
      assert.deepEqual(record[column], expected);
      checkShape(find(stream), record);
    });
  }
});

Deno.test("catalog: derived columns", async (t) => {
  const find = (name: string) => STREAMS.find((s) => s.name === name)!;
  const photo = {
    id: "Ph1Ot2Oi3Dx4Yz5Ab6Cd7Ef8",
    variants: { "64": "https://img.example/64.jpg" },
  };
  const address = { line1: "1 High Street", line2: null, city: "London", countryCode: "GB" };
  const rows: [string, string, RawObject, Record<string, unknown>, RawObject | null][] = [
    ["people: an address object is kept whole, native", "people", { address }, {
      address,
      city: "London", // the fixture's own city column is not overwritten
    }, null],
    [
      "people: an address line does not fit the object: kept, listed",
      "people",
      {
        address: "1 High St",
      },
      { address: null },
      { address: "1 High St" },
    ],
    ["people: no address", "people", { address: null }, { address: null }, null],
    ["people: the profile photo object, native", "people", { profilePhoto: photo }, {
      profile_photo: photo,
      profile_photo_id: "Ph1Ot2Oi3Dx4Yz5Ab6Cd7Ef8",
    }, null],
    ["people: no profile photo", "people", { profilePhoto: null }, { profile_photo: null }, null],
    ["custom_fields: config, native", "custom_fields", { config: { options: [] } }, {
      config: { options: [] },
    }, null],
    ["custom_fields: no config", "custom_fields", { config: null }, { config: null }, null],
    ["custom_values: a list (multi-select), native", "custom_values", { value: ["R&D", "Ops"] }, {
      value: null,
      value_list: ["R&D", "Ops"],
    }, null],
    [
      "custom_values: text",
      "custom_values",
      { value: "M" },
      { value: "M", value_list: null },
      null,
    ],
    ["custom_values: a number", "custom_values", { value: 3 }, { value: "3" }, null],
    ["custom_values: a boolean", "custom_values", { value: false }, { value: "false" }, null],
    [
      "custom_values: an object is kept, listed",
      "custom_values",
      {
        value: { amount: "10", currency: "EUR" },
      },
      { value: null },
      { value: { amount: "10", currency: "EUR" } },
    ],
    ["custom_values: no value", "custom_values", { value: null }, { value: null }, null],
    ["document_folders: the audience, native", "document_folders", { audience: { all: true } }, {
      audience: { all: true },
    }, null],
    ["document_folders: no audience", "document_folders", { audience: null }, {
      audience: null,
    }, null],
    [
      "job_roles: a department object: the name, and the id not lost",
      "job_roles",
      {
        department: { id: "De1", name: "Engineering" },
      },
      { department: "Engineering", department_id: "De1" },
      null,
    ],
    ["job_roles: a department as text", "job_roles", { department: "Sales" }, {
      department: "Sales",
      department_id: null,
    }, null],
  ];
  for (const [name, stream, overrides, expected, extra] of rows) {
    await t.step(name, () => {
      const { record, changes } = find(stream).map({ ...FIXTURES[stream], ...overrides }, CONTEXT);
      for (const [column, value] of Object.entries(expected)) {
        assert.deepEqual(record[column], value, column);
      }
      assert.deepEqual(JSON.parse(JSON.stringify(record.additional_fields)), extra);
      assert.deepEqual(
        changes.map((change) => change.field),
        Object.keys(extra ?? {}).map(snakeCase),
        "what did not fit is listed in meta.changes",
      );
      checkShape(find(stream), record);
    });
  }
});

Deno.test("catalog: droppedFields finds API fields without a column", () => {
  const find = (name: string) => STREAMS.find((s) => s.name === name)!;
  const entry = FIXTURES.timesheet_entries;
  assert.deepEqual(droppedFields(find("timesheet_entries"), entry), []);
  assert.deepEqual(
    droppedFields(find("timesheet_entries"), {
      ...entry,
      duration: { hours: 1, minutes: 0, seconds: 5 },
      approvedBy: null,
    }),
    ["duration.seconds", "approvedBy"],
  );
  assert.deepEqual(droppedFields(find("documents"), { ...FIXTURES.documents, file: null }), []);
  assert.deepEqual(droppedFields(find("documents"), { ...FIXTURES.documents, file: "f.pdf" }), [
    "file",
  ]);
  assert.deepEqual(droppedFields(find("people"), { ...FIXTURES.people, favouriteColour: "red" }), [
    "favouriteColour",
  ]);
});

Deno.test("the generated stream table has a row a stream, in catalog order", () => {
  const lines = streamsTable().split("\n");
  assert.equal(lines.length, STREAMS.length + 2);
  assert.match(lines[0], /^\| stream \| API path \| sync modes \| first sync \| scope/);
  assert.match(lines[0], /\| evidence \|$/);
  STREAMS.forEach((stream, i) => {
    const cells = lines[i + 2].slice(1, -1).split("|").map((cell) => cell.trim());
    assert.equal(cells[0], `\`${stream.name}\``);
    assert.equal(cells[1], `\`${stream.path}\``);
    assert.equal(cells[2], stream.incremental ? "full_refresh, incremental" : "full_refresh");
    assert.equal(cells[3], stream.initialWindow ? "`initial_sync_days` if set" : "all history");
    assert.equal(cells[4], stream.scopes.map((s) => `\`${s}\``).join(", "));
    assert.equal(cells[5], sensitiveCell(stream));
    assert.equal(cells[5].startsWith("yes"), stream.sensitive === true);
    assert.equal(cells[6], stream.description);
    const { path, fields, source } = stream.evidence;
    assert.equal(cells[7], `path ${path}, fields ${fields} (${source})`);
  });
});

Deno.test("mapping walks no deeper than the README says (6 levels)", () => {
  const parts = STREAMS.flatMap((s) =>
    [...s.columns.keys()].filter((c) => c !== "additional_fields").map((c) => c.split("_").length)
  );
  assert.equal(Math.max(...parts), 6);
});

import assert from "node:assert/strict";
import { z } from "zod";
import {
  col,
  type ColumnKind,
  columnKinds,
  CONVERTERS,
  recordJsonSchema,
  snakeCase,
  utcTimestamp,
} from "../../src/streams/fields.ts";
import { flatten, project } from "./reference_mapping.ts";

Deno.test("snakeCase", async (t) => {
  const rows: [string, string][] = [
    ["id", "id"],
    ["personId", "person_id"],
    ["isTimesheetEnabled", "is_timesheet_enabled"],
    ["autogenerateEmployeeIdForNewHires", "autogenerate_employee_id_for_new_hires"],
    ["nextEmployeeId", "next_employee_id"],
    ["trialEndDate", "trial_end_date"],
    ["addressLine1", "address_line1"],
    ["postalCode", "postal_code"],
    ["PascalCase", "pascal_case"],
    ["URL", "url"],
    ["fileURL", "file_url"],
    ["HTMLParser", "html_parser"],
    ["sourceId", "source_id"],
    ["x2Y", "x2_y"],
    ["already_snake", "already_snake"],
    ["kebab-case", "kebab_case"],
    ["with space", "with_space"],
    ["$skip", "skip"],
    ["__private__", "private"],
    ["a", "a"],
  ];
  for (const [input, expected] of rows) {
    await t.step(`${input} -> ${expected}`, () => assert.equal(snakeCase(input), expected));
  }
});

Deno.test("flatten", async (t) => {
  const rows: [string, Record<string, unknown>, Record<string, unknown>][] = [
    ["scalars keep their value, keys to snake_case", { jobTitle: "Engineer", nextEmployeeId: 3 }, {
      job_title: "Engineer",
      next_employee_id: 3,
    }],
    ["null is kept", { endDate: null }, { end_date: null }],
    ["booleans and zero are kept", { isTimesheetEnabled: false, count: 0, text: "" }, {
      is_timesheet_enabled: false,
      count: 0,
      text: "",
    }],
    [
      "a nested object becomes parent_child columns",
      { file: { id: "f1", filename: "contract.pdf", url: "https://x/f1" } },
      { file_id: "f1", file_filename: "contract.pdf", file_url: "https://x/f1" },
    ],
    [
      "nested keys are snake_cased too",
      { address: { line1: "1 Road", postalCode: "N1", country: "GB" } },
      { address_line1: "1 Road", address_postal_code: "N1", address_country: "GB" },
    ],
    [
      "deep nesting",
      { a: { bC: { dE: { f: 1 } } } },
      { a_b_c_d_e_f: 1 },
    ],
    ["arrays stay arrays", { domains: ["acme.com", "acme.io"] }, {
      domains: ["acme.com", "acme.io"],
    }],
    ["an empty array stays []", { tags: [] }, { tags: [] }],
    [
      "arrays of objects stay as they are (not flattened)",
      { teams: [{ name: "Core" }, { name: "Data" }] },
      { teams: [{ name: "Core" }, { name: "Data" }] },
    ],
    ["an array inside an object", { salaryRange: { bands: [1, 2] } }, {
      salary_range_bands: [1, 2],
    }],
    ["a null nested object stays a null column", { file: null }, { file: null }],
    ["an empty object adds no column", { meta: {} }, {}],
  ];
  for (const [name, input, expected] of rows) {
    await t.step(name, () => assert.deepEqual(flatten(input), expected));
  }
  await t.step("does not modify its input", () => {
    const input = { file: { id: "f1" }, tags: ["a"] };
    const copy = structuredClone(input);
    flatten(input);
    assert.deepEqual(input, copy);
  });
});

Deno.test("utcTimestamp", async (t) => {
  const rows: [string, unknown, string | undefined][] = [
    ["UTC with ms", "2020-01-28T08:44:42.000Z", "2020-01-28T08:44:42.000Z"],
    ["UTC without ms", "2020-01-28T08:44:42Z", "2020-01-28T08:44:42.000Z"],
    ["positive offset", "2024-03-01T10:00:00+02:00", "2024-03-01T08:00:00.000Z"],
    ["negative offset crossing midnight", "2024-03-01T23:30:00-02:00", "2024-03-02T01:30:00.000Z"],
    ["+00:00", "2024-05-01T10:00:00+00:00", "2024-05-01T10:00:00.000Z"],
    [
      "microseconds (Python isoformat)",
      "2024-05-01T10:00:00.123456+00:00",
      "2024-05-01T10:00:00.123Z",
    ],
    ["date only", "2024-03-01", "2024-03-01T00:00:00.000Z"],
    ["surrounding space", " 2024-03-01T10:00:00Z ", "2024-03-01T10:00:00.000Z"],
    ["no offset is read as UTC", "2024-03-01T10:00:00", "2024-03-01T10:00:00.000Z"],
    ["no offset, no seconds", "2024-03-01T10:00", "2024-03-01T10:00:00.000Z"],
    ["space separator, no offset", "2024-03-01 10:00:00.5", "2024-03-01T10:00:00.500Z"],
    ["leap day", "2024-02-29T12:00:00Z", "2024-02-29T12:00:00.000Z"],
    ["epoch milliseconds", 1_709_287_200_000, "2024-03-01T10:00:00.000Z"],
    ["garbage", "garbage", undefined],
    ["a word and a number", "soon 5", undefined],
    ["empty", "", undefined],
    ["month 13", "2024-13-01T00:00:00Z", undefined],
    ["February 30th", "2024-02-30", undefined],
    ["February 30th with a time", "2024-02-30T10:00:00Z", undefined],
    ["not zero-padded", "2024-3-1", undefined],
    ["NaN", Number.NaN, undefined],
    ["Infinity", Number.POSITIVE_INFINITY, undefined],
    ["epoch ms out of Date's range", 1e20, undefined],
    ["epoch ms before year 0 (no ISO 8601 form)", -62167219200001, undefined],
    ["epoch ms after year 9999", 253402300800000, undefined],
    ["no leap day in 2023", "2023-02-29", undefined],
    ["null", null, undefined],
    ["undefined", undefined, undefined],
    ["boolean", true, undefined],
    ["object", { at: "2024-03-01" }, undefined],
  ];
  for (const [name, input, expected] of rows) {
    await t.step(`${name}: ${String(input)}`, () => assert.equal(utcTimestamp(input), expected));
  }
});

Deno.test("utcTimestamp does not depend on the machine's time zone", async () => {
  const script = `
    import { utcTimestamp } from ${
    JSON.stringify(new URL("../../src/streams/fields.ts", import.meta.url).href)
  };
    console.log(JSON.stringify([
      utcTimestamp("2024-03-01T10:00:00"),
      utcTimestamp("2024-03-01 10:00:00"),
      utcTimestamp("2024-03-01"),
      utcTimestamp("2024-03-01T10:00:00Z"),
    ]));
  `;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--quiet", script],
    cwd: new URL("../../", import.meta.url).pathname,
    env: { TZ: "Asia/Tokyo" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.ok(output.success, stderr);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(output.stdout)), [
    "2024-03-01T10:00:00.000Z",
    "2024-03-01T10:00:00.000Z",
    "2024-03-01T00:00:00.000Z",
    "2024-03-01T10:00:00.000Z",
  ]);
});

const Sample = z.object({
  id: col.id(),
  name: col.string(),
  settings: col.object(),
  tags: col.array(),
  updated_at: col.timestamp(),
  trial_end_date: col.date(),
  next_employee_id: col.integer(),
  amount: col.number(),
  is_enabled: col.boolean(),
});

const SAMPLE_KINDS: [string, ColumnKind][] = [
  ["id", "id"],
  ["name", "string"],
  ["settings", "object"],
  ["tags", "array"],
  ["updated_at", "timestamp"],
  ["trial_end_date", "date"],
  ["next_employee_id", "integer"],
  ["amount", "number"],
  ["is_enabled", "boolean"],
];

Deno.test("columnKinds lists each column's kind in schema order", () => {
  assert.deepEqual([...columnKinds(Sample)], SAMPLE_KINDS);
});

Deno.test("columnKinds rejects a column not declared with col.*()", () => {
  const Bad = z.object({ id: col.id(), other: z.string() });
  assert.throws(() => columnKinds(Bad), /Column "other" is not declared with col\.\*\(\)/);
});

Deno.test("project types every value as its column demands", async (t) => {
  const kinds = columnKinds(Sample);
  // column, input, expected output, whether onInvalid fires
  const rows: [string, unknown, unknown, boolean][] = [
    ["id", "abc123", "abc123", false],
    ["id", 42, "42", false],
    ["name", "Acme", "Acme", false],
    ["name", "", "", false],
    ["name", 42, "42", false],
    ["name", 4.5, "4.5", false],
    ["name", true, "true", false],
    ["name", { a: 1 }, null, true],
    ["name", ["a"], null, true],
    ["settings", { a: [1] }, { a: [1] }, false],
    ["settings", {}, {}, false],
    ["settings", ["a"], null, true],
    ["settings", "{}", null, true],
    ["tags", ["a", { b: 1 }], ["a", { b: 1 }], false],
    ["tags", [], [], false],
    ["tags", { 0: "a" }, null, true],
    ["tags", '["a"]', null, true],
    ["updated_at", "2024-03-01T10:00:00+02:00", "2024-03-01T08:00:00.000Z", false],
    ["updated_at", "2024-03-01", "2024-03-01T00:00:00.000Z", false],
    ["updated_at", "yesterday", null, true],
    ["trial_end_date", "2024-01-31", "2024-01-31", false],
    ["trial_end_date", "2024-01-31T23:30:00-02:00", "2024-02-01", false],
    ["trial_end_date", "2024-01-31T10:00:00.000Z", "2024-01-31", false],
    ["trial_end_date", "31/01/2024", null, true],
    ["trial_end_date", "2024-02-30", null, true],
    ["trial_end_date", 20240131, null, true],
    ["next_employee_id", 42, 42, false],
    ["next_employee_id", "42", 42, false],
    ["next_employee_id", " 7 ", 7, false],
    ["next_employee_id", 0, 0, false],
    ["next_employee_id", "4.5", null, true],
    ["next_employee_id", 4.5, null, true],
    ["next_employee_id", "", null, true],
    ["next_employee_id", "abc", null, true],
    ["next_employee_id", true, null, true],
    ["amount", "70000", 70000, false],
    ["amount", "4.5", 4.5, false],
    ["amount", -1.25, -1.25, false],
    ["amount", "NaN", null, true],
    ["amount", "70000.50", 70000.5, false],
    ["amount", "1e3", 1000, false],
    ["amount", "12,50", null, true],
    ["amount", "£70000", null, true],
    ["is_enabled", true, true, false],
    ["is_enabled", false, false, false],
    ["is_enabled", "true", true, false],
    ["is_enabled", "false", false, false],
    ["is_enabled", "yes", null, true],
    ["is_enabled", 1, null, true],
  ];
  for (const [column, input, expected, invalid] of rows) {
    await t.step(`${column} <- ${JSON.stringify(input)}`, () => {
      const reported: [string, unknown][] = [];
      const record = project(kinds, { id: "row1", [column]: input }, {
        onInvalid: (name, value) => reported.push([name, value]),
      });
      assert.deepEqual(record[column], expected);
      assert.deepEqual(reported, invalid ? [[column, input]] : []);
    });
  }
});

Deno.test("a time column: HH:MM:SS (seconds added to HH:MM), else it does not fit", () => {
  const kinds = columnKinds(z.object({ id: col.id(), start_time: col.time() }));
  assert.equal(kinds.get("start_time"), "time");
  const rows: [unknown, unknown][] = [
    ["09:00:00", "09:00:00"],
    ["09:00", "09:00:00"],
    [" 17:30:15.250 ", "17:30:15.250"],
    ["24:00:00", undefined],
    ["9:00", undefined],
    ["2024-01-31T09:00:00Z", undefined],
    [900, undefined],
  ];
  for (const [input, expected] of rows) assert.equal(CONVERTERS.time(input), expected, `${input}`);
  const schema = recordJsonSchema(z.object({ t: col.time() })) as {
    properties: Record<string, unknown>;
  };
  assert.deepEqual(schema.properties.t, {
    type: ["string", "null"],
    format: "time",
    airbyte_type: "time_without_timezone",
  });
});

Deno.test("project: missing values are null, never '' or 0", () => {
  const record = project(columnKinds(Sample), { id: "row1" });
  assert.deepEqual(record, {
    id: "row1",
    name: null,
    settings: null,
    tags: null,
    updated_at: null,
    trial_end_date: null,
    next_employee_id: null,
    amount: null,
    is_enabled: null,
  });
});

Deno.test("project: null stays null without an onInvalid report", () => {
  const reported: string[] = [];
  const values = Object.fromEntries(SAMPLE_KINDS.map(([name]) => [name, null]));
  const record = project(columnKinds(Sample), { ...values, id: "row1" }, {
    onInvalid: (name) => reported.push(name),
  });
  assert.deepEqual(reported, []);
  assert.equal(Object.values(record).filter((value) => value === null).length, 8);
});

Deno.test("project: output has exactly the schema's keys, in order, and extra values are dropped", () => {
  const record = project(columnKinds(Sample), { id: "row1", surprise: 1, name: "x" });
  assert.deepEqual(Object.keys(record), SAMPLE_KINDS.map(([name]) => name));
});

Deno.test("project: a projected record passes the zod schema", () => {
  const record = project(columnKinds(Sample), {
    id: "row1",
    name: 12,
    settings: { a: 1 },
    tags: ["x"],
    updated_at: "2024-03-01T10:00:00+02:00",
    trial_end_date: "2024-01-31",
    next_employee_id: "12",
    amount: "1.5",
    is_enabled: "true",
  });
  assert.deepEqual(Sample.parse(record), record);
});

Deno.test("recordJsonSchema", () => {
  assert.deepEqual(recordJsonSchema(Sample), {
    $schema: "http://json-schema.org/draft-07/schema#",
    type: "object",
    additionalProperties: true,
    required: ["id"],
    properties: {
      id: { type: "string" },
      name: { type: ["string", "null"] },
      settings: { type: ["object", "null"] },
      tags: { type: ["array", "null"] },
      updated_at: {
        type: ["string", "null"],
        format: "date-time",
        airbyte_type: "timestamp_with_timezone",
      },
      trial_end_date: { type: ["string", "null"], format: "date" },
      next_employee_id: { type: ["integer", "null"] },
      amount: { type: ["number", "null"] },
      is_enabled: { type: ["boolean", "null"] },
    },
  });
});

Deno.test("recordJsonSchema: a column's description goes to its property", () => {
  const schema = recordJsonSchema(z.object({ id: col.id(), maybe: col.string("Guessed.") })) as {
    properties: Record<string, unknown>;
  };
  assert.deepEqual(schema.properties.maybe, { type: ["string", "null"], description: "Guessed." });
  assert.deepEqual(schema.properties.id, { type: "string" });
});

Deno.test("recordJsonSchema returns independent property objects", () => {
  const first = recordJsonSchema(Sample) as { properties: Record<string, { type: unknown }> };
  first.properties.name.type = "changed";
  const second = recordJsonSchema(Sample) as { properties: Record<string, { type: unknown }> };
  assert.deepEqual(second.properties.name.type, ["string", "null"]);
});

type JsonProperty = Record<string, unknown> & { anyOf?: JsonProperty[] };
type JsonRoot = JsonProperty & { properties: Record<string, JsonProperty>; required?: string[] };

Deno.test("recordJsonSchema: each difference from z.toJSONSchema's output", async (t) => {
  const schema = Sample.extend({ described: col.timestamp("When.") });
  const ours = recordJsonSchema(schema) as JsonRoot;
  const zod = z.toJSONSchema(schema, { target: "draft-7" }) as JsonRoot;
  await t.step("zod says minLength 1 of the id; the file a plain string", () => {
    assert.deepEqual(zod.properties.id, { type: "string", minLength: 1 });
    assert.deepEqual(ours.properties.id, { type: "string" });
  });
  await t.step("zod keeps a constrained nullable type in anyOf; the file a type list", () => {
    for (const name of ["updated_at", "trial_end_date", "next_employee_id"]) {
      assert.equal(zod.properties[name].anyOf?.length, 2, name);
      assert.deepEqual(zod.properties[name].anyOf?.[1], { type: "null" }, name);
      assert.ok(!("anyOf" in ours.properties[name]), name);
      assert.equal((ours.properties[name].type as string[])[1], "null", name);
    }
  });
  await t.step("zod states patterns and safe-integer bounds; the file does not", () => {
    assert.equal(typeof zod.properties.updated_at.anyOf?.[0].pattern, "string");
    assert.equal(typeof zod.properties.trial_end_date.anyOf?.[0].pattern, "string");
    assert.deepEqual(zod.properties.next_employee_id.anyOf?.[0], {
      type: "integer",
      minimum: Number.MIN_SAFE_INTEGER,
      maximum: Number.MAX_SAFE_INTEGER,
    });
    assert.doesNotMatch(JSON.stringify(ours), /"(pattern|minimum|maximum|minLength)"/);
  });
  await t.step("zod has no format of a date and no airbyte_type; the registry gives both", () => {
    assert.doesNotMatch(JSON.stringify(zod.properties.trial_end_date), /"format"/);
    assert.doesNotMatch(JSON.stringify(zod), /airbyte_type/);
    assert.equal(ours.properties.trial_end_date.format, "date");
    assert.equal(ours.properties.updated_at.airbyte_type, "timestamp_with_timezone");
  });
  await t.step("the registry's kind stays out of the file", () => {
    assert.doesNotMatch(JSON.stringify(ours), /"kind"/);
  });
  await t.step("keys in the order type, format, airbyte_type, description", () => {
    assert.deepEqual(Object.keys(zod.properties.described), ["anyOf", "description"]);
    assert.deepEqual(Object.keys(ours.properties.described), [
      "type",
      "format",
      "airbyte_type",
      "description",
    ]);
  });
  await t.step("zod forbids other properties and requires every column; the file neither", () => {
    assert.equal(zod.additionalProperties, false);
    assert.deepEqual(zod.required, Object.keys(schema.shape));
    assert.equal(ours.additionalProperties, true);
    assert.deepEqual(ours.required, ["id"]);
  });
  await t.step(
    "root keys in the order $schema, type, additionalProperties, required, properties",
    () => {
      assert.deepEqual(Object.keys(zod), [
        "$schema",
        "type",
        "properties",
        "required",
        "additionalProperties",
      ]);
      assert.deepEqual(Object.keys(ours), [
        "$schema",
        "type",
        "additionalProperties",
        "required",
        "properties",
      ]);
    },
  );
  await t.step("the column set and order, the types and the date-time format are zod's", () => {
    assert.deepEqual(Object.keys(ours.properties), Object.keys(zod.properties));
    assert.equal(zod.properties.updated_at.anyOf?.[0].format, "date-time");
    assert.deepEqual(zod.properties.amount, { type: ["number", "null"] });
    assert.deepEqual(ours.properties.amount, { type: ["number", "null"] });
  });
});

Deno.test("columnKinds wants the col.*() schema itself, not one derived from it", () => {
  // A registry lends a derived schema its parent's metadata; the kind is not lent.
  const Derived = z.object({ id: col.id(), other: col.string().describe("Derived.") });
  assert.throws(() => columnKinds(Derived), /Column "other" is not declared with col\.\*\(\)/);
});

Deno.test("col: every column but the id is nullable, and the zod types match the kinds", async (t) => {
  const rows: [string, z.ZodType, unknown[], unknown[]][] = [
    ["id", col.id(), ["a"], ["", null, 1]],
    ["string", col.string(), ["", "a", null], [1, undefined]],
    ["object", col.object(), [{}, { a: [1] }, null], [[], "{}", undefined]],
    ["array", col.array(), [[], [1, "a"], null], [{}, "[]", undefined]],
    ["timestamp", col.timestamp(), ["2024-03-01T10:00:00.000Z", null], [
      "2024-03-01T10:00:00+02:00",
      "2024-03-01",
    ]],
    ["date", col.date(), ["2024-03-01", null], ["2024-03-01T10:00:00Z", "1/3/2024"]],
    ["integer", col.integer(), [0, -3, null], [1.5, "1"]],
    ["number", col.number(), [0, 1.5, null], ["1"]],
    ["boolean", col.boolean(), [true, false, null], ["true", 0]],
  ];
  for (const [kind, schema, good, bad] of rows) {
    await t.step(kind, () => {
      for (const value of good) assert.ok(schema.safeParse(value).success, JSON.stringify(value));
      for (const value of bad) assert.ok(!schema.safeParse(value).success, JSON.stringify(value));
    });
  }
});

import assert from "node:assert/strict";
import { Ajv } from "ajv";
import fc from "fast-check";
import {
  baseColumnName,
  buildRow,
  columnDescription,
  columnsOf,
  type CustomFieldDefinition,
  definitionOf,
  fieldOfDescription,
  kindOfType,
  planColumns,
  recordSchemaOf,
  typedValue,
} from "../../src/streams/people_custom_fields.ts";

const SYNCED = "2026-12-01T00:00:00.000Z";

function field(id: string, name: string, type: string, createdAt: string): CustomFieldDefinition {
  return { id, name, section: "basics", type, createdAt };
}

function value(personId: string, fieldId: string, raw: unknown, updatedAt: string) {
  return {
    id: `v-${fieldId}-${personId}`,
    personId,
    customFieldId: fieldId,
    value: raw,
    updatedAt,
  };
}

Deno.test("kindOfType: each type the help centre names, in the spellings an API may use", () => {
  const cases: [string | null, string][] = [
    ["text", "string"],
    ["long_text", "string"],
    ["Long text", "string"],
    ["longText", "string"],
    ["link", "string"],
    ["select", "string"],
    ["single_choice", "string"],
    ["multi_select", "strings"],
    ["multipleChoices", "strings"],
    ["date", "date"],
    ["number", "number"],
    ["boolean", "boolean"],
    ["yes_no", "boolean"],
    ["signature", "untyped"],
    [null, "untyped"],
  ];
  for (const [type, kind] of cases) assert.equal(kindOfType(type), kind, String(type));
  assert.equal(kindOfType("select", { multiple: true }), "strings");
  assert.equal(kindOfType("text", { multiple: true }), "string");
});

Deno.test("column names: snake_case of the field's name, a stable suffix on a collision", () => {
  assert.equal(baseColumnName("Cost centre"), "cost_centre");
  assert.equal(baseColumnName("LinkedIn"), "linkedin");
  assert.equal(baseColumnName("Café / Bar"), "cafe_bar");
  assert.equal(baseColumnName("2FA enabled"), "field_2fa_enabled");
  assert.equal(baseColumnName("日本"), "field");
  const older = field("AAAAAAAAAAAAAAAAAAOLDER1", "Size", "text", "2024-01-01T00:00:00.000Z");
  const newer = field("BBBBBBBBBBBBBBBBBBNEWER2", "size", "text", "2025-01-01T00:00:00.000Z");
  const fixed = field("CCCCCCCCCCCCCCCCCCPERSON", "Person ID", "text", "2023-01-01T00:00:00.000Z");
  const names = columnsOf([newer, older, fixed]).map((c) => c.name);
  assert.deepEqual(names, ["person_id_person", "size", "size_newer2"]);
  // The field created first keeps its name whichever fields come later.
  assert.deepEqual(columnsOf([older]).map((c) => c.name), ["size"]);
});

Deno.test("definitionOf: rows without id, and fields of other resources, are left out; a field without a name is `field`", () => {
  assert.equal(definitionOf({ name: "Cost centre" }), undefined);
  for (const unnamed of [{ id: "x", name: " " }, { id: "x" }, { id: "x", name: 7 }]) {
    assert.equal(definitionOf(unnamed)?.name, "");
    assert.deepEqual(columnsOf([definitionOf(unnamed)!]).map((c) => c.name), ["field"]);
  }
  assert.equal(definitionOf({ id: "x", name: "Team size", resourceId: "company" }), undefined);
  assert.deepEqual(definitionOf({ id: "x", name: "Grade", type: "select", resourceId: null }), {
    id: "x",
    name: "Grade",
    section: null,
    type: "select",
    createdAt: undefined,
    config: undefined,
  });
});

Deno.test("recordSchemaOf: one typed column per field between the fixed ones, described", () => {
  const at = "2024-01-01T00:00:00.000Z";
  const columns = columnsOf([
    field("f1", "Cost centre", "text", at),
    field("f2", "Start bonus", "number", "2024-01-02T00:00:00.000Z"),
    field("f3", "Remote", "boolean", "2024-01-03T00:00:00.000Z"),
    field("f4", "Visa expiry", "date", "2024-01-04T00:00:00.000Z"),
    field("f5", "Languages", "multi_select", "2024-01-05T00:00:00.000Z"),
    field("f6", "Signature", "signature", "2024-01-06T00:00:00.000Z"),
  ]);
  const schema = recordSchemaOf(columns) as {
    properties: Record<string, Record<string, unknown>>;
    required: string[];
  };
  assert.deepEqual(Object.keys(schema.properties), [
    "person_id",
    "company_id",
    "cost_centre",
    "start_bonus",
    "remote",
    "visa_expiry",
    "languages",
    "signature",
    "updated_at",
    "timestamp",
    "_ab_cdc_deleted_at",
    "additional_fields",
  ]);
  assert.deepEqual(schema.required, ["person_id"]);
  const p = schema.properties;
  assert.deepEqual(p.cost_centre.type, ["string", "null"]);
  assert.deepEqual(p.start_bonus.type, ["number", "null"]);
  assert.deepEqual(p.remote.type, ["boolean", "null"]);
  assert.deepEqual([p.visa_expiry.type, p.visa_expiry.format], [["string", "null"], "date"]);
  assert.deepEqual([p.languages.type, p.languages.items], [["array", "null"], { type: "string" }]);
  assert.equal("type" in p.signature, false);
  assert.equal(
    p.cost_centre.description,
    'Custom field "Cost centre" (id f1, section basics, type text)',
  );
  assert.deepEqual(fieldOfDescription(p.languages.description), { name: "Languages", id: "f5" });
  assert.deepEqual(fieldOfDescription(columnDescription(columns[5])), {
    name: "Signature",
    id: "f6",
  });
  assert.equal(fieldOfDescription("A column"), undefined);
});

Deno.test("typedValue: values that fit their column, and values that do not", () => {
  assert.equal(typedValue("number", "12.5"), 12.5);
  assert.equal(typedValue("number", "twelve"), undefined);
  assert.equal(typedValue("boolean", "yes"), true);
  assert.equal(typedValue("boolean", 1), undefined);
  assert.equal(typedValue("date", "2024-02-29"), "2024-02-29");
  assert.equal(typedValue("date", "2024-02-30"), undefined);
  assert.equal(typedValue("date", "2024-03-01T10:00:00Z"), "2024-03-01");
  assert.deepEqual(typedValue("strings", ["a", "b"]), ["a", "b"]);
  assert.deepEqual(typedValue("strings", "a"), ["a"]);
  assert.deepEqual(typedValue("strings", '["a","b"]'), ["a", "b"]);
  assert.equal(typedValue("strings", [1, 2]), undefined);
  assert.equal(typedValue("string", { a: 1 }), undefined);
  assert.equal(typedValue("string", 7), "7");
  assert.deepEqual(typedValue("untyped", { a: 1 }), { a: 1 });
});

Deno.test("buildRow: a whole row, a misfit nulled and kept, unknown fields kept aside", () => {
  const defs = [
    field("f1", "Bonus target", "number", "2024-01-01T00:00:00.000Z"),
    field("f2", "Languages", "multi_select", "2024-01-02T00:00:00.000Z"),
    field("f3", "Grade", "select", "2024-01-03T00:00:00.000Z"),
  ];
  const configured = columnsOf(defs.slice(0, 2)); // discovered before Grade was added
  const plan = planColumns(defs, { configured });
  const { record, changes } = buildRow(plan, {
    personId: "p1",
    syncedAt: SYNCED,
    values: [
      value("p1", "f1", "lots", "2025-01-01T00:00:00.000Z"),
      value("p1", "f2", ["English"], "2025-03-01T00:00:00.000Z"),
      value("p1", "f2", ["French"], "2025-02-01T00:00:00.000Z"), // older duplicate
      value("p1", "f3", "L4", "2025-01-15T00:00:00.000Z"),
      value("p1", "gone", "x", "2024-01-01T00:00:00.000Z"),
    ],
  });
  assert.deepEqual(record, {
    person_id: "p1",
    bonus_target: null,
    company_id: null,
    languages: ["English"],
    updated_at: "2025-03-01T00:00:00.000Z",
    timestamp: SYNCED,
    _ab_cdc_deleted_at: null,
    additional_fields: { bonus_target: "lots", grade: "L4", gone: "x" },
  });
  assert.deepEqual(changes, [
    { field: "bonus_target", change: "NULLED", reason: "SOURCE_SERIALIZATION_ERROR" },
  ]);
});

Deno.test("buildRow: a column whose field was deleted is null; values still sent go aside", () => {
  const defs = [
    field("f1", "Shirt size", "text", "2024-01-01T00:00:00.000Z"),
    field("f2", "Exit interview done", "checkbox", "2024-01-02T00:00:00.000Z"),
  ];
  const plan = planColumns(defs.slice(0, 1), { configured: columnsOf(defs) });
  const { record } = buildRow(plan, {
    personId: "p1",
    syncedAt: SYNCED,
    values: [
      value("p1", "f1", "M", "2025-01-01T00:00:00.000Z"),
      value("p1", "f2", true, "2025-01-02T00:00:00.000Z"),
    ],
  });
  assert.equal(record.shirt_size, "M");
  assert.equal(record.exit_interview_done, null);
  assert.deepEqual(record.additional_fields, { f2: true });
});

Deno.test("property: any values of any fields make a row the discovered schema accepts", () => {
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat("date-time", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  ajv.addFormat("date", /^\d{4}-\d{2}-\d{2}$/);
  const types = ["text", "long_text", "select", "multi_select", "date", "number", "boolean", "odd"];
  const definitions = types.map((type, i) =>
    field(`f${i}`, `Field ${type}`, type, `2024-01-0${i + 1}T00:00:00.000Z`)
  );
  // Discovered before the last field (of a type this connector does not know) was added.
  const configured = columnsOf(definitions.slice(0, -1));
  const plan = planColumns(definitions, { configured });
  const validate = ajv.compile(recordSchemaOf(configured));
  const anyValue = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom("2026-01-01", "2026-02-30", "12", "yes", ["a", "b"], [1], null),
  );
  const values = fc.array(
    fc.record({
      customFieldId: fc.constantFrom(...definitions.map((d) => d.id), "unknown"),
      value: anyValue,
      updatedAt: fc.constantFrom("2025-01-01T00:00:00.000Z", "2025-06-01T10:00:00Z", "soon"),
    }),
    { maxLength: 12 },
  );
  fc.assert(
    fc.property(values, (rows) => {
      const { record, changes } = buildRow(plan, {
        personId: "p1",
        values: rows,
        syncedAt: SYNCED,
      });
      assert.ok(validate(record), JSON.stringify(validate.errors));
      const extra = (record.additional_fields ?? {}) as Record<string, unknown>;
      // Every nulled value is kept, under its column's name.
      for (const change of changes) assert.ok(change.field in extra, change.field);
    }),
    { numRuns: 300, seed: 20261207 },
  );
});

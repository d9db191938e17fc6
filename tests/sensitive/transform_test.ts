import assert from "node:assert/strict";
import { mapRecord } from "../support/mapped.ts";
import { createHmac } from "node:crypto";
import {
  classOfSection,
  SENSITIVE_CLASSES,
  type SensitiveClass,
} from "../../src/sensitive/classes.ts";
import { Hmac } from "../../src/sensitive/hash.ts";
import type { SensitivePolicy } from "../../src/sensitive/policy.ts";
import {
  classNote,
  type ColumnClass,
  hashedNote,
  planColumns,
  protectRecord,
  protectSchema,
  valueText,
} from "../../src/sensitive/transform.ts";
import { columnClasses, recordJsonSchema } from "../../src/streams/fields.ts";
import type { ValueChange } from "../../src/streams/mapping.ts";
import { STREAMS } from "../../src/streams/mod.ts";

const KEY = "0123456789abcdef0123";
const CONTEXT = { syncedAt: "2026-11-28T12:00:00.000Z", today: "2026-11-28" };
const hmac = (text: string) => createHmac("sha256", KEY).update(text).digest("hex");

function policy(mode: "hash" | "drop", classes: SensitiveClass[]): SensitivePolicy {
  return { mode, classes: new Set(classes), hmac: mode === "hash" ? new Hmac(KEY) : undefined };
}
const hash = (text: string) => new Hmac(KEY).hex(text);

Deno.test("each class: its declared columns are hashed or dropped, and no other", async (t) => {
  for (const cls of SENSITIVE_CLASSES) {
    const streams = STREAMS.filter((s) => [...columnClasses(s.record).values()].includes(cls));
    assert.ok(streams.length > 0, `some stream declares a ${cls} column`);
    for (const stream of streams) {
      await t.step(`${cls}: ${stream.name}`, () => {
        const classes = columnClasses(stream.record);
        const record = mapRecord(stream, stream.example, CONTEXT);
        const ofClass = [...classes].filter(([, c]) => c === cls).map(([column]) => column);
        const options = { columns: [...stream.columns.keys()] };
        const hashed = protectRecord(record, planColumns(classes, policy("hash", [cls]), options), {
          hash,
        }).record;
        const dropped = protectRecord(record, planColumns(classes, policy("drop", [cls]), options))
          .record;
        for (const column of stream.columns.keys()) {
          if (!ofClass.includes(column)) {
            if (column === "additional_fields") continue;
            assert.deepEqual(hashed[column], record[column], column);
            assert.deepEqual(dropped[column], record[column], column);
          } else {
            const raw = record[column];
            assert.equal(hashed[column], raw === null ? null : hmac(valueText(raw)), column);
            assert.ok(!(column in dropped), `${column} dropped`);
          }
        }
      });
    }
  }
});

Deno.test("a class not chosen is kept, and keeps additional_fields as it is", () => {
  const stream = STREAMS.find((s) => s.name === "bank_accounts")!;
  const record = mapRecord(stream, { ...stream.example, iban: "GB33BUKB20201555555555" }, CONTEXT);
  const plan = planColumns(columnClasses(stream.record), policy("hash", ["health"]), {
    columns: stream.columns.keys(),
  });
  assert.equal(plan.strict, false);
  assert.deepEqual(protectRecord(record, plan, { hash }).record, record);
});

Deno.test("unknown fields of a stream holding a protected class are left out and named", async (t) => {
  const stream = STREAMS.find((s) => s.name === "bank_accounts")!;
  const classes = columnClasses(stream.record);
  const plan = planColumns(classes, policy("drop", ["bank"]), { columns: stream.columns.keys() });
  assert.equal(plan.strict, true);
  await t.step("additional_fields as JSON text", () => {
    const record = mapRecord(stream, {
      ...stream.example,
      iban: "GB33BUKB20201555555555",
      nested: { deep: "secret" },
      bankName: 42, // fits no string? it does (as text); use a wrong type below
    }, CONTEXT);
    const result = protectRecord(record, plan);
    assert.equal(result.record.additional_fields, null);
    assert.deepEqual(result.left.sort(), ["iban", "nested"]);
    assert.ok(!JSON.stringify(result.record).includes("GB33BUKB"));
  });
  await t.step("as an object (native JSON), keeping misfit values of open columns", () => {
    const record = {
      id: "x",
      bank_name: null,
      account_number: null,
      additional_fields: {
        created_at: "not a date", // a misfit value of an open column: kept
        account_number: { wrong: "01234567" }, // a misfit of a protected column: left out
        sortCodeExtra: "04-00-04", // no column: left out, named
      },
    };
    const result = protectRecord(record, plan);
    assert.deepEqual(result.record.additional_fields, { created_at: "not a date" });
    assert.deepEqual(result.left, ["sortCodeExtra"]);
    assert.ok(!("account_number" in result.record));
  });
  await t.step("text that is not a JSON object is left out whole", () => {
    const result = protectRecord({ id: "x", additional_fields: "not json" }, plan);
    assert.equal(result.record.additional_fields, null);
    assert.deepEqual(result.left, ["additional_fields"]);
  });
});

Deno.test("meta.changes: a dropped column's change goes with it; others stay", () => {
  const classes = new Map<string, ColumnClass>([["birthday", "personal"], [
    "amount",
    "compensation",
  ]]);
  const columns = ["id", "birthday", "amount", "start_date"];
  const plan = planColumns(classes, policy("drop", ["personal"]), { columns });
  const changes: ValueChange[] = [
    { field: "birthday", change: "NULLED", reason: "SOURCE_SERIALIZATION_ERROR" },
    { field: "start_date", change: "NULLED", reason: "SOURCE_SERIALIZATION_ERROR" },
  ];
  const result = protectRecord(
    { id: "x", birthday: null, amount: "1", start_date: null },
    plan,
    { changes },
  );
  assert.deepEqual(result.changes, [changes[1]]);
  assert.deepEqual(result.record, { id: "x", amount: "1", start_date: null });
});

Deno.test("a stale catalog: a dropped column it selects is written as null, never in clear", () => {
  const classes = new Map<string, ColumnClass>([["birthday", "personal"], ["gender", "personal"]]);
  const plan = planColumns(classes, policy("drop", ["personal"]), {
    columns: ["id", "birthday", "gender"],
    selected: new Set(["id", "birthday"]),
  });
  assert.deepEqual([...plan.nulled], ["birthday"]);
  assert.deepEqual([...plan.dropped], ["gender"]);
  assert.deepEqual(
    protectRecord({ id: "x", birthday: "1990-12-10", gender: "female" }, plan).record,
    { id: "x", birthday: null },
  );
});

Deno.test("a stream built at run time supplies its own column map (custom fields by section)", () => {
  // As people_custom_fields builds its columns from /custom-fields: one a field, its section's class.
  const definitions = [
    { column: "iban", section: "Profile > Banking" },
    { column: "allergies", section: "Profile > Health" },
    { column: "salary_band", section: "Employment > Compensation > Salary" },
    { column: "tshirt", section: "Profile > Basics" },
    { column: "pet_name", section: "Hobbies" },
  ];
  const classes = new Map<string, ColumnClass>();
  for (const { column, section } of definitions) {
    const cls = classOfSection(section);
    if (cls) classes.set(column, cls);
  }
  const columns = ["id", ...definitions.map((d) => d.column)];
  const record = {
    id: "p1",
    iban: "GB33BUKB20201555555555",
    allergies: "peanuts",
    salary_band: "B3",
    tshirt: "M",
    pet_name: "Rex",
  };
  const hashed =
    protectRecord(record, planColumns(classes, policy("hash", ["bank", "personal"]), { columns }), {
      hash,
    }).record;
  assert.deepEqual(hashed, {
    id: "p1",
    iban: hmac("GB33BUKB20201555555555"),
    allergies: "peanuts",
    salary_band: "B3",
    tshirt: "M",
    pet_name: hmac("Rex"), // an unrecognised section is personal
  });
  const dropped = protectRecord(
    record,
    planColumns(classes, policy("drop", ["health", "compensation"]), { columns }),
  ).record;
  assert.deepEqual(dropped, { id: "p1", iban: record.iban, tshirt: "M", pet_name: "Rex" });
});

Deno.test("protectSchema: dropped columns out, hashed ones strings that say so", () => {
  const stream = STREAMS.find((s) => s.name === "people")!;
  const classes = columnClasses(stream.record);
  const schema = recordJsonSchema(stream.record);
  const columns = stream.columns.keys();
  const hashed = protectSchema(
    schema,
    planColumns(classes, policy("hash", ["personal"]), { columns }),
    { classes },
  ) as { properties: Record<string, Record<string, unknown>> };
  assert.deepEqual(hashed.properties.birthday, {
    type: ["string", "null"],
    description: hashedNote("personal"),
  });
  // A class not chosen is kept, and discover still names it; a column of no class is as it was.
  assert.deepEqual(hashed.properties.tax_id, {
    type: ["string", "null"],
    description: classNote("government_id"),
  });
  const properties = schema.properties as Record<string, unknown>;
  assert.deepEqual(hashed.properties.first_name, properties.first_name);
  assert.ok(!("description" in (properties.tax_id as object)), "the stream's own schema is plain");
  const dropped = protectSchema(
    schema,
    planColumns(classes, policy("drop", ["personal"]), { columns: stream.columns.keys() }),
    { classes },
  ) as { properties: Record<string, unknown> };
  assert.ok(!("birthday" in dropped.properties));
  assert.ok("tax_id" in dropped.properties);
  assert.ok("birthday" in (schema.properties as Record<string, unknown>), "the input is unchanged");
});

Deno.test("protectSchema: a column classed row by row lets a hash's string through", () => {
  const schema = {
    properties: {
      id: { type: "string" },
      value: { type: ["object", "array", "null"] },
    },
  };
  const classes = new Map<string, ColumnClass>();
  const rowNotes = new Map([["value", "Hashed when its section's class is."]]);
  const columns = ["id", "value"];
  const fixed = new Set(["value"]);
  const hashedPlan = planColumns(classes, policy("hash", ["bank"]), { columns, fixed });
  const hashed = protectSchema(schema, hashedPlan, { classes, rowNotes }) as typeof schema;
  assert.deepEqual(hashed.properties.value, {
    type: ["string", "object", "array", "null"],
    description: "Hashed when its section's class is.",
  });
  const droppedPlan = planColumns(classes, policy("drop", ["bank"]), { columns, fixed });
  const dropped = protectSchema(schema, droppedPlan, { classes, rowNotes }) as typeof schema;
  assert.deepEqual(dropped.properties.value.type, ["object", "array", "null"]);
});

Deno.test("protectRecord: a column named __proto__ is a property, hashed like any other", () => {
  const classes = new Map<string, ColumnClass>([["__proto__", "bank"]]);
  const plan = planColumns(classes, policy("hash", ["bank"]), {
    columns: ["id", "__proto__", "note"],
  });
  const record = JSON.parse('{"id":"a1","__proto__":"12345678","note":"x"}');
  const { record: out } = protectRecord(record, plan, { hash });
  assert.deepEqual(Object.keys(out), ["id", "__proto__", "note"]);
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
  assert.equal(JSON.parse(JSON.stringify(out))["__proto__"], hmac("12345678"));
});

Deno.test("valueText: a string as is, numbers and booleans as text, the rest as JSON", () => {
  assert.equal(valueText("70000.50"), "70000.50");
  assert.equal(valueText(70000.5), "70000.5");
  assert.equal(valueText(true), "true");
  assert.equal(valueText({ line1: "1 High Street" }), '{"line1":"1 High Street"}');
  assert.equal(valueText(["GB", "IE"]), '["GB","IE"]');
});

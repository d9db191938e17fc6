import assert from "node:assert/strict";
import fc from "fast-check";
import { extraFieldsOf, mapRecord } from "../support/mapped.ts";
import { createHmac } from "node:crypto";
import type { SensitiveClass } from "../../src/sensitive/classes.ts";
import { Hmac } from "../../src/sensitive/hash.ts";
import type { SensitivePolicy } from "../../src/sensitive/policy.ts";
import {
  protectedJsonSchema,
  protectStream,
  sectionProtection,
} from "../../src/sensitive/stream.ts";
import { recordJsonSchema } from "../../src/streams/fields.ts";
import { type MapContext, STREAMS } from "../../src/streams/mod.ts";

const KEY = "0123456789abcdef0123";
const hmac = (text: string) => createHmac("sha256", KEY).update(text).digest("hex");
const find = (name: string) => STREAMS.find((s) => s.name === name)!;

function policy(mode: "hash" | "drop", classes: SensitiveClass[]): SensitivePolicy {
  return { mode, classes: new Set(classes), hmac: mode === "hash" ? new Hmac(KEY) : undefined };
}

function context(extra: string[] = []): MapContext {
  return {
    syncedAt: "2026-11-28T12:00:00.000Z",
    today: "2026-11-28",
    onExtra: (field) => extra.push(field),
  };
}

Deno.test("a stream the policy does not touch is read as it is", () => {
  const jobRoles = find("job_roles");
  assert.equal(protectStream(jobRoles, { policy: policy("drop", ["bank"]) }).stream, jobRoles);
  const people = find("people");
  assert.equal(protectStream(people, { policy: policy("drop", ["bank"]) }).stream, people);
});

Deno.test("drop: the columns leave the stream's columns (so delete records too) and records", () => {
  const bank = find("bank_accounts");
  const guarded = protectStream(bank, { policy: policy("drop", ["bank"]) });
  const columns = [...guarded.stream.columns.keys()];
  for (const column of ["account_number", "sort_code", "name_on_account"]) {
    assert.ok(!columns.includes(column), column);
  }
  assert.ok(columns.includes("bank_name"));
  const extra: string[] = [];
  const record = mapRecord(
    guarded.stream,
    // A key that is a value (an email used as a key) is counted, never named.
    { ...bank.example, iban: "GB33BUKB20201555555555", "jane.doe@mail.example": true },
    context(extra),
  );
  assert.deepEqual(Object.keys(record), columns);
  assert.equal(record.additional_fields, null);
  assert.deepEqual(extra, [], "the read loop is not told of fields left out (none is kept)");
  assert.equal(
    guarded.report(),
    'Stream "bank_accounts": API fields with no column left out, as the stream holds sensitive data that sensitive_data hashes or drops (an unknown field may be sensitive too): iban, and 1 more',
  );
  assert.deepEqual(guarded.warnings, []);
});

Deno.test("hash: values hashed, unknown fields left out, the read loop's own handlers still told of misfits", () => {
  const bank = find("bank_accounts");
  const guarded = protectStream(bank, { policy: policy("hash", ["bank"]) });
  const invalid: string[] = [];
  const record = mapRecord(guarded.stream, {
    ...bank.example,
    accountNumber: 1234,
    createdAt: "soon",
  }, {
    ...context(),
    onInvalid: (column) => invalid.push(column),
  });
  assert.equal(record.account_number, hmac("1234"));
  assert.equal(record.sort_code, hmac("04-00-04"));
  assert.equal(record.bank_name, "Monzo");
  assert.deepEqual(extraFieldsOf(record), { created_at: "soon" });
  assert.deepEqual(invalid, ["created_at"]);
  assert.equal(guarded.report(), undefined, "no API field was left out");
});

Deno.test("a stale catalog: a WARN for selected columns now dropped, and for retyped hashes", () => {
  const people = find("people");
  const selected = (recordJsonSchema(people.record) as { properties: Record<string, unknown> })
    .properties;
  const dropped = protectStream(people, { policy: policy("drop", ["personal"]), selected });
  assert.equal(dropped.warnings.length, 1);
  assert.match(dropped.warnings[0], /^Stream "people": the catalog selects personal_email, /);
  assert.match(dropped.warnings[0], /which sensitive_data drops: written as null/);
  const record = mapRecord(dropped.stream, people.example, context());
  assert.equal(record.birthday, null);
  assert.equal(record.personal_email, null);
  assert.ok("birthday" in record);
  const hashed = protectStream(people, { policy: policy("hash", ["personal"]), selected });
  // birthday is a date; a column the mapping types otherwise (an array, an object) is named too.
  assert.equal(hashed.warnings.length, 1);
  assert.match(
    hashed.warnings[0],
    /^Stream "people": the catalog types birthday(, \w+)* as they were before sensitive_data hashed them; they now hold hashes \(strings\)\. Refresh the source schema \(discover\)$/,
  );
});

Deno.test("custom_values: the value takes its field's section's class, row by row", async (t) => {
  const values = find("custom_values");
  const sections = new Map<string, unknown>([
    ["bank-field", "Profile > Banking"],
    ["basic-field", "Profile > Basics"],
    ["odd-field", "Profile > Something new"],
  ]);
  const row = (field: string, value: unknown) => ({
    ...values.example,
    customFieldId: field,
    value,
    extraKey: "x",
  });
  await t.step("hash bank", () => {
    const guarded = protectStream(values, { policy: policy("hash", ["bank"]), sections });
    const map = (field: string, value: unknown) =>
      mapRecord(guarded.stream, row(field, value), context());
    assert.equal(map("bank-field", "GB33BUKB20201555555555").value, hmac("GB33BUKB20201555555555"));
    assert.equal(map("basic-field", "M").value, "M");
    assert.equal(map("odd-field", "Rex").value, "Rex", "personal is not hashed here");
    assert.equal(map("new-field", "x").value, hmac("x"), "a field /custom-fields did not list");
    assert.equal(map("basic-field", "M").additional_fields, null, "the stream is strict");
    assert.match(guarded.report()!, /: extraKey$/);
  });
  await t.step("a list value (value_list) is hashed as its JSON text", () => {
    const guarded = protectStream(values, { policy: policy("hash", ["bank"]), sections });
    const record = mapRecord(guarded.stream, row("bank-field", ["GB33", "GB34"]), context());
    assert.equal(record.value, null);
    assert.equal(record.value_list, hmac('["GB33","GB34"]'));
    const basic = mapRecord(guarded.stream, row("basic-field", ["S", "M"]), context());
    assert.deepEqual(basic.value_list, ["S", "M"]);
  });
  await t.step("drop personal: the column stays, null on those rows", () => {
    const guarded = protectStream(values, { policy: policy("drop", ["personal"]), sections });
    assert.ok(guarded.stream.columns.has("value"));
    const map = (field: string, value: unknown) =>
      mapRecord(guarded.stream, row(field, value), context());
    assert.equal(map("odd-field", "Rex").value, null);
    assert.equal(map("bank-field", "GB33").value, "GB33");
    assert.equal(map("basic-field", "M").value, "M");
  });
  await t.step("no sections (/custom-fields unreadable): every value protected", () => {
    const guarded = protectStream(values, { policy: policy("hash", ["health"]) });
    assert.equal(mapRecord(guarded.stream, row("basic-field", "M"), context()).value, hmac("M"));
  });
  await t.step("discover says how the value is protected", () => {
    const schema = recordJsonSchema(values.record);
    const hashed = protectedJsonSchema(values, { policy: policy("hash", ["bank"]), schema }) as {
      properties: Record<string, { description?: string }>;
    };
    assert.match(hashed.properties.value.description!, /Hashed \(HMAC-SHA-256/);
  });
});

Deno.test("a misfit of a protected column is counted in the stream's INFO, not the read loop's", () => {
  const people = find("people");
  const guarded = protectStream(people, { policy: policy("hash", ["personal"]) });
  const invalid: string[] = [];
  const record = mapRecord(guarded.stream, {
    ...people.example,
    birthday: "1990-13-45",
    firstWorkingDay: "someday",
  }, { ...context(), onInvalid: (column) => invalid.push(column) });
  assert.equal(record.birthday, null);
  assert.deepEqual(extraFieldsOf(record), {
    first_working_day: "someday",
  });
  assert.deepEqual(invalid, ["first_working_day"]);
  assert.equal(
    guarded.report(),
    'Stream "people": values of sensitive columns that did not fit their type written as null and not kept (birthday: 1)',
  );
  assert.ok(!JSON.stringify(record).includes("1990-13-45"));
});

Deno.test("sectionProtection: a stream built at run time from custom fields, by section", () => {
  const columns = [
    { name: "iban", section: "Profile > Banking" },
    { name: "shirt", section: "Profile > Basics" },
    { name: "pet", section: null },
  ];
  const schema = {
    type: "object",
    properties: {
      id: { type: "string" },
      iban: { type: ["string", "null"] },
      shirt: { type: ["string", "null"] },
      pet: { type: ["string", "null"] },
    },
  };
  const drop = sectionProtection(policy("drop", ["bank", "personal"]));
  assert.deepEqual(Object.keys(drop.schema(schema, columns).properties as object), ["id", "shirt"]);
  const record = { id: "p1", iban: "GB33BUKB20201555555555", shirt: "M", pet: "Rex" };
  assert.deepEqual(drop.rows(columns)(record), { id: "p1", shirt: "M" });
  const hash = sectionProtection(policy("hash", ["bank"]));
  const hashed = hash.schema(schema, columns).properties as Record<
    string,
    { description?: string }
  >;
  assert.match(hashed.iban.description!, /^Hashed/);
  assert.deepEqual(hash.rows(columns)(record), { ...record, iban: hmac("GB33BUKB20201555555555") });
  const stale = sectionProtection(policy("drop", ["bank"]), { selected: schema.properties });
  assert.deepEqual(stale.rows(columns)(record), { ...record, iban: null });
});

Deno.test("sectionProtection: additional_fields keeps only values of unprotected fields, columns or not", () => {
  // A catalog discovered with `drop` has no `iban` column: its field's values would come in
  // additional_fields, beside a field defined since (`sort_code`, banking; `hobby`, basics) and
  // a value whose field has no definition (its section unknown).
  const columns = [
    { name: "shirt", section: "Profile > Basics" },
    { name: "iban", section: "Profile > Banking" },
    { name: "sort_code", section: "Profile > Banking" },
    { name: "hobby", section: "Profile > Basics" },
  ];
  const record = {
    id: "p1",
    shirt: "M",
    additional_fields: {
      iban: "GB33BUKB20201555555555",
      sort_code: "20-20-15",
      hobby: "chess",
      cf_no_definition: "secret",
    },
  };
  for (const mode of ["drop", "hash"] as const) {
    const rows = sectionProtection(policy(mode, ["bank"])).rows(columns);
    assert.deepEqual(rows(record), { id: "p1", shirt: "M", additional_fields: { hobby: "chess" } });
  }
});

Deno.test("property: no value of a protected column, nor of a field with no column, leaves a strict stream in clear", () => {
  const stream = find("bank_accounts");
  // Each field's values start with its own name, so that no value holds another's.
  const marker = (field: string) =>
    fc.stringMatching(/^[A-Za-z0-9]{12,20}$/).map((s) => `${field}:${s};`);
  fc.assert(
    fc.property(
      fc.record({
        accountNumber: marker("accountNumber"),
        sortCode: marker("sortCode"),
        nameOnAccount: marker("nameOnAccount"),
        unknownField: marker("unknownField"),
        nested: fc.record({ deep: marker("deep") }),
        createdAt: fc.oneof(marker("createdAt"), fc.constant("2024-01-01T00:00:00.000Z")),
      }),
      fc.constantFrom<"hash" | "drop">("hash", "drop"),
      (fields, mode) => {
        const guarded = protectStream(stream, { policy: policy(mode, ["bank"]) });
        const record = mapRecord(guarded.stream, { ...stream.example, ...fields }, context());
        const text = JSON.stringify(record);
        for (const [key, value] of Object.entries(fields)) {
          if (key === "createdAt") continue; // a misfit of a column that is not sensitive: kept
          const values = typeof value === "string" ? [value] : Object.values(value);
          for (const secret of values) assert.ok(!text.includes(secret), `${key} leaked (${mode})`);
        }
        assert.ok(!text.includes(stream.example.swiftCode as string));
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("meta.changes: a dropped column's change is left out, a hashed one's kept (a name, no value)", () => {
  const people = find("people");
  const raw = { ...people.example, birthday: "1990-13-45", firstWorkingDay: "someday" };
  const dropped = protectStream(people, { policy: policy("drop", ["personal"]) });
  const fields = (mode: "hash" | "drop") =>
    protectStream(people, { policy: policy(mode, ["personal"]) }).stream.map(raw, context())
      .changes.map((c) => c.field).sort();
  assert.deepEqual(fields("drop"), ["first_working_day"]);
  assert.deepEqual(fields("hash"), ["birthday", "first_working_day"]);
  const { changes } = dropped.stream.map(raw, context());
  assert.ok(!JSON.stringify(changes).includes("1990-13-45"));
});

import assert from "node:assert/strict";
import { z } from "zod";
import {
  CURSOR,
  defineStream,
  DELETED_AT,
  DELETED_AT_DESCRIPTION,
  type Evidence,
  type MapContext,
} from "../../src/streams/define.ts";
import { ADDITIONAL_FIELDS_DESCRIPTION, col, GUESSED } from "../../src/streams/fields.ts";

const EVIDENCE: Evidence = { path: "confirmed", fields: "confirmed", source: "tests" };

const CONTEXT: MapContext = { syncedAt: "2026-11-28T12:00:00.000Z", today: "2026-11-28" };

const Widget = z.object({
  label: col.string(),
  owner_name: col.string(),
  size: col.integer(),
});

const EXAMPLE = { id: "w1", label: "Gear" };

Deno.test("defineStream: map flattens, derives, stamps the sync time and projects", () => {
  const seen: unknown[] = [];
  const widgets = defineStream({
    name: "widgets",
    path: "/widgets",
    description: "Test widgets.",
    scopes: ["public:read"],
    example: EXAMPLE,
    evidence: EVIDENCE,
    record: Widget,
    derive(raw, context) {
      seen.push([raw.id, context.today]);
      return { label: `${raw.name}!` };
    },
  });
  const mapped = widgets.map({
    id: "w1",
    name: "Gear",
    owner: { name: "Ada" },
    size: "3",
    updatedAt: "2024-03-01T10:00:00+01:00",
    timestamp: "1999-01-01T00:00:00.000Z",
    unknownField: true,
  }, CONTEXT);
  assert.deepEqual(JSON.parse(JSON.stringify(mapped.record)), {
    id: "w1",
    label: "Gear!",
    owner_name: "Ada",
    size: 3,
    company_id: null,
    created_at: null,
    updated_at: "2024-03-01T09:00:00.000Z",
    timestamp: CONTEXT.syncedAt,
    _ab_cdc_deleted_at: null,
    // `name` only fed a derived column: it has none of its own, so it is kept too; so is the
    // API's `timestamp`, as the column of that name is the sync time.
    additional_fields: { name: "Gear", timestamp: "1999-01-01T00:00:00.000Z", unknownField: true },
  });
  assert.deepEqual(seen, [["w1", "2026-11-28"]]);
  assert.deepEqual([...widgets.columns.keys()], [
    "id",
    ...Object.keys(Widget.shape),
    "company_id",
    "created_at",
    "updated_at",
    "timestamp",
    DELETED_AT,
    "additional_fields",
  ]);
  assert.equal(widgets.incremental, true, "rows with updated_at are read incrementally");
  assert.equal(widgets.path, "/widgets");
});

Deno.test("defineStream: derived values win over flattened ones", () => {
  const widgets = defineStream({
    name: "widgets",
    path: "/widgets",
    description: "Test widgets.",
    scopes: ["public:read"],
    example: EXAMPLE,
    evidence: EVIDENCE,
    record: Widget,
    derive: () => ({ owner_name: null, size: 9 }),
  });
  const { record } = widgets.map({ id: "w1", owner: { name: "Ada" }, size: 3 }, CONTEXT);
  assert.equal(record.owner_name, null);
  assert.equal(record.size, 9);
});

Deno.test("defineStream: invalid values go to context.onInvalid and become null", () => {
  const widgets = defineStream({
    name: "widgets",
    path: "/widgets",
    description: "Test widgets.",
    scopes: ["public:read"],
    example: EXAMPLE,
    evidence: EVIDENCE,
    record: Widget,
  });
  const reported: [string, unknown][] = [];
  const { record, changes } = widgets.map({ id: "w1", size: "big", updatedAt: "later" }, {
    ...CONTEXT,
    onInvalid: (column, value) => reported.push([column, value]),
  });
  assert.equal(record.size, null);
  assert.equal(record.updated_at, null);
  assert.deepEqual(reported, [["size", "big"], ["updated_at", "later"]]);
  // Listed for the RECORD's meta.changes, by column.
  assert.deepEqual(changes, [
    { field: "size", change: "NULLED", reason: "SOURCE_SERIALIZATION_ERROR" },
    { field: "updated_at", change: "NULLED", reason: "SOURCE_SERIALIZATION_ERROR" },
  ]);
  // Not lost: kept under its API key (one rule for every key), beside the fields that have no
  // column, as native JSON.
  assert.deepEqual({ ...record.additional_fields as object }, { size: "big", updatedAt: "later" });
  const both = widgets.map({ id: "w1", size: [1], extra: true, owner: { name: 7 } }, CONTEXT);
  assert.deepEqual(JSON.parse(JSON.stringify(both.record.additional_fields)), {
    extra: true,
    size: [1],
  });
  assert.equal(both.record.owner_name, "7", "a number is text for a string column");
  const nested = widgets.map(
    { id: "w1", owner: { name: { first: "Ada" }, email: "a@x" } },
    CONTEXT,
  );
  assert.deepEqual(JSON.parse(JSON.stringify(nested.record.additional_fields)), {
    owner: { email: "a@x", name: { first: "Ada" } },
  });
  assert.deepEqual(nested.changes.map((change) => change.field), ["owner_name"]);
  assert.deepEqual(widgets.map({ id: "w1", size: 2 }, CONTEXT).changes, [], "none: empty");
});

Deno.test("defineStream supplies the common columns and derives incremental", async (t) => {
  const spec = {
    name: "things",
    path: "/things",
    description: "Things.",
    scopes: ["public:read" as const],
    evidence: EVIDENCE,
    example: EXAMPLE,
  };
  const names = (record: z.ZodObject) =>
    Object.keys(defineStream({ ...spec, record }).record.shape);
  await t.step("id first, created_at, updated_at and timestamp last", () => {
    assert.deepEqual(names(z.object({ name: col.string() })), [
      "id",
      "name",
      "company_id",
      "created_at",
      "updated_at",
      "timestamp",
      DELETED_AT,
      "additional_fields",
    ]);
  });
  await t.step("a declared common column keeps its place (the seed's order)", () => {
    const record = z.object({ id: col.id(), updated_at: col.timestamp(), name: col.string() });
    assert.deepEqual(names(record), [
      "id",
      "updated_at",
      "name",
      "company_id",
      "created_at",
      "timestamp",
      DELETED_AT,
      "additional_fields",
    ]);
  });
  await t.step("untimed rows: no created_at or updated_at, full refresh only", () => {
    const stream = defineStream({ ...spec, untimed: true, record: z.object({}) });
    assert.equal(stream.incremental, false);
    assert.deepEqual(JSON.parse(JSON.stringify(stream.map({ id: "x", more: 1 }, CONTEXT))), {
      record: {
        id: "x",
        company_id: null,
        timestamp: CONTEXT.syncedAt,
        [DELETED_AT]: null,
        additional_fields: { more: 1 },
      },
      changes: [],
    });
  });
  await t.step("company_id: a column of every stream but those of no company", () => {
    const declared = z.object({ name: col.string(), company_id: col.string() });
    assert.deepEqual(names(declared).slice(0, 3), ["id", "name", "company_id"]);
    const companies = defineStream({ ...spec, noCompanyId: true, record: z.object({}) });
    assert.ok(!companies.columns.has("company_id"));
    const stream = defineStream({ ...spec, record: z.object({}) });
    const { record } = stream.map({ id: "x", companyId: "c1" }, CONTEXT);
    assert.equal(record.company_id, "c1");
    assert.equal(record.additional_fields, null, "companyId is a column, not an extra field");
  });
  await t.step("a common column of another kind is refused", () => {
    assert.throws(
      () => defineStream({ ...spec, record: z.object({ updated_at: col.string() }) }),
      /Stream "things" declares "updated_at" as string: it must be timestamp/,
    );
    assert.throws(
      () => defineStream({ ...spec, record: z.object({ id: col.string() }) }),
      /declares "id" as string: it must be id/,
    );
  });
  await t.step("untimed rows that declare a timestamp column are refused", () => {
    assert.throws(
      () =>
        defineStream({ ...spec, untimed: true, record: z.object({ updated_at: col.timestamp() }) }),
      /Stream "things" is untimed but declares created_at or updated_at/,
    );
  });
  await t.step("an initial window needs the cursor", () => {
    assert.throws(
      () => defineStream({ ...spec, untimed: true, initialWindow: true, record: z.object({}) }),
      /Stream "things" has an initial window but no cursor/,
    );
  });
});

function widgets(evidence = EVIDENCE, omit?: string[]) {
  return defineStream({
    name: "widgets",
    path: "/widgets",
    description: "Test widgets.",
    scopes: ["public:read"],
    example: EXAMPLE,
    evidence,
    record: Widget,
    omit,
  });
}

Deno.test("defineStream: every API field without a column is kept in additional_fields", async (t) => {
  const stream = widgets();
  const rows: [string, Record<string, unknown>, unknown][] = [
    ["none: null", { id: "w1", label: "a", owner: { name: "Ada" } }, null],
    ["a scalar", { id: "w1", pronouns: "she/her" }, { pronouns: "she/her" }],
    ["a null field is kept as null", { id: "w1", offboardedAt: null }, { offboardedAt: null }],
    ["an array, as is", { id: "w1", directReports: ["p1", "p2"] }, {
      directReports: ["p1", "p2"],
    }],
    [
      "an object no column flattens, whole",
      { id: "w1", slack: { id: "U1", team: { x: 1 } } },
      { slack: { id: "U1", team: { x: 1 } } },
    ],
    ["the unmapped fields of a flattened object", {
      id: "w1",
      owner: { name: "Ada", email: "a@x" },
    }, { owner: { email: "a@x" } }],
    ["a scalar where an object is flattened", { id: "w1", owner: "Ada" }, { owner: "Ada" }],
    ["a null object whose columns exist maps (to nulls)", { id: "w1", owner: null }, null],
    ["an API field named like the column", { id: "w1", additionalFields: 1 }, {
      additionalFields: 1,
    }],
    [
      "a __proto__ key is a field like any other",
      JSON.parse('{"id":"w1","__proto__":{"a":1}}'),
      JSON.parse('{"__proto__":{"a":1}}'),
    ],
  ];
  for (const [name, raw, expected] of rows) {
    await t.step(name, () => {
      const seen: string[] = [];
      const { record } = stream.map(raw, { ...CONTEXT, onExtra: (field) => seen.push(field) });
      assert.deepEqual(JSON.parse(JSON.stringify(record.additional_fields)), expected);
      assert.equal(seen.length > 0, expected !== null, "onExtra is told of each kept field");
      stream.record.parse(record);
    });
  }
  await t.step("onExtra gets dotted paths", () => {
    const seen: string[] = [];
    stream.map({ id: "w1", owner: { name: "Ada", email: "a@x" }, x: 1 }, {
      ...CONTEXT,
      onExtra: (field) => seen.push(field),
    });
    assert.deepEqual(seen, ["owner.email", "x"]);
  });
  await t.step("rows of the same shape, then of another: each row's own fields", () => {
    const extra = (raw: Record<string, unknown>) =>
      JSON.stringify(stream.map(raw, CONTEXT).record.additional_fields);
    assert.equal(extra({ id: "w1", a: 1, b: 2 }), '{"a":1,"b":2}');
    assert.equal(extra({ id: "w2", a: 3, b: 4 }), '{"a":3,"b":4}');
    assert.equal(extra({ id: "w3", label: "x", b: 5 }), '{"b":5}');
  });
  await t.step("fields left out on purpose are not kept anywhere", () => {
    const { record } = widgets(EVIDENCE, ["calendarFeedToken"]).map(
      { id: "w1", calendarFeedToken: "secret-token", other: 1 },
      CONTEXT,
    );
    assert.equal(JSON.stringify(record.additional_fields), '{"other":1}');
    assert.ok(!JSON.stringify(record).includes("secret-token"));
  });
});

Deno.test("defineStream: a row nested 5000 levels deep maps without a stack overflow", () => {
  let deep: unknown = { leaf: true };
  for (let i = 0; i < 5000; i++) deep = { next: deep };
  const stream = widgets();
  const { record, changes } = stream.map({ id: "w1", deep, owner: deep, label: deep }, CONTEXT);
  const text = JSON.stringify(deep);
  assert.equal(
    JSON.stringify(record.additional_fields),
    `{"deep":${text},"owner":{"next":${text.slice(8, -1)}},"label":${text}}`,
  );
  assert.equal(record.label, null, "an object does not fit a string column: kept whole instead");
  assert.deepEqual(changes.map((change) => change.field), ["label"]);
});

Deno.test("defineStream: additional_fields is described, and guessed fields say so", () => {
  const schema = (stream: ReturnType<typeof widgets>) =>
    Object.fromEntries(
      Object.entries(stream.record.shape).map(([name, field]) => [name, field.description]),
    );
  assert.deepEqual(schema(widgets()), {
    id: undefined,
    label: undefined,
    owner_name: undefined,
    size: undefined,
    company_id: undefined,
    created_at: undefined,
    updated_at: undefined,
    timestamp: undefined,
    [DELETED_AT]: DELETED_AT_DESCRIPTION,
    additional_fields: ADDITIONAL_FIELDS_DESCRIPTION,
  });
  assert.deepEqual(schema(widgets({ path: "likely", fields: "guessed", source: "tests" })), {
    id: undefined,
    label: GUESSED,
    owner_name: GUESSED,
    size: GUESSED,
    company_id: GUESSED,
    created_at: undefined,
    updated_at: undefined,
    timestamp: undefined,
    [DELETED_AT]: DELETED_AT_DESCRIPTION,
    additional_fields: ADDITIONAL_FIELDS_DESCRIPTION,
  });
  assert.throws(
    () =>
      defineStream({
        name: "bad",
        path: "/bad",
        description: "Bad.",
        scopes: ["public:read"],
        example: EXAMPLE,
        evidence: EVIDENCE,
        record: z.object({ id: col.id(), additional_fields: col.string() }),
      }),
    /declares "additional_fields"/,
  );
});

Deno.test("CURSOR names the API field and the record column", () => {
  assert.deepEqual(CURSOR, { api: "updatedAt", column: "updated_at" });
});

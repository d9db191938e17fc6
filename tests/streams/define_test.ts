import assert from "node:assert/strict";
import { z } from "zod";
import { CURSOR, defineStream, DELETED_AT, type MapContext } from "../../src/streams/define.ts";
import { col } from "../../src/streams/fields.ts";

const CONTEXT: MapContext = { syncedAt: "2026-11-28T12:00:00.000Z", today: "2026-11-28" };

const Widget = z.object({
  id: col.id(),
  label: col.string(),
  owner_name: col.string(),
  size: col.integer(),
  updated_at: col.timestamp(),
  timestamp: col.timestamp(),
});

Deno.test("defineStream: map flattens, derives, stamps the sync time and projects", () => {
  const seen: unknown[] = [];
  const widgets = defineStream({
    name: "widgets",
    path: "/widgets",
    description: "Test widgets.",
    scopes: ["public:read"],
    incremental: true,
    record: Widget,
    derive(raw, context) {
      seen.push([raw.id, context.today]);
      return { label: `${raw.name}!` };
    },
  });
  const record = widgets.map({
    id: "w1",
    name: "Gear",
    owner: { name: "Ada" },
    size: "3",
    updatedAt: "2024-03-01T10:00:00+01:00",
    timestamp: "1999-01-01T00:00:00.000Z",
    unknownField: true,
  }, CONTEXT);
  assert.deepEqual(record, {
    id: "w1",
    label: "Gear!",
    owner_name: "Ada",
    size: 3,
    updated_at: "2024-03-01T09:00:00.000Z",
    timestamp: CONTEXT.syncedAt,
    _ab_cdc_deleted_at: null,
  });
  assert.deepEqual(seen, [["w1", "2026-11-28"]]);
  assert.deepEqual([...widgets.columns.keys()], [...Object.keys(Widget.shape), DELETED_AT]);
  assert.equal(widgets.path, "/widgets");
});

Deno.test("defineStream: derived values win over flattened ones", () => {
  const widgets = defineStream({
    name: "widgets",
    path: "/widgets",
    description: "Test widgets.",
    scopes: ["public:read"],
    incremental: false,
    record: Widget,
    derive: () => ({ owner_name: null, size: 9 }),
  });
  const record = widgets.map({ id: "w1", owner: { name: "Ada" }, size: 3 }, CONTEXT);
  assert.equal(record.owner_name, null);
  assert.equal(record.size, 9);
});

Deno.test("defineStream: invalid values go to context.onInvalid and become null", () => {
  const widgets = defineStream({
    name: "widgets",
    path: "/widgets",
    description: "Test widgets.",
    scopes: ["public:read"],
    incremental: true,
    record: Widget,
  });
  const reported: [string, unknown][] = [];
  const record = widgets.map({ id: "w1", size: "big", updatedAt: "later" }, {
    ...CONTEXT,
    onInvalid: (column, value) => reported.push([column, value]),
  });
  assert.equal(record.size, null);
  assert.equal(record.updated_at, null);
  assert.deepEqual(reported, [["size", "big"], ["updated_at", "later"]]);
});

Deno.test("defineStream rejects a schema without id, or an incremental one without the cursor", async (t) => {
  await t.step("no id", () => {
    assert.throws(
      () =>
        defineStream({
          name: "bad",
          path: "/bad",
          description: "Bad.",
          scopes: ["public:read"],
          incremental: false,
          record: z.object({ name: col.string() }),
        }),
      /Stream "bad" has no "id" column/,
    );
  });
  await t.step("incremental without updated_at", () => {
    assert.throws(
      () =>
        defineStream({
          name: "bad",
          path: "/bad",
          description: "Bad.",
          scopes: ["public:read"],
          incremental: true,
          record: z.object({ id: col.id() }),
        }),
      /Incremental stream "bad" has no "updated_at" column/,
    );
  });
  await t.step("full refresh without updated_at is fine", () => {
    const stream = defineStream({
      name: "ok",
      path: "/ok",
      description: "Ok.",
      scopes: ["public:read"],
      incremental: false,
      record: z.object({ id: col.id() }),
    });
    assert.deepEqual(stream.map({ id: "x", more: 1 }, CONTEXT), {
      id: "x",
      [DELETED_AT]: null,
    });
  });
});

Deno.test("CURSOR names the API field and the record column", () => {
  assert.deepEqual(CURSOR, { api: "updatedAt", column: "updated_at" });
});

import assert from "node:assert/strict";
import type { ColumnKind } from "../../src/streams/fields.ts";
import { mapRow, rowMapping } from "../../src/streams/mapping.ts";

/** A column list built at run time (as a stream of custom fields builds it at discover time). */
function columns(...entries: [string, ColumnKind][]): Map<string, ColumnKind> {
  return new Map([["id", "id"], ...entries, ["timestamp", "timestamp"], [
    "additional_fields",
    "object",
  ]]);
}

const json = (value: unknown) => JSON.parse(JSON.stringify(value));

Deno.test("mapRow: a column list made at run time maps like a declared one", () => {
  const mapping = rowMapping(columns(["shirt_size", "string"], ["start_bonus", "number"]));
  const { record, changes } = mapRow(mapping, {
    id: 7,
    shirtSize: "M",
    startBonus: "1500.50",
    other: true,
  }, { syncedAt: "2026-11-28T12:00:00.000Z" });
  assert.deepEqual(json(record), {
    id: "7",
    shirt_size: "M",
    start_bonus: 1500.5,
    timestamp: "2026-11-28T12:00:00.000Z",
    additional_fields: { other: true },
  });
  assert.deepEqual(changes, []);
});

Deno.test("mapRow: the id is rowId's (a blank or missing id is null)", () => {
  const mapping = rowMapping(columns());
  assert.equal(mapRow(mapping, { id: "a" }).record.id, "a");
  assert.equal(mapRow(mapping, { id: 12 }).record.id, "12");
  assert.equal(mapRow(mapping, { id: " " }).record.id, null);
  assert.equal(mapRow(mapping, {}).record.id, null);
});

Deno.test("mapRow: a misfit is nulled, listed, and kept under its API path", () => {
  const mapping = rowMapping(columns(["duration_hours", "integer"], ["amount", "number"]));
  const reported: string[] = [];
  const { record, changes } = mapRow(mapping, {
    id: "x",
    duration: { hours: "eight", minutes: 3 },
    amount: "70k",
  }, { onInvalid: (column) => reported.push(column) });
  assert.equal(record.duration_hours, null);
  assert.equal(record.amount, null);
  assert.deepEqual(json(record.additional_fields), {
    duration: { minutes: 3, hours: "eight" },
    amount: "70k",
  });
  assert.deepEqual(changes.map((change) => change.field), ["duration_hours", "amount"]);
  assert.deepEqual(reported, ["duration_hours", "amount"]);
});

Deno.test("mapRow: a derived misfit is listed but has no API key to be kept under", () => {
  const mapping = rowMapping(columns(["size", "integer"]));
  const { record, changes } = mapRow(mapping, { id: "x" }, { derived: { size: "big" } });
  assert.equal(record.size, null);
  assert.equal(record.additional_fields, null);
  assert.deepEqual(changes, [
    { field: "size", change: "NULLED", reason: "SOURCE_SERIALIZATION_ERROR" },
  ]);
});

Deno.test("mapRow: rows whose keys change order or shape map each by its own keys", () => {
  const mapping = rowMapping(columns(["a", "string"], ["b_c", "string"]));
  const rows = [
    { id: "1", a: "x", b: { c: "y" } },
    { id: "2", b: { c: "z" }, a: "w" },
    { id: "3", b: "flat", extra: 1 },
    { id: "4", a: "v", b: { c: "u", d: 2 } },
  ];
  assert.deepEqual(rows.map((row) => json(mapRow(mapping, row).record)), [
    { id: "1", a: "x", b_c: "y", timestamp: null, additional_fields: null },
    { id: "2", a: "w", b_c: "z", timestamp: null, additional_fields: null },
    { id: "3", a: null, b_c: null, timestamp: null, additional_fields: { b: "flat", extra: 1 } },
    { id: "4", a: "v", b_c: "u", timestamp: null, additional_fields: { b: { d: 2 } } },
  ]);
});

Deno.test("mapRow: objects and arrays stay native; JSON text columns stringify them", () => {
  const mapping = rowMapping(columns(["tags", "json"], ["teams", "array"], ["slack", "object"]));
  const { record } = mapRow(mapping, {
    id: "x",
    tags: ["a"],
    teams: [{ name: "Core" }],
    slack: { id: "U1" },
  });
  assert.equal(record.tags, '["a"]');
  assert.deepEqual(record.teams, [{ name: "Core" }]);
  assert.deepEqual(record.slack, { id: "U1" });
});

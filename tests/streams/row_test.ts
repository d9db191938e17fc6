import assert from "node:assert/strict";
import { rowCursor, rowId } from "../../src/streams/row.ts";

Deno.test("rowId: a non-blank string or a finite number, nothing else", () => {
  assert.equal(rowId({ id: "abc" }), "abc");
  assert.equal(rowId({ id: 42 }), "42");
  assert.equal(rowId({ id: " " }), undefined);
  assert.equal(rowId({ id: null }), undefined);
  assert.equal(rowId({ id: Infinity }), undefined);
  assert.equal(rowId({}), undefined);
  assert.equal(rowId(null), undefined);
  assert.equal(rowId([{ id: "a" }]), undefined);
  assert.equal(rowId("a"), undefined);
});

Deno.test("rowCursor: updatedAt as a canonical UTC timestamp, or undefined", () => {
  assert.equal(rowCursor({ updatedAt: "2026-01-02T03:04:05Z" }), "2026-01-02T03:04:05.000Z");
  assert.equal(rowCursor({ updatedAt: "2026-01-02T03:04:05.123Z" }), "2026-01-02T03:04:05.123Z");
  assert.equal(rowCursor({ updatedAt: null }), undefined);
  assert.equal(rowCursor({ updatedAt: "soon" }), undefined);
  assert.equal(rowCursor({}), undefined);
  assert.equal(rowCursor(null), undefined);
});

import assert from "node:assert/strict";
import {
  ceilingOf,
  claimOf,
  CLOCK_SKEW_MS,
  IDS_AT_CURSOR_CAP,
  sameClaim,
  type SliceMark,
} from "../../src/sync/checkpoint.ts";

const CEILING = "2026-11-28T11:59:00.000Z";
const T1 = "2026-01-01T00:00:00.000Z";
const T2 = "2026-02-01T00:00:00.000Z";
const T3 = "2026-03-01T00:00:00.000Z";

function mark(at: string | undefined, ids: string[], how: Partial<SliceMark> = {}): SliceMark {
  return { key: { at, ids }, done: false, reached: true, ...how };
}

Deno.test("one slice: the claim is its key, with the ids read at it", () => {
  assert.deepEqual(claimOf([mark(T1, ["a", "b"])], { ceiling: CEILING }), {
    updated_at: T1,
    ids_at_cursor: ["a", "b"],
  });
  assert.deepEqual(claimOf([mark(T1, [])], { ceiling: CEILING }), { updated_at: T1 });
});

Deno.test("slices: the claim stops at the lowest slice not done, whatever the ones above read", () => {
  const slices = [
    mark(T1, ["a"], { done: true }),
    mark(T2, ["b"]),
    mark(T3, ["c"], { done: true }),
  ];
  assert.deepEqual(claimOf(slices, { ceiling: CEILING }), {
    updated_at: T2,
    ids_at_cursor: ["b"],
  });
  // Every slice done: the last key reached.
  const done = slices.map((s) => ({ ...s, done: true }));
  assert.equal(claimOf(done, { ceiling: CEILING })!.updated_at, T3);
});

Deno.test("a slice not started claims no further than the rows read below it", () => {
  // The lowest unfinished slice has read nothing: its key is only its bound.
  const slices = [mark(T1, ["a"], { done: true }), mark(T2, [], { reached: false })];
  assert.deepEqual(claimOf(slices, { ceiling: CEILING }), { updated_at: T1, ids_at_cursor: ["a"] });
  // An empty tail, done: the claim stays at the last row read, not at the tail's bound.
  const tail = mark(CEILING, [], { reached: false, done: true });
  assert.equal(claimOf([{ ...slices[0] }, tail], { ceiling: CEILING })!.updated_at, T1);
});

Deno.test("no claim passes the ceiling, and a capped claim lists no ids", () => {
  const late = "2026-11-28T11:59:30.000Z";
  assert.deepEqual(claimOf([mark(late, ["a"])], { ceiling: CEILING }), { updated_at: CEILING });
  assert.equal(ceilingOf(Date.parse("2026-11-28T12:00:00.000Z")), CEILING);
  assert.equal(CLOCK_SKEW_MS, 60_000);
});

Deno.test("no dated row yet: no claim mid-read, the ceiling at the end", () => {
  assert.equal(claimOf([mark(undefined, [])], { ceiling: CEILING }), undefined);
  assert.deepEqual(
    claimOf([mark(undefined, [], { done: true })], {
      ceiling: CEILING,
      final: true,
    }),
    { updated_at: CEILING },
  );
});

Deno.test("ids at the cursor are capped", () => {
  const ids = Array.from({ length: IDS_AT_CURSOR_CAP + 5 }, (_, i) => `id${i}`);
  const claim = claimOf([mark(T1, ids)], { ceiling: CEILING })!;
  assert.equal(claim.ids_at_cursor!.length, IDS_AT_CURSOR_CAP);
  assert.deepEqual(claim.ids_at_cursor, ids.slice(0, IDS_AT_CURSOR_CAP));
});

Deno.test("sameClaim: same cursor and as many ids", () => {
  assert.equal(sameClaim({ updated_at: T1 }, { updated_at: T1 }), true);
  assert.equal(sameClaim({ updated_at: T1 }, { updated_at: T1, ids_at_cursor: ["a"] }), false);
  assert.equal(sameClaim({ updated_at: T1 }, { updated_at: T2 }), false);
  assert.equal(sameClaim(undefined, { updated_at: T1 }), false);
});

import assert from "node:assert/strict";
import { Checkpoint, type CheckpointOptions, type CursorState } from "../../src/sync/checkpoint.ts";

const CEILING = "2026-11-28T11:59:00.000Z";
const t = (minute: number) => `2026-11-01T00:${String(minute).padStart(2, "0")}:00.000Z`;

/** Feeds pages of [cursor, id] rows; returns the claims made before each page and at the end. */
function run(
  pages: [string | null, string][][],
  options: Partial<CheckpointOptions> = {},
  proven: boolean[] = [],
): { claims: (CursorState | undefined)[]; final?: CursorState; written: string[]; c: Checkpoint } {
  const c = new Checkpoint({
    serverFilters: true,
    descending: [t(59), t(58)],
    ceiling: CEILING,
    ...options,
  });
  const claims: (CursorState | undefined)[] = [];
  const written: string[] = [];
  pages.forEach((rows, index) => {
    const first = rows.find(([cursor]) => cursor !== null)?.[0] ?? undefined;
    claims.push(c.beforePage(index, { firstCursor: first, proven: proven[index] ?? true }));
    for (const [cursor, id] of rows) if (c.admit(cursor, id)) written.push(id);
  });
  return { claims, final: c.final().state, written, c };
}

Deno.test("a sorted, filtering server: each page's claim comes before the next page", () => {
  const { claims, final } = run([
    [[t(1), "a"], [t(2), "b"]],
    [[t(3), "c"], [t(3), "d"]],
    [[t(4), "e"]],
  ]);
  assert.deepEqual(claims, [
    undefined,
    { updated_at: t(2), ids_at_cursor: ["b"] },
    { updated_at: t(3), ids_at_cursor: ["c", "d"] },
  ]);
  assert.deepEqual(final, { updated_at: t(4), ids_at_cursor: ["e"] });
});

Deno.test("sort not proven: no claim until the end", async (s) => {
  const cases: [string, Partial<CheckpointOptions>][] = [
    ["no descending probe", { descending: [] }],
    ["the probe came back ascending", { descending: [t(1), t(2)] }],
    // A server that ignores $sort returns the same first row both ways.
    ["the probe's first row is the first page's first row", { descending: [t(1), t(0)] }],
    ["a probe value that is not a date", { descending: [undefined] }],
    ["the server does not filter", { serverFilters: false }],
  ];
  for (const [name, options] of cases) {
    await s.step(name, () => {
      const { claims, final } = run([[[t(1), "a"], [t(2), "b"]], [[t(3), "c"]]], options);
      assert.deepEqual(claims, [undefined, undefined]);
      assert.deepEqual(final, { updated_at: t(3), ids_at_cursor: ["c"] });
    });
  }
});

Deno.test("a page whose first row is before the previous page's last: no claim over it", () => {
  // Sorted within each page but not across: the second page's first row gives it away before
  // the first page's claim is made.
  const { claims, final, c } = run([
    [[t(5), "a"], [t(9), "b"]],
    [[t(2), "c"], [t(7), "d"]],
    [[t(10), "e"]],
  ]);
  assert.deepEqual(claims, [undefined, undefined, undefined]);
  assert.deepEqual(c.disorder, { page: 1 });
  assert.deepEqual(final, { updated_at: t(10), ids_at_cursor: ["e"] }, "all rows read by the end");
});

Deno.test("rows out of order within a page stop claims from the next page on", () => {
  const { claims, c } = run([[[t(1), "a"], [t(3), "b"]], [[t(4), "c"], [t(2), "d"]], [[
    t(6),
    "e",
  ]]]);
  assert.deepEqual(claims, [undefined, { updated_at: t(3), ids_at_cursor: ["b"] }, undefined]);
  assert.deepEqual(c.disorder, { page: 1 });
});

Deno.test("a row below the lower bound (filter ignored) stops claims", () => {
  const { claims, written, c } = run([[[t(1), "a"], [t(5), "b"]], [[t(6), "c"]]], {
    lowerBound: t(3),
  });
  assert.deepEqual(written, ["b", "c"]);
  assert.equal(c.outside, 1);
  assert.deepEqual(claims, [undefined, undefined]);
});

Deno.test("an unproven page boundary: claims stop at the claim before it", () => {
  const { claims, final, c } = run(
    [[[t(1), "a"]], [[t(2), "b"]], [[t(3), "c"]], [[t(4), "d"]]],
    {},
    [true, true, false, true],
  );
  assert.deepEqual(claims, [
    undefined,
    { updated_at: t(1), ids_at_cursor: ["a"] },
    undefined,
    undefined,
  ]);
  assert.deepEqual(c.gap, { cursor: t(2), page: 2 });
  assert.deepEqual(final, { updated_at: t(2), ids_at_cursor: ["b"] });
});

Deno.test("an unproven boundary with nothing claimable before it: no claim at all", () => {
  const { final, c } = run([[[t(1), "a"]], [[t(2), "b"]]], { descending: [] }, [true, false]);
  assert.deepEqual(c.gap, { cursor: null, page: 1 });
  assert.equal(final, undefined);
});

Deno.test("no claim passes the ceiling, and a capped claim lists no ids", () => {
  const future = "2027-01-01T00:00:00.000Z";
  const { claims, final } = run([[[t(1), "a"]], [[future, "b"]], [[
    "2027-02-01T00:00:00.000Z",
    "c",
  ]]], {
    descending: [future],
  });
  assert.deepEqual(claims[2], { updated_at: CEILING });
  assert.deepEqual(final, { updated_at: CEILING });
});

Deno.test("ties at the input cursor: listed ids are skipped, and stay listed", () => {
  const cursor = t(5);
  const options = { cursor, lowerBound: cursor, idsAtCursor: ["a", "b"] };
  // Nothing changed: the tied rows come back and are skipped; the state stays the same.
  const same = run([[[cursor, "a"], [cursor, "b"]]], options);
  assert.deepEqual(same.written, []);
  assert.equal(same.c.known, 2);
  assert.deepEqual(same.final, { updated_at: cursor, ids_at_cursor: ["a", "b"] });
  // A third row at the cursor is new; a changed row has a later cursor.
  const more = run([[[cursor, "a"], [cursor, "b"], [cursor, "c"], [t(6), "a"]]], options);
  assert.deepEqual(more.written, ["c", "a"]);
  assert.deepEqual(more.final, { updated_at: t(6), ids_at_cursor: ["a"] });
  // Without ids (an old state): at-least-once, every tied row again.
  const old = run([[[cursor, "a"], [cursor, "b"]]], { cursor, lowerBound: cursor });
  assert.deepEqual(old.written, ["a", "b"]);
  // No row at all: the state keeps its ids.
  const none = run([[]], options);
  assert.deepEqual(none.final, { updated_at: cursor, ids_at_cursor: ["a", "b"] });
});

Deno.test("ids at the cursor are capped; rows past the cap are read again next time", () => {
  const rows: [string, string][] = Array.from({ length: 5 }, (_, i) => [t(1), `id${i}`]);
  const { final } = run([rows], { cap: 3 });
  assert.deepEqual(final, { updated_at: t(1), ids_at_cursor: ["id0", "id1", "id2"] });
  const next = run([rows], {
    cap: 3,
    cursor: t(1),
    lowerBound: t(1),
    idsAtCursor: final!.ids_at_cursor,
  });
  assert.deepEqual(next.written, ["id3", "id4"]);
});

Deno.test("rows without a cursor are written and claim nothing", () => {
  const { written, final } = run([[[null, "a"], [t(2), "b"], [null, "c"]]]);
  assert.deepEqual(written, ["a", "b", "c"]);
  assert.deepEqual(final, { updated_at: t(2), ids_at_cursor: ["b"] });
});

Deno.test("final says whether the claim changed since the last one", () => {
  const c = new Checkpoint({ serverFilters: true, descending: [t(59)], ceiling: CEILING });
  c.beforePage(0, { firstCursor: t(1), proven: true });
  c.admit(t(1), "a");
  assert.deepEqual(c.beforePage(1, { firstCursor: undefined, proven: true }), {
    updated_at: t(1),
    ids_at_cursor: ["a"],
  });
  assert.deepEqual(c.final(), {
    state: { updated_at: t(1), ids_at_cursor: ["a"] },
    changed: false,
  });
  assert.equal(c.lastClaim, t(1));
});

Deno.test("an empty read (no row, no lower bound) claims the ceiling at the end", () => {
  const { claims, final } = run([[], [[null, "a"]]]);
  assert.deepEqual(claims, [undefined, undefined]);
  assert.deepEqual(final, { updated_at: CEILING });
});

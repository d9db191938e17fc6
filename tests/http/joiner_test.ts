import assert from "node:assert/strict";
import { ConnectorError } from "../../src/errors.ts";
import {
  BUDGET_BASE,
  BUDGET_PER_PAGE,
  isRepeat,
  Joiner,
  PagingBudget,
  type RowKeys,
  seenOf,
  shiftOf,
} from "../../src/http/joiner.ts";

interface Row {
  id: string;
  updatedAt: string;
}

const keys: RowKeys = {
  idOf: (row) => (row as Row).id,
  versionOf: (row) => (row as Row).updatedAt,
};

function rows(count: number, from = 0): Row[] {
  return Array.from({ length: count }, (_, i) => ({ id: `r${from + i}`, updatedAt: "v1" }));
}

function joiner(pageSize = 10, overlap = 2): Joiner {
  return new Joiner({ path: "/people", pageSize, overlap, keys });
}

/**
 * Pages through `list` as the paginator does, without a server: `serve` answers a request at
 * `$skip` with `$limit`, re-reads included. Returns the ids yielded and the requests made.
 */
function drive(
  list: Row[],
  options: {
    pageSize: number;
    overlap: number;
    serve?: (skip: number, limit: number, n: number) => { total: number; data: Row[] };
  },
) {
  const serve = options.serve ??
    ((skip: number, limit: number) => ({
      total: list.length,
      data: list.slice(skip, skip + limit),
    }));
  const j = joiner(options.pageSize, options.overlap);
  const requests: number[] = [];
  const get = (skip: number) => {
    requests.push(skip);
    return serve(skip, options.pageSize, requests.length);
  };
  const seen: string[] = [];
  let envelope = get(0);
  j.first(envelope);
  let start = 0;
  let last: ReturnType<Joiner["take"]> | undefined;
  for (let index = 0; index < 10_000; index++) {
    if (index > 0) {
      envelope = get(start);
      if (j.needsReread(envelope.data)) {
        for (let back = j.rereadBack, at = start; at > 0 && j.budget.canReread(); back *= 2) {
          at = Math.max(0, at - back);
          const again = get(at);
          j.budget.reread();
          if (j.joins(again.data)) {
            envelope = again;
            start = at;
            break;
          }
        }
      }
    }
    last = j.take(envelope, { start, index, proven: true });
    seen.push(...last.data.map((row) => (row as Row).id));
    if (last.next === undefined) break;
    start = last.next;
  }
  return { seen, requests, last: last!, joiner: j };
}

Deno.test("seenOf, isRepeat and shiftOf tell repeated rows and how far they moved", () => {
  const page = rows(4, 10);
  const seen = seenOf(page, { start: 10, keys });
  assert.deepEqual(seen.get("r12"), { version: "v1", offset: 12 });
  assert.ok(isRepeat({ id: "r12", updatedAt: "v1" }, seen, keys));
  assert.ok(!isRepeat({ id: "r12", updatedAt: "v2" }, seen, keys), "a changed row is new");
  assert.ok(!isRepeat({ id: "r99", updatedAt: "v1" }, seen, keys));
  // Read again at 9, the rows that were at 12 and 13 are now at 10 and 11: they moved by 2.
  const again = [rows(1, 5)[0], rows(1, 6)[0], page[2], page[3]];
  const repeats = again.map((row) => isRepeat(row, seen, keys));
  assert.deepEqual(repeats, [false, false, true, true]);
  assert.equal(shiftOf(again, seen, { start: 8, repeats, idOf: keys.idOf }), 2);
});

Deno.test("the next page starts from the rows received, less the overlap", () => {
  const j = joiner(10, 2);
  j.first({ total: 100, limit: 10, data: rows(10) });
  assert.equal(
    j.take({ total: 100, data: rows(10) }, { start: 0, index: 0, proven: true }).next,
    8,
  );
  // A short page that is not the end: 6 rows from 8 (2 repeated): the next starts at 14 - 2.
  const short = j.take({ total: 100, data: rows(6, 8) }, { start: 8, index: 1, proven: true });
  assert.deepEqual(short.data.map((r) => (r as Row).id), ["r10", "r11", "r12", "r13"]);
  assert.equal(short.next, 12);
  // A 3-row page overlaps by 1 at most, so paging always moves on.
  const tiny = j.take({ total: 100, data: rows(3, 12) }, { start: 12, index: 2, proven: true });
  assert.deepEqual(tiny.data.map((r) => (r as Row).id), ["r14"]);
  assert.equal(tiny.next, 14);
});

Deno.test("the list ends at a short page that reaches total, not at a full one", () => {
  const j = joiner(10, 0);
  j.first({ total: 20, limit: 10, data: rows(10) });
  assert.equal(
    j.take({ total: 20, data: rows(10) }, { start: 0, index: 0, proven: true }).next,
    10,
  );
  const full = j.take({ total: 20, data: rows(10, 10) }, { start: 10, index: 1, proven: true });
  assert.equal(full.next, 20, "a full page at total may not be the last: the total may be low");
  const empty = j.take({ total: 20, data: [] }, { start: 20, index: 2, proven: true });
  assert.equal(empty.next, undefined);
  assert.equal(empty.shortfall, undefined);
  const k = joiner(10, 0);
  k.first({ total: 15, limit: 10, data: rows(10) });
  k.take({ total: 15, data: rows(10) }, { start: 0, index: 0, proven: true });
  const last = k.take({ total: 15, data: rows(5, 10) }, { start: 10, index: 1, proven: true });
  assert.equal(last.next, undefined);
});

Deno.test("a page longer than $limit that reaches total ends the list", () => {
  const j = joiner(10, 2);
  j.first({ total: 30, limit: 10, data: rows(30) });
  const all = j.take({ total: 30, data: rows(30) }, { start: 0, index: 0, proven: true });
  assert.equal(all.data.length, 30);
  assert.equal(all.next, undefined);
});

Deno.test("rows past total prove it wrong: only an empty page ends the list then", () => {
  const j = joiner(10, 2);
  j.first({ total: 5, limit: 10, data: rows(10) });
  const first = j.take({ total: 5, data: rows(10) }, { start: 0, index: 0, proven: true });
  assert.ok(j.totalWrong);
  assert.equal(first.next, 8);
  // A short page past a total that lied does not end the list; one that adds no row asks
  // just past it, with no overlap.
  const short = j.take({ total: 5, data: rows(4, 8) }, { start: 8, index: 1, proven: true });
  assert.equal(short.next, 10);
  const repeat = j.take({ total: 5, data: rows(2, 10) }, { start: 10, index: 2, proven: true });
  assert.deepEqual(repeat.data, [], "only the overlap came back");
  assert.equal(repeat.next, 11, "halfway through it");
  const one = j.take({ total: 5, data: rows(1, 11) }, { start: 11, index: 3, proven: true });
  assert.equal(one.next, 12, "just past a single repeated row");
  assert.ok(!j.needsReread([]), "a page asked without overlap is not read again");
  const end = j.take({ total: 5, data: [] }, { start: 12, index: 4, proven: true });
  assert.ok(end.proven, "an empty page after it ends the list, proven");
  assert.equal(end.next, undefined);
  assert.equal(end.shortfall, undefined, "a total proven wrong counts no shortfall");
});

Deno.test("an empty page below the server's own total ends the list with a shortfall", () => {
  const result = drive(rows(300), {
    pageSize: 100,
    overlap: 4,
    serve: (skip, limit) => ({
      total: 300,
      data: rows(300).slice(skip, Math.min(skip + limit, 100)),
    }),
  });
  assert.deepEqual(result.seen, rows(100).map((r) => r.id));
  assert.equal(result.last.shortfall, 200);
  // The last row is asked for again while the budget lasts: the server may serve more.
  assert.ok(result.requests.length <= 4 + BUDGET_BASE + 4 * BUDGET_PER_PAGE, `${result.requests}`);
});

Deno.test("a page with the rows of the page before, further on, means $skip is ignored", () => {
  const j = joiner(10, 2);
  j.first({ total: 1e9, limit: 10, data: rows(10) });
  j.take({ total: 1e9, data: rows(10) }, { start: 0, index: 0, proven: true });
  assert.throws(
    () => j.take({ total: 1e9, data: rows(10) }, { start: 8, index: 1, proven: true }),
    (error: unknown) => {
      assert.ok(error instanceof ConnectorError);
      assert.equal(error.failureType, "system_error");
      assert.equal(
        error.message,
        "GET /people returned the same page for $skip=8 as for $skip=0: the API ignores $skip, so rows past the first 10 cannot be read; check that base_url points at the Humaans API",
      );
      return true;
    },
  );
});

Deno.test("the same rows found further back (rows deleted before them) are not an ignored $skip", () => {
  const j = joiner(10, 2);
  j.first({ total: 100, limit: 10, data: rows(10) });
  j.take({ total: 100, data: rows(10) }, { start: 0, index: 0, proven: true });
  j.take({ total: 100, data: rows(10, 8) }, { start: 8, index: 1, proven: true });
  const back = j.take({ total: 100, data: rows(10, 8) }, { start: 4, index: 2, proven: true });
  assert.deepEqual(back.data, []);
});

Deno.test("PagingBudget: allowance grows with headway within the first total", () => {
  const budget = new PagingBudget();
  budget.begin({ step: 10, total: 100 });
  assert.equal(budget.allowance, BUDGET_BASE);
  assert.ok(budget.page({ start: 0, end: 10 }));
  assert.equal(budget.allowance, BUDGET_BASE + BUDGET_PER_PAGE);
  // A page that makes no headway earns nothing.
  budget.page({ start: 5, end: 10 });
  assert.equal(budget.allowance, BUDGET_BASE + BUDGET_PER_PAGE);
  budget.page({ start: 90, end: 100 });
  assert.equal(budget.allowance, BUDGET_BASE + 10 * BUDGET_PER_PAGE);
  for (let i = 0; i < budget.allowance; i++) budget.reread();
  assert.ok(!budget.canReread());
  // Pages past the first total spend it; beyond the allowance paging must stop.
  const allowance = budget.allowance;
  for (let i = 0; i < allowance; i++) assert.ok(budget.page({ start: 100 + i, end: 101 + i }));
  assert.equal(budget.allowance, allowance, "rows past the total earn nothing");
  assert.ok(!budget.page({ start: 200, end: 210 }));
});

Deno.test("a list that grows faster than it is read fails, naming the path", () => {
  let grown = 30;
  assert.throws(
    () =>
      drive([], {
        pageSize: 10,
        overlap: 2,
        serve: (skip, limit) => {
          grown += 10;
          return { total: grown, data: rows(Math.max(0, Math.min(limit, grown - skip)), skip) };
        },
      }),
    /^ConnectorError: GET \/people read \d+ pages past the 40 rows its first page counted: rows are added faster than they can be read/,
  );
});

Deno.test("every row is read, whatever the page lengths and the total say", async (t) => {
  const list = rows(237);
  const cases: [
    string,
    (skip: number, limit: number, n: number) => { total: number; data: Row[] },
  ][] = [
    ["honest", (skip, limit) => ({ total: 237, data: list.slice(skip, skip + limit) })],
    [
      "short pages, varying",
      (skip, limit, n) => ({
        total: 237,
        data: list.slice(skip, skip + (skip === 0 ? limit : 1 + (n * 7) % limit)),
      }),
    ],
    ["total a third", (skip, limit) => ({ total: 79, data: list.slice(skip, skip + limit) })],
    ["total 1e9", (skip, limit) => ({ total: 1e9, data: list.slice(skip, skip + limit) })],
    [
      "short pages and a low total",
      // A total too low by more than 2 pages per page of it fails instead (see PagingBudget).
      (skip, limit, n) => ({ total: 100, data: list.slice(skip, skip + 1 + (n * 5) % limit) }),
    ],
  ];
  for (const [name, serve] of cases) {
    for (const [pageSize, overlap] of [[20, 1], [25, 4], [7, 3], [1, 0]]) {
      await t.step(`${name}, pages of ${pageSize}, overlap ${overlap}`, () => {
        const result = drive(list, { pageSize, overlap, serve });
        assert.deepEqual(result.seen, list.map((r) => r.id));
        assert.ok(result.requests.length < 4 * 237, `${result.requests.length} requests`);
      });
    }
  }
});

Deno.test("steady: pages ahead are foretold only after full pages or equal short ones", () => {
  const j = joiner(10, 0);
  j.first({ total: 100, limit: 10, data: rows(10) });
  j.take({ total: 100, data: rows(10) }, { start: 0, index: 0, proven: true });
  assert.ok(j.steady);
  j.take({ total: 100, data: rows(5, 10) }, { start: 10, index: 1, proven: true });
  assert.ok(!j.steady);
  j.take({ total: 100, data: rows(5, 15) }, { start: 15, index: 2, proven: true });
  assert.ok(j.steady, "a steady shorter page");
  assert.equal(j.ahead(20, { i: 2, length: 5 }), 30);
});

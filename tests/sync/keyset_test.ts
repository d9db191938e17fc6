import assert from "node:assert/strict";
import type { Clock } from "../../src/clock.ts";
import { ConnectorError } from "../../src/errors.ts";
import { HumaansClient } from "../../src/http/client.ts";
import {
  isCovered,
  type KeysetOptions,
  type KeysetPage,
  keysetPages,
  KeysetRefused,
} from "../../src/sync/keyset.ts";

const NOW = "2026-11-28T12:00:00.000Z";
const CEILING = "2026-11-28T11:59:00.000Z";

interface Row {
  id: string;
  updatedAt: string;
}

/** `count` rows, one a minute up to an hour before NOW; `tied` more at the same instant. */
function rows(count: number, options: { tied?: number; at?: string } = {}): Row[] {
  const out: Row[] = [];
  for (let i = 0; i < count; i++) {
    const at = new Date(Date.parse(NOW) - 3_600_000 - (count - i) * 60_000).toISOString();
    out.push({ id: `r${String(i).padStart(5, "0")}`, updatedAt: at });
  }
  for (let i = 0; i < (options.tied ?? 0); i++) {
    out.push({ id: `t${String(i).padStart(5, "0")}`, updatedAt: options.at ?? CEILING });
  }
  return out;
}

interface Deviations {
  ignoreFilter?: boolean;
  ignoreSort?: boolean;
  ignoreIdSort?: boolean;
  ignoreSkip?: boolean;
  ignoreLt?: boolean;
  /** Rows served by pages with a lower bound (fewer than `$limit`); total unchanged. */
  short?: number;
}

/** An in-memory list endpoint that filters on updatedAt and sorts by (updatedAt, id). */
function listServer(data: Row[], deviations: Deviations = {}) {
  const requests: URLSearchParams[] = [];
  const fetch = (input: string | URL | Request): Promise<Response> => {
    const params = new URL(input instanceof Request ? input.url : input).searchParams;
    requests.push(params);
    const gte = params.get("updatedAt[$gte]");
    const lt = params.get("updatedAt[$lt]");
    let selected = deviations.ignoreFilter
      ? [...data]
      : data.filter((row) =>
        (gte === null || row.updatedAt >= gte) &&
        (lt === null || deviations.ignoreLt || row.updatedAt < lt)
      );
    if (!deviations.ignoreSort) {
      selected = selected.toSorted((a, b) =>
        a.updatedAt < b.updatedAt
          ? -1
          : a.updatedAt > b.updatedAt
          ? 1
          : deviations.ignoreIdSort
          ? (a.id < b.id ? 1 : -1)
          : (a.id < b.id ? -1 : 1)
      );
    }
    const limit = Number(params.get("$limit") ?? 100);
    const skip = deviations.ignoreSkip ? 0 : Number(params.get("$skip") ?? 0);
    const served = deviations.short && gte !== null ? deviations.short : limit;
    const page = selected.slice(skip, skip + Math.min(limit, served));
    return Promise.resolve(Response.json({ total: selected.length, limit, skip, data: page }));
  };
  return { fetch: fetch as typeof globalThis.fetch, requests };
}

const clock: Clock = {
  now: () => Date.parse(NOW),
  sleep: () => Promise.resolve(),
  timeout: () => new AbortController().signal,
  random: () => 0.5,
};

function clientFor(fetch: typeof globalThis.fetch): HumaansClient {
  return new HumaansClient({
    baseUrl: "http://127.0.0.1:9/api",
    token: "test-token-abcdef",
    timeoutMs: 30_000,
    retryAttempts: 0,
    clock,
    fetch,
  });
}

async function read(
  server: ReturnType<typeof listServer>,
  options: Partial<KeysetOptions> = {},
): Promise<KeysetPage[]> {
  const pages: KeysetPage[] = [];
  for await (
    const page of keysetPages(clientFor(server.fetch), "/job-roles", {
      start: NOW,
      ceiling: CEILING,
      pageSize: 10,
      concurrency: 1,
      ...options,
    })
  ) pages.push(page);
  return pages;
}

function ids(pages: KeysetPage[]): string[] {
  return pages.flatMap((page) => page.rows.map((row) => (row as Row).id));
}

Deno.test("a well-behaved server: every row once, one request a page, no $skip", async () => {
  const data = rows(35);
  const server = listServer(data);
  const pages = await read(server);
  assert.deepEqual(ids(pages), data.map((row) => row.id));
  assert.equal(server.requests.length, 4, "35 rows, 10 a page");
  for (const query of server.requests) {
    assert.equal(query.get("$sort[updatedAt]"), "1");
    assert.equal(query.get("$sort[id]"), "1");
    assert.equal(query.get("$skip"), null);
  }
  assert.equal(server.requests[0].get("updatedAt[$gte]"), "0001-01-01T00:00:00.000Z");
  assert.equal(server.requests[1].get("updatedAt[$gte]"), data[9].updatedAt);
  // Each claim is the key of a page before it, proven by the next page's count; the last, all.
  assert.equal(pages.at(-1)!.claim!.updated_at, data.at(-1)!.updatedAt);
});

Deno.test("an incremental read where nothing changed: one request", async () => {
  const data = rows(35);
  const last = data.at(-1)!;
  const server = listServer(data);
  const pages = await read(server, { lower: last.updatedAt, idsAtLower: [last.id] });
  assert.deepEqual(ids(pages), []);
  assert.equal(pages[0].known, 1);
  assert.equal(server.requests.length, 1);
});

Deno.test("rows tied on one updatedAt past a page: $skip inside the run, one row of overlap", async () => {
  const data = rows(5, { tied: 27, at: "2026-11-28T10:00:00.000Z" });
  const server = listServer(data);
  const got = ids(await read(server));
  assert.deepEqual(got.toSorted(), data.map((row) => row.id).toSorted());
  assert.equal(new Set(got).size, got.length, "no row twice");
  const skips = server.requests.map((q) => q.get("$skip")).filter((skip) => skip !== null);
  assert.ok(skips.length > 0, "the run was paged with $skip");
});

Deno.test("short pages the envelope says are not the end go on from the last key", async () => {
  const data = rows(40);
  const server = listServer(data, { short: 3 });
  const got = ids(await read(server));
  assert.deepEqual(got, data.map((row) => row.id));
});

Deno.test("a server that does not do what was asked is caught by the first page that shows it", async (t) => {
  const cases: [string, Deviations, Row[], RegExp][] = [
    ["filter ignored", { ignoreFilter: true }, rows(35), /ignores updatedAt\[\$gte\]/],
    ["sort ignored", { ignoreSort: true }, rows(35).reverse(), /ignores \$sort\[updatedAt\]/],
    [
      "id sort ignored",
      { ignoreIdSort: true },
      rows(3, { tied: 5, at: "2026-11-28T10:00:00.000Z" }),
      /ignores \$sort\[id\]/,
    ],
  ];
  for (const [name, deviations, data, message] of cases) {
    await t.step(name, async () => {
      const error = await read(listServer(data, deviations)).then(
        () => assert.fail("no error"),
        (error) => error,
      );
      assert.ok(error instanceof KeysetRefused, String(error));
      assert.match(error.message, message);
      assert.match(error.message, /on \/job-roles$/);
    });
  }
  await t.step("$skip ignored inside a run of ties: a system_error naming $skip", async () => {
    const data = rows(2, { tied: 30, at: "2026-11-28T10:00:00.000Z" });
    const error = await read(listServer(data, { ignoreSkip: true })).then(
      () => assert.fail("no error"),
      (error) => error,
    );
    assert.ok(error instanceof ConnectorError);
    assert.equal(error.failureType, "system_error");
    assert.match(error.message, /^The API ignores \$skip on \/job-roles/);
  });
});

Deno.test("a sort that looks right on its first page is caught by the counts", async () => {
  // In id order: the first 20 rows ascend, the last 20 are older than all of them.
  const data = rows(40).map((row, i) => ({
    ...row,
    updatedAt: new Date(Date.parse(NOW) - 86_400_000 + (i < 20 ? i : -i) * 60_000).toISOString(),
  }));
  for (const concurrency of [1, 4]) {
    // With 4, the probes that place the slices count from the first page's last key: their
    // total proves that page, or gives it away.
    const server = listServer(data, { ignoreSort: true });
    const error = await read(server, { concurrency }).then(
      () => assert.fail("no error"),
      (error) => error,
    );
    assert.ok(error instanceof KeysetRefused, String(error));
    assert.match(error.message, /\$sort\[updatedAt\] \(it counts \d+ rows from/);
  }
});

Deno.test("concurrency: a full first page cuts the range into slices, the tail read last", async () => {
  const data = rows(200);
  const future = { id: "z00000", updatedAt: "2026-12-01T00:00:00.000Z" };
  const server = listServer([...data, future]);
  const pages = await read(server, { concurrency: 4 });
  const got = ids(pages);
  assert.equal(new Set(got).size, got.length, "no row twice");
  assert.deepEqual(got.toSorted(), [...data, future].map((row) => row.id).toSorted());
  const bounded = server.requests.filter((q) => q.has("updatedAt[$lt]"));
  assert.ok(bounded.length > 4, `${bounded.length} bounded requests`);
  const tail = server.requests.findIndex((q) => q.get("updatedAt[$gte]") === NOW);
  assert.ok(tail > 0 && server.requests.slice(tail).every((q) => !q.has("updatedAt[$lt]")));
  // Claims never go back, and never pass the ceiling.
  const claims = pages.map((page) => page.claim?.updated_at).filter((c) => c !== undefined);
  assert.deepEqual(claims, claims.toSorted());
  assert.ok(claims.every((claim) => claim! <= CEILING));
  assert.ok(server.requests.length <= 21 + 2 + 9, `${server.requests.length} requests`);
});

Deno.test("$lt ignored: a slice ends at its first row past the bound, no row twice", async () => {
  const data = rows(200);
  const got = ids(await read(listServer(data, { ignoreLt: true }), { concurrency: 4 }));
  assert.equal(new Set(got).size, got.length);
  assert.deepEqual(got.toSorted(), data.map((row) => row.id).toSorted());
});

Deno.test("isCovered: rows below a range's key, and at it those listed", () => {
  const covered = [{
    from: "2026-01-01T00:00:00.000Z",
    key: { at: "2026-02-01T00:00:00.000Z", ids: ["a"] },
  }];
  assert.equal(isCovered(covered, { at: "2026-01-15T00:00:00.000Z", id: "x" }), true);
  assert.equal(isCovered(covered, { at: "2026-02-01T00:00:00.000Z", id: "a" }), true);
  assert.equal(isCovered(covered, { at: "2026-02-01T00:00:00.000Z", id: "b" }), false);
  assert.equal(isCovered(covered, { at: "2025-12-01T00:00:00.000Z", id: "x" }), false);
});

Deno.test("rows crowded at the end of the range: slices cut where the rows are, every row once", async () => {
  const spread = rows(10).map((row, i) => ({
    ...row,
    updatedAt: new Date(Date.parse(NOW) - (400 - i) * 86_400_000).toISOString(),
  }));
  const crowded = Array.from({ length: 400 }, (_, i) => ({
    id: `c${String(i).padStart(5, "0")}`,
    updatedAt: new Date(Date.parse(NOW) - 7_200_000 + i * 1_000).toISOString(),
  }));
  const data = [...spread, ...crowded];
  const server = listServer(data);
  const pages = await read(server, { concurrency: 4 });
  const got = ids(pages);
  assert.equal(new Set(got).size, got.length, "no row twice");
  assert.deepEqual(got.toSorted(), data.map((row) => row.id).toSorted());
  // Four slices below the sync's start, each about a quarter of the 400 rows after the first page
  // (whole pages each, the last one the rest: 117, 108, 108 and 77 here; cut by time, one slice
  // would hold nearly all).
  const bounds = [...new Set(server.requests.map((q) => q.get("updatedAt[$lt]")))]
    .filter((bound) => bound !== null).toSorted() as string[];
  assert.equal(bounds.length, 4, `bounds ${bounds}`);
  const sizes = bounds.map((bound, k) =>
    data.filter((row) => row.updatedAt < bound && (k === 0 || row.updatedAt >= bounds[k - 1]))
      .length
  );
  assert.ok(sizes.every((size) => size >= 70 && size <= 130), `slice sizes ${sizes}`);
  const claims = pages.map((page) => page.claim?.updated_at).filter((c) => c !== undefined);
  assert.deepEqual(claims, claims.toSorted(), "claims never go back");
});

Deno.test("a skip past rows already read, after one of them left: the count falls, the run is read again, no row lost", async () => {
  // One row a page: the second page brings back the row already read, so the third skips it
  // without overlap. The row leaves before the third: its $skip=1 would pass the next row.
  const data = rows(5);
  const server = listServer(data, { short: 1 });
  const leaving: typeof globalThis.fetch = (input, init) => {
    if (server.requests.length === 2) data.splice(0, 1);
    return server.fetch(input, init);
  };
  const pages = await read({ ...server, fetch: leaving });
  const got = ids(pages);
  assert.deepEqual(got.toSorted(), rows(5).map((row) => row.id), "every row, the left one too");
  assert.ok(server.requests.some((q) => q.get("$skip") === "1"), "a skip without overlap");
});

Deno.test("probes only place bounds: a server that ignores $skip gets one slice, every row once", async () => {
  const data = rows(200);
  const server = listServer(data, { ignoreSkip: true });
  const got = ids(await read(server, { concurrency: 4 }));
  assert.equal(new Set(got).size, got.length, "no row twice");
  assert.deepEqual(got.toSorted(), data.map((row) => row.id).toSorted());
  const bounds = new Set(server.requests.map((q) => q.get("updatedAt[$lt]")));
  assert.deepEqual([...bounds].filter((b) => b !== null), [NOW], "one bounded slice, to the start");
  assert.equal(server.requests.filter((q) => q.get("$limit") === "1").length, 3, "three probes");
});

Deno.test("rows leaving now and then: a run read again counts against the limit only until a new row is read", async () => {
  // One row a page, so every page after a key's first skips past the row read there; before every
  // other such page the newest row leaves, so the count falls and the run is read again. Each time
  // the page after brings a new row: the sync goes on to the end.
  const data = rows(12);
  const server = listServer(data, { short: 1 });
  let skips = 0;
  const leaving: typeof globalThis.fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.searchParams.has("$skip") && skips++ % 2 === 0) data.pop();
    return server.fetch(input, init);
  };
  const got = ids(await read({ ...server, fetch: leaving }));
  assert.ok(skips > 8, `${skips} pages with $skip`);
  assert.deepEqual(data.filter((row) => !got.includes(row.id)), [], "every row that stayed");
});

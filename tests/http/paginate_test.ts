import assert from "node:assert/strict";
import type { Clock } from "../../src/clock.ts";
import { ConnectorError } from "../../src/errors.ts";
import { HttpError, HumaansClient } from "../../src/http/client.ts";
import {
  defaultOverlap,
  getPage,
  type Page,
  paginate,
  type PaginateOptions,
} from "../../src/http/paginate.ts";

const BASE = "http://127.0.0.1:9/api";
const UPDATED = "2026-01-01T00:00:00.000Z";

interface Row {
  id: string;
  updatedAt: string;
}

function rows(count: number, prefix = "r"): Row[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `${prefix}${String(i).padStart(5, "0")}`,
    updatedAt: UPDATED,
  }));
}

interface ListServerOptions {
  /** Largest page the server returns (Feathers caps silently). */
  cap?: number;
  /** Leave `limit` out of the envelope. */
  omitLimit?: boolean;
  /** Called before each request is answered (1-based), to change the rows mid-sync. */
  beforeRequest?: (n: number, url: URL) => void;
  /** A body to answer instead of the envelope. */
  body?: (url: URL) => unknown;
  /** Rows served at `skip` (fewer than `$limit`: short pages), by request number. */
  served?: (skip: number, limit: number, n: number) => number;
  /** The `total` reported instead of the true one. */
  total?: number;
  /** Serve the first page whatever `$skip` says. */
  ignoreSkip?: boolean;
}

/** An in-memory Humaans list endpoint: `$limit` (capped), `$skip`, envelope. */
function listServer(data: Row[], options: ListServerOptions = {}) {
  const requests: URL[] = [];
  const fetch = (input: string | URL | Request): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    requests.push(url);
    options.beforeRequest?.(requests.length, url);
    if (options.body) return Promise.resolve(Response.json(options.body(url)));
    const limit = Math.min(Number(url.searchParams.get("$limit") ?? 100), options.cap ?? 250);
    const skip = options.ignoreSkip ? 0 : Number(url.searchParams.get("$skip") ?? 0);
    const served = options.served?.(skip, limit, requests.length) ?? limit;
    const envelope: Record<string, unknown> = {
      total: options.total ?? data.length,
      limit,
      skip,
      data: data.slice(skip, skip + served),
    };
    if (options.omitLimit) delete envelope.limit;
    return Promise.resolve(Response.json(envelope));
  };
  return { fetch: fetch as typeof globalThis.fetch, requests };
}

const clock: Clock = {
  now: () => Date.parse(UPDATED),
  sleep: () => Promise.resolve(),
  timeout: () => new AbortController().signal,
  random: () => 0.5,
};

function clientFor(fetch: typeof globalThis.fetch, retryAttempts = 0): HumaansClient {
  return new HumaansClient({
    baseUrl: BASE,
    token: "test-token-abcdef",
    timeoutMs: 30_000,
    retryAttempts,
    clock,
    fetch,
  });
}

async function collect(
  client: HumaansClient,
  options: PaginateOptions,
  path = "/job-roles",
): Promise<Page[]> {
  const pages: Page[] = [];
  for await (const page of paginate(client, path, options)) pages.push(page);
  return pages;
}

function ids(pages: Page[]): string[] {
  return pages.flatMap((page) => page.data.map((row) => (row as Row).id));
}

function skips(requests: URL[]): number[] {
  return requests.map((url) => Number(url.searchParams.get("$skip")));
}

Deno.test("paginate without overlap: $skip/$limit pages until a short page reaches total", async (t) => {
  const rows_: [string, number, number, number[]][] = [
    // name, rows, page size, expected $skip values
    ["several full pages and a short one", 250, 100, [0, 100, 200]],
    // A full page that reaches `total` may not be the last: the total may be too low.
    ["an exact multiple: one empty page confirms the end", 300, 100, [0, 100, 200, 300]],
    ["one short page", 7, 100, [0]],
    ["one exact page", 100, 100, [0, 100]],
    ["page size 1", 3, 1, [0, 1, 2, 3]],
    ["empty list: one request", 0, 100, [0]],
  ];
  for (const [name, count, pageSize, expectedSkips] of rows_) {
    await t.step(name, async () => {
      const data = rows(count);
      const server = listServer(data);
      const pages = await collect(clientFor(server.fetch), { pageSize, overlap: 0 });
      assert.deepEqual(skips(server.requests), expectedSkips);
      assert.ok(
        server.requests.every((url) => url.searchParams.get("$limit") === String(pageSize)),
      );
      assert.deepEqual(ids(pages), data.map((row) => row.id));
      assert.deepEqual(pages.map((page) => page.index), expectedSkips.map((_, i) => i));
      assert.ok(pages.every((page) => page.total === count && page.requests === 1));
      assert.ok(pages.every((page) => page.shortfall === undefined && !page.totalWrong));
    });
  }
});

Deno.test("paginate stops on an empty page even when total says there is more", async () => {
  const server = listServer([], {
    body: (url) => {
      const skip = Number(url.searchParams.get("$skip"));
      return { total: 1000, limit: 100, skip, data: skip === 0 ? rows(100) : [] };
    },
  });
  const pages = await collect(clientFor(server.fetch), { pageSize: 100, overlap: 0 });
  assert.deepEqual(skips(server.requests), [0, 100]);
  assert.deepEqual(pages.map((page) => page.data.length), [100, 0]);
  assert.equal(pages.at(-1)!.shortfall, 900, "the last page says how many rows total claimed");
});

Deno.test("paginate advances by the rows received: short pages lose no row", async (t) => {
  const cases: [string, (skip: number, limit: number, n: number) => number][] = [
    ["half pages", (skip, limit) => skip === 0 ? limit : limit / 2],
    ["varying", (skip, limit, n) => skip === 0 ? limit : 1 + (n * 37) % limit],
  ];
  for (const [name, served] of cases) {
    for (const concurrency of [1, 4]) {
      await t.step(`${name}, concurrency ${concurrency}`, async () => {
        const data = rows(1000);
        const server = listServer(data, { served });
        const pages = await collect(clientFor(server.fetch), { pageSize: 100, concurrency });
        assert.deepEqual(ids(pages), data.map((row) => row.id));
        assert.ok(pages.every((page) => page.proven && page.shortfall === undefined));
      });
    }
  }
  await t.step("half pages while rows are deleted before the offset", async () => {
    const data = rows(1000);
    const original = data.map((row) => row.id);
    const deleted = new Set<string>();
    const server = listServer(data, {
      served: (skip, limit) => skip === 0 ? limit : limit / 2,
      beforeRequest: (n) => {
        if (n % 3 === 0) { for (const row of data.splice(n, 5)) deleted.add(row.id); }
      },
    });
    const pages = await collect(clientFor(server.fetch), { pageSize: 100 });
    const seen = ids(pages);
    assert.ok(deleted.size > 20);
    assert.equal(new Set(seen).size, seen.length, "no row yielded twice");
    const missed = original.filter((id) => !deleted.has(id) && !seen.includes(id));
    assert.deepEqual(missed, []);
  });
});

Deno.test("paginate reads past a total lower than the rows, and flags the total", async () => {
  const data = rows(300);
  const server = listServer(data, { total: 100 });
  const pages = await collect(clientFor(server.fetch), { pageSize: 100, concurrency: 2 });
  assert.deepEqual(ids(pages), data.map((row) => row.id));
  // The first page fits its total; the second goes past it, and proves it wrong.
  assert.ok(!pages[0].totalWrong);
  assert.ok(pages.slice(1).every((page) => page.totalWrong && page.shortfall === undefined));
});

Deno.test("paginate fails at once when the server ignores $skip, whatever its total", async (t) => {
  for (const total of [300, 1e9]) {
    await t.step(`total ${total}`, async () => {
      const server = listServer(rows(300), { total, ignoreSkip: true });
      const error = await collect(clientFor(server.fetch), { pageSize: 100, concurrency: 4 })
        .then(() => assert.fail("no error"), (error) => error);
      assert.ok(error instanceof ConnectorError);
      assert.equal(error.failureType, "system_error");
      assert.match(
        error.message,
        /^GET \/job-roles returned the same page for \$skip=96 as for \$skip=0: the API ignores \$skip/,
      );
      assert.ok(server.requests.length <= 5, `${server.requests.length} requests`);
    });
  }
});

Deno.test("paginate follows a page size the server capped", async (t) => {
  await t.step("the envelope reports the capped limit", async () => {
    const data = rows(600);
    const server = listServer(data, { cap: 250 });
    const pages = await collect(clientFor(server.fetch), { pageSize: 500, overlap: 0 });
    assert.deepEqual(skips(server.requests), [0, 250, 500]);
    assert.deepEqual(ids(pages), data.map((row) => row.id));
  });
  await t.step("the envelope has no limit: the page length tells", async () => {
    const data = rows(600);
    const server = listServer(data, { cap: 250, omitLimit: true });
    const pages = await collect(clientFor(server.fetch), { pageSize: 500, overlap: 0 });
    assert.deepEqual(ids(pages), data.map((row) => row.id), "no row skipped");
    assert.deepEqual(skips(server.requests), [0, 250, 500]);
  });
  await t.step("with the default overlap, every row once", async () => {
    const data = rows(1234);
    const server = listServer(data, { cap: 250 });
    const pages = await collect(clientFor(server.fetch), { pageSize: 500 });
    assert.deepEqual(ids(pages), data.map((row) => row.id));
  });
  await t.step(
    "with the default overlap and no limit in the envelope, every row once",
    async () => {
      const data = rows(1234);
      const server = listServer(data, { cap: 250, omitLimit: true });
      const pages = await collect(clientFor(server.fetch), { pageSize: 500 });
      assert.deepEqual(ids(pages), data.map((row) => row.id));
    },
  );
});

Deno.test("paginate passes query parameters through on every page", async () => {
  const server = listServer(rows(5));
  await collect(clientFor(server.fetch), {
    pageSize: 2,
    overlap: 0,
    query: {
      "updatedAt[$gte]": "2026-01-01T00:00:00.000Z",
      "$sort[updatedAt]": 1,
      personId: "Pe6Hs2Jd9Kf4Lg1Zx7Cv3Bn8",
    },
  }, "/documents");
  assert.equal(server.requests.length, 3);
  for (const [i, url] of server.requests.entries()) {
    assert.equal(url.pathname, "/api/documents");
    assert.deepEqual(Object.fromEntries(url.searchParams), {
      "updatedAt[$gte]": "2026-01-01T00:00:00.000Z",
      "$sort[updatedAt]": "1",
      personId: "Pe6Hs2Jd9Kf4Lg1Zx7Cv3Bn8",
      $limit: "2",
      $skip: String(i * 2),
    });
  }
});

Deno.test("paginate with the default overlap reads every row once", async (t) => {
  for (
    const [count, pageSize] of [
      [0, 100],
      [1, 100],
      [99, 100],
      [100, 100],
      [101, 100],
      [1000, 100],
      [777, 250],
      [5, 2],
      [10, 1],
    ]
  ) {
    await t.step(`${count} rows, pages of ${pageSize}`, async () => {
      const data = rows(count);
      const server = listServer(data);
      const pages = await collect(clientFor(server.fetch), { pageSize });
      assert.deepEqual(ids(pages), data.map((row) => row.id));
      const overlap = defaultOverlap(pageSize);
      // Full pages are followed by another, short ones end the list.
      const expected = [0];
      while (count > 0 && expected.at(-1)! + pageSize <= count) {
        expected.push(expected.at(-1)! + pageSize - overlap);
      }
      assert.deepEqual(skips(server.requests), expected);
    });
  }
});

Deno.test("defaultOverlap: about 4 % of a page, at least 1 row, none for 1-row pages", async (t) => {
  const rows_: [number, number][] = [[1, 0], [2, 1], [24, 1], [25, 1], [50, 2], [100, 4], [
    250,
    10,
  ]];
  for (const [pageSize, expected] of rows_) {
    await t.step(String(pageSize), () => assert.equal(defaultOverlap(pageSize), expected));
  }
});

Deno.test("paginate misses no row when rows are inserted before the offset during the sync", async () => {
  const data = rows(500);
  let inserted = 0;
  const server = listServer(data, {
    beforeRequest: (n) => {
      // Newest first: 30 rows arrive at the front before each of the later pages.
      if (n > 1 && n < 5) {
        data.unshift(...rows(30, `new${n}-`));
        inserted += 30;
      }
    },
  });
  const pages = await collect(clientFor(server.fetch), { pageSize: 100 });
  const seen = ids(pages);
  assert.equal(new Set(seen).size, seen.length, "no row yielded twice");
  for (const row of rows(500)) assert.ok(seen.includes(row.id), `missed ${row.id}`);
  assert.ok(inserted > 0);
});

Deno.test("paginate misses no row when rows are deleted before the offset during the sync", async () => {
  const data = rows(500);
  const original = data.map((row) => row.id);
  const deleted = new Set<string>();
  const server = listServer(data, {
    beforeRequest: (n) => {
      if (n === 3) { for (const row of data.splice(10, 40)) deleted.add(row.id); }
    },
  });
  const pages = await collect(clientFor(server.fetch), { pageSize: 100 });
  const seen = ids(pages);
  assert.equal(new Set(seen).size, seen.length, "no row yielded twice");
  for (const id of original) {
    if (!deleted.has(id)) assert.ok(seen.includes(id), `missed ${id}`);
  }
  assert.ok(pages.some((page) => page.requests > 1), "the shifted boundary was read again");
});

Deno.test("paginate yields a row again when it changed between the overlapping pages", async () => {
  const data = rows(10);
  const server = listServer(data, {
    beforeRequest: (n) => {
      if (n === 2) data[4] = { id: data[4].id, updatedAt: "2026-06-01T00:00:00.000Z" };
    },
  });
  const pages = await collect(clientFor(server.fetch), { pageSize: 5, overlap: 2 });
  const seen = ids(pages);
  assert.equal(seen.filter((id) => id === data[4].id).length, 2, "the new version is not dropped");
  for (const row of data) assert.ok(seen.includes(row.id));
});

Deno.test("paginate always makes progress, even when every row changes on every request", async () => {
  const data = rows(100);
  let version = 0;
  const server = listServer(data, {
    beforeRequest: () => {
      version++;
      for (const row of data) row.updatedAt = new Date(Date.parse(UPDATED) + version).toISOString();
    },
  });
  const seen = new Set<string>();
  let unproven = 0;
  for await (const page of paginate(clientFor(server.fetch), "/job-roles", { pageSize: 20 })) {
    for (const row of page.data) seen.add((row as Row).id);
    if (!page.proven) unproven++;
    // 100 rows in pages of 20: a paginator that progresses needs far fewer than 200 requests.
    if (server.requests.length > 200) break;
  }
  assert.ok(server.requests.length <= 200, `${server.requests.length} requests for 100 rows`);
  assert.equal(seen.size, 100);
  assert.ok(unproven > 0, "pages whose start could not be proven say so");
});

Deno.test("paginate with concurrency yields pages in order and reads every row once", async (t) => {
  for (const concurrency of [1, 2, 4]) {
    await t.step(`concurrency ${concurrency}`, async () => {
      const data = rows(1050);
      const server = listServer(data);
      const pages = await collect(clientFor(server.fetch), { pageSize: 100, concurrency });
      assert.deepEqual(ids(pages), data.map((row) => row.id));
      assert.deepEqual(pages.map((page) => page.index), pages.map((_, i) => i));
    });
  }
});

Deno.test("paginate prefetches no more than its window ahead of the page being written", async () => {
  const data = rows(2000);
  const server = listServer(data);
  const generator = paginate(clientFor(server.fetch), "/job-roles", {
    pageSize: 100,
    overlap: 0,
    concurrency: 3,
  });
  const first = await generator.next();
  assert.equal((first.value as Page).index, 0);
  assert.equal(server.requests.length, 1, "nothing is asked ahead before the first page is taken");
  await generator.next();
  for (let i = 0; i < 5; i++) await Promise.resolve();
  assert.ok(server.requests.length <= 1 + 3, `asked ${server.requests.length} pages`);
  await generator.return(undefined);
});

Deno.test("stopping early aborts pages asked ahead and leaves nothing pending", async () => {
  const data = rows(2000);
  const server = listServer(data);
  let taken = 0;
  for await (
    const _page of paginate(clientFor(server.fetch), "/job-roles", {
      pageSize: 100,
      concurrency: 4,
    })
  ) {
    if (++taken === 2) break;
  }
  assert.equal(taken, 2);
  assert.ok(server.requests.length < 20, "did not read the whole list");
});

Deno.test("a malformed envelope is an error naming the field", async (t) => {
  const rows_: [string, unknown, RegExp][] = [
    ["missing total", { limit: 100, skip: 0, data: [] }, /field "total" is invalid/],
    ["total not a number", { total: "12", data: [] }, /field "total" is invalid/],
    ["negative total", { total: -1, data: [] }, /field "total" is invalid/],
    ["missing data", { total: 3, limit: 100, skip: 0 }, /field "data" is invalid/],
    ["data not an array", { total: 3, data: { id: "x" } }, /field "data" is invalid/],
    ["a bare array", [{ id: "x" }], /field the body is invalid|envelope/],
    ["null", null, /envelope/],
  ];
  for (const [name, body, pattern] of rows_) {
    await t.step(name, async () => {
      const server = listServer([], { body: () => body });
      const error = await collect(clientFor(server.fetch), { pageSize: 100 }).then(
        () => assert.fail("no error"),
        (error) => error,
      );
      assert.ok(error instanceof HttpError, String(error));
      assert.match(error.message, pattern);
      assert.match(
        error.message,
        /^GET \/job-roles failed with unexpected response: list envelope/,
      );
    });
  }
  await t.step("retried like a 5xx before failing", async () => {
    const server = listServer([], { body: () => ({ data: [] }) });
    const error = await collect(clientFor(server.fetch, 2), { pageSize: 100 }).then(
      () => assert.fail("no error"),
      (error) => error,
    );
    assert.equal(server.requests.length, 3);
    assert.equal(error.attempts, 3);
  });
});

Deno.test("getPage returns one checked envelope", async () => {
  const server = listServer(rows(3));
  const envelope = await getPage(clientFor(server.fetch), "/companies", {
    query: { $limit: 2, $skip: 1 },
  });
  assert.deepEqual(envelope, {
    total: 3,
    limit: 2,
    skip: 1,
    data: rows(3).slice(1, 3),
  });
});

Deno.test("a page read ahead that is not a list envelope is read again, with retries", async (t) => {
  const bad: [string, (url: URL) => Response][] = [
    ["JSON without data", () => Response.json({ total: 1000, limit: 100 })],
    ["truncated JSON", () => new Response('{"total":1000,"data":[{"id":"r0')],
    ["broken JSON inside braces", () => new Response('{"total":1000,"data":[}')],
  ];
  for (const [name, answer] of bad) {
    await t.step(name, async () => {
      const data = rows(1000);
      const server = listServer(data);
      let served = 0;
      const fetch = (input: string | URL | Request) => {
        const url = new URL(input instanceof Request ? input.url : input);
        // The fourth page, asked ahead, answers badly twice: once ahead, once on its re-read.
        if (url.searchParams.get("$skip") === "384" && served++ < 2) {
          server.requests.push(url);
          return Promise.resolve(answer(url));
        }
        return server.fetch(input);
      };
      const pages = await collect(clientFor(fetch as typeof globalThis.fetch, 2), {
        pageSize: 100,
        concurrency: 4,
      });
      assert.deepEqual(ids(pages), data.map((row) => row.id));
      assert.equal(served, 3, "asked ahead, then read again and retried once");
      assert.equal(skips(server.requests).filter((skip) => skip === 384).length, 3);
    });
  }
});

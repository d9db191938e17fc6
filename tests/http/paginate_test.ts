import assert from "node:assert/strict";
import type { Clock } from "../../src/clock.ts";
import { ConnectorError } from "../../src/errors.ts";
import { HttpError, HumaansClient } from "../../src/http/client.ts";
import {
  getPage,
  isLastPage,
  laterPage,
  type ScanOptions,
  type ScanPage,
  scanPages,
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
  options: ScanOptions,
  path = "/job-roles",
): Promise<ScanPage[]> {
  const pages: ScanPage[] = [];
  for await (const page of scanPages(client, path, options)) {
    // A scan that stops advancing fails here rather than running for ever.
    if (pages.push(page) > 1_000) throw new Error("the scan did not end in 1,000 pages");
  }
  return pages;
}

/** The distinct ids of the pages, in the order first seen (a caller drops repeats). */
function ids(pages: ScanPage[]): string[] {
  return [...new Set(pages.flatMap((page) => page.data.map((row) => (row as Row).id)))];
}

function skips(requests: URL[]): number[] {
  return requests.map((url) => Number(url.searchParams.get("$skip")));
}

Deno.test("isLastPage: empty, or short with the envelope agreeing; never total alone", () => {
  const page = (n: number, total: number, limit?: number) => ({ total, limit, data: rows(n) });
  const asked = { limit: 100, skip: 0 };
  assert.equal(isLastPage(page(0, 1000), asked), true, "an empty page ends whatever total says");
  assert.equal(isLastPage(page(7, 7), asked), true, "short, and total agrees");
  assert.equal(isLastPage(page(7, 50), asked), false, "short, but total says more: go on");
  assert.equal(isLastPage(page(100, 100), asked), false, "a full page never ends by total");
  assert.equal(isLastPage(page(7, 57), { limit: 100, skip: 50 }), true, "skip counts");
  assert.equal(isLastPage(page(50, 50, 50), asked), false, "full at the server's own cap");
});

Deno.test("scanPages: $skip/$limit pages, each after the first one row early, to the last page", async (t) => {
  const cases: [string, number, number, number[]][] = [
    // name, rows, page size, expected $skip values
    ["several full pages and a short one", 250, 100, [0, 99, 198]],
    ["an exact multiple: the overlap row makes the last page short", 300, 100, [0, 99, 198, 297]],
    ["one short page", 7, 100, [0]],
    ["empty list: one request", 0, 100, [0]],
    // A page of one row that starts one row early would ask for the same row for ever: 2 a page.
    ["a page size of 1 reads pages of 2", 5, 1, [0, 1, 2, 3, 4]],
  ];
  for (const [name, count, pageSize, expectedSkips] of cases) {
    await t.step(name, async () => {
      const data = rows(count);
      const server = listServer(data);
      const pages = await collect(clientFor(server.fetch), { pageSize });
      assert.deepEqual(skips(server.requests), expectedSkips);
      assert.deepEqual(ids(pages), data.map((row) => row.id));
    });
  }
});

Deno.test("scanPages stops on an empty page even when total says there is more", async () => {
  const server = listServer([], {
    body: (url) => {
      const skip = Number(url.searchParams.get("$skip"));
      return { total: 1000, limit: 100, skip, data: skip === 0 ? rows(100) : [] };
    },
  });
  const pages = await collect(clientFor(server.fetch), { pageSize: 100 });
  assert.deepEqual(skips(server.requests), [0, 99]);
  assert.deepEqual(pages.map((page) => page.data.length), [100, 0]);
});

Deno.test("scanPages: short pages the envelope says are not the end go on, losing no row", async () => {
  const data = rows(300);
  const server = listServer(data, { served: (skip) => (skip === 0 ? 100 : 30) });
  const pages = await collect(clientFor(server.fetch), { pageSize: 100 });
  assert.deepEqual(ids(pages), data.map((row) => row.id));
});

Deno.test("scanPages fails at once when the server ignores $skip, naming it", async (t) => {
  for (const total of [300, 1e9]) {
    await t.step(`total ${total}`, async () => {
      const server = listServer(rows(300), { total, ignoreSkip: true });
      const error = await collect(clientFor(server.fetch), { pageSize: 100 })
        .then(() => assert.fail("no error"), (error) => error);
      assert.ok(error instanceof ConnectorError);
      assert.equal(error.failureType, "system_error");
      assert.match(error.message, /^The API ignores \$skip on \/job-roles: the page at \$skip=99/);
      assert.equal(server.requests.length, 2);
    });
  }
});

Deno.test("scanPages misses no row when rows are deleted before the offset during the scan", async () => {
  const data = rows(500);
  const original = data.map((row) => row.id);
  const deleted = new Set<string>();
  const server = listServer(data, {
    beforeRequest: (n) => {
      if (n === 3) { for (const row of data.splice(10, 40)) deleted.add(row.id); }
    },
  });
  const seen = ids(await collect(clientFor(server.fetch), { pageSize: 100 }));
  for (const id of original) {
    if (!deleted.has(id)) assert.ok(seen.includes(id), `missed ${id}`);
  }
});

Deno.test("scanPages passes query parameters through on every page", async () => {
  const server = listServer(rows(150));
  await collect(clientFor(server.fetch), { pageSize: 100, query: { "$select[]": "id" } });
  assert.ok(server.requests.every((url) => url.searchParams.get("$select[]") === "id"));
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

Deno.test("laterPage: the body now, parsed on open; a body that is not an envelope is read again", async (t) => {
  const bad: [string, () => Response][] = [
    ["JSON without data", () => Response.json({ total: 1000, limit: 100 })],
    ["truncated JSON", () => new Response('{"total":1000,"data":[{"id":"r0')],
  ];
  for (const [name, answer] of bad) {
    await t.step(name, async () => {
      const server = listServer(rows(3));
      let served = 0;
      const fetch = (input: string | URL | Request) => {
        if (served++ < 2) return Promise.resolve(answer()); // asked, then its first re-read
        return server.fetch(input);
      };
      const page = await laterPage(clientFor(fetch as typeof globalThis.fetch, 2), "/job-roles", {
        query: { $limit: 10 },
      });
      const envelope = await page.open();
      assert.deepEqual(envelope.data, rows(3));
      assert.equal(served, 3, "read again (by the client or on open), with retries");
    });
  }
});

Deno.test("laterPage holds the page as bytes until it is opened, and frees them then", async () => {
  const body = new TextEncoder().encode(JSON.stringify({ total: 3, data: rows(3) }));
  let asked: unknown;
  const client = {
    get: (_path: string, _query: unknown, options: unknown) => {
      asked = options;
      return Promise.resolve(body);
    },
  } as unknown as HumaansClient;
  const page = await laterPage(client, "/job-roles", { query: { $limit: 10 } });
  assert.equal((asked as { bytes?: boolean }).bytes, true, "the client is asked for bytes");
  assert.equal(body.byteLength, JSON.stringify({ total: 3, data: rows(3) }).length);
  assert.deepEqual((await page.open()).data, rows(3));
  assert.equal(body.byteLength, 0, "the buffer is detached (freed) once parsed");
});

Deno.test("scanPages: rows shifting on every request end the scan all the same, its later pages unproven", async () => {
  const data = rows(3000);
  const server = listServer(data, { beforeRequest: () => void data.splice(0, 1) });
  const pages = await collect(clientFor(server.fetch), { pageSize: 10 });
  assert.equal(pages[0].proven, true);
  assert.equal(pages.at(-1)!.proven, false, "past the step-backs allowed, a page says so");
  assert.ok(server.requests.length < 1000, `${server.requests.length} requests`);
  // Each page that rows shifted before is read again, after the page before it, while allowed.
  const again = pages.flatMap((page, i) => page.readAgain ? [i] : []);
  assert.equal(again.length, 100);
  for (const i of again) {
    const skips = [i, i + 1].map((n) => Number(server.requests[n].searchParams.get("$skip")));
    assert.ok(skips[1] < skips[0], `page ${i} is followed by one before it`);
  }
  assert.ok(pages.slice(again.at(-1)! + 1).every((page) => !page.readAgain));
});

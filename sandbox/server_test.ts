import assert from "node:assert/strict";
import fc from "fast-check";
import {
  resourcePaths,
  type Row,
  type Sandbox,
  type SandboxOptions,
  sandboxRows,
  startSandbox,
} from "./mod.ts";
import { ChurnOverlay } from "./churn.ts";
import { listPage, type ListSource } from "./listing.ts";
import { type Filter, type ListQuery, parseListQuery } from "./query.ts";
import { parseSandboxArgs } from "./main.ts";

const NOW = new Date("2026-11-28T12:00:00.000Z");
const now = () => NOW;
const PEOPLE = 40;

type Query = Record<string, string | number> | [string, string][];

interface Answer {
  status: number;
  headers: Headers;
  // deno-lint-ignore no-explicit-any
  body: any;
}

/** GETs `path` under the sandbox's /api with the default token (null: no Authorization). */
async function get(
  sandbox: Sandbox,
  path: string,
  options: { query?: Query; token?: string | null; method?: string; signal?: AbortSignal } = {},
): Promise<Answer> {
  const pairs = Array.isArray(options.query)
    ? options.query
    : Object.entries(options.query ?? {}).map(([k, v]): [string, string] => [k, String(v)]);
  const search = pairs.length ? `?${new URLSearchParams(pairs)}` : "";
  const token = options.token === undefined ? sandbox.token : options.token;
  const response = await fetch(`${sandbox.url}${path}${search}`, {
    method: options.method ?? "GET",
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
    signal: options.signal,
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: keep the text.
  }
  return { status: response.status, headers: response.headers, body };
}

/** Runs `fn` against a fresh sandbox (40 people, frozen clock) and always closes it. */
async function withSandbox(
  options: SandboxOptions,
  fn: (sandbox: Sandbox) => Promise<void>,
): Promise<void> {
  const sandbox = await startSandbox({ people: PEOPLE, now, ...options });
  try {
    await fn(sandbox);
  } finally {
    await sandbox.close();
  }
}

function expected(path: string, people = PEOPLE, seed = 1): Row[] {
  return [...sandboxRows(path, { people, now, seed })];
}

function ids(rows: Row[]): string[] {
  return rows.map((r) => r.id as string);
}

/** A sleep that returns at once and records what it was asked for. */
function fakeSleep() {
  const calls: number[] = [];
  return {
    calls,
    sleep: (ms: number) => {
      calls.push(ms);
      return Promise.resolve();
    },
  };
}

Deno.test("lists answer { total, limit, skip, data }, 100 rows by default", async () => {
  await withSandbox({ people: 150 }, async (sandbox) => {
    const { status, headers, body } = await get(sandbox, "/people");
    assert.equal(status, 200);
    assert.match(headers.get("content-type")!, /application\/json/);
    assert.deepEqual(Object.keys(body), ["total", "limit", "skip", "data"]);
    assert.deepEqual({ ...body, data: body.data.length }, {
      total: 150,
      limit: 100,
      skip: 0,
      data: 100,
    });
    assert.deepEqual(body.data, expected("/people", 150).slice(0, 100));
  });
});

Deno.test("$limit above 250 is capped silently; the response says 250", async () => {
  await withSandbox({ people: 300 }, async (sandbox) => {
    const { body } = await get(sandbox, "/people", { query: { $limit: 1000 } });
    assert.equal(body.limit, 250);
    assert.equal(body.data.length, 250);
    const empty = await get(sandbox, "/people", { query: { $limit: 0 } });
    assert.deepEqual(empty.body, { total: 300, limit: 0, skip: 0, data: [] });
  });
});

Deno.test("$skip pages through every row exactly once, past the end is empty", async () => {
  await withSandbox({}, async (sandbox) => {
    const rows: Row[] = [];
    for (let skip = 0;; skip += 25) {
      const { body } = await get(sandbox, "/job-roles", { query: { $limit: 25, $skip: skip } });
      assert.equal(body.skip, skip);
      if (body.data.length === 0) break;
      rows.push(...body.data);
    }
    assert.deepEqual(rows, expected("/job-roles"));
    const past = await get(sandbox, "/job-roles", { query: { $skip: 10_000 } });
    assert.deepEqual(past.body.data, []);
    assert.equal(past.body.total, rows.length);
  });
});

Deno.test("a bad $limit, $skip or $sort is a 400 BadRequest object", async () => {
  await withSandbox({}, async (sandbox) => {
    const bad: Query[] = [
      { $limit: "abc" },
      { $limit: -1 },
      { $limit: 1.5 },
      { $skip: "" },
      { $skip: -5 },
      { "$sort[updatedAt]": 2 },
      { "updatedAt[$regex]": "x" },
    ];
    for (const query of bad) {
      const { status, body } = await get(sandbox, "/people", { query });
      assert.equal(status, 400, JSON.stringify(query));
      assert.equal(body.code, 400);
      assert.equal(body.name, "BadRequest");
      assert.match(body.message, /^Invalid query parameter /);
    }
  });
});

Deno.test("$sort orders by one or more fields, either way", async () => {
  await withSandbox({}, async (sandbox) => {
    const all = expected("/people");
    const desc = await get(sandbox, "/people", { query: { "$sort[updatedAt]": -1, $limit: 250 } });
    assert.deepEqual(new Set(ids(desc.body.data)), new Set(ids(all)));
    const times = desc.body.data.map((r: Row) => r.updatedAt as string);
    assert.deepEqual(times, times.toSorted().reverse());

    const byName = await get(sandbox, "/people", {
      query: [["$sort[lastName]", "1"], ["$sort[firstName]", "-1"], ["$limit", "250"]],
    });
    const names = byName.body.data.map((r: Row) => [r.lastName, r.firstName]);
    for (let i = 1; i < names.length; i++) {
      const [[lastA, firstA], [lastB, firstB]] = [names[i - 1], names[i]];
      assert.ok(
        lastA < lastB || (lastA === lastB && firstA >= firstB),
        `${names[i - 1]} ${names[i]}`,
      );
    }
    assert.equal(names.length, PEOPLE);
  });
});

Deno.test("equality, range and $in filters on any top-level field", async (t) => {
  await withSandbox({}, async (sandbox) => {
    const roles = expected("/job-roles");
    const middle = roles[Math.floor(roles.length / 2)].updatedAt as string;
    const cases: [string, string, Query, (r: Row) => boolean][] = [
      ["updatedAt $gte, sorted", "/job-roles", {
        "updatedAt[$gte]": middle,
        "$sort[updatedAt]": 1,
      }, (r) => r.updatedAt! >= middle],
      ["updatedAt $gt", "/job-roles", { "updatedAt[$gt]": middle }, (r) => r.updatedAt! > middle],
      ["updatedAt $lt", "/job-roles", { "updatedAt[$lt]": middle }, (r) => r.updatedAt! < middle],
      [
        "createdAt $lte",
        "/job-roles",
        { "createdAt[$lte]": middle },
        (r) => r.createdAt! <= middle,
      ],
      ["a timestamp without milliseconds", "/job-roles", {
        "updatedAt[$gte]": middle.replace(".000Z", "Z"),
      }, (r) => r.updatedAt! >= middle],
      [
        "equality",
        "/job-roles",
        { personId: roles[5].personId as string },
        (r) => r.personId === roles[5].personId,
      ],
      ["$ne", "/people", { "status[$ne]": "active" }, (r) => r.status !== "active"],
      [
        "$in",
        "/people",
        [["status[$in][]", "newHire"], ["status[$in][]", "offboarded"]],
        (r) => r.status === "newHire" || r.status === "offboarded",
      ],
      [
        "numbers compare as numbers",
        "/time-away",
        { "days[$gte]": "3" },
        (r) => (r.days as number) >= 3,
      ],
      ["booleans", "/people", { isWorkingRemotely: "true" }, (r) => r.isWorkingRemotely === true],
      ["null", "/time-away", { reviewedAt: "null" }, (r) => r.reviewedAt === null],
    ];
    for (const [name, path, query, keep] of cases) {
      await t.step(name, async () => {
        const { status, body } = await get(sandbox, path, {
          query: Array.isArray(query) ? [...query, ["$limit", "250"]] : { ...query, $limit: 250 },
        });
        assert.equal(status, 200);
        const want = expected(path).filter(keep);
        assert.ok(want.length > 0 && want.length < expected(path).length, "the filter selects");
        assert.equal(body.total, want.length);
        assert.deepEqual(body.data, want);
      });
    }
  });
});

Deno.test("a request without a known bearer token is 401 NotAuthenticated", async () => {
  await withSandbox({}, async (sandbox) => {
    for (const token of [null, "wrong", ""]) {
      const { status, body } = await get(sandbox, "/companies", { token });
      assert.equal(status, 401);
      assert.deepEqual({ code: body.code, name: body.name, message: body.message }, {
        code: 401,
        name: "NotAuthenticated",
        message: "Invalid authentication information",
      });
    }
    const basic = await fetch(`${sandbox.url}/companies`, {
      headers: { authorization: `Basic ${sandbox.token}` },
    });
    assert.equal(basic.status, 401);
    await basic.body?.cancel();
  });
});

Deno.test("each resource needs its scope, else 403 Forbidden naming it", async () => {
  const tokens = {
    full: ["public:read", "private:read", "documents:read", "compensations:read"],
    public: ["public:read"],
    private: ["private:read"],
    documents: ["documents:read"],
  };
  await withSandbox({ tokens }, async (sandbox) => {
    assert.equal(sandbox.token, "full", "the default token is the one with the most scopes");
    const cases: [string, string, number, string?][] = [
      ["public", "/people", 200],
      ["public", "/documents", 403, "Missing scope documents:read"],
      ["public", "/identity-documents", 403, "Missing scope documents:read"],
      ["public", "/compensations", 403, "Missing scope compensations:read"],
      ["public", "/bank-accounts", 403, "Missing scope private:read"],
      ["private", "/bank-accounts", 200],
      ["private", "/job-roles", 200],
      ["documents", "/documents", 200],
      ["documents", "/people", 403, "Missing scope public:read"],
      ["full", "/compensations", 200],
    ];
    for (const [token, path, status, message] of cases) {
      const answer = await get(sandbox, path, { token });
      assert.equal(answer.status, status, `${token} ${path}`);
      if (message) {
        assert.deepEqual([answer.body.code, answer.body.name, answer.body.message], [
          403,
          "Forbidden",
          message,
        ]);
      }
    }
    const info = await get(sandbox, "/token-info", { token: "public" });
    assert.deepEqual(Object.keys(info.body), ["id", "personId", "label", "scopes"]);
    assert.deepEqual(info.body.scopes, ["public:read"]);
  });
});

Deno.test("/me is the token's creator; ids fetch one row; anything else is 404", async () => {
  await withSandbox({}, async (sandbox) => {
    const people = expected("/people");
    const me = await get(sandbox, "/me");
    assert.deepEqual(me.body, people[0]);
    const info = await get(sandbox, "/token-info");
    assert.equal(info.body.personId, people[0].id);

    const one = await get(sandbox, `/people/${people[7].id}`);
    assert.deepEqual(one.body, people[7]);
    const calendar = await get(sandbox, "/public-holiday-calendars/ES-MD");
    assert.equal(calendar.body.id, "ES-MD");
    for (const path of ["/people/000000000000000000000000", "/nope", "/people/x/y", "/"]) {
      const { status, body } = await get(sandbox, path);
      assert.equal(status, 404, path);
      assert.equal(body.name, "NotFound");
    }
    const outside = await fetch(sandbox.url.replace("/api", "/other"), {
      headers: { authorization: `Bearer ${sandbox.token}` },
    });
    assert.equal(outside.status, 404);
    await outside.body?.cancel();
    const post = await get(sandbox, "/people", { method: "POST" });
    assert.equal(post.status, 405);
  });
});

Deno.test("filter modes: reject answers 400, ignore serves everything in natural order", async () => {
  await withSandbox({ filters: "reject" }, async (sandbox) => {
    const all = expected("/documents");
    const since = { "updatedAt[$gte]": all[10].updatedAt as string, $limit: 250 };
    const rejected = await get(sandbox, "/documents", { query: since });
    assert.equal(rejected.status, 400);
    assert.deepEqual(
      [rejected.body.code, rejected.body.name, rejected.body.message],
      [400, "BadRequest", "Invalid query parameter updatedAt[$gte]"],
    );
    const sorted = await get(sandbox, "/documents", { query: { "$sort[updatedAt]": 1 } });
    assert.equal(sorted.body.message, "Invalid query parameter $sort[updatedAt]");
    const plain = await get(sandbox, "/documents", { query: { $limit: 5, $skip: 5 } });
    assert.deepEqual(plain.body.data, all.slice(5, 10));

    sandbox.setFilters("ignore");
    const ignored = await get(sandbox, "/documents", {
      query: { ...since, "$sort[updatedAt]": -1 },
    });
    assert.equal(ignored.status, 200);
    assert.deepEqual(ignored.body.data, all);
    const personId = all[0].personId as string;
    const equality = await get(sandbox, "/documents", { query: { personId } });
    assert.deepEqual(equality.body.data, all.filter((r) => r.personId === personId));

    sandbox.setFilters("honour");
    const honoured = await get(sandbox, "/documents", { query: since });
    assert.deepEqual(honoured.body.data, all.slice(10));
  });
});

Deno.test("injected faults answer the next requests to their path, in order", async (t) => {
  await withSandbox({}, async (sandbox) => {
    await t.step("status, Retry-After, body and content type", async () => {
      sandbox.inject("/companies", [
        { status: 503, retryAfter: "2" },
        { status: 500, body: "<html>oops</html>", contentType: "text/html" },
        { status: 200, body: '{"total": 3, "da' },
      ]);
      const first = await get(sandbox, "/companies");
      assert.equal(first.status, 503);
      assert.equal(first.headers.get("retry-after"), "2");
      assert.equal(first.body.code, 503);
      const second = await get(sandbox, "/companies");
      assert.deepEqual([second.status, second.body], [500, "<html>oops</html>"]);
      assert.equal(second.headers.get("content-type"), "text/html");
      const third = await get(sandbox, "/companies");
      assert.deepEqual([third.status, third.body], [200, '{"total": 3, "da']);
      assert.equal((await get(sandbox, "/companies")).body.total, 1, "faults are used up");
    });
    await t.step("before auth, for one path or for any", async () => {
      sandbox.inject("*", [{ status: 408 }]);
      sandbox.inject("/people", [{ status: 429, retryAfter: "Wed, 21 Oct 2026 07:28:00 GMT" }]);
      const people = await get(sandbox, "/people", { token: null });
      assert.deepEqual(
        [people.status, people.headers.get("retry-after")],
        [429, "Wed, 21 Oct 2026 07:28:00 GMT"],
      );
      assert.equal((await get(sandbox, "/people", { token: "bad" })).status, 408);
      assert.equal((await get(sandbox, "/people", { token: "bad" })).status, 401);
    });
    await t.step("a dropped connection starts a 200 and breaks mid-body", async () => {
      sandbox.inject("/documents", [{ dropConnection: true }]);
      const response = await fetch(`${sandbox.url}/documents`, {
        headers: { authorization: `Bearer ${sandbox.token}` },
      });
      assert.equal(response.status, 200);
      await assert.rejects(response.text());
      assert.equal((await get(sandbox, "/documents")).status, 200);
    });
  });
});

Deno.test("a stall waits until the client gives up", async () => {
  let stalled!: (signal: AbortSignal) => void;
  const started = new Promise<AbortSignal>((resolve) => stalled = resolve);
  const sleep = (ms: number, signal?: AbortSignal) => {
    assert.equal(ms, 60_000);
    stalled(signal!);
    return new Promise<void>((resolve) => signal!.addEventListener("abort", () => resolve()));
  };
  await withSandbox({ sleep }, async (sandbox) => {
    sandbox.inject("/job-roles", [{ stallMs: 60_000 }]);
    const client = new AbortController();
    const request = get(sandbox, "/job-roles", { signal: client.signal });
    const signal = await started;
    assert.equal(signal.aborted, false);
    client.abort();
    await assert.rejects(request, { name: "AbortError" });
    await new Promise((resolve) => signal.addEventListener("abort", resolve));
    assert.equal((await get(sandbox, "/job-roles")).status, 200);
  });
});

Deno.test("closing the sandbox ends stalled requests", async () => {
  let stalled!: () => void;
  const started = new Promise<void>((resolve) => stalled = resolve);
  const sleep = (_ms: number, signal?: AbortSignal) => {
    stalled();
    return new Promise<void>((resolve) => signal!.addEventListener("abort", () => resolve()));
  };
  const sandbox = await startSandbox({ sleep });
  sandbox.inject("*", [{ stallMs: 3_600_000, status: 503 }]);
  const request = get(sandbox, "/companies");
  await started;
  await sandbox.close();
  assert.equal((await request).status, 503);
});

Deno.test("over the rate limit: 429 TooManyRequests with Retry-After in whole seconds", async () => {
  let clock = 0;
  await withSandbox({ rateLimit: 2, monotonicMs: () => clock }, async (sandbox) => {
    const statuses = async (n: number) => {
      const answers = [];
      for (let i = 0; i < n; i++) answers.push(await get(sandbox, "/companies"));
      return answers;
    };
    const burst = await statuses(3);
    assert.deepEqual(burst.map((a) => a.status), [200, 200, 429]);
    assert.equal(burst[2].headers.get("retry-after"), "1");
    assert.deepEqual(
      [burst[2].body.code, burst[2].body.name, burst[2].body.message],
      [429, "TooManyRequests", "Rate limit exceeded"],
    );
    clock += 500;
    assert.deepEqual((await statuses(2)).map((a) => a.status), [200, 429]);
    clock += 60_000;
    assert.deepEqual((await statuses(3)).map((a) => a.status), [200, 200, 429], "burst is 2");
  });
  await withSandbox({ rateLimit: 0.25, monotonicMs: () => clock }, async (sandbox) => {
    assert.equal((await get(sandbox, "/companies")).status, 200);
    assert.equal((await get(sandbox, "/companies")).headers.get("retry-after"), "4");
  });
});

Deno.test("latency delays every request by latencyMs through the injected sleep", async () => {
  const { calls, sleep } = fakeSleep();
  await withSandbox({ latencyMs: 250, sleep }, async (sandbox) => {
    await get(sandbox, "/companies");
    await get(sandbox, "/people");
    assert.deepEqual(calls, [250, 250]);
  });
});

Deno.test("latency counts the response's own work: built on arrival, sent when latency ends", async () => {
  const asked = Promise.withResolvers<void>();
  const latency = Promise.withResolvers<void>();
  const sleep = () => {
    asked.resolve();
    return latency.promise;
  };
  await withSandbox({ people: 30, latencyMs: 100, sleep, churn: 1 }, async (sandbox) => {
    const before = JSON.stringify(sandbox.snapshot("/people"));
    let answered = false;
    const response = get(sandbox, "/people").then((answer) => {
      answered = true;
      return answer;
    });
    await asked.promise;
    // The page was built (and the churn it triggers applied) while the latency runs.
    assert.notEqual(JSON.stringify(sandbox.snapshot("/people")), before);
    assert.equal(answered, false);
    latency.resolve();
    assert.equal((await response).status, 200);
  });
});

Deno.test("errorRate gives seeded random 500s", async () => {
  const run = async (seed: number) => {
    const statuses: number[] = [];
    await withSandbox({ errorRate: 0.3, seed }, async (sandbox) => {
      for (let i = 0; i < 40; i++) statuses.push((await get(sandbox, "/companies")).status);
    });
    return statuses;
  };
  const first = await run(5);
  assert.deepEqual(await run(5), first, "same seed, same failures");
  const failures = first.filter((s) => s === 500).length;
  assert.ok(failures > 4 && failures < 25, `${failures} of 40 failed`);
  assert.deepEqual(new Set(first), new Set([200, 500]));
  await withSandbox({ errorRate: 1 }, async (sandbox) => {
    const { status, body } = await get(sandbox, "/companies");
    assert.deepEqual([status, body.code, body.name], [500, 500, "GeneralError"]);
  });
});

Deno.test("churn inserts rows after every other and deletes rows, in both orders", async () => {
  await withSandbox({}, async (sandbox) => {
    const base = expected("/job-roles");
    sandbox.change("/job-roles", { inserts: 2, deletes: 3 });
    const after = sandbox.snapshot("/job-roles");
    assert.equal(after.length, base.length - 1);
    const kept = new Set(ids(after));
    const deleted = base.filter((r) => !kept.has(r.id as string));
    assert.equal(deleted.length, 3);
    const inserted = after.filter((r) => !ids(base).includes(r.id as string));
    assert.equal(inserted.length, 2);
    assert.ok(
      inserted.every((r) => r.updatedAt! > NOW.toISOString() && r.createdAt === r.updatedAt),
    );
    const orders: Record<string, number>[] = [{ $limit: 250 }, {
      $limit: 250,
      "$sort[updatedAt]": 1,
    }];
    for (const query of orders) {
      const listed = await get(sandbox, "/job-roles", { query });
      assert.equal(listed.body.total, base.length - 1);
      assert.deepEqual(ids(listed.body.data.slice(-2)), ids(inserted), "inserted rows come last");
      assert.ok(!ids(listed.body.data).some((id) => deleted.some((r) => r.id === id)));
    }
    const window = await get(sandbox, "/job-roles", {
      query: { $limit: 250, "updatedAt[$lte]": NOW.toISOString() },
    });
    assert.equal(window.body.total, base.length - 3, "inserted rows are outside an earlier window");
  });
});

Deno.test("churn moves rows to the end of updatedAt order while a client pages", async () => {
  await withSandbox({ churn: 3 }, async (sandbox) => {
    const base = expected("/job-roles");
    const query = { "$sort[updatedAt]": 1, $limit: 250 };
    const first = await get(sandbox, "/job-roles", { query });
    assert.deepEqual(first.body.data, base, "the first request sees the generated rows");

    const second = await get(sandbox, "/job-roles", { query });
    assert.equal(second.body.total, base.length, "changes are updates, not inserts");
    const moved = second.body.data.slice(-3) as Row[];
    assert.equal(new Set(ids(moved)).size, 3);
    assert.deepEqual(
      moved.map((r) => r.updatedAt),
      [1, 2, 3].map((ms) => new Date(NOW.getTime() + ms).toISOString()),
      "changed rows are later than every other, in the order they changed",
    );
    const movedIds = new Set(ids(moved));
    assert.deepEqual(
      ids(second.body.data.slice(0, -3)),
      ids(base.filter((r) => !movedIds.has(r.id as string))),
    );
    const changed = await get(sandbox, "/job-roles", {
      query: { "updatedAt[$gt]": NOW.toISOString() },
    });
    assert.deepEqual(new Set(ids(changed.body.data)).isSupersetOf(movedIds), true);

    const unsorted = await get(sandbox, "/job-roles", { query: { $limit: 250 } });
    assert.deepEqual(ids(unsorted.body.data), ids(base), "natural order keeps its positions");
    assert.ok(unsorted.body.data.filter((r: Row) => r.updatedAt! > NOW.toISOString()).length >= 6);
  });
});

Deno.test("touch moves distinct rows on demand", async () => {
  await withSandbox({}, async (sandbox) => {
    assert.equal(sandbox.touch("/documents", 5), 5);
    assert.equal(sandbox.touch("/public-holiday-calendars", 2), 0, "no updatedAt to move");
    assert.equal(sandbox.touch("/companies", 4), 1, "no more rows than there are");
    const { body } = await get(sandbox, "/documents", {
      query: { "updatedAt[$gt]": NOW.toISOString() },
    });
    assert.equal(body.total, 5);
  });
});

Deno.test("a million people: any page, filter or id is served without reading them all", async () => {
  const people = 1_000_000;
  await withSandbox({ people }, async (sandbox) => {
    const started = performance.now();
    const last = await get(sandbox, "/people", { query: { $skip: 999_900 } });
    assert.equal(last.body.total, people);
    assert.equal(last.body.data.length, 100);
    const iterator = sandboxRows("/people", { people, now })[Symbol.iterator]();
    assert.equal(last.body.data[99].updatedAt, NOW.toISOString());

    const recent = await get(sandbox, "/job-roles", {
      query: { "updatedAt[$gte]": "2026-11-28T00:00:00.000Z", "$sort[updatedAt]": 1 },
    });
    assert.ok(recent.body.total > 100 && recent.body.total < 100_000, `${recent.body.total}`);
    const one = await get(sandbox, `/people/${last.body.data[0].id}`);
    assert.deepEqual(one.body, last.body.data[0]);
    // Reading a million rows takes tens of seconds; these three requests take milliseconds.
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 3_000, `${Math.round(elapsed)} ms`);
    assert.deepEqual(iterator.next().value, (await get(sandbox, "/people")).body.data[0]);
  });
});

Deno.test("data overrides replace a resource's rows", async () => {
  const companies = [
    { id: "c1", name: "One", updatedAt: "2026-01-01T00:00:00.000Z" },
    { id: "c2", name: "Two", updatedAt: "2025-01-01T00:00:00.000Z" },
  ];
  await withSandbox({ data: { "/companies": companies, "/webhooks": [] } }, async (sandbox) => {
    assert.deepEqual((await get(sandbox, "/companies")).body.data, companies);
    const sorted = await get(sandbox, "/companies", { query: { "$sort[updatedAt]": 1 } });
    assert.deepEqual(ids(sorted.body.data), ["c2", "c1"]);
    assert.deepEqual((await get(sandbox, "/companies/c2")).body, companies[1]);
    assert.deepEqual((await get(sandbox, "/webhooks")).body.total, 0);
  });
});

Deno.test("every request is logged with its path, query, status and Authorization", async () => {
  await withSandbox({}, async (sandbox) => {
    await get(sandbox, "/people", { query: { $limit: 2 } });
    await get(sandbox, "/nope", { token: null });
    assert.deepEqual(sandbox.requests, [
      {
        method: "GET",
        path: "/people",
        query: "%24limit=2",
        status: 200,
        auth: `Bearer ${sandbox.token}`,
      },
      { method: "GET", path: "/nope", query: "", status: 401, auth: null },
    ]);
  });
});

Deno.test("the updatedAt fast path pages exactly like reading every row", () => {
  const T0 = Date.parse("2026-01-01T00:00:00.000Z");
  const iso = (ms: number) => new Date(ms).toISOString();
  const scenario = fc.record({
    // Base times with ties: row i at T0 + steps[i] seconds, steps non-decreasing.
    steps: fc.array(fc.integer({ min: 0, max: 2 }), { maxLength: 40 }),
    moves: fc.array(fc.nat(), { maxLength: 15 }),
    filters: fc.array(
      fc.record({
        op: fc.constantFrom("$gte", "$gt", "$lte", "$lt", "$eq"),
        at: fc.integer({ min: -2, max: 100 }),
      }),
      { maxLength: 2 },
    ),
    sort: fc.constantFrom(0, 1, -1),
    skip: fc.nat(50),
    limit: fc.integer({ min: 0, max: 60 }),
  });
  fc.assert(
    fc.property(scenario, (s) => {
      const base: number[] = [];
      for (const step of s.steps) base.push((base.at(-1) ?? T0) + step * 1000);
      const count = base.length;
      const churn = new ChurnOverlay();
      const last = (base.at(-1) ?? T0) + 1000;
      if (count > 0) s.moves.forEach((m, k) => churn.move(m % count, last + k * 1000));
      const row = (i: number): Row => ({
        id: `r${i}`,
        updatedAt: iso(churn.updatedAt(i) ?? base[i]),
      });
      const filters: Filter[] = s.filters.map((f) => ({
        field: "updatedAt",
        op: f.op,
        value: iso(T0 + f.at * 1000),
      }));
      const query: ListQuery = {
        limit: s.limit,
        skip: s.skip,
        sort: s.sort === 0 ? [] : [["updatedAt", s.sort as 1 | -1]],
        filters,
      };
      const scan: ListSource = { count, row, churn };
      const fast: ListSource = { ...scan, baseUpdatedAt: (i) => iso(base[i]) };
      if (s.sort === -1) {
        // Ties may come in either order when sorting downwards: compare the whole list by time.
        const all = { ...query, skip: 0, limit: 1000 };
        const [a, b] = [listPage(fast, all), listPage(scan, all)];
        assert.equal(a.total, b.total);
        assert.deepEqual(new Set(ids(a.data)), new Set(ids(b.data)));
        assert.deepEqual(a.data.map((r) => r.updatedAt), b.data.map((r) => r.updatedAt));
      } else {
        assert.deepEqual(listPage(fast, query), listPage(scan, query));
      }
    }),
    { numRuns: 500 },
  );
});

Deno.test("query parsing: defaults, cap, sort keys, $in lists", () => {
  const parse = (query: string) => parseListQuery(new URLSearchParams(query));
  assert.deepEqual(parse(""), { limit: 100, skip: 0, sort: [], filters: [] });
  assert.deepEqual(
    parse("$limit=300&$skip=5&$sort[a]=1&$sort[b]=-1&x[$in][]=1&x[$in][]=2&y=3&$select[]=id"),
    {
      limit: 250,
      skip: 5,
      sort: [["a", 1], ["b", -1]],
      filters: [{ field: "y", op: "$eq", value: "3" }, {
        field: "x",
        op: "$in",
        value: ["1", "2"],
      }],
      advanced: "$sort[a]",
      select: ["id"],
    },
  );
});

Deno.test("deno task sandbox: flags, the listening line, and a clean stop on SIGTERM", async () => {
  assert.deepEqual(
    { ...parseSandboxArgs(["--port", "0", "--people", "5", "--rate-limit", "10"]) },
    {
      help: undefined,
      port: 0,
      people: 5,
      seed: 1,
      latencyMs: 0,
      rateLimit: 10,
      errorRate: 0,
      churn: { updates: 0, inserts: 0, deletes: 0 },
      filters: "honour",
      select: "honour",
    },
  );
  assert.equal(parseSandboxArgs(["--select", "ignore"]).select, "ignore");
  assert.throws(() => parseSandboxArgs(["--select", "maybe"]), /--select must be honour or ignore/);
  assert.throws(() => parseSandboxArgs(["--error-rate", "2"]), /--error-rate must be/);
  assert.throws(() => parseSandboxArgs(["--people", "many"]), /--people must be a whole number/);
  assert.throws(() => parseSandboxArgs(["--filters", "maybe"]), /--filters must be one of/);
  assert.throws(() => parseSandboxArgs(["--bogus"]));

  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", new URL("./main.ts", import.meta.url).pathname, "--port", "0"],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let output = "";
  // A sandbox that never prints its address would hang the read: end it after 20 s.
  const deadline = setTimeout(() => child.kill(), 20_000);
  while (!output.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    output += value;
  }
  const match = output.match(
    /^sandbox listening on (http:\/\/127\.0\.0\.1:\d+\/api) token=(\S+)\n/,
  );
  clearTimeout(deadline);
  try {
    assert.ok(match, output);
    const response = await fetch(`${match[1]}/companies`, {
      headers: { authorization: `Bearer ${match[2]}` },
    });
    assert.equal((await response.json()).total, 1);
  } finally {
    child.kill("SIGTERM");
    await reader.cancel();
  }
  assert.equal((await child.status).code, 0);
});

Deno.test("every429: every nth authorised request gets 429 whatever the pace", async () => {
  await withSandbox({ every429: 3, every429RetryAfter: "2" }, async (sandbox) => {
    const statuses = [];
    for (let i = 0; i < 7; i++) statuses.push(await get(sandbox, "/companies"));
    assert.deepEqual(statuses.map((a) => a.status), [200, 200, 429, 200, 200, 429, 200]);
    assert.equal(statuses[2].headers.get("retry-after"), "2");
    assert.equal((await get(sandbox, "/companies", { token: "wrong" })).status, 401, "not counted");
    assert.equal((await get(sandbox, "/companies")).status, 200);
    assert.equal((await get(sandbox, "/companies")).status, 429);
  });
  assert.throws(() => startSandbox({ every429: 0 }), /every429 must be a whole number/);
});

Deno.test("random429: about that share of authorised requests gets 429, the same ones per seed", async () => {
  const run = async (seed: number) => {
    const statuses: number[] = [];
    await withSandbox({ seed, people: 5, random429: 0.25 }, async (sandbox) => {
      for (let i = 0; i < 200; i++) {
        const response = await get(sandbox, "/companies");
        if (response.status === 429) assert.equal(response.headers.get("retry-after"), "1");
        statuses.push(response.status);
      }
    });
    return statuses;
  };
  const first = await run(3);
  const throttled = first.filter((code) => code === 429).length;
  assert.ok(throttled >= 30 && throttled <= 70, `${throttled} of 200 got 429`);
  assert.ok(first.every((code) => code === 200 || code === 429));
  assert.deepEqual(await run(3), first, "same seed, same 429s");
  assert.throws(() => startSandbox({ random429: 1.5 }), /random429 must be between 0 and 1/);
});

Deno.test("faults: an endless body and an echoed Authorization header", async () => {
  await withSandbox({}, async (sandbox) => {
    sandbox.inject("/companies", [{ endlessBody: true }, { echoAuthorization: true }]);
    const response = await fetch(`${sandbox.url}/companies`, {
      headers: { authorization: `Bearer ${sandbox.token}` },
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-length"), null);
    const reader = response.body!.getReader();
    let bytes = 0;
    while (bytes < 1024 * 1024) bytes += (await reader.read()).value!.length;
    await reader.cancel();
    const echoed = await get(sandbox, "/companies");
    assert.equal(echoed.status, 400);
    const message = (echoed.body as { message: string }).message;
    assert.ok(message.includes(`Bearer ${sandbox.token}`));
    assert.ok(message.includes(btoa(`Bearer ${sandbox.token}`)));
    assert.ok(message.includes(btoa(`:${sandbox.token}`)));
  });
});
Deno.test("shortPages: pages after the first serve fewer rows than $limit, limit unchanged", async (t) => {
  await t.step("a fixed fraction", async () => {
    await withSandbox({ people: 150, shortPages: 0.3 }, async (sandbox) => {
      const first = await get(sandbox, "/people", { query: { $limit: 100 } });
      assert.equal(first.body.data.length, 100, "the first page is whole");
      const second = await get(sandbox, "/people", { query: { $limit: 100, $skip: 100 } });
      assert.deepEqual({ ...second.body, data: second.body.data.length }, {
        total: 150,
        limit: 100,
        skip: 100,
        data: 30,
      });
      assert.deepEqual(second.body.data, expected("/people", 150).slice(100, 130));
    });
  });
  await t.step("random, seeded: from 1 row to $limit", async () => {
    const lengths = async () => {
      const seen: number[] = [];
      await withSandbox({ people: 150, shortPages: "random" }, async (sandbox) => {
        for (let skip = 1; skip < 21; skip++) {
          const { body } = await get(sandbox, "/people", { query: { $limit: 50, $skip: skip } });
          assert.equal(body.limit, 50);
          seen.push(body.data.length);
        }
      });
      return seen;
    };
    const seen = await lengths();
    assert.ok(seen.every((n) => n >= 1 && n <= 50), String(seen));
    assert.ok(new Set(seen).size > 3, "lengths vary");
    assert.deepEqual(await lengths(), seen, "same seed, same lengths");
  });
});

Deno.test("lyingTotal: total a third of the rows, or a fixed number", async () => {
  await withSandbox({ people: 150, lyingTotal: "smaller" }, async (sandbox) => {
    const { body } = await get(sandbox, "/people", { query: { $limit: 100, $skip: 100 } });
    assert.equal(body.total, 50);
    assert.equal(body.data.length, 50, "the rows are all still served");
  });
  await withSandbox({ people: 150, lyingTotal: 1e9 }, async (sandbox) => {
    const { body } = await get(sandbox, "/people", { query: { $limit: 100, $skip: 100 } });
    assert.equal(body.total, 1e9);
    assert.equal(body.data.length, 50);
  });
});

Deno.test("skipIgnored: every $skip serves the first page", async () => {
  await withSandbox({ people: 150, skipIgnored: true }, async (sandbox) => {
    const first = await get(sandbox, "/people", { query: { $limit: 100 } });
    const later = await get(sandbox, "/people", { query: { $limit: 100, $skip: 100 } });
    assert.deepEqual(later.body.data, first.body.data);
    assert.equal(later.body.total, 150);
  });
});

Deno.test("paging deviation options and flags are checked", async () => {
  for (const bad of [{ shortPages: 0 }, { shortPages: 1.5 }, { lyingTotal: -1 }]) {
    await assert.rejects(async () => await startSandbox(bad), /shortPages|lyingTotal/);
  }
  assert.deepEqual(
    {
      ...parseSandboxArgs(["--short-pages", "0.5", "--lying-total", "1e9", "--skip-ignored"]),
      churn: undefined,
    },
    {
      help: undefined,
      port: 8787,
      people: 200,
      seed: 1,
      latencyMs: 0,
      rateLimit: undefined,
      errorRate: 0,
      churn: undefined,
      filters: "honour",
      select: "honour",
      shortPages: 0.5,
      lyingTotal: 1e9,
      skipIgnored: true,
    },
  );
  assert.equal(parseSandboxArgs(["--short-pages", "random"]).shortPages, "random");
  assert.equal(parseSandboxArgs(["--lying-total", "smaller"]).lyingTotal, "smaller");
  assert.throws(() => parseSandboxArgs(["--short-pages", "2"]), /--short-pages must be/);
  assert.throws(() => parseSandboxArgs(["--lying-total", "lots"]), /--lying-total must be/);
});

Deno.test("sortIgnored: filters hold, $sort does not; rows come in id order", async () => {
  await withSandbox({ sortIgnored: true }, async (sandbox) => {
    const since = "2026-01-01T00:00:00.000Z";
    const { body } = await get(sandbox, "/job-roles", {
      query: { "$sort[updatedAt]": 1, "updatedAt[$gte]": since, $limit: 250 },
    });
    const rows = expected("/job-roles").filter((r) => (r.updatedAt as string) >= since);
    assert.equal(body.total, rows.length);
    assert.deepEqual(ids(body.data), ids(rows).sort());
    const dates = body.data.map((r: Row) => r.updatedAt as string);
    assert.notDeepEqual(dates, dates.toSorted(), "not in updatedAt order");
  });
});

Deno.test("nullUpdatedAt and futureUpdatedAt: that fraction of rows, which range filters miss", async () => {
  await withSandbox({ nullUpdatedAt: 0.2, futureUpdatedAt: 0.3 }, async (sandbox) => {
    const all = sandbox.snapshot("/job-roles");
    const undated = all.filter((r) => r.updatedAt === null || !("updatedAt" in r));
    const future = all.filter((r) =>
      typeof r.updatedAt === "string" && r.updatedAt > NOW.toISOString()
    );
    assert.ok(
      undated.some((r) => r.updatedAt === null) && undated.some((r) => !("updatedAt" in r)),
    );
    for (const [rows, share] of [[undated, 0.2], [future, 0.3]] as const) {
      assert.ok(
        Math.abs(rows.length / all.length - share) < 0.08,
        `${rows.length} of ${all.length}`,
      );
    }
    assert.equal(all.length, expected("/job-roles").length);
    const window = await get(sandbox, "/job-roles", {
      query: { "updatedAt[$lte]": NOW.toISOString(), $limit: 1 },
    });
    assert.equal(window.body.total, all.length - undated.length - future.length);
    const after = await get(sandbox, "/job-roles", {
      query: { "updatedAt[$gt]": NOW.toISOString(), $limit: 1 },
    });
    assert.equal(after.body.total, future.length);
  });
  assert.throws(() => startSandbox({ nullUpdatedAt: 2 }), /nullUpdatedAt must be a fraction/);
  assert.deepEqual(
    parseSandboxArgs(["--sort-ignored", "--null-updated-at", "0.1", "--future-updated-at", "0.2"]),
    {
      ...parseSandboxArgs([]),
      sortIgnored: true,
      nullUpdatedAt: 0.1,
      futureUpdatedAt: 0.2,
    },
  );
  assert.throws(() => parseSandboxArgs(["--null-updated-at", "3"]), /--null-updated-at must be/);
});

Deno.test("a token's creator's role can hide lists (403), and lists can be absent (404)", async () => {
  const tokens = {
    admin: ["public:read", "private:read"],
    manager: ["public:read", "private:read"],
  };
  const options = { tokens, denied: { manager: ["/bank-accounts"] }, absent: ["/spaces"] };
  await withSandbox(options, async (sandbox) => {
    const hidden = await get(sandbox, "/bank-accounts", { token: "manager", query: { $limit: 1 } });
    assert.equal(hidden.status, 403);
    assert.equal(hidden.body.message, "You do not have permission to perform this action");
    assert.equal((await get(sandbox, "/bank-accounts", { token: "admin" })).status, 200);
    assert.equal((await get(sandbox, "/people", { token: "manager" })).status, 200);
    for (const token of ["admin", "manager"]) {
      const absent = await get(sandbox, "/spaces", { token });
      assert.equal(absent.status, 404);
      assert.equal(absent.body.message, "Page not found: /spaces");
    }
    assert.equal((await get(sandbox, "/equipment-types", { token: "manager" })).status, 200);
  });
});

Deno.test("$select[]: rows hold the fields asked for and the id; a switch ignores it", async () => {
  const query: [string, string][] = [["$select[]", "personId"], ["$select[]", "nope"], [
    "$limit",
    "5",
  ]];
  await withSandbox({}, async (sandbox) => {
    const { status, body } = await get(sandbox, "/job-roles", { query });
    assert.equal(status, 200);
    const page = body as { total: number; data: Row[] };
    const full = expected("/job-roles").slice(0, 5);
    assert.equal(page.total, expected("/job-roles").length);
    assert.deepEqual(page.data, full.map((r) => ({ id: r.id, personId: r.personId })));
  });
  await withSandbox({}, async (sandbox) => {
    // Ids alone are served without generating rows in full: the same ids, for every resource.
    for (const path of resourcePaths()) {
      const { body } = await get(sandbox, path, { query: { "$select[]": "id", $limit: 250 } });
      const ids = (body as { data: Row[] }).data;
      const rows = expected(path).slice(0, 250);
      assert.deepEqual(ids, rows.map((r) => ({ id: r.id })), path);
    }
  });
  await withSandbox({ select: "ignore" }, async (sandbox) => {
    const { body } = await get(sandbox, "/job-roles", { query });
    assert.deepEqual((body as { data: Row[] }).data, expected("/job-roles").slice(0, 5));
  });
});

Deno.test("GET by id: a deleted row is 404, an inserted one is found", async () => {
  await withSandbox({}, async (sandbox) => {
    const before = sandbox.snapshot("/job-roles").map((r) => r.id as string);
    sandbox.change("/job-roles", { deletes: 1, inserts: 1 });
    const after = sandbox.snapshot("/job-roles").map((r) => r.id as string);
    const [removed] = before.filter((id) => !after.includes(id));
    const [added] = after.filter((id) => !before.includes(id));
    assert.equal((await get(sandbox, `/job-roles/${removed}`)).status, 404);
    const found = await get(sandbox, `/job-roles/${added}`);
    assert.equal(found.status, 200);
    assert.equal((found.body as Row).id, added);
  });
});

Deno.test("shortPages also shortens keyset pages: any page of a query with a lower bound", async () => {
  await withSandbox({ people: 150, shortPages: 0.3 }, async (sandbox) => {
    const query = { "updatedAt[$gte]": "0001-01-01T00:00:00.000Z", $limit: 100 };
    const { body } = await get(sandbox, "/people", { query });
    assert.equal(body.data.length, 30);
    assert.equal(body.total, 150, "the envelope still counts every row");
  });
});

Deno.test("ignoredOperators: the named range operators are dropped, the others honoured", async () => {
  await withSandbox({ people: 150, ignoredOperators: ["$gt"] }, async (sandbox) => {
    const rows = expected("/people", 150);
    const at = rows[100].updatedAt as string;
    const gt = await get(sandbox, "/people", { query: { "updatedAt[$gt]": at, $limit: 250 } });
    assert.equal(gt.body.total, 150, "$gt ignored: every row");
    const gte = await get(sandbox, "/people", { query: { "updatedAt[$gte]": at, $limit: 250 } });
    assert.equal(gte.body.total, rows.filter((r) => (r.updatedAt as string) >= at).length);
  });
});

Deno.test("$sort[updatedAt] then $sort[id]: rows tied on updatedAt come in id order, page after page", async () => {
  const people = 40_000;
  await withSandbox({ people }, async (sandbox) => {
    const rows = expected("/people", people);
    const order = (a: Row, b: Row) =>
      a.updatedAt === b.updatedAt
        ? (a.id as string) < (b.id as string) ? -1 : 1
        : (a.updatedAt as string) < (b.updatedAt as string)
        ? -1
        : 1;
    const sorted = rows.toSorted(order);
    const tied = sorted.filter((r, i) => i > 0 && r.updatedAt === sorted[i - 1].updatedAt);
    assert.ok(tied.length > 0, "the data has ties");
    const from = sorted[sorted.length - 40].updatedAt as string;
    const got: Row[] = [];
    for (let skip = 0;; skip += 7) {
      const { body } = await get(sandbox, "/people", {
        query: {
          "updatedAt[$gte]": from,
          "$sort[updatedAt]": 1,
          "$sort[id]": 1,
          $limit: 7,
          $skip: skip,
        },
      });
      got.push(...body.data);
      if (body.data.length < 7) break;
    }
    assert.deepEqual(ids(got), ids(sorted.filter((r) => (r.updatedAt as string) >= from)));
  });
});

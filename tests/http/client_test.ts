import assert from "node:assert/strict";
import type { Clock } from "../../src/clock.ts";
import { TokenBucket } from "../../sandbox/rate_limit.ts";
import { testClock } from "../support/clock.ts";
import { until } from "../support/wait.ts";
import {
  accessHint,
  apiErrorMessage,
  capMessage,
  HttpError,
  HumaansClient,
  type HumaansClientOptions,
  isRejectedQuery,
  MAX_BODY_BYTES,
  MAX_MESSAGE_CHARS,
  type RateLimitedInfo,
  type RetryInfo,
} from "../../src/http/client.ts";

const START = Date.parse("2026-11-28T12:00:00.000Z");
const TOKEN = "hms_live_Q7wE9rT1yU3iO5pA8sD2fG4h";
const BASE = "https://app.humaans.io/api";

/** A test clock; `advance` is optional so that a test can build its own. */
type FakeClock = Clock & { sleeps: number[]; advance?(ms: number): void };

/** Sleeps resolve at once and move `now` forward; timeouts never fire unless `timeout` says so. */
function fakeClock(options: { timeout?: (ms: number) => AbortSignal } = {}): FakeClock {
  return testClock(START, { timeout: options.timeout ?? (() => new AbortController().signal) });
}

/**
 * A clock whose sleeps wait until `release(ms)`, which moves `now` on by `ms` and wakes every
 * sleeper: a test can look at a pause while it lasts.
 */
function heldClock(): { clock: FakeClock; sleeps: number[]; release(ms: number): void } {
  let now = START;
  const sleeps: number[] = [];
  const wakers: (() => void)[] = [];
  const clock: FakeClock = {
    sleeps,
    now: () => now,
    sleep(ms) {
      sleeps.push(ms);
      return new Promise((resolve) => wakers.push(() => resolve()));
    },
    timeout: () => new AbortController().signal,
    random: () => 0.5,
  };
  const release = (ms: number) => {
    now += ms;
    for (const wake of wakers.splice(0)) wake();
  };
  return { clock, sleeps, release };
}

type Reply = Response | Error | ((url: URL, init: RequestInit) => Response | Promise<Response>);

interface FakeFetch {
  fetch: typeof fetch;
  calls: { url: URL; headers: Headers }[];
}

/** A fetch that answers from `replies` in order (the last one repeats). */
function fakeFetch(replies: Reply[]): FakeFetch {
  const calls: { url: URL; headers: Headers }[] = [];
  const fetch = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input);
    calls.push({ url, headers: new Headers(init.headers) });
    const reply = replies[Math.min(calls.length - 1, replies.length - 1)];
    if (init.signal?.aborted) return Promise.reject(init.signal.reason);
    if (reply instanceof Error) return Promise.reject(reply);
    if (typeof reply === "function") return Promise.resolve(reply(url, init));
    return Promise.resolve(reply.clone());
  };
  return { fetch: fetch as typeof globalThis.fetch, calls };
}

function json(body: unknown, init: ResponseInit = {}): Response {
  return new Response(JSON.stringify(body), {
    ...init,
    headers: { "content-type": "application/json", ...init.headers },
  });
}

function status(code: number, body: unknown = { message: `status ${code}` }, headers = {}) {
  return json(body, { status: code, headers });
}

function client(
  replies: Reply[],
  options: Partial<HumaansClientOptions> & { clock?: FakeClock } = {},
): { client: HumaansClient; fetch: FakeFetch; clock: FakeClock; retries: RetryInfo[] } {
  const fetch = fakeFetch(replies);
  const clock = options.clock ?? fakeClock();
  const retries: RetryInfo[] = [];
  const humaans = new HumaansClient({
    baseUrl: BASE,
    token: TOKEN,
    timeoutMs: 30_000,
    retryAttempts: 3,
    clock,
    fetch: fetch.fetch,
    onRetry: (info) => {
      retries.push(info);
    },
    ...options,
  });
  return { client: humaans, fetch, clock, retries };
}

async function httpErrorOf(promise: Promise<unknown>): Promise<HttpError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof HttpError, `not an HttpError: ${error}`);
    return error;
  }
  assert.fail("the request succeeded");
}

/** Asserts that neither the token nor any 6+ character prefix of it appears in `text`. */
function assertNoToken(text: string | undefined, where: string): void {
  if (text === undefined) return;
  for (let n = 6; n <= TOKEN.length; n++) {
    assert.ok(!text.includes(TOKEN.slice(0, n)), `${where} holds ${n} characters of the token`);
  }
}

Deno.test("GET sends the bearer token and returns the JSON body", async () => {
  const { client: humaans, fetch, clock } = client([json({ id: "me", name: "Ada" })]);
  const body = await humaans.get("/me");
  assert.deepEqual(body, { id: "me", name: "Ada" });
  assert.equal(fetch.calls.length, 1);
  assert.equal(fetch.calls[0].headers.get("authorization"), `Bearer ${TOKEN}`);
  assert.equal(fetch.calls[0].headers.get("accept"), "application/json");
  assert.equal(fetch.calls[0].url.href, `${BASE}/me`);
  assert.deepEqual(clock.sleeps, []);
  assert.equal(humaans.host, "app.humaans.io");
});

Deno.test("GET passes query values, skipping undefined ones", async () => {
  const { client: humaans, fetch } = client([json({ total: 0, data: [] })]);
  await humaans.get("/job-roles", {
    $limit: 250,
    $skip: 0,
    "updatedAt[$gte]": "2026-01-01T00:00:00.000Z",
    "$sort[updatedAt]": 1,
    personId: "Pe6Hs2Jd9Kf4Lg1Zx7Cv3Bn8",
    flag: true,
    absent: undefined,
  });
  const params = fetch.calls[0].url.searchParams;
  assert.equal(fetch.calls[0].url.pathname, "/api/job-roles");
  assert.deepEqual([...params], [
    ["$limit", "250"],
    ["$skip", "0"],
    ["updatedAt[$gte]", "2026-01-01T00:00:00.000Z"],
    ["$sort[updatedAt]", "1"],
    ["personId", "Pe6Hs2Jd9Kf4Lg1Zx7Cv3Bn8"],
    ["flag", "true"],
  ]);
});

Deno.test("retryable statuses are retried with full-jitter backoff, then succeed", async (t) => {
  for (const code of [408, 429, 500, 502, 503, 504]) {
    await t.step(String(code), async () => {
      const { client: humaans, fetch, clock, retries } = client([
        status(code),
        status(code),
        status(code),
        json({ ok: true }),
      ]);
      assert.deepEqual(await humaans.get("/companies"), { ok: true });
      assert.equal(fetch.calls.length, 4);
      // random() = 0.5 and a 1 s base: half of 1, 2 and 4 seconds
      assert.deepEqual(clock.sleeps, [500, 1_000, 2_000]);
      assert.deepEqual(retries.map((r) => [r.attempt, r.delayMs]), [[1, 500], [2, 1_000], [
        3,
        2_000,
      ]]);
      assert.ok(retries.every((r) => r.method === "GET" && r.path === "/companies"));
      assert.match(retries[0].reason, new RegExp(`^${code}`));
    });
  }
});

Deno.test("backoff options override the defaults", async () => {
  const { client: humaans, clock } = client([status(500), status(500), json({})], {
    backoff: { baseMs: 100, maxMs: 150, random: () => 0.999 },
  });
  await humaans.get("/companies");
  assert.deepEqual(clock.sleeps, [99, 149]);
});

Deno.test("Retry-After is honoured in seconds and as an HTTP date", async (t) => {
  const rows: [string, Record<string, string>, number[]][] = [
    ["seconds", { "retry-after": "7" }, [7_000]],
    ["fractional seconds", { "retry-after": "0.25" }, [250]],
    ["HTTP date", { "retry-after": new Date(START + 9_000).toUTCString() }, [9_000]],
    ["HTTP date in the past: no wait", { "retry-after": "Wed, 21 Oct 2015 07:28:00 GMT" }, []],
    ["zero: no wait", { "retry-after": "0" }, []],
    ["an hour: capped at five minutes", { "retry-after": "3600" }, [300_000]],
    ["garbage: ordinary backoff", { "retry-after": "soon" }, [500]],
  ];
  for (const [name, headers, sleeps] of rows) {
    for (const code of [429, 503]) {
      await t.step(`${code}, ${name}`, async () => {
        const { client: humaans, clock, retries } = client([
          status(code, { message: "slow down" }, headers),
          json({ ok: true }),
        ]);
        assert.deepEqual(await humaans.get("/documents"), { ok: true });
        assert.deepEqual(clock.sleeps, sleeps);
        assert.equal(retries[0].delayMs, sleeps[0] ?? 0);
      });
    }
  }
});

Deno.test("a Retry-After pause is shared by every request of the client", async () => {
  const { clock, sleeps, release } = heldClock();
  const { client: humaans, fetch } = client([
    status(429, { message: "Too many requests" }, { "retry-after": "10" }),
    json({ ok: 1 }),
  ], { clock, maxConcurrency: 2 });
  const first = humaans.get("/companies");
  await until(() => sleeps.length >= 1, { what: "1 sleep" });
  const second = humaans.get("/documents");
  await until(() => sleeps.length >= 2, { what: "2 sleeps" });
  assert.deepEqual(sleeps, [10_000, 10_000], "the second request waits out the same pause");
  assert.equal(fetch.calls.length, 1, "nothing is sent during the pause");
  release(10_000);
  assert.deepEqual(await Promise.all([first, second]), [{ ok: 1 }, { ok: 1 }]);
  assert.equal(fetch.calls.length, 3);
});

Deno.test("a 429 reports the wait to the request's onRateLimited, with the quota reset Retry-After names", async (t) => {
  const rows: [string, Record<string, string>, RateLimitedInfo[]][] = [
    ["seconds", { "retry-after": "7" }, [{ quotaReset: START + 7_000, delayMs: 7_000 }]],
    ["fractional seconds", { "retry-after": "0.25" }, [{ quotaReset: START + 250, delayMs: 250 }]],
    [
      "HTTP date",
      { "retry-after": new Date(START + 9_000).toUTCString() },
      [{ quotaReset: START + 9_000, delayMs: 9_000 }],
    ],
    ["zero: no wait, nothing reported", { "retry-after": "0" }, []],
    ["no header: the backoff, no quota reset", {}, [{ delayMs: 500 }]],
    ["garbage: the backoff, no quota reset", { "retry-after": "soon" }, [{ delayMs: 500 }]],
  ];
  for (const [name, headers, expected] of rows) {
    await t.step(name, async () => {
      const { client: humaans, clock } = client([status(429, {}, headers), json({ ok: true })]);
      const reported: RateLimitedInfo[] = [];
      const sleepsWhenReported: number[] = [];
      const body = await humaans.get("/people", {}, {
        onRateLimited: (info) => {
          reported.push(info);
          sleepsWhenReported.push(clock.sleeps.length);
        },
      });
      assert.deepEqual(body, { ok: true });
      assert.deepEqual(reported, expected);
      assert.deepEqual(sleepsWhenReported, expected.map(() => 0), "reported before the wait");
    });
  }
});

Deno.test("onRateLimited: not called for other retries, once per wait, and a rejection fails the request", async () => {
  const reported: RateLimitedInfo[] = [];
  const onRateLimited = (info: RateLimitedInfo) => {
    reported.push(info);
  };
  const { client: humaans } = client([
    status(503, {}, { "retry-after": "2" }),
    status(500),
    status(429, {}, { "retry-after": "3" }),
    json({ ok: true }),
  ]);
  assert.deepEqual(await humaans.get("/people", {}, { onRateLimited }), { ok: true });
  // The 503's Retry-After pauses the client too, but that is no rate limit; then 1 s of backoff.
  assert.deepEqual(reported, [{ quotaReset: START + 2_000 + 1_000 + 3_000, delayMs: 3_000 }]);
  const failing = client([status(429, {}, { "retry-after": "1" }), json({ ok: true })]);
  await assert.rejects(
    failing.client.get("/people", {}, {
      onRateLimited: () => Promise.reject(new Error("stopping")),
    }),
    /stopping/,
  );
  assert.equal(failing.fetch.calls.length, 1, "not retried after the callback failed");
});

Deno.test("a request held back by another request's 429 pause reports it too, once", async () => {
  const { clock, sleeps, release } = heldClock();
  const { client: humaans } = client([
    status(429, { message: "Too many requests" }, { "retry-after": "10" }),
    json({ ok: 1 }),
  ], { clock, maxConcurrency: 2 });
  const seen: Record<string, RateLimitedInfo[]> = { companies: [], documents: [] };
  const first = humaans.get("/companies", {}, {
    onRateLimited: (i) => void seen.companies.push(i),
  });
  await until(() => sleeps.length >= 1, { what: "1 sleep" });
  const second = humaans.get("/documents", {}, {
    onRateLimited: (i) => void seen.documents.push(i),
  });
  await until(() => sleeps.length >= 2, { what: "2 sleeps" });
  release(10_000);
  await Promise.all([first, second]);
  const reset = { quotaReset: START + 10_000, delayMs: 10_000 };
  assert.deepEqual(seen, { companies: [reset], documents: [reset] });
});

Deno.test("withDefaults: a view's requests report to its onRateLimited, share the pause and the limit", async () => {
  const { clock, sleeps, release } = heldClock();
  const { client: humaans, fetch } = client([
    status(429, {}, { "retry-after": "10" }),
    json({ ok: 1 }),
  ], { clock, maxConcurrency: 3 });
  const seen: Record<string, number[]> = { people: [], documents: [], own: [] };
  const people = humaans.withDefaults({ onRateLimited: (i) => void seen.people.push(i.delayMs) });
  const documents = humaans.withDefaults({
    onRateLimited: (i) => void seen.documents.push(i.delayMs),
  });
  assert.equal(people.limit, humaans.limit, "one limit for every view");
  const first = people.get("/people");
  await until(() => sleeps.length >= 1, { what: "1 sleep" });
  const second = documents.get("/documents");
  const third = humaans.get("/companies"); // the client itself reports nothing
  const fourth = documents.get("/documents", {}, {
    onRateLimited: (i) => void seen.own.push(i.delayMs), // the call's own wins
  });
  await until(() => sleeps.length >= 4, { what: "4 sleeps" });
  assert.deepEqual(sleeps, [10_000, 10_000, 10_000, 10_000], "every view waits out the pause");
  assert.equal(fetch.calls.length, 1);
  release(10_000);
  await Promise.all([first, second, third, fourth]);
  assert.deepEqual(seen, { people: [10_000], documents: [10_000], own: [10_000] });
});

Deno.test("client errors are not retried", async (t) => {
  const rows: [number, string][] = [
    [400, "system_error"],
    [401, "config_error"],
    [403, "config_error"],
    [404, "system_error"],
    [422, "system_error"],
  ];
  for (const [code, failureType] of rows) {
    await t.step(String(code), async () => {
      const { client: humaans, fetch, clock, retries } = client([
        status(code, { name: "Error", message: `problem ${code}`, code }),
        json({ ok: true }),
      ]);
      const error = await httpErrorOf(humaans.get("/companies"));
      assert.equal(error.attempts, 1);
      assert.equal(error.status, code);
      assert.equal(error.failureType, failureType);
      assert.equal(error.apiMessage, `problem ${code}`);
      assert.equal(fetch.calls.length, 1);
      assert.deepEqual(clock.sleeps, []);
      assert.deepEqual(retries, []);
      assert.match(
        error.message,
        new RegExp(`^GET /companies failed with ${code}.*after 1 attempt$`),
      );
    });
  }
});

Deno.test("retries exhausted: HttpError with status, attempts and a full message", async () => {
  const { client: humaans, fetch } = client([
    new Response(
      JSON.stringify({ name: "GeneralError", message: "Database unavailable", code: 503 }),
      {
        status: 503,
        statusText: "Service Unavailable",
      },
    ),
  ]);
  const error = await httpErrorOf(humaans.get("/job-roles", { $limit: 100 }));
  assert.equal(fetch.calls.length, 4);
  assert.equal(error.attempts, 4);
  assert.equal(error.status, 503);
  assert.equal(error.failureType, "transient_error");
  assert.equal(error.apiMessage, "Database unavailable");
  assert.equal(
    error.message,
    "GET /job-roles failed with 503 Service Unavailable: Database unavailable after 4 attempts",
  );
  assert.equal(error.name, "HttpError");
});

Deno.test("retryAttempts 0 makes one attempt", async () => {
  const { client: humaans, fetch } = client([status(500)], { retryAttempts: 0 });
  const error = await httpErrorOf(humaans.get("/companies"));
  assert.equal(error.attempts, 1);
  assert.equal(fetch.calls.length, 1);
});

Deno.test("apiErrorMessage: Feathers message, then name/code, then raw text", async (t) => {
  const rows: [string, string, string | undefined][] = [
    [
      "Feathers message",
      '{"name":"NotFound","message":"Person not found","code":404}',
      "Person not found",
    ],
    ["name and code", '{"name":"Forbidden","code":403}', "Forbidden (403)"],
    ["name only", '{"name":"Forbidden"}', "Forbidden"],
    [
      "empty message falls back to name",
      '{"name":"BadRequest","message":"","code":400}',
      "BadRequest (400)",
    ],
    // Not quoted: what else a JSON body holds is the server's (an echo of the request's headers
    // could hold the token in an escape no mask foresees).
    ["JSON without a message of a known shape", '{"detail":"nope"}', undefined],
    ["error.message", '{"error":{"message":"bad query"}}', "bad query"],
    ["errors[0].message", '{"errors":[{"message":"bad query"},{"message":"x"}]}', "bad query"],
    [
      "error and error_description",
      '{"error":"invalid_token","error_description":"expired"}',
      "invalid_token: expired",
    ],
    ["error alone", '{"error":"nope"}', "nope"],
    ["a message that is not a string", '{"message":{"a":1}}', undefined],
    ["\\u and \\x escapes in a message decoded", '{"message":"\\\\u0068\\\\x69"}', "hi"],
    [
      "text that is not HTML keeps its angle brackets",
      "limit must be <= 250 and > 0 (got <x>)",
      "limit must be <= 250 and > 0 (got <x>)",
    ],
    ["control characters become spaces", "bad\u001b[31m red\u0085end", "bad [31m red end"],
    ["JSON that is not an object", '"nope"', undefined],
    ["a message on one line", '{"message":"bad\\nrequest\\r\\n  here"}', "bad request here"],
    ["character references decoded", "<p>a &amp; b &#104;&#x69; &lt;x&gt;</p>", "a & b hi <x>"],
    ["%-escapes decoded", "no route for %2Fpeople%3fx and 100%", "no route for /people?x and 100%"],
    ["plain text", "upstream connect error", "upstream connect error"],
    [
      "HTML stripped",
      "<html><head><title>502</title></head><body><h1>502 Bad Gateway</h1>\n<hr>nginx</body></html>",
      "502 502 Bad Gateway nginx",
    ],
    ["empty", "", undefined],
    ["blank", "  \n ", undefined],
    ["only tags", "<br/><hr>", undefined],
    ["long text truncated", "x".repeat(300), `${"x".repeat(200)}... (100 more characters)`],
  ];
  for (const [name, text, expected] of rows) {
    await t.step(name, () => assert.equal(apiErrorMessage(text), expected));
  }
});

Deno.test("the error message carries the API's message in each body form", async (t) => {
  const rows: [string, Response, string][] = [
    [
      "Feathers JSON",
      status(404, { name: "NotFound", message: "Person not found", code: 404 }),
      "Person not found",
    ],
    ["name/code JSON", status(403, { name: "Forbidden", code: 403 }), "Forbidden (403)"],
    [
      "HTML",
      new Response("<html><body><h1>Bad request</h1></body></html>", { status: 400 }),
      "Bad request",
    ],
    ["text", new Response("no such route", { status: 404 }), "no such route"],
  ];
  for (const [name, response, apiMessage] of rows) {
    await t.step(name, async () => {
      const { client: humaans } = client([response]);
      const error = await httpErrorOf(humaans.get("/people"));
      assert.equal(error.apiMessage, apiMessage);
      assert.ok(error.message.includes(`: ${apiMessage} after 1 attempt`), error.message);
      assert.ok(error.message.startsWith(`GET /people failed with ${response.status}`));
    });
  }
});

Deno.test("network errors are retried, then reported with the host", async () => {
  const { client: humaans, fetch, clock, retries } = client([
    new TypeError("error sending request: connection refused"),
  ]);
  const error = await httpErrorOf(humaans.get("/companies"));
  assert.equal(fetch.calls.length, 4);
  assert.equal(error.attempts, 4);
  assert.equal(error.status, undefined);
  assert.equal(error.failureType, "transient_error");
  assert.match(
    error.message,
    /^GET \/companies failed with network error reaching app\.humaans\.io/,
  );
  assert.match(error.message, /connection refused after 4 attempts; check base_url/);
  assert.deepEqual(clock.sleeps, [500, 1_000, 2_000]);
  assert.equal(retries.length, 3);
  assert.ok(error.cause instanceof TypeError);
});

Deno.test("a network error then success", async () => {
  const { client: humaans } = client([new TypeError("connection reset"), json({ ok: true })]);
  assert.deepEqual(await humaans.get("/companies"), { ok: true });
});

/** A fetch that waits for its signal and rejects with the signal's reason. */
function stallingFetch(): Reply {
  return (_url, init) =>
    new Promise<Response>((_resolve, reject) => {
      const signal = init.signal!;
      if (signal.aborted) return reject(signal.reason);
      signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    });
}

function timeoutError(): DOMException {
  return new DOMException("Signal timed out.", "TimeoutError");
}

Deno.test("timeouts are retried and reported", async (t) => {
  await t.step("a signal already timed out", async () => {
    const clock = fakeClock({ timeout: () => AbortSignal.abort(timeoutError()) });
    const { client: humaans, fetch, retries } = client([json({ never: true })], { clock });
    const error = await httpErrorOf(humaans.get("/documents"));
    assert.equal(fetch.calls.length, 4);
    assert.equal(error.failureType, "transient_error");
    assert.equal(error.status, undefined);
    assert.equal(
      error.message,
      "GET /documents failed with timed out after 30 s after 4 attempts; raise request_timeout_seconds or try again later",
    );
    assert.equal(retries[0].reason, "timed out after 30 s");
  });
  await t.step("a signal that times out while the request waits", async () => {
    const timeouts: number[] = [];
    const clock = fakeClock({
      timeout(ms) {
        timeouts.push(ms);
        const controller = new AbortController();
        queueMicrotask(() => controller.abort(timeoutError()));
        return controller.signal;
      },
    });
    const { client: humaans } = client([stallingFetch()], { clock, timeoutMs: 12_000 });
    const error = await httpErrorOf(humaans.get("/documents"));
    assert.equal(error.attempts, 4);
    assert.match(error.message, /timed out after 12 s/);
    assert.deepEqual(timeouts, [12_000, 12_000, 12_000, 12_000], "a timeout on every attempt");
  });
  await t.step("a timeout while the body is read", async () => {
    const controllers: AbortController[] = [];
    const clock = fakeClock({
      timeout() {
        const controller = new AbortController();
        controllers.push(controller);
        return controller.signal;
      },
    });
    const stalledBody: Reply = (_url, init) => {
      const body = new ReadableStream<Uint8Array>({
        start(stream) {
          stream.enqueue(new TextEncoder().encode('{"total": 1, "data": ['));
          init.signal!.addEventListener("abort", () => stream.error(init.signal!.reason));
          queueMicrotask(() => controllers.at(-1)!.abort(timeoutError()));
        },
      });
      return new Response(body, { status: 200 });
    };
    const { client: humaans } = client([stalledBody, json({ total: 0, data: [] })], { clock });
    assert.deepEqual(await humaans.get("/documents"), { total: 0, data: [] });
  });
  await t.step("a timeout then success", async () => {
    let calls = 0;
    const clock = fakeClock({
      timeout:
        () => (calls++ === 0 ? AbortSignal.abort(timeoutError()) : new AbortController().signal),
    });
    const { client: humaans, retries } = client([json({ ok: true })], { clock });
    assert.deepEqual(await humaans.get("/companies"), { ok: true });
    assert.equal(retries.length, 1);
  });
});

Deno.test("a 200 whose body is not JSON is retried, then reported", async (t) => {
  await t.step("then success", async () => {
    const { client: humaans, retries } = client([
      new Response("<html><body>Maintenance</body></html>", {
        headers: { "content-type": "text/html" },
      }),
      json({ ok: true }),
    ]);
    assert.deepEqual(await humaans.get("/companies"), { ok: true });
    assert.match(retries[0].reason, /^response is not JSON \(text\/html, 37 bytes\): Maintenance/);
  });
  await t.step("exhausted", async () => {
    const { client: humaans, fetch } = client([new Response('{"total": 3, "data": [')]);
    const error = await httpErrorOf(humaans.get("/companies"));
    assert.equal(fetch.calls.length, 4);
    assert.equal(error.failureType, "transient_error");
    assert.match(error.message, /^GET \/companies failed with response is not JSON/);
    assert.match(error.message, /after 4 attempts; check base_url points at the Humaans API$/);
  });
  await t.step("an empty body", async () => {
    const { client: humaans } = client([new Response("")], { retryAttempts: 0 });
    const error = await httpErrorOf(humaans.get("/companies"));
    assert.match(error.message, /not JSON \(no content type|not JSON \(text\/plain/);
    assert.match(error.message, /empty body/);
  });
});

Deno.test("parse errors are retried, then reported as system errors", async (t) => {
  const parse = (body: unknown) => {
    if (!(body && typeof body === "object" && "data" in body)) throw new Error('no "data" field');
    return body;
  };
  await t.step("then success", async () => {
    const { client: humaans, retries } = client([json({ oops: 1 }), json({ data: [] })]);
    assert.deepEqual(await humaans.get("/companies", {}, { parse }), { data: [] });
    assert.equal(retries[0].reason, 'unexpected response: no "data" field');
  });
  await t.step("exhausted", async () => {
    const { client: humaans, fetch } = client([json({ oops: 1 })]);
    const error = await httpErrorOf(humaans.get("/companies", {}, { parse }));
    assert.equal(fetch.calls.length, 4);
    assert.equal(error.failureType, "system_error");
    assert.equal(
      error.message,
      'GET /companies failed with unexpected response: no "data" field after 4 attempts',
    );
  });
});

Deno.test("an aborted caller signal stops at once, without retries", async (t) => {
  await t.step("aborted before the request", async () => {
    const controller = new AbortController();
    controller.abort(new Error("sync cancelled"));
    const { client: humaans, retries } = client([json({})]);
    await assert.rejects(
      humaans.get("/companies", {}, { signal: controller.signal }),
      /sync cancelled/,
    );
    assert.deepEqual(retries, []);
  });
  await t.step("aborted while the request waits", async () => {
    const controller = new AbortController();
    const { client: humaans, fetch, retries } = client([stallingFetch()]);
    const pending = humaans.get("/companies", {}, { signal: controller.signal });
    queueMicrotask(() => controller.abort(new Error("sync cancelled")));
    await assert.rejects(pending, /sync cancelled/);
    assert.equal(fetch.calls.length, 1);
    assert.deepEqual(retries, []);
  });
});

Deno.test("the token never appears in errors or retry reasons", async (t) => {
  const rows: [string, Reply][] = [
    [
      "echoed in a Feathers message",
      status(401, { name: "NotAuthenticated", message: `Invalid token ${TOKEN}`, code: 401 }),
    ],
    ["echoed in a Feathers name", status(403, { name: `Bearer ${TOKEN}`, code: 403 })],
    [
      "echoed in an HTML 500",
      new Response(`<html><body><pre>Authorization: Bearer ${TOKEN}</pre></body></html>`, {
        status: 500,
      }),
    ],
    ["echoed in a text 502", new Response(`upstream rejected Bearer ${TOKEN}`, { status: 502 })],
    ["echoed in the status text", new Response("{}", { status: 503, statusText: `Bad ${TOKEN}` })],
    [
      "echoed in a non-JSON 200",
      new Response(`<p>token=${TOKEN}</p>`, { headers: { "content-type": "text/html" } }),
    ],
    ["in a network error", new TypeError(`request with Bearer ${TOKEN} failed`)],
    [
      "straddling the 200-character cut of a text body",
      new Response(`${"x".repeat(190)} ${TOKEN} and more text after it`, { status: 500 }),
    ],
    [
      "straddling the cut of a non-JSON 200",
      new Response(`${"y".repeat(195)}${TOKEN}`, { headers: { "content-type": "text/plain" } }),
    ],
  ];
  for (const [name, reply] of rows) {
    await t.step(name, async () => {
      const { client: humaans, retries } = client([reply]);
      const error = await httpErrorOf(humaans.get("/companies"));
      assertNoToken(error.message, "message");
      assertNoToken(error.apiMessage, "apiMessage");
      assertNoToken(String(error.stack), "stack");
      for (const retry of retries) assertNoToken(retry.reason, "retry reason");
    });
  }
  await t.step("a parse error that quotes the body", async () => {
    const { client: humaans } = client([json({ echo: TOKEN })]);
    const error = await httpErrorOf(
      humaans.get("/companies", {}, {
        parse: (body) => {
          throw new Error(`bad body ${JSON.stringify(body)}`);
        },
      }),
    );
    assertNoToken(error.message, "message");
  });
});

Deno.test("a Retry-After pause is abortable by the caller's signal", async () => {
  // Sleeps without a signal end at once; the one with a signal lasts until it aborts.
  let now = START;
  const sleeps: number[] = [];
  const clock: FakeClock = {
    sleeps,
    now: () => now,
    sleep: (ms, signal) => {
      sleeps.push(ms);
      if (!signal) {
        now += ms;
        return Promise.resolve();
      }
      return new Promise((_resolve, reject) => {
        if (signal.aborted) return reject(signal.reason);
        signal.addEventListener("abort", () => reject(signal.reason), { once: true });
      });
    },
    timeout: () => new AbortController().signal,
    random: () => 0.5,
  };
  const { client: humaans, fetch } = client([
    status(429, {}, { "retry-after": "10" }),
    json({ ok: true }),
  ], { clock });
  const controller = new AbortController();
  const pending = humaans.get("/people", {}, { signal: controller.signal });
  await until(() => sleeps.length >= 1, { what: "1 sleep" });
  assert.deepEqual(sleeps, [10_000]);
  controller.abort(new Error("sync cancelled"));
  await assert.rejects(pending, /sync cancelled/);
  assert.equal(fetch.calls.length, 1, "nothing sent after the abort");
  assert.equal(humaans.limit.inFlight, 0, "its slot is free again");
});

Deno.test("against a token bucket of 20 a second: its rate, one 429 per Retry-After", async () => {
  const clock = fakeClock();
  const bucket = new TokenBucket(20, clock.now);
  let throttled = 0;
  const { client: humaans, fetch } = client([() => {
    const wait = bucket.take();
    if (wait === undefined) return json({ ok: true });
    throttled++;
    return status(429, {}, { "retry-after": `${wait}` });
  }], { clock, retryAttempts: 10 });
  for (let i = 0; i < 600; i++) await humaans.get("/people");
  const seconds = (clock.now() - START) / 1000;
  // Each 429 waits its Retry-After (1 s) and the bucket is full again: no request is lost and
  // no second 429 follows the pause.
  assert.ok(seconds <= (600 - 20) / 20 + 1, `${seconds} s for 600 requests`); // 20 free
  assert.ok(throttled <= 30, `${throttled} 429s`);
  assert.equal(fetch.calls.length, 600 + throttled);
});

/** A body that never ends: `start`, then 64 KiB chunks; counts the bytes the client pulled. */
function endlessBody(start: string): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  const chunk = new Uint8Array(64 * 1024).fill(32);
  let pulled = 0;
  let first = true;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const bytes = first ? new TextEncoder().encode(start) : chunk;
      first = false;
      pulled += bytes.length;
      controller.enqueue(bytes);
    },
  }, { highWaterMark: 0 });
  return { stream, pulled: () => pulled };
}

Deno.test("a body that never ends is read up to the cap, retried, then fails clearly", async () => {
  const bodies: ReturnType<typeof endlessBody>[] = [];
  const cap = 1024 * 1024;
  const { client: humaans, retries } = client([() => {
    const body = endlessBody('{"total": 1, "data": [');
    bodies.push(body);
    return new Response(body.stream, { headers: { "content-type": "application/json" } });
  }], { maxBodyBytes: cap, retryAttempts: 2 });
  const error = await httpErrorOf(humaans.get("/people"));
  assert.equal(bodies.length, 3, "the first attempt and two retries");
  for (const body of bodies) {
    assert.ok(body.pulled() <= cap + 64 * 1024, `read ${body.pulled()} bytes of an endless body`);
  }
  assert.equal(error.failureType, "transient_error");
  assert.equal(
    error.message,
    "GET /people failed with 200 response body is larger than 1 MiB, the most the connector " +
      "reads after 3 attempts; lower max_records_per_page, or check base_url points at the Humaans API",
  );
  assert.equal(retries.length, 2);
  assert.equal(MAX_BODY_BYTES, 64 * 1024 * 1024);
});

Deno.test("a declared length over the cap fails without reading the body", async () => {
  let pulled = 0;
  const { client: humaans } = client([() => {
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new Uint8Array(1024));
      },
    }, { highWaterMark: 0 });
    return new Response(stream, { headers: { "content-length": String(2 * 1024 * 1024) } });
  }], { maxBodyBytes: 1024 * 1024, retryAttempts: 0 });
  const error = await httpErrorOf(humaans.get("/people"));
  assert.match(error.message, /larger than 1 MiB/);
  assert.equal(pulled, 0);
  // At the cap exactly is fine, in one chunk or many.
  const fits = JSON.stringify({ data: "x".repeat(1000) });
  const small = client([json(JSON.parse(fits))], { maxBodyBytes: fits.length });
  assert.deepEqual(await small.client.get("/x"), JSON.parse(fits));
});

Deno.test("every message taken from a response is capped at 500 characters", async (t) => {
  const huge = "m".repeat(5_000_000);
  const rows: [string, Response][] = [
    ["a 5 MB JSON message", status(503, { message: huge })],
    ["a 5 MB error name", status(503, { name: huge, code: 503 })],
    ["a 5 MB text body", new Response(huge, { status: 503 })],
    ["a 5 MB status text", new Response("{}", { status: 503, statusText: huge.slice(0, 10_000) })],
  ];
  for (const [name, reply] of rows) {
    await t.step(name, async () => {
      const { client: humaans, retries } = client([reply], { retryAttempts: 1 });
      const error = await httpErrorOf(humaans.get("/companies"));
      assert.ok(error.message.length < 1_000, `${error.message.length} characters`);
      assert.ok((error.apiMessage ?? "").length <= 530);
      for (const retry of retries) assert.ok(retry.reason.length < 1_000);
    });
  }
  await t.step("the token is masked before the cut, so no part of it survives", async () => {
    for (let at = 480; at <= 500; at++) {
      const message = `${"m".repeat(at)}${btoa(`Bearer ${TOKEN}`)}${"m".repeat(600)}`;
      const { client: humaans } = client([status(400, { message })], { retryAttempts: 0 });
      const error = await httpErrorOf(humaans.get("/companies"));
      // The characters of the base64 that encode the token alone ("Bearer " is 7 bytes).
      const part = btoa(`Bearer ${TOKEN}`).slice(10, Math.floor((8 * (7 + TOKEN.length)) / 6));
      for (let i = 0; i + 8 <= part.length; i++) {
        assert.ok(!error.message.includes(part.slice(i, i + 8)), `base64 of the token at ${at}`);
      }
      assertNoToken(error.message, "message");
    }
  });
  assert.equal(capMessage("abc", 2), "ab... (1 more characters)");
  assert.equal(capMessage("abc"), "abc");
  assert.equal(MAX_MESSAGE_CHARS, 500);
});

Deno.test("429s every 11th request whatever the pace cost no more than their Retry-After", async () => {
  const clock = fakeClock();
  let calls = 0;
  const { client: humaans } = client([() => {
    clock.advance!(5); // 5 ms a request: 200 a second is achievable
    return ++calls % 11 === 0 ? status(429, {}, { "retry-after": "1" }) : json({ ok: true });
  }], { clock, retryAttempts: 3, maxConcurrency: 4 });
  for (let i = 0; i < 3_000; i++) await humaans.get("/people");
  const seconds = (clock.now() - START) / 1000;
  const throttled = Math.floor(calls / 11);
  const aim = 3_000 / 200 + throttled * 1;
  assert.ok(seconds <= 1.2 * aim, `${seconds} s, aim ${aim} s`);
});

Deno.test("isRejectedQuery and accessHint: what a 400, a 403 and a 404 mean for a stream", () => {
  const error = (status: number, apiMessage?: string) =>
    new HttpError("failed", { failureType: "config_error", status, apiMessage, attempts: 1 });
  assert.equal(
    isRejectedQuery(error(400, "Invalid query parameter $sort")),
    "Invalid query parameter $sort",
  );
  assert.equal(isRejectedQuery(error(400)), "400");
  assert.equal(isRejectedQuery(error(403)), undefined);
  assert.equal(isRejectedQuery(new Error("400")), undefined);
  const stream = { scopes: ["documents:read"], path: "/documents" };
  assert.equal(
    accessHint(error(403), stream),
    "; the token needs the documents:read scope for this stream (or its creator's role lacks this list)",
  );
  assert.equal(
    accessHint(error(404), stream),
    "; the API has no /documents list for this account: deselect the stream (if every stream says so, check base_url)",
  );
  assert.equal(accessHint(error(401), stream), "");
  assert.equal(accessHint(new Error("x"), stream), "");
});

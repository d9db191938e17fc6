import assert from "node:assert/strict";
import { type Fault, startSandbox } from "../sandbox/mod.ts";
import { catalogOf, runConnector, type RunResult, TempFiles } from "./support/connector.ts";
import { testClock } from "./support/clock.ts";

const NOW = "2026-11-28T12:00:00.000Z";
const now = () => new Date(NOW);
const STREAMS = ["companies", "documents", "job_roles"];

async function readWith(
  options: {
    faults?: [string, Fault[]][];
    tokens?: Record<string, string[]>;
    token?: string;
    config?: Record<string, unknown>;
    timeoutMs?: number;
    streams?: string[];
  },
): Promise<{ result: RunResult; requests: { path: string; status: number }[]; sleeps: number[] }> {
  const sandbox = await startSandbox({ people: 10, now, tokens: options.tokens });
  await using files = await TempFiles.create();
  try {
    for (const [path, faults] of options.faults ?? []) sandbox.inject(path, faults);
    const token = options.token ?? sandbox.token;
    const config = await files.write("config.json", {
      api_token: token,
      base_url: sandbox.url,
      ...options.config,
    });
    const catalog = await files.write("catalog.json", catalogOf(options.streams ?? STREAMS));
    const clock = testClock(NOW, { timeoutMs: options.timeoutMs });
    const result = await runConnector(["read", "--config", config, "--catalog", catalog], {
      clock,
      secrets: [token, sandbox.token, ...Object.keys(options.tokens ?? {})],
    });
    return { result, requests: sandbox.requests, sleeps: clock.sleeps };
  } finally {
    await sandbox.close();
  }
}

function errorOf(result: RunResult, stream: string) {
  return result.traces("ERROR").find((t) => t.error.stream_descriptor?.name === stream)?.error;
}

Deno.test("429 with Retry-After in seconds or as an HTTP date is waited out", async (t) => {
  const date = new Date(Date.parse(NOW) + 7_000).toUTCString();
  const cases: [string, string, number][] = [["seconds", "3", 3_000], ["HTTP date", date, 7_000]];
  for (const [name, retryAfter, wait] of cases) {
    await t.step(name, async () => {
      // One stream: a Retry-After pauses every request, and under the test clock (a sleep moves
      // time at once) another stream's request could be the one that waits it out.
      const { result, sleeps } = await readWith({
        faults: [["/documents", [{ status: 429, retryAfter }]]],
        streams: ["documents"],
      });
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(sleeps, [wait]);
      // The 429 hits one of the stream's first requests (its count and first page, asked at
      // once), before its first page is written.
      assert.deepEqual(result.statuses("documents"), [
        "STARTED",
        "RUNNING (RATE_LIMITED)",
        "RUNNING",
        "COMPLETE",
      ]);
      assert.deepEqual(result.quotaResets("documents"), [Date.parse(NOW) + wait]);
    });
  }
});

Deno.test("5xx, stalls, dropped connections and broken bodies are retried with backoff", async (t) => {
  const cases: [string, Fault][] = [
    ["503", { status: 503 }],
    ["500 with an HTML body", { status: 500, body: "<html>down</html>", contentType: "text/html" }],
    ["stall past the timeout", { stallMs: 60_000 }],
    ["dropped connection", { dropConnection: true }],
    ["truncated JSON", { body: '{"total": 3, "da' }],
    ["HTML page with status 200", { body: "<html>maintenance</html>", contentType: "text/html" }],
    ["envelope without data", { body: '{"total": 3, "limit": 100, "skip": 0}' }],
  ];
  for (const [name, fault] of cases) {
    await t.step(name, async () => {
      const { result, sleeps } = await readWith({
        faults: [["/job-roles", [fault, fault]]],
        timeoutMs: 200,
      });
      assert.equal(result.code, 0, result.stderr);
      // The two faults land on the count and the first page, asked at once, or both on one of
      // them: each is retried with backoff, but a page body read as text that is not an
      // envelope is first read again at once.
      const retried = name === "envelope without data" ? [1, 2] : [2];
      assert.ok(retried.includes(sleeps.length), `${sleeps.length} retries`);
      assert.ok(sleeps.every((ms) => ms < 2_000), `full jitter bounds: ${sleeps}`);
      assert.deepEqual(result.statuses("job_roles"), ["STARTED", "RUNNING", "COMPLETE"]);
    });
  }
});

Deno.test("when retries run out the stream ends INCOMPLETE and the others finish", async () => {
  // Eight: the count and the first page are asked at once, and each gets four attempts.
  const { result, requests } = await readWith({
    faults: [["/documents", Array(8).fill({ status: 503 })]],
    config: { retry_attempts: 3 },
  });
  assert.equal(result.code, 1);
  assert.equal(requests.filter((r) => r.path === "/documents").length, 8);
  assert.deepEqual(result.statuses("documents"), ["STARTED", "INCOMPLETE"]);
  assert.deepEqual(result.statuses("companies"), ["STARTED", "RUNNING", "COMPLETE"]);
  assert.deepEqual(result.statuses("job_roles"), ["STARTED", "RUNNING", "COMPLETE"]);
  const error = errorOf(result, "documents");
  assert.equal(error!.failure_type, "transient_error");
  assert.match(error!.message, /GET \/documents failed with 503.* after 4 attempts/);
  assert.equal(result.states("documents").length, 0, "no state for a stream that read nothing");
});

Deno.test("a rejected token is a config_error for every stream, without retries", async () => {
  const { result, requests } = await readWith({ token: "not-a-valid-token-123" });
  assert.equal(result.code, 1);
  // No retries: the count and the first page of each stream, asked at once, each answered 401.
  assert.equal(requests.length, 6, "two requests a stream");
  for (const stream of STREAMS) {
    const error = errorOf(result, stream);
    assert.equal(error!.failure_type, "config_error");
    assert.match(error!.message, /401/);
  }
});

Deno.test("a token without documents:read fails documents only, naming the scope", async () => {
  const { result } = await readWith({
    tokens: { "public-only-token": ["public:read"] },
    token: "public-only-token",
  });
  assert.equal(result.code, 1);
  assert.deepEqual(result.statuses("documents"), ["STARTED", "INCOMPLETE"]);
  assert.deepEqual(result.statuses("job_roles"), ["STARTED", "RUNNING", "COMPLETE"]);
  const error = errorOf(result, "documents");
  assert.equal(error!.failure_type, "config_error");
  assert.match(error!.message, /documents:read/);
});

/**
 * Every fault the API may throw at a sync, at several points of it, during a full and an
 * incremental sync: each run must write exactly the records and final state of a run without
 * faults. The README's reliability table reports this matrix.
 *
 * @module
 */
import assert from "node:assert/strict";
import { type Fault, startSandbox } from "../sandbox/mod.ts";
import { runConnector, type RunResult, TempFiles } from "./support/connector.ts";
import { testClock } from "./support/clock.ts";

const NOW = "2026-11-28T12:00:00.000Z";
/** The sandbox's data was last written five minutes before the syncs start. */
const now = () => new Date(Date.parse(NOW) - 5 * 60_000);
const PATH = "/job-roles";
const STREAM = "job_roles";

/** Each fault, as the responses it scripts. */
export const FAULTS: [string, Fault[]][] = [
  ["429 storm, Retry-After in seconds", Array(5).fill({ status: 429, retryAfter: "2" })],
  [
    "429, Retry-After as an HTTP date",
    [{ status: 429, retryAfter: new Date(Date.parse(NOW) + 7_000).toUTCString() }],
  ],
  ["5xx burst", [503, 500, 502, 504].map((status) => ({ status }))],
  ["stall past the request timeout", [{ stallMs: 60_000 }]],
  ["connection dropped mid-body", [{ dropConnection: true }]],
  ["truncated JSON body", [{ body: '{"total": 3, "data": [{"id": "a' }]],
  ["HTML page with status 200", [{ body: "<html>maintenance</html>", contentType: "text/html" }]],
  ["envelope without total", [{ body: '{"limit": 10, "skip": 0, "data": []}' }]],
  ["envelope without data", [{ body: '{"total": 3, "limit": 10, "skip": 0}' }]],
];

/** Good answers to the stream's path before the fault: the first request, early and later pages. */
export const POSITIONS = [0, 3, 7];

const MODES = {
  full: { syncMode: "full_refresh" as const, state: undefined },
  incremental: {
    syncMode: "incremental" as const,
    state: [{
      type: "STREAM",
      stream: {
        stream_descriptor: { name: STREAM },
        stream_state: { updated_at: new Date(Date.parse(NOW) - 400 * 86_400_000).toISOString() },
      },
    }],
  },
};

interface Outcome {
  result: RunResult;
  /** Requests to the stream's path, and how many of them were answered with a fault. */
  requests: number;
}

async function sync(mode: keyof typeof MODES, faults: Fault[] = []): Promise<Outcome> {
  const sandbox = await startSandbox({ people: 60, now, seed: 11 });
  await using files = await TempFiles.create();
  try {
    sandbox.inject(PATH, faults);
    const { syncMode, state } = MODES[mode];
    const args = await files.readArgs(sandbox, {
      streams: [STREAM],
      syncMode,
      config: { max_records_per_page: 10, retry_attempts: 6, concurrency: 2 },
    });
    if (state) args.push("--state", await files.write("state.json", state));
    const result = await runConnector(args, {
      // Real 500 ms timeouts: the stall fault ends by one; a loaded machine seldom reaches one.
      clock: testClock(NOW, { timeoutMs: 500 }),
      secrets: [sandbox.token],
    });
    return { result, requests: sandbox.requests.filter((r) => r.path === PATH).length };
  } finally {
    await sandbox.close();
  }
}

function recordsOf(result: RunResult): string[] {
  return result.records(STREAM).map((r) => `${r.id}@${r.updated_at}`).sort();
}

function finalState(result: RunResult): unknown {
  return result.states(STREAM).at(-1)?.stream.stream_state;
}

for (const mode of Object.keys(MODES) as (keyof typeof MODES)[]) {
  Deno.test(`a ${mode} sync writes the same records and state whatever fault hits it`, async (t) => {
    const clean = await sync(mode);
    assert.equal(clean.result.code, 0, clean.result.stderr);
    assert.ok(clean.requests > Math.max(...POSITIONS) + 1, "enough pages for every position");
    assert.ok(recordsOf(clean.result).length > 30);
    for (const [name, faults] of FAULTS) {
      for (const position of POSITIONS) {
        await t.step(`${name}, after ${position} good answers`, async () => {
          const pass: Fault[] = Array(position).fill({ pass: true });
          const { result, requests } = await sync(mode, [...pass, ...faults]);
          assert.equal(result.code, 0, result.stderr);
          assert.equal(requests, clean.requests + faults.length, "every fault was served");
          assert.deepEqual(recordsOf(result), recordsOf(clean.result));
          assert.deepEqual(finalState(result), finalState(clean.result));
          const statuses = result.statuses(STREAM);
          const isLimited = (status: string) => status === "RUNNING (RATE_LIMITED)";
          const limited = statuses.filter(isLimited);
          assert.deepEqual(statuses.filter((status) => !isLimited(status)), [
            "STARTED",
            "RUNNING",
            "COMPLETE",
          ]);
          // A 429 met while paging says so, with the reset its Retry-After names.
          assert.ok(name.startsWith("429") || limited.length === 0, statuses.join(", "));
          for (const reset of result.quotaResets(STREAM)) {
            assert.ok(reset! > Date.parse(NOW), `quota_reset ${reset}`);
          }
          assert.equal(result.traces("ERROR").length, 0);
        });
      }
    }
  });
}

import assert from "node:assert/strict";
import { parseConfig } from "../../src/config.ts";
import { STREAMS } from "../../src/streams/mod.ts";
import { lowerBoundOf } from "../../src/sync/read_stream.ts";
import { initialSyncDaysOf, warnWindowCut, type WindowRead } from "../../src/sync/window.ts";
import { HumaansClient } from "../../src/http/client.ts";
import { MessageWriter } from "../../src/protocol/writer.ts";
import { Capture } from "../support/capture.ts";
import { sandboxRows, startSandbox } from "../../sandbox/mod.ts";
import { runConnector, type RunResult, stateFileOf, TempFiles } from "../support/connector.ts";
import { testClock } from "../support/clock.ts";

const NOW = "2026-11-28T12:00:00.000Z";
const now = () => new Date(Date.parse(NOW) - 5 * 60_000);
const DAY = 86_400_000;
/** The streams of dated events, which initial_sync_days bounds. */
const EVENT_STREAMS = [
  "public_holidays",
  "time_away",
  "time_away_adjustments",
  "timesheet_entries",
  "timesheet_submissions",
];

Deno.test("initial_sync_days bounds only the dated-event streams, and only a first sync", () => {
  assert.deepEqual(
    STREAMS.filter((s) => s.initialWindow).map((s) => s.name).sort(),
    EVENT_STREAMS,
  );
  const syncStartedAt = Date.parse(NOW);
  const windowed = parseConfig({ api_token: "window-test-token", initial_sync_days: "30" });
  const unset = parseConfig({ api_token: "window-test-token" });
  const since = new Date(syncStartedAt - 30 * DAY).toISOString();
  for (const stream of STREAMS.filter((s) => s.incremental)) {
    const bound = (config = windowed, cursor?: string, syncMode = "incremental" as const) =>
      lowerBoundOf({
        initialSyncDays: initialSyncDaysOf(stream, config),
        syncMode,
        cursor,
      }, syncStartedAt);
    assert.equal(bound(), stream.initialWindow ? since : undefined, stream.name);
    assert.equal(bound(unset), undefined, `${stream.name}: unset reads all history`);
    assert.equal(bound(windowed, "2026-01-01T00:00:00.000Z"), "2026-01-01T00:00:00.000Z");
    assert.equal(bound(windowed, undefined, "full_refresh" as "incremental"), undefined);
  }
});

async function sync(
  config: Record<string, unknown>,
  streams: string[],
  options: { state?: unknown[]; filters?: "honour" | "ignore" } = {},
): Promise<RunResult> {
  const sandbox = await startSandbox({ people: 30, now, filters: options.filters });
  await using files = await TempFiles.create();
  try {
    const args = await files.readArgs(sandbox, { streams, config });
    if (options.state) args.push("--state", await files.write("state.json", options.state));
    return await runConnector(args, { clock: testClock(NOW), secrets: [sandbox.token] });
  } finally {
    await sandbox.close();
  }
}

function logs(result: RunResult, level: string): string[] {
  return result.ofType("LOG").filter((m) => m.log.level === level).map((m) => m.log.message);
}

Deno.test("a first sync of entity streams reads all history, whatever initial_sync_days says", async () => {
  const result = await sync({ initial_sync_days: 1 }, ["people", "job_roles"]);
  assert.equal(result.code, 0, result.stderr);
  for (const [stream, path] of [["people", "/people"], ["job_roles", "/job-roles"]]) {
    const all = [...sandboxRows(path, { people: 30, now })].map((r) => r.id);
    assert.deepEqual(new Set(result.records(stream).map((r) => r.id)), new Set(all), stream);
  }
  assert.deepEqual(logs(result, "WARN"), []);
});

Deno.test("the window's WARN counts the rows it leaves out, on a first sync only", async (t) => {
  const rows = [...sandboxRows("/timesheet-entries", { people: 30, now })];
  const since = Date.parse(NOW) - 30 * DAY;
  const inWindow = rows.filter((r) => Date.parse(r.updatedAt as string) >= since).length;
  assert.ok(inWindow > 0 && inWindow < rows.length, "the window cuts some rows, not all");
  const expected =
    `Stream "timesheet_entries": first sync reads rows updated in the last 30 days (initial_sync_days); ${
      rows.length - inWindow
    } older rows are not read: raise initial_sync_days or run a full refresh to get them`;
  for (const filters of ["honour", "ignore"] as const) {
    await t.step(`server ${filters}s the filter`, async () => {
      const first = await sync({ initial_sync_days: 30 }, ["timesheet_entries"], { filters });
      assert.equal(first.code, 0, first.stderr);
      assert.equal(first.records().length, inWindow);
      assert.deepEqual(logs(first, "WARN"), [expected]);
      const second = await sync({ initial_sync_days: 30 }, ["timesheet_entries"], {
        filters,
        state: stateFileOf(first),
      });
      assert.deepEqual(logs(second, "WARN"), [], "no WARN once the stream has state");
    });
  }
  await t.step("no WARN and every row when initial_sync_days is unset", async () => {
    const result = await sync({}, ["timesheet_entries"]);
    assert.equal(result.records().length, rows.length);
    assert.deepEqual(logs(result, "WARN"), []);
  });
});

Deno.test("a stream without a cursor asked for incremental is read in full, with one INFO", async () => {
  const result = await sync({}, ["public_holiday_calendars", "companies"]);
  assert.equal(result.code, 0, result.stderr);
  const calendars = [...sandboxRows("/public-holiday-calendars", { people: 30, now })];
  assert.ok(calendars.length > 0);
  assert.equal(result.records("public_holiday_calendars").length, calendars.length);
  const notices = logs(result, "INFO").filter((m) => m.includes("has no cursor"));
  assert.deepEqual(notices, [
    'Stream "public_holiday_calendars" has no cursor: reading it in full (full_refresh), although the catalog asks for incremental',
  ]);
  assert.deepEqual(result.statuses("public_holiday_calendars"), [
    "STARTED",
    "RUNNING",
    "COMPLETE",
  ]);
  const states = result.states("public_holiday_calendars");
  assert.equal(states.length, 1);
  assert.deepEqual(states[0].stream.stream_state, {});
  assert.equal(states[0].sourceStats?.recordCount, calendars.length);
  assert.ok(result.lastState("companies").updated_at, "companies: cursor");
});

Deno.test("warnWindowCut counts with one unfiltered request, and says so when it cannot", async (t) => {
  const sandbox = await startSandbox({ people: 10, now });
  try {
    const client = new HumaansClient({
      baseUrl: sandbox.url,
      token: sandbox.token,
      timeoutMs: 5_000,
      retryAttempts: 0,
    });
    const stream = STREAMS.find((s) => s.name === "time_away")!;
    const total = [...sandboxRows("/time-away", { people: 10, now })].length;
    const warn = async (read: WindowRead, cursor?: string) => {
      const stdout = new Capture();
      const writer = new MessageWriter(stdout);
      await warnWindowCut(stream, read, {
        client,
        writer,
        config: parseConfig({ api_token: "window-test-token", initial_sync_days: 7 }),
        cursor,
      });
      await writer.flush();
      return stdout.text().split("\n").filter((l) => l).map((l) => JSON.parse(l).log);
    };
    const bound = "2026-11-21T12:00:00.000Z";
    await t.step("server paging: the unfiltered total less the window's", async () => {
      const before = sandbox.requests.length;
      const [log] = await warn({ lowerBound: bound, paging: "server", inWindow: 2, dropped: 0 });
      assert.equal(log.level, "WARN");
      assert.match(log.message, new RegExp(`; ${total - 2} older rows are not read: raise`));
      const asked = sandbox.requests.slice(before);
      assert.deepEqual(asked.map((r) => [r.path, r.query]), [["/time-away", "%24limit=1"]]);
    });
    await t.step("client paging: the rows dropped here, no request", async () => {
      const before = sandbox.requests.length;
      const logs = await warn({ lowerBound: bound, paging: "client", dropped: 1 });
      assert.match(logs[0].message, /days \(initial_sync_days\); 1 older row is not read: raise/);
      assert.equal(sandbox.requests.length, before);
    });
    await t.step("nothing cut, or a cursor in the state: no WARN", async () => {
      assert.deepEqual(await warn({ lowerBound: bound, paging: "client", dropped: 0 }), []);
      assert.deepEqual(
        await warn({ lowerBound: bound, paging: "client", dropped: 3 }, "2026-01-01T00:00:00Z"),
        [],
      );
      assert.deepEqual(await warn({ paging: "client", dropped: 3 }), [], "no window");
    });
    await t.step("the count request fails: a WARN that says so, no throw", async () => {
      sandbox.inject("/time-away", [{ status: 500 }]);
      const [log] = await warn({ lowerBound: bound, paging: "server", inWindow: 2, dropped: 0 });
      assert.equal(log.level, "WARN");
      assert.match(log.message, /^Stream "time_away": could not count the rows older than/);
    });
  } finally {
    await sandbox.close();
  }
});

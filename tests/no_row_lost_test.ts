/**
 * Servers that deviate from the sandbox's defaults, each read through the real connector: every
 * row is delivered, or the stream fails loudly naming how many rows it could not account for.
 *
 * @module
 */
import assert from "node:assert/strict";
import { type Row, type SandboxOptions, startSandbox } from "../sandbox/mod.ts";
import { runConnector, type RunResult, stateFileOf, TempFiles } from "./support/connector.ts";
import { testClock } from "./support/clock.ts";

const NOW = "2026-11-28T12:00:00.000Z";
const now = () => new Date(NOW);
const PATH = "/job-roles";
const STREAM = "job_roles";
const DAY = 86_400_000;

interface Sync {
  result: RunResult;
  /** Every row the sandbox serves at the end, in natural order. */
  rows: Row[];
  requests: number;
}

interface SyncOptions {
  sandbox?: SandboxOptions;
  syncMode?: "incremental" | "full_refresh";
  state?: unknown;
  config?: Record<string, unknown>;
  fetch?: typeof fetch;
  clock?: string;
}

async function sync(options: SyncOptions): Promise<Sync> {
  const sandbox = await startSandbox({ people: 100, now, seed: 4, ...options.sandbox });
  await using files = await TempFiles.create();
  try {
    const args = await files.readArgs(sandbox, {
      streams: [STREAM],
      syncMode: options.syncMode ?? "full_refresh",
      config: { max_records_per_page: 25, ...options.config },
    });
    if (options.state) args.push("--state", await files.write("state.json", options.state));
    const result = await runConnector(args, {
      clock: testClock(options.clock ?? NOW),
      fetch: options.fetch,
      secrets: [sandbox.token],
    });
    return {
      result,
      rows: sandbox.snapshot(PATH),
      requests: sandbox.requests.filter((r) => r.path === PATH).length,
    };
  } finally {
    await sandbox.close();
  }
}

/**
 * An incremental sync resumed from one STATE of a sync before it (a kill there): it ends well and
 * writes no row twice; its run and the ids it wrote.
 */
async function resume(
  options: Pick<SyncOptions, "sandbox" | "config">,
  state: { stream: unknown },
): Promise<{ resumed: Sync; again: string[] }> {
  const resumed = await sync({
    ...options,
    syncMode: "incremental",
    state: [{ type: "STREAM", stream: state.stream }],
  });
  assert.equal(resumed.result.code, 0, resumed.result.stderr);
  const again = resumed.result.records(STREAM).map((r) => r.id as string);
  assert.equal(again.length, new Set(again).size, "no row twice after resuming");
  return { resumed, again };
}

function idsOf(records: Record<string, unknown>[]): Set<string> {
  return new Set(records.map((r) => r.id as string));
}

function missing(rows: Row[], seen: Set<string>): string[] {
  return rows.map((r) => r.id as string).filter((id) => !seen.has(id));
}

function warnings(result: RunResult): string[] {
  return result.ofType("LOG").filter((m) => m.log.level === "WARN").map((m) => m.log.message);
}

function stateAt(cursor: string): unknown[] {
  return [{
    type: "STREAM",
    stream: { stream_descriptor: { name: STREAM }, stream_state: { updated_at: cursor } },
  }];
}

function cursors(result: RunResult): string[] {
  return result.states(STREAM).map((s) => s.stream.stream_state!.updated_at as string);
}

/**
 * Rows in id order whose first 150 are in `updatedAt` order and whose last 150 are older than
 * all of them: a server that ignores `$sort` serves pages that look sorted, then a drop.
 */
function sortedThenOlder(): Row[] {
  return Array.from({ length: 300 }, (_, i) => {
    const minutes = i < 150 ? 1000 + i : 1000 - i;
    const at = new Date(Date.parse(NOW) - 30 * DAY + minutes * 60_000).toISOString();
    return { id: `role${String(i).padStart(4, "0")}`, name: `Role ${i}`, updatedAt: at };
  });
}

Deno.test("sort ignored: no STATE claims rows not yet read; killed after the first STATE and resumed, no row lost", async (t) => {
  const cases: [string, SandboxOptions][] = [
    ["rows in id order (random dates)", { sortIgnored: true }],
    ["pages that look sorted, then older rows", {
      sortIgnored: true,
      data: { [PATH]: sortedThenOlder() },
    }],
  ];
  for (const [name, sandbox] of cases) {
    for (const syncMode of ["incremental", "full_refresh"] as const) {
      await t.step(`${name}, ${syncMode}`, async () => {
        const config = {};
        // An incremental sync from a state older than every row reads them all.
        const state = syncMode === "incremental" ? stateAt("2000-01-01T00:00:00.000Z") : undefined;
        const full = await sync({ sandbox, syncMode, config, state });
        assert.equal(full.result.code, 0, full.result.stderr);
        assert.deepEqual(missing(full.rows, idsOf(full.result.records(STREAM))), []);
        // Cut the output after its first STATE, as a kill would, and resume from that state.
        const lines = full.result.stdout.trimEnd().split("\n").map((line) => JSON.parse(line));
        const cut = lines.findIndex((m) => m.type === "STATE");
        assert.ok(cut > 0, "a STATE was written");
        const before = lines.slice(0, cut + 1);
        const seen = idsOf(before.filter((m) => m.type === "RECORD").map((m) => m.record.data));
        const resumed = await sync({
          sandbox,
          syncMode: "incremental",
          config,
          state: [before[cut].state],
        });
        assert.equal(resumed.result.code, 0, resumed.result.stderr);
        for (const id of idsOf(resumed.result.records(STREAM))) seen.add(id);
        assert.deepEqual(missing(full.rows, seen), [], "rows lost between the two runs");
      });
    }
  }
});

Deno.test("full refresh while rows change: it holds every row alive at its end", async (t) => {
  const churns = [
    { updates: 1 },
    // Deleted rows are counted by the server before the sync but not all read: no false alarm.
    { updates: 1, inserts: 1, deletes: 1 },
  ];
  for (const [concurrency, churn] of [[1, churns[0]], [4, churns[0]], [4, churns[1]]] as const) {
    await t.step(`concurrency ${concurrency}, ${JSON.stringify(churn)} a request`, async () => {
      // 1000 rows; rows change after every request (about 70 during the sync): each moves out
      // of the window (updatedAt <= the sync's start) to after it.
      const { result, rows } = await sync({
        sandbox: { people: 500, churn, latencyMs: 1 },
        config: { max_records_per_page: 25, concurrency },
      });
      assert.equal(result.code, 0, result.stderr);
      assert.ok(rows.length >= 900, `${rows.length} rows`);
      const records = result.records(STREAM);
      // The sandbox changes rows again after the sync's last page (and its last count): rows
      // inserted then are newer than every row read, and were not there while the sync read.
      const newest = records.map((r) => r.updated_at as string).sort().at(-1)!;
      const alive = rows.filter((r) => (r.updatedAt as string) <= newest);
      assert.ok(rows.length - alive.length <= 4, `${rows.length - alive.length} changed after`);
      assert.deepEqual(missing(alive, idsOf(records)), [], "rows alive at the end, missing");
      const moved = records.filter((r) => (r.updated_at as string) > NOW).length;
      assert.ok(moved > 10, `${moved} rows read after the window: rows did leave it`);
      assert.ok(cursors(result).every((c) => c < NOW), "no state past the sync's start");
    });
  }
});

Deno.test("undated and future rows: all delivered, in full refresh and a first incremental sync", async (t) => {
  const sandbox = { nullUpdatedAt: 0.2, futureUpdatedAt: 0.3 };
  for (const syncMode of ["full_refresh", "incremental"] as const) {
    await t.step(syncMode, async () => {
      const config = { initial_sync_days: 365 };
      const first = await sync({ sandbox, syncMode, config });
      assert.equal(first.result.code, 0, first.result.stderr);
      const records = first.result.records(STREAM);
      // A first incremental sync reads the last initial_sync_days, and every row not dated.
      const since = new Date(Date.parse(NOW) - 365 * DAY).toISOString();
      const expected = first.rows.filter((r) =>
        syncMode === "full_refresh" || typeof r.updatedAt !== "string" || r.updatedAt >= since
      );
      assert.deepEqual(missing(expected, idsOf(records)), []);
      const undated = records.filter((r) => r.updated_at === null).length;
      const future = first.rows.filter((r) => typeof r.updatedAt === "string" && r.updatedAt > NOW);
      assert.ok(undated > 30 && future.length > 50, `${undated} undated, ${future.length} future`);
      assert.ok(cursors(first.result).every((c) => c < NOW), "no state in the future");
      if (syncMode === "full_refresh") return;
      // The next incremental sync reads the future rows again (the cursor never passes the
      // sync's start), and nothing else changed.
      const second = await sync({
        sandbox,
        syncMode,
        config,
        state: stateFileOf(first.result),
        clock: new Date(Date.parse(NOW) + 3_600_000).toISOString(),
      });
      assert.equal(second.result.code, 0, second.result.stderr);
      const again = idsOf(second.result.records(STREAM));
      assert.deepEqual(future.map((r) => r.id).filter((id) => !again.has(id as string)), []);
    });
  }
});

Deno.test("a state from the future: a WARN, zero records for 9999, and a state not in the future", async (t) => {
  const future = [
    ["9999-12-31", "9999-12-31T00:00:00.000Z", true],
    ["tomorrow", new Date(Date.parse(NOW) + DAY).toISOString(), true],
  ] as const;
  for (const [name, cursor] of future) {
    await t.step(name, async () => {
      const state = [{
        type: "STREAM",
        stream: { stream_descriptor: { name: STREAM }, stream_state: { updated_at: cursor } },
      }];
      // The sandbox's newest row is five minutes older than the sync.
      const { result } = await sync({
        sandbox: { now: () => new Date(Date.parse(NOW) - 5 * 60_000) },
        syncMode: "incremental",
        state,
      });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.records(STREAM).length, 0);
      const warned = warnings(result).filter((w) => w.includes("later than this sync's start"));
      assert.equal(warned.length, 1);
      assert.match(warned[0], /reset the stream or run a full refresh/);
      const last = cursors(result).at(-1)!;
      assert.ok(last !== undefined && last <= NOW, `state ${last} is in the future`);
      assert.deepEqual(result.statuses(STREAM), ["STARTED", "RUNNING", "COMPLETE"]);
    });
  }
});

Deno.test("ties at the cursor: an unchanged row is emitted once; an old state still gets them", async () => {
  // Ten rows share the newest updatedAt (one bulk operation).
  const at = new Date(Date.parse(NOW) - DAY).toISOString();
  const rows: Row[] = Array.from({ length: 60 }, (_, i) => ({
    id: `tie${String(i).padStart(3, "0")}`,
    name: `Role ${i}`,
    updatedAt: i < 50 ? new Date(Date.parse(at) - (50 - i) * 60_000).toISOString() : at,
  }));
  const sandbox = { data: { [PATH]: rows } };
  const config = { max_records_per_page: 20 };
  const first = await sync({ sandbox, syncMode: "incremental", config });
  assert.equal(first.result.records(STREAM).length, 60);
  const state = stateFileOf(first.result);
  const last = first.result.lastState(STREAM);
  assert.equal(last!.updated_at, at);
  assert.equal(last.ids_at_cursor!.length, 10);
  const second = await sync({ sandbox, syncMode: "incremental", config, state });
  assert.equal(second.result.code, 0, second.result.stderr);
  assert.equal(second.result.records(STREAM).length, 0, "the tied rows are not emitted again");
  assert.deepEqual(second.result.lastState(STREAM), last);
  // A state in the old format (no ids): at-least-once, the tied rows again.
  const old = [{
    type: "STREAM",
    stream: { stream_descriptor: { name: STREAM }, stream_state: { updated_at: at } },
  }];
  const third = await sync({ sandbox, syncMode: "incremental", config, state: old });
  assert.equal(third.result.records(STREAM).length, 10);
});

Deno.test("a server that loses a row from a page: its count gives it away, and a scan reads every row", async () => {
  // Drops one row from the middle of the third keyset page: the page is still in bounds and in
  // order, so only the envelope's count can tell.
  let pages = 0;
  const losing: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const url = new URL(String(input));
    if (!url.searchParams.has("$sort[id]")) return response;
    const body = await response.json();
    if (++pages === 3) body.data.splice(10, 1);
    return Response.json(body);
  };
  const { result, rows } = await sync({ fetch: losing, config: { concurrency: 1 } });
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(missing(rows, idsOf(result.records(STREAM))), []);
  const warned = result.ofType("LOG").map((m) => m.log.message)
    .filter((w) => w.includes("reading every row and filtering here"));
  assert.equal(warned.length, 1);
  assert.match(warned[0], /^Stream "job_roles": the API ignores \$sort\[updatedAt\] \(it counts/);
});

Deno.test("the final log line shows each stream's rows against the server's count", async () => {
  const { result, rows } = await sync({});
  const line = result.ofType("LOG").map((m) => m.log.message).find((m) =>
    m.startsWith("Sync finished")
  );
  assert.match(
    line ?? "",
    new RegExp(`${STREAM} ${rows.length} records/\\d+ pages \\(server count ${rows.length}\\)`),
  );
});

Deno.test("a stream state without updated_at: a WARN naming what was found", async (t) => {
  const cases: [string, unknown, RegExp][] = [
    ["other keys", { cursor: "2026-01-01" }, /has no updated_at \(found "cursor"\)/],
    [
      "an empty object",
      {},
      /is an empty object, with no updated_at: the stream starts from scratch/,
    ],
  ];
  for (const [name, streamState, warning] of cases) {
    await t.step(name, async () => {
      const state = [{
        type: "STREAM",
        stream: { stream_descriptor: { name: STREAM }, stream_state: streamState },
      }];
      const { result } = await sync({ syncMode: "incremental", state });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(
        warnings(result).filter((w) => warning.test(w)).length,
        1,
        warnings(result).join("\n"),
      );
    });
  }
});

Deno.test("a server that ignores one operator ($gt or $lt), resumed from a state: every row exactly once, ids_at_cursor without repeats", async (t) => {
  for (const ignored of [["$gt"], ["$lt"]] as const) {
    await t.step(`ignores ${ignored[0]}`, async () => {
      const sandbox: SandboxOptions = { ignoredOperators: ignored };
      const config = { concurrency: 4 };
      const first = await sync({ sandbox, syncMode: "incremental", config });
      assert.equal(first.result.code, 0, first.result.stderr);
      const ids = first.result.records(STREAM).map((r) => r.id as string);
      assert.equal(ids.length, new Set(ids).size, "no row twice");
      assert.deepEqual(missing(first.rows, new Set(ids)), []);
      // Resume from every STATE the first sync wrote (a kill at any of them).
      for (const state of first.result.states(STREAM)) {
        const value = state.stream.stream_state!;
        const { resumed, again } = await resume({ sandbox, config }, state);
        const after = first.rows.filter((r) => (r.updatedAt as string) > value.updated_at!);
        assert.deepEqual(missing(after, new Set(again)), []);
        for (const written of resumed.result.states(STREAM)) {
          const tied = written.stream.stream_state!.ids_at_cursor as string[] | undefined ?? [];
          assert.equal(tied.length, new Set(tied).size, "ids_at_cursor lists no id twice");
        }
      }
    });
  }
});

Deno.test("a run of ties longer than a page: paged with $skip, every row once, and resumed from any STATE", async () => {
  const at = new Date(Date.parse(NOW) - DAY).toISOString();
  const rows: Row[] = Array.from({ length: 75 }, (_, i) => ({
    id: `tie${String(i).padStart(3, "0")}`,
    name: `Role ${i}`,
    updatedAt: i < 10 ? new Date(Date.parse(at) - (10 - i) * 60_000).toISOString() : at,
  }));
  const sandbox = { data: { [PATH]: rows } };
  const config = { max_records_per_page: 20, concurrency: 1 };
  const skips: string[] = [];
  const recording: typeof fetch = (input, init) => {
    const skip = new URL(String(input)).searchParams.get("$skip");
    if (skip !== null) skips.push(skip);
    return fetch(input, init);
  };
  const first = await sync({ sandbox, syncMode: "incremental", config, fetch: recording });
  assert.equal(first.result.code, 0, first.result.stderr);
  assert.ok(skips.length > 0, "the run was paged with $skip");
  const ids = first.result.records(STREAM).map((r) => r.id as string);
  assert.equal(ids.length, 75);
  assert.equal(new Set(ids).size, 75, "no row twice");
  for (const state of first.result.states(STREAM)) {
    const value = state.stream.stream_state!;
    const { again } = await resume({ sandbox, config }, state);
    // The rows the state does not list as written at its cursor, or after it, come again.
    const listed = new Set((value.ids_at_cursor as string[] | undefined) ?? []);
    const owed = rows.filter((r) =>
      (r.updatedAt as string) > value.updated_at! ||
      (r.updatedAt === value.updated_at && !listed.has(r.id as string))
    );
    assert.deepEqual(missing(owed, new Set(again)), []);
  }
});

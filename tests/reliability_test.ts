import assert from "node:assert/strict";
import { type Changes, sandboxRows, startSandbox } from "../sandbox/mod.ts";
import type { HumaansClient } from "../src/http/client.ts";
import { getPage } from "../src/http/paginate.ts";
import { keysetPages } from "../src/sync/keyset.ts";
import { runConnector, stateFileOf, TempFiles } from "./support/connector.ts";
import { testClock } from "./support/clock.ts";
import { sandboxClient } from "./support/sandbox_client.ts";

const NOW = "2026-11-28T12:00:00.000Z";
const now = () => new Date(NOW);
/** When the syncs run: the rows the sandbox changes are stamped just after NOW. */
const LATER = "2026-11-28T12:05:00.000Z";
const PEOPLE = 300;
const PATH = "/job-roles";

interface ChurnCase {
  changes: Changes;
  concurrency: number;
  /** Filter and sort on updatedAt (a server that honours them) or natural order. */
  sort: boolean;
  overlap?: number;
}

/**
 * Pages through job roles while rows change after every request, as a sync does: sorted, the
 * window ends at the sync's start, so changed rows leave it. Returns what was read and the rows
 * that existed, unchanged, from the first request to the last.
 */
async function churnedSync(options: ChurnCase) {
  const sandbox = await startSandbox({ people: PEOPLE, now, churn: options.changes, seed: 7 });
  try {
    const before = sandbox.snapshot(PATH);
    const client = sandboxClient(sandbox, { concurrency: options.concurrency, now: NOW });
    const ids = new Set<string>();
    const unproven = 0;
    const pages = options.overlap === 0 ? bareOffsets(client) : keysetPages(client, PATH, {
      start: NOW,
      ceiling: NOW,
      pageSize: 20,
      concurrency: options.concurrency ?? 1,
    });
    for await (const page of pages) {
      const rows = "rows" in page ? page.rows : page.data;
      for (const row of rows) ids.add((row as { id: string }).id);
    }
    const after = new Map(sandbox.snapshot(PATH).map((row) => [row.id, row.updatedAt]));
    const stayed = before.filter((row) => after.get(row.id) === row.updatedAt);
    const missed = stayed.filter((row) => !ids.has(row.id as string)).map((row) => row.id);
    return { missed, stayed: stayed.length, unproven, requests: sandbox.requests.length };
  } finally {
    await sandbox.close();
  }
}

/** Offset pages with nothing to catch shifted rows: the negative control. */
async function* bareOffsets(client: HumaansClient): AsyncGenerator<{ data: unknown[] }> {
  for (let skip = 0;; skip += 20) {
    const page = await getPage(client, PATH, { query: { $limit: 20, $skip: skip } });
    yield page;
    if (page.data.length < 20) return;
  }
}

Deno.test("rows changing while a sync pages through them: no row that stays is missed", async (t) => {
  await t.step("plain offsets (no overlap) do miss rows: the test can fail", async () => {
    const result = await churnedSync({
      changes: { updates: 3, deletes: 1 },
      concurrency: 1,
      sort: true,
      overlap: 0,
    });
    assert.ok(result.missed.length > 0, "offset paging under churn should miss rows");
  });
  // [label, changes after every request, whether every page must still be proven]
  const cases: [string, Changes, boolean][] = [
    ["1 update", { updates: 1 }, true],
    ["3 updates, 1 insert, 1 delete", { updates: 3, inserts: 1, deletes: 1 }, true],
    // About a page of changes per request, 600 rows: all but a few change during the sync.
    ["8 updates, 4 inserts, 4 deletes", { updates: 8, inserts: 4, deletes: 4 }, false],
  ];
  for (const sort of [true]) {
    for (const concurrency of [1, 4]) {
      for (const [label, changes, mustProve] of cases) {
        const name = `${sort ? "keyset pages" : "natural order"}, concurrency ${concurrency}, ` +
          `${label} per request`;
        await t.step(name, async () => {
          const result = await churnedSync({ changes, concurrency, sort });
          if (mustProve) {
            assert.ok(result.stayed > 200, `only ${result.stayed} rows stayed`);
            assert.equal(result.unproven, 0, "every page boundary is proven");
          }
          // Never silently: a row is missed only where a page said it could not prove its start.
          if (result.unproven === 0) {
            assert.deepEqual(result.missed, [], `${result.missed.length} rows missed`);
          }
        });
      }
    }
  }
});

Deno.test("a completed sync then an incremental one re-reads only the changed rows", async () => {
  const sandbox = await startSandbox({ people: PEOPLE, now });
  await using files = await TempFiles.create();
  try {
    const streams = ["job_roles", "documents", "people"];
    const args = await files.readArgs(sandbox, { streams, config: { max_records_per_page: 50 } });
    const read = (extra: string[] = []) =>
      runConnector([...args, ...extra], {
        clock: testClock(LATER),
        secrets: [sandbox.token],
      });
    const first = await read();
    assert.equal(first.code, 0);
    const state = await files.write("state.json", stateFileOf(first));
    const touched = sandbox.touch("/job-roles", 10) + sandbox.touch("/documents", 4);
    const second = await read(["--state", state]);
    assert.equal(second.code, 0);
    const reread = second.records().length;
    assert.ok(reread >= 10, "the changed rows come back");
    // Rows tied at the cursor are in the state's ids_at_cursor: only the changed rows come back.
    assert.equal(reread, touched, `${reread} rows re-read for ${touched} changes`);
  } finally {
    await sandbox.close();
  }
});

Deno.test("a sync while rows change, then the next one: together they hold every row", async (t) => {
  for (const filters of ["honour", "ignore"] as const) {
    await t.step(
      `server ${filters === "honour" ? "filters and sorts" : "ignores filters"}`,
      async () => {
        const changes = { updates: 3, inserts: 1, deletes: 1 };
        const sandbox = await startSandbox({ people: PEOPLE, now, churn: changes, filters });
        await using files = await TempFiles.create();
        try {
          const args = await files.readArgs(sandbox, {
            streams: ["job_roles"],
            config: { max_records_per_page: 20 },
          });
          const read = (at: string, extra: string[] = []) =>
            runConnector([...args, ...extra], {
              clock: testClock(at),
              secrets: [sandbox.token],
            });
          // The first sync starts at NOW: rows changed during it are stamped later.
          const first = await read(NOW);
          assert.equal(first.code, 0);
          sandbox.setChurn(0);
          // A first sync reads all history: every row served now must be in one of the two.
          const rows = sandbox.snapshot(PATH);
          const live = rows.map((row) => row.id as string);
          const changed = rows.filter((row) => (row.updatedAt as string) > NOW).length;
          const state = await files.write("state.json", stateFileOf(first));
          const second = await read(LATER, ["--state", state]);
          assert.equal(second.code, 0);
          const seen = new Set([...first.records(), ...second.records()].map((r) => r.id));
          const missed = live.filter((id) => !seen.has(id));
          assert.deepEqual(missed, [], `${missed.length} of ${live.length} rows missed`);
          // Rows changed during the first sync, plus those within the clock-skew margin of its start.
          const reread = second.records().length;
          assert.ok(
            reread <= changed + 2,
            `the second sync re-read ${reread} rows; ${changed} changed`,
          );
        } finally {
          await sandbox.close();
        }
      },
    );
  }
});

Deno.test("random 5xx at 20 % with retries: every row arrives exactly as without faults", async () => {
  const faulty = await startSandbox({ people: 200, now, errorRate: 0.2, seed: 3 });
  await using files = await TempFiles.create();
  try {
    const args = await files.readArgs(faulty, {
      streams: ["job_roles"],
      config: { max_records_per_page: 10, retry_attempts: 10 },
      syncMode: "full_refresh",
    });
    const clock = testClock(NOW);
    const result = await runConnector(args, {
      clock,
      secrets: [faulty.token],
    });
    assert.equal(result.code, 0, result.stderr);
    const failures = faulty.requests.filter((r) => r.status === 500).length;
    assert.ok(failures > 3, `faults were injected (${failures})`);
    assert.equal(clock.sleeps.length, failures, "one backoff per failure");
    const ids = result.records("job_roles").map((r) => r.id as string);
    assert.deepEqual(
      new Set(ids),
      new Set([...sandboxRows("/job-roles", { people: 200, now, seed: 3 })].map((r) => r.id)),
    );
  } finally {
    await faulty.close();
  }
});

Deno.test("rows changing faster than pages are read: every row, and no STATE past the rows written", async () => {
  const sandbox = await startSandbox({ people: PEOPLE, now, seed: 5 });
  // Every list answer stamps its rows 1 ms later than the one before: every row has changed
  // by the next request, so no page can prove where it starts.
  let bump = 0;
  const changing: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    const url = new URL(String(input));
    if (!url.pathname.endsWith("/job-roles") || !response.ok) return response;
    const body = await response.json();
    bump++;
    for (const row of body.data) {
      row.updatedAt = new Date(Date.parse(row.updatedAt) + bump).toISOString();
    }
    return Response.json(body);
  };
  await using files = await TempFiles.create();
  try {
    const args = await files.readArgs(sandbox, {
      streams: ["job_roles"],
      config: { max_records_per_page: 20, concurrency: 1 },
    });
    const result = await runConnector(args, {
      clock: testClock(LATER),
      fetch: changing,
      secrets: [sandbox.token],
    });
    assert.equal(result.code, 0, result.stderr);
    // Keyset paging: a row that moves forward is read at its new place, so none is lost, and
    // no STATE claims past the newest row written before it.
    const ids = new Set(result.records("job_roles").map((r) => r.id as string));
    const lost = sandbox.snapshot("/job-roles").filter((row) => !ids.has(row.id as string));
    assert.deepEqual(lost, []);
    let newest = "";
    for (const message of result.messages) {
      if (message.type === "RECORD") {
        const at = message.record.data.updated_at as string;
        if (at > newest) newest = at;
      } else if (message.type === "STATE" && message.state.type === "STREAM") {
        const cursor = message.state.stream.stream_state!.updated_at as string;
        assert.ok(cursor <= newest, `a STATE at ${cursor} claims past ${newest}`);
      }
    }
  } finally {
    await sandbox.close();
  }
});

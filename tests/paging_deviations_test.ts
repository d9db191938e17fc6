/**
 * The connector against servers that page badly: short pages, a lying `total`, `$skip` ignored.
 * Each sync runs the real connector in-process against the sandbox switched into one deviation,
 * and ends with every row delivered or with the documented loud failure.
 */
import assert from "node:assert/strict";
import { type SandboxOptions, startSandbox } from "../sandbox/mod.ts";
import { runConnector, type RunResult, stateFileOf, TempFiles } from "./support/connector.ts";
import { testClock } from "./support/clock.ts";
import { keysetPages } from "../src/sync/keyset.ts";
import { sandboxClient } from "./support/sandbox_client.ts";

const NOW = "2026-11-28T12:00:00.000Z";
const now = () => new Date(NOW);
const LATER = "2026-11-28T12:05:00.000Z";
const EVEN_LATER = "2026-11-28T12:10:00.000Z";
const PEOPLE = 150;
const PATH = "/job-roles";
const STREAM = "job_roles";
const SINCE = new Date(Date.parse(NOW) - 90 * 86_400_000).toISOString();

interface Deviation {
  sandbox: SandboxOptions;
  concurrency: number;
  syncMode?: "incremental" | "full_refresh";
}

/** Starts a sandbox with the deviation and returns a connector runner for one stream. */
async function deviant(deviation: Deviation, files: TempFiles) {
  const sandbox = await startSandbox({ people: PEOPLE, now, seed: 11, ...deviation.sandbox });
  const args = await files.readArgs(sandbox, {
    streams: [STREAM],
    config: { max_records_per_page: 20, concurrency: deviation.concurrency },
    syncMode: deviation.syncMode,
  });
  const read = (at: string, extra: string[] = []) =>
    runConnector([...args, ...extra], { clock: testClock(at), secrets: [sandbox.token] });
  return { sandbox, read };
}

function ids(result: RunResult): string[] {
  return result.records(STREAM).map((r) => r.id as string);
}

function logs(result: RunResult, level: string): string[] {
  return result.ofType("LOG").filter((m) => m.log.level === level).map((m) => m.log.message);
}

function cursorOf(result: RunResult): string {
  return result.lastState(STREAM).updated_at ?? "";
}

/** Rows of the sandbox an incremental sync from `since` must deliver. */
function liveSince(rows: { id?: unknown; updatedAt?: unknown }[], since: string): string[] {
  return rows.filter((row) => (row.updatedAt as string) >= since).map((row) => row.id as string);
}

function assertEveryRow(result: RunResult, expected: string[], label: string): void {
  assert.equal(result.code, 0, `${label}: exit ${result.code}\n${result.stderr}`);
  assert.deepEqual(result.statuses(STREAM).at(-1), "COMPLETE");
  const seen = new Set(ids(result));
  const missed = expected.filter((id) => !seen.has(id));
  assert.deepEqual(missed, [], `${label}: ${missed.length} of ${expected.length} rows missed`);
}

Deno.test("short pages: every row, no warning, and incremental syncs that move on", async (t) => {
  for (const shortPages of [0.5, "random"] as const) {
    for (const filters of ["honour", "ignore"] as const) {
      for (const concurrency of [1, 4]) {
        const name =
          `shortPages ${shortPages}, server ${filters}s filters, concurrency ${concurrency}`;
        await t.step(name, async () => {
          await using files = await TempFiles.create();
          const { sandbox, read } = await deviant({
            sandbox: { shortPages, filters },
            concurrency,
          }, files);
          try {
            const first = await read(NOW);
            const expected = liveSince(sandbox.snapshot(PATH), SINCE);
            assert.ok(expected.length > 80, `${expected.length} rows`);
            assertEveryRow(first, expected, "first sync");
            assert.deepEqual(logs(first, "WARN"), [], "no warning: nothing was missed");
            // Later syncs: the rows touched since are read, and the state moves on each time.
            let state = first;
            for (const [at, touched] of [[LATER, 12], [EVEN_LATER, 7]] as const) {
              sandbox.touch(PATH, touched);
              // Rows at the cursor that the state says were written are not read again (ties).
              const written = new Set<string>(
                state.lastState(STREAM).ids_at_cursor ?? [],
              );
              const changed = liveSince(sandbox.snapshot(PATH), cursorOf(state))
                .filter((id) => !written.has(id));
              const next = await read(at, [
                "--state",
                await files.write(`state-${at}.json`, stateFileOf(state)),
              ]);
              assertEveryRow(next, changed, `sync at ${at}`);
              assert.ok(ids(next).length >= touched);
              assert.ok(cursorOf(next) > cursorOf(state), "the state moved on");
              state = next;
            }
          } finally {
            await sandbox.close();
          }
        });
      }
    }
  }
});

Deno.test("short pages in a full refresh: every row, once", async (t) => {
  for (const syncMode of ["full_refresh", "incremental"] as const) {
    await t.step(syncMode, async () => {
      await using files = await TempFiles.create();
      const { sandbox, read } = await deviant({
        sandbox: { shortPages: 0.1 },
        concurrency: 2,
        syncMode,
      }, files);
      try {
        const result = await read(NOW);
        const all = sandbox.snapshot(PATH);
        assertEveryRow(
          result,
          syncMode === "full_refresh" ? all.map((r) => r.id as string) : liveSince(all, SINCE),
          syncMode,
        );
        assert.equal(new Set(ids(result)).size, ids(result).length, "no row twice");
      } finally {
        await sandbox.close();
      }
    });
  }
});

Deno.test("a total smaller than the rows: every row is still read", async (t) => {
  for (const filters of ["honour", "ignore"] as const) {
    for (const concurrency of [1, 4]) {
      await t.step(`server ${filters}s filters, concurrency ${concurrency}`, async () => {
        await using files = await TempFiles.create();
        const { sandbox, read } = await deviant({
          sandbox: { lyingTotal: "smaller", filters },
          concurrency,
          syncMode: "full_refresh",
        }, files);
        try {
          const result = await read(NOW);
          assertEveryRow(result, sandbox.snapshot(PATH).map((r) => r.id as string), "sync");
        } finally {
          await sandbox.close();
        }
      });
    }
  }
});

Deno.test("a total of 1e9 with $skip honoured: every row, paging ends at the empty page, the shortfall fails the stream", async () => {
  await using files = await TempFiles.create();
  const { sandbox, read } = await deviant({
    sandbox: { lyingTotal: 1e9 },
    concurrency: 4,
    syncMode: "full_refresh",
  }, files);
  try {
    const result = await read(NOW);
    const rows = sandbox.snapshot(PATH);
    const seen = new Set(ids(result));
    assert.deepEqual(rows.filter((r) => !seen.has(r.id as string)), [], "every row is written");
    // The server still counts 1e9 rows it never served: the full refresh cannot be called
    // complete, so it fails loudly, naming the stream and the rows it could not account for.
    assert.equal(result.code, 1);
    assert.equal(result.statuses(STREAM).at(-1), "INCOMPLETE");
    assert.ok(
      logs(result, "WARN").some((m) =>
        m.includes(`Stream "job_roles": ${1e9 - rows.length} of the 1000000000 rows`)
      ),
      logs(result, "WARN").join("\n"),
    );
    // A page of 20 rows each, the counts, and per slice (at most 16) its last page's rows read
    // again and an empty page: the total says more after every short page.
    const pages = sandbox.requests.filter((r) => r.path === PATH).length;
    assert.ok(pages < rows.length / 20 + 3 * 16 + 10, `${pages} requests for ${rows.length} rows`);
  } finally {
    await sandbox.close();
  }
});

Deno.test("a total of 1e9 while rows change on every request: a loud failure, not an endless read", async () => {
  // No page ever ends the tail: each brings the rows changed since the one before (never empty),
  // and the total says more are left after each. The read fails after its bound of pages.
  await using files = await TempFiles.create();
  const { sandbox, read } = await deviant({
    sandbox: { lyingTotal: 1e9, churn: { updates: 3, inserts: 0, deletes: 0 } },
    concurrency: 4,
    syncMode: "full_refresh",
  }, files);
  try {
    const result = await read(NOW);
    assert.equal(result.code, 1);
    assert.equal(result.statuses(STREAM).at(-1), "INCOMPLETE");
    const [error] = result.ofType("TRACE").flatMap((m) => m.trace.error ?? []);
    assert.equal(error.failure_type, "transient_error");
    assert.match(
      error.message,
      /^Stream "job_roles" failed: Rows of \/job-roles kept changing while they were read: 100 pages of rows changed after the sync started/,
    );
    const pages = sandbox.requests.filter((r) => r.path === PATH).length;
    assert.ok(pages < PEOPLE * 10 / 20 + 150, `${pages} requests`);
  } finally {
    await sandbox.close();
  }
});

Deno.test("$skip ignored: keyset pages need none; the scan that would fails at once, naming it", async (t) => {
  for (const lyingTotal of [undefined, 1e9]) {
    for (const concurrency of [1, 4]) {
      await t.step(`total ${lyingTotal ?? "true"}, concurrency ${concurrency}`, async () => {
        await using files = await TempFiles.create();
        const { sandbox, read } = await deviant({
          sandbox: { skipIgnored: true, lyingTotal },
          concurrency,
        }, files);
        try {
          const result = await read(NOW);
          if (lyingTotal === undefined) {
            // Keyset pages send no $skip (no run of ties fills a page here): every row. Only the
            // probes that place slice bounds ($limit=1) do; ignored, they place none.
            assertEveryRow(result, liveSince(sandbox.snapshot(PATH), SINCE), "keyset");
            const skips = sandbox.requests.filter((r) => {
              const query = new URLSearchParams(r.query);
              return query.has("$skip") && query.get("$limit") !== "1";
            });
            assert.deepEqual(skips, [], "no page sent $skip");
          } else {
            // A short last page the total denies: only $skip can go past the rows at its key.
            assert.equal(result.code, 1);
            const [error] = result.traces("ERROR");
            assert.equal(error.error.failure_type, "system_error");
            assert.match(
              error.error.message,
              /^Stream "job_roles" failed: The API ignores \$skip on \/job-roles/,
            );
          }
        } finally {
          await sandbox.close();
        }
      });
      await t.step(
        `and filters ignored: total ${lyingTotal ?? "true"}, concurrency ${concurrency}`,
        async () => {
          await using files = await TempFiles.create();
          const { sandbox, read } = await deviant({
            sandbox: { skipIgnored: true, lyingTotal, filters: "ignore" },
            concurrency,
          }, files);
          try {
            const result = await read(NOW);
            assert.notEqual(result.code, 0);
            assert.deepEqual(result.statuses(STREAM).at(-1), "INCOMPLETE");
            const [error] = result.traces("ERROR");
            assert.equal(error.error.failure_type, "system_error");
            assert.equal(error.error.stream_descriptor?.name ?? STREAM, STREAM);
            assert.match(
              error.error.message,
              /^Stream "job_roles" failed: The API ignores \$skip on \/job-roles: the page at \$skip=\d+ starts with the first row again/,
            );
            const requests = sandbox.requests.filter((r) => r.path === PATH).length;
            // The counts, the first keyset page and the slices it started (the counts settling it
            // refuse), two scan pages: a bound, never a loop.
            assert.ok(requests <= 12, `${requests} requests`);
            assert.ok(new Set(ids(result)).size <= 20, "only the first page was written");
          } finally {
            await sandbox.close();
          }
        },
      );
    }
  }
});

/**
 * Reads job roles by key, `concurrency` slices at once, from a sandbox whose rows change on every
 * request (3 updates, an insert, a delete) and whose later pages are cut short; returns the rows
 * that never changed and, of them, those the read missed.
 */
async function churnedRead(
  options: { people: number; seed: number; shortPages: 0.5 | "random"; concurrency: number },
): Promise<{ stayed: number; missed: string[] }> {
  const { people, seed, shortPages, concurrency } = options;
  const churn = { updates: 3, inserts: 1, deletes: 1 };
  const sandbox = await startSandbox({ people, now, seed, shortPages, churn });
  try {
    const before = sandbox.snapshot(PATH);
    const client = sandboxClient(sandbox, { concurrency, now: NOW });
    const seen = new Set<string>();
    const pages = keysetPages(client, PATH, {
      start: NOW,
      ceiling: NOW,
      pageSize: 20,
      concurrency,
    });
    for await (const page of pages) {
      for (const row of page.rows) seen.add((row as { id: string }).id);
    }
    const after = new Map(sandbox.snapshot(PATH).map((row) => [row.id, row.updatedAt]));
    const stayed = before.filter((row) => after.get(row.id) === row.updatedAt);
    const missed = stayed.filter((row) => !seen.has(row.id as string)).map((row) =>
      row.id as string
    );
    return { stayed: stayed.length, missed };
  } finally {
    await sandbox.close();
  }
}

Deno.test("short pages while rows change: no row that stays is missed", async (t) => {
  for (const shortPages of [0.5, "random"] as const) {
    for (const concurrency of [1, 4]) {
      await t.step(`shortPages ${shortPages}, concurrency ${concurrency}`, async () => {
        const { stayed, missed } = await churnedRead({
          people: 300,
          seed: 7,
          shortPages,
          concurrency,
        });
        assert.ok(stayed > 150, `${stayed} rows stayed`);
        // Keyset pages: a short page just goes on from its last key, whatever changes.
        assert.deepEqual(missed, []);
      });
    }
  }
});

Deno.test("seeded short pages under heavy churn, slices at once: every row that stayed, or a loud failure", async () => {
  // 3 updates, an insert and a delete every request, pages of 20 cut short at random or in half,
  // 2 and 4 slices at once, over seeds: no run may end without a row that never changed.
  let ended = 0;
  for (let seed = 1; seed <= 8; seed++) {
    for (const shortPages of [0.5, "random"] as const) {
      const concurrency = seed % 2 === 0 ? 4 : 2;
      let missed: string[];
      try {
        ({ missed } = await churnedRead({ people: 200 + seed * 7, seed, shortPages, concurrency }));
      } catch (error) {
        // Loud: rows left a tied run faster than it could be read.
        assert.match(String(error), /changed faster than they could be paged/);
        continue;
      }
      ended++;
      assert.deepEqual(missed, [], `seed ${seed}, shortPages ${shortPages}`);
    }
  }
  assert.ok(ended >= 12, `${ended} of 16 reads ended`);
});

Deno.test("future-dated rows moved back to now while read: every row, none written twice", async (t) => {
  // A row dated in the future that changes during the sync moves back to now, into a range the
  // tail has read: the count there rises, which the read takes for a server that ignores the sort
  // (and says may be these rows), handing over to a scan that must not write again what the
  // keyset pages wrote.
  for (const syncMode of ["full_refresh", "incremental"] as const) {
    await t.step(syncMode, async () => {
      await using files = await TempFiles.create();
      const { sandbox, read } = await deviant({
        sandbox: { futureUpdatedAt: 0.6, churn: { updates: 3, inserts: 0, deletes: 0 } },
        concurrency: 4,
        syncMode,
      }, files);
      try {
        const result = await read(NOW);
        const rows = sandbox.snapshot(PATH);
        assertEveryRow(result, rows.map((row) => row.id as string), syncMode);
        const versions = result.records(STREAM).map((r) => `${r.id}@${r.updated_at}`);
        const twice = versions.filter((v, i) => versions.indexOf(v) !== i);
        assert.deepEqual(twice, [], `${twice.length} rows written twice`);
        const handed = logs(result, "INFO").filter((line) => /ignores \$sort/.test(line));
        assert.ok(handed.length > 0, "the read handed over to a scan");
        for (const line of handed) assert.match(line, /rows dated after the sync's start that/);
      } finally {
        await sandbox.close();
      }
    });
  }
});

Deno.test("$sort ignored while rows are inserted: the scan's last pass reads those it passed", async () => {
  // A server that ignores the sort sends rows in id order, so a row inserted during the scan
  // lands at a random place, often behind it. Inserts stop when the pass over the rows dated from
  // the sync's start begins: every row that exists then must be read.
  await using files = await TempFiles.create();
  // The server's clock runs on from the sync's start: each row inserted is dated after it.
  let tick = 0;
  const { sandbox, read } = await deviant({
    sandbox: {
      sortIgnored: true,
      churn: { updates: 0, inserts: 1, deletes: 0 },
      now: () => new Date(Date.parse(NOW) + tick++),
    },
    concurrency: 1,
    syncMode: "full_refresh",
  }, files);
  try {
    let scanned = false;
    const log = sandbox.requests.push.bind(sandbox.requests);
    sandbox.requests.push = (...items) => {
      for (const item of items) {
        const query = new URLSearchParams(item.query);
        const filtered = query.has("updatedAt[$gte]");
        // The scan's pages: no filter, an offset (a count asks `$limit=1` and no offset).
        if (!filtered && query.has("$skip") && item.path === PATH) scanned = true;
        else if (filtered && scanned) sandbox.setChurn(0);
      }
      return log(...items);
    };
    const result = await read(NOW);
    const rows = sandbox.snapshot(PATH);
    assert.ok(rows.length > PEOPLE, "rows were inserted");
    assertEveryRow(result, rows.map((row) => row.id as string), "full refresh");
    assert.ok(scanned, "the read fell back to a scan");
  } finally {
    await sandbox.close();
  }
});

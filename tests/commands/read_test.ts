import assert from "node:assert/strict";
import { type Sandbox, sandboxRows, startSandbox } from "../../sandbox/mod.ts";
import {
  catalogOf,
  runConnector,
  type RunResult,
  stateFileOf,
  TempFiles,
} from "../support/connector.ts";
import { testClock } from "../support/clock.ts";

const NOW = "2026-11-28T12:00:00.000Z";
/** The sandbox's clock: its newest rows were written five minutes before the syncs start. */
const now = () => new Date(Date.parse(NOW) - 5 * 60_000);
const STREAMS = ["companies", "documents", "job_roles"];
const PATHS: Record<string, string> = {
  companies: "/companies",
  documents: "/documents",
  job_roles: "/job-roles",
  time_away: "/time-away",
};
const DAY = 86_400_000;

interface Setup {
  sandbox: Sandbox;
  files: TempFiles;
  config: string;
  catalog: string;
}

async function setup(
  options: {
    sandbox?: Parameters<typeof startSandbox>[0];
    config?: Record<string, unknown>;
    streams?: string[];
    syncMode?: "incremental" | "full_refresh";
  } = {},
): Promise<Setup> {
  const sandbox = await startSandbox({ people: 40, now, ...options.sandbox });
  const files = await TempFiles.create();
  const config = await files.write("config.json", {
    api_token: sandbox.token,
    base_url: sandbox.url,
    max_records_per_page: 25,
    ...options.config,
  });
  const catalog = await files.write(
    "catalog.json",
    catalogOf(options.streams ?? STREAMS, options.syncMode),
  );
  return { sandbox, files, config, catalog };
}

async function teardown(s: Setup): Promise<void> {
  await s.sandbox.close();
  await s.files[Symbol.asyncDispose]();
}

function read(s: Setup, extra: string[] = [], clock = testClock(NOW)): Promise<RunResult> {
  return runConnector(["read", "--config", s.config, "--catalog", s.catalog, ...extra], {
    clock,
    secrets: [s.sandbox.token],
  });
}

function idsSince(stream: string, since: number, people = 40): Set<string> {
  const ids = new Set<string>();
  for (const row of sandboxRows(PATHS[stream], { people, now })) {
    if (Date.parse(row.updatedAt as string) >= since) ids.add(row.id as string);
  }
  return ids;
}

function ids(result: RunResult, stream: string): string[] {
  return result.records(stream).map((r) => r.id as string);
}

Deno.test("a first incremental sync reads every row of every stream, page by page", async () => {
  const s = await setup();
  try {
    const result = await read(s);
    assert.equal(result.code, 0, result.stderr);
    const since = 0;
    for (const stream of STREAMS) {
      const expected = idsSince(stream, since);
      const got = ids(result, stream);
      assert.equal(new Set(got).size, got.length, `${stream}: no duplicates`);
      assert.deepEqual(new Set(got), expected, `${stream}: all history`);
      assert.deepEqual(result.statuses(stream), ["STARTED", "RUNNING", "COMPLETE"]);
      const states = result.states(stream);
      assert.ok(states.length >= 1, `${stream}: at least one state`);
      const counted = states.reduce((n, st) => n + (st.sourceStats?.recordCount ?? 0), 0);
      assert.equal(counted, got.length, `${stream}: recordCount adds up to the records`);
      const estimate = result.traces("ESTIMATE").find((t) => t.estimate.name === stream);
      assert.equal(estimate!.estimate.row_estimate, expected.size);
    }
    const [all, first, ...pages] = s.sandbox.requests
      .filter((r) => r.path === "/documents")
      .map((r) => new URLSearchParams(r.query));
    // A first sync: the count of all rows, then keyset pages only (no probe, no pass after a
    // window), the first from the year 0001: its total counts the dated rows (undated rows would
    // be read before its STATE).
    assert.equal(all.toString(), "%24limit=1", "the unfiltered count");
    assert.equal(first.get("updatedAt[$gte]"), "0001-01-01T00:00:00.000Z");
    assert.equal(first.get("$sort[id]"), "1");
    pages.unshift(first);
    // Probes placing slice bounds ($skip to a row, $limit=1) are not pages.
    const keyset = pages.filter((query) =>
      query.get("$sort[id]") === "1" && query.get("$limit") !== "1"
    );
    const documents = idsSince("documents", since).size;
    assert.ok(keyset.length >= Math.ceil(documents / 25), "enough pages");
    for (const query of keyset) {
      assert.equal(query.get("$limit"), "25");
      assert.equal(query.get("$sort[updatedAt]"), "1");
      assert.ok(query.has("updatedAt[$gte]"));
    }
    assert.equal(keyset[0].get("updatedAt[$gte]"), "0001-01-01T00:00:00.000Z", "all history");
    // Beyond the pages: at most one per slice (its probe, or the empty page ending it).
    const slices = new Set(keyset.map((query) => query.get("updatedAt[$lt]"))).size;
    assert.ok(pages.length <= keyset.length + slices + 2, `${pages.length} requests`);
  } finally {
    await teardown(s);
  }
});

Deno.test("records carry the seed's columns, typed, with null where Humaans has no value", async () => {
  const s = await setup({ streams: ["companies"] });
  try {
    const result = await read(s);
    const [company] = result.records("companies");
    assert.equal(company.timestamp, NOW);
    for (const column of ["description", "website", "phone", "address_line1", "address_city"]) {
      assert.equal(company[column], null, column);
    }
    assert.equal(typeof company.name, "string");
    assert.match(company.updated_at as string, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  } finally {
    await teardown(s);
  }
});

Deno.test("states only move forward over written records, and a second sync reads only changes", async () => {
  const s = await setup();
  try {
    const first = await read(s);
    assert.equal(first.code, 0);
    const state = await s.files.write("state.json", stateFileOf(first));
    const second = await read(s, ["--state", state]);
    assert.equal(second.code, 0, second.stderr);
    for (const stream of STREAMS) {
      const cursor = first.lastState(stream).updated_at;
      // The rows at the cursor are in the state's ids_at_cursor: not emitted again.
      assert.ok((first.lastState(stream).ids_at_cursor ?? []).length >= 1);
      assert.equal(second.records(stream).length, 0, `${stream}: nothing changed, nothing read`);
      assert.equal(second.lastState(stream).updated_at, cursor);
      assert.deepEqual(second.statuses(stream), ["STARTED", "RUNNING", "COMPLETE"]);
    }
  } finally {
    await teardown(s);
  }
});

Deno.test("a sync killed after any STATE and resumed from it loses no row", async () => {
  // 120 people: a stream read in slices claims what its lowest slice has read, so it takes
  // more rows than one page a slice for several checkpoints.
  const s = await setup({
    sandbox: { people: 120 },
    streams: ["job_roles"],
    config: { max_records_per_page: 10 },
  });
  try {
    const full = await read(s);
    const all = new Set(ids(full, "job_roles"));
    const lines = full.stdout.trimEnd().split("\n");
    const stateLines = lines.flatMap((line, i) => (line.includes('"type":"STATE"') ? [i] : []));
    assert.ok(stateLines.length >= 3, "several checkpoints to cut at");
    for (const [k, cut] of stateLines.entries()) {
      const before = lines.slice(0, cut + 1).map((line) => JSON.parse(line));
      const seen = new Set(
        before.filter((m) => m.type === "RECORD").map((m) => m.record.data.id as string),
      );
      const state = await s.files.write(`state-${k}.json`, [before.at(-1).state]);
      const resumed = await read(s, ["--state", state]);
      for (const id of ids(resumed, "job_roles")) seen.add(id);
      const missing = [...all].filter((id) => !seen.has(id));
      assert.deepEqual(missing, [], `killed after state ${k + 1}: rows missing`);
    }
  } finally {
    await teardown(s);
  }
});

Deno.test("full_refresh reads all history and enable_incremental_sync false forces it", async (t) => {
  for (
    const [name, options] of [
      ["full_refresh catalog", { syncMode: "full_refresh" as const }],
      ["incremental disabled", { config: { enable_incremental_sync: "false" } }],
    ] as const
  ) {
    await t.step(name, async () => {
      const s = await setup({ streams: ["job_roles"], ...options });
      try {
        const result = await read(s);
        assert.equal(result.code, 0);
        assert.deepEqual(new Set(ids(result, "job_roles")), idsSince("job_roles", 0));
        const pages = s.sandbox.requests.filter((r) => r.query.includes("%24sort%5Bid%5D"));
        assert.ok(pages.length > 1);
        const first = new URLSearchParams(pages[0].query);
        assert.equal(first.get("updatedAt[$gte]"), "0001-01-01T00:00:00.000Z", "all history");
      } finally {
        await teardown(s);
      }
    });
  }
});

Deno.test("the result is right whether the server honours, ignores or rejects filters", async (t) => {
  // time_away is a stream of dated events: initial_sync_days bounds its first sync.
  const since = Date.parse(NOW) - 90 * DAY;
  const older = [...sandboxRows("/time-away", { people: 40, now })].length -
    idsSince("time_away", since).size;
  for (const mode of ["honour", "ignore", "reject"] as const) {
    await t.step(mode, async () => {
      const s = await setup({
        sandbox: { filters: mode },
        streams: ["time_away"],
        config: { initial_sync_days: 90 },
      });
      try {
        const result = await read(s);
        assert.equal(result.code, 0, result.stderr);
        assert.deepEqual(new Set(ids(result, "time_away")), idsSince("time_away", since));
        const warnings = result.ofType("LOG").filter((m) => m.log.level === "WARN")
          .map((m) => m.log.message as string);
        assert.ok(older > 0, "the window leaves rows out");
        assert.deepEqual(warnings.filter((w) => w.includes("initial_sync_days")), [
          `Stream "time_away": first sync reads rows updated in the last 90 days (initial_sync_days); ${older} older rows are not read: raise initial_sync_days or run a full refresh to get them`,
        ]);
        assert.equal(warnings.length, mode === "reject" ? 2 : 1);
        const states = result.states("time_away");
        const last = result.lastState("time_away").updated_at;
        const newest = ids(result, "time_away").length
          ? result.records("time_away").map((r) => r.updated_at as string).sort().at(-1)
          : new Date(since).toISOString();
        assert.equal(last, newest);
        if (mode !== "honour") assert.equal(states.length, 1, "no mid-stream checkpoint");
      } finally {
        await teardown(s);
      }
    });
  }
});

Deno.test("pages are streamed: a page's records are written before the page after next is requested", async () => {
  // A slice asks for its next page as soon as the last is proven, so one page is fetched while
  // the one before it is written; never more.
  const s = await setup({
    streams: ["job_roles"],
    config: { max_records_per_page: 5, concurrency: 1 },
  });
  try {
    const { run } = await import("../../src/cli.ts");
    const { Capture } = await import("../support/capture.ts");
    const stdout = new Capture();
    const recordsAtRequest: number[] = [];
    const countingFetch: typeof fetch = (input, init) => {
      // The keyset pages (the counts aside).
      if (new URL(String(input)).searchParams.get("$sort[id]") === "1") {
        recordsAtRequest.push(stdout.text().split('"type":"RECORD"').length - 1);
      }
      return fetch(input, init);
    };
    const code = await run(["read", "--config", s.config, "--catalog", s.catalog], {
      stdout,
      clock: testClock(NOW),
      fetch: countingFetch,
    });
    assert.equal(code, 0);
    assert.ok(recordsAtRequest.length > 3);
    assert.equal(recordsAtRequest[0], 0, "the first page");
    for (let i = 2; i < recordsAtRequest.length; i++) {
      assert.ok(recordsAtRequest[i] > recordsAtRequest[i - 1], `page ${i - 2} written first`);
    }
  } finally {
    await teardown(s);
  }
});

Deno.test("a 429 with Retry-After: the stream reports RUNNING with RATE_LIMITED and its quota reset, then reads every row", async () => {
  const s = await setup({
    sandbox: { every429: 2, every429RetryAfter: "7" },
    streams: ["companies"],
  });
  try {
    const clock = testClock(NOW);
    const result = await read(s, [], clock);
    assert.equal(result.code, 0, result.stderr);
    const statuses = result.traces("STREAM_STATUS").map((t) => t.stream_status);
    const limited = statuses.filter((status) => status.reasons !== undefined);
    assert.ok(limited.length >= 1, "at least one 429 was met");
    for (const status of limited) {
      assert.equal(status.stream_descriptor.name, "companies");
      assert.equal(status.status, "RUNNING");
      const [reason, ...more] = status.reasons!;
      assert.equal(more.length, 0);
      assert.equal(reason.type, "RATE_LIMITED");
      assert.ok(reason.rate_limited?.quota_reset! > Date.parse(NOW), "a reset after the start");
    }
    assert.deepEqual(result.statuses("companies").at(-1), "COMPLETE");
    const throttled = s.sandbox.requests.filter((r) => r.status === 429).length;
    assert.equal(limited.length, throttled, "one status per 429 (one request at a time here)");
    assert.equal(
      result.records("companies").length,
      [...sandboxRows("/companies", { people: 40, now })].length,
    );
  } finally {
    await teardown(s);
  }
});

/**
 * `detect_deletes` end to end, in-process against the sandbox: deleted rows arrive with
 * `_ab_cdc_deleted_at` (exactly those), none are invented while rows change during the scan,
 * and a scan that fails or cannot be proven reports nothing and keeps the committed set.
 *
 * @module
 */
import assert from "node:assert/strict";
import { type Sandbox, startSandbox } from "../sandbox/mod.ts";
import { decodeIdSet } from "../src/sync/id_set.ts";
import { runConnector, type RunResult, stateFileOf, TempFiles } from "./support/connector.ts";
import { testClock } from "./support/clock.ts";

const NOW = "2026-11-28T12:00:00.000Z";
const LATER = "2026-11-28T13:00:00.000Z";
const LATEST = "2026-11-28T14:00:00.000Z";
const now = () => new Date(Date.parse(NOW) - 5 * 60_000);
const STREAMS = { job_roles: "/job-roles", time_away: "/time-away" } as const;
type Name = keyof typeof STREAMS;
const NAMES = Object.keys(STREAMS) as Name[];

interface Setup {
  sandbox: Sandbox;
  files: TempFiles;
  args: string[];
}

async function setup(
  config: Record<string, unknown> = {},
  sandbox: Parameters<typeof startSandbox>[0] = {},
): Promise<Setup> {
  const api = await startSandbox({ people: 30, now, seed: 11, ...sandbox });
  const files = await TempFiles.create();
  const args = await files.readArgs(api, {
    streams: NAMES,
    config: { detect_deletes: true, initial_sync_days: 365, max_records_per_page: 15, ...config },
  });
  return { sandbox: api, files, args };
}

async function teardown(s: Setup): Promise<void> {
  await s.sandbox.close();
  await s.files[Symbol.asyncDispose]();
}

async function sync(
  s: Setup,
  at: string,
  options: { state?: unknown; fetch?: typeof fetch } = {},
): Promise<RunResult> {
  const extra = options.state === undefined
    ? []
    : ["--state", await s.files.write(`state-${crypto.randomUUID()}.json`, options.state)];
  const result = await runConnector([...s.args, ...extra], {
    clock: testClock(at),
    fetch: options.fetch,
    secrets: [s.sandbox.token],
  });
  assert.equal(result.code, 0, result.stderr);
  return result;
}

function liveIds(s: Setup, name: Name): Set<string> {
  return new Set(s.sandbox.snapshot(STREAMS[name]).map((r) => r.id as string));
}

function deletedIds(result: RunResult, name: Name): string[] {
  return result.records(name).filter((r) => r._ab_cdc_deleted_at !== null).map((r) =>
    r.id as string
  ).sort();
}

/** The committed id set of a stream in a run's last STATE, or undefined. */
async function committed(result: RunResult, name: Name): Promise<Set<string> | undefined> {
  const last = result.states(name).at(-1)?.stream.stream_state;
  return last?.id_set === undefined ? undefined : new Set(await decodeIdSet(last.id_set));
}

function logs(result: RunResult, level: string): string[] {
  return result.ofType("LOG").filter((m) => m.log.level === level).map((m) => m.log.message);
}

Deno.test("detect_deletes: exactly the deleted rows arrive, with _ab_cdc_deleted_at", async () => {
  const s = await setup();
  try {
    const first = await sync(s, NOW);
    for (const name of NAMES) {
      assert.deepEqual(deletedIds(first, name), [], `${name}: no deletes on the first sync`);
      assert.ok(first.records(name).every((r) => r._ab_cdc_deleted_at === null));
      assert.deepEqual(await committed(first, name), liveIds(s, name), `${name}: set started`);
    }
    assert.ok(logs(first, "INFO").some((m) => m.includes("delete tracking started")));

    const before = { job_roles: liveIds(s, "job_roles"), time_away: liveIds(s, "time_away") };
    s.sandbox.change("/job-roles", { deletes: 3 });
    s.sandbox.change("/time-away", { deletes: 2, inserts: 2, updates: 2 });
    const second = await sync(s, LATER, { state: stateFileOf(first) });
    for (const name of NAMES) {
      const after = liveIds(s, name);
      const gone = [...before[name]].filter((id) => !after.has(id)).sort();
      assert.equal(gone.length, name === "job_roles" ? 3 : 2);
      assert.deepEqual(deletedIds(second, name), gone, `${name}: the deleted ids`);
      for (const record of second.records(name).filter((r) => r._ab_cdc_deleted_at !== null)) {
        assert.equal(record._ab_cdc_deleted_at, LATER);
        assert.equal(record.updated_at, LATER, "updated_at is the time of detection");
        const set = Object.entries(record).filter(([, v]) => v !== null).map(([k]) => k).sort();
        assert.deepEqual(set, ["_ab_cdc_deleted_at", "id", "timestamp", "updated_at"]);
      }
      assert.deepEqual(await committed(second, name), after, `${name}: the new set`);
      // The delete RECORDs come before the final STATE, which alone holds the new set.
      const lines = second.messages.filter((m) =>
        (m.type === "RECORD" && m.record.stream === name) ||
        (m.type === "STATE" && m.state.stream!.stream_descriptor.name === name)
      );
      const lastDelete = lines.findLastIndex((m) =>
        m.type === "RECORD" && m.record.data._ab_cdc_deleted_at !== null
      );
      assert.ok(lastDelete < lines.length - 1 && lines.at(-1)?.type === "STATE");
    }
    // Rows inserted or updated are written as rows, not deletes.
    assert.ok(second.records("time_away").some((r) => r._ab_cdc_deleted_at === null));

    const third = await sync(s, LATEST, { state: stateFileOf(second) });
    for (const name of NAMES) assert.deepEqual(deletedIds(third, name), [], `${name}: once`);
    const scans = s.sandbox.requests.filter((r) => decodeURIComponent(r.query).includes("$select"));
    assert.ok(scans.length > 0 && scans.every((r) => r.query.includes("limit=")));
  } finally {
    await teardown(s);
  }
});

Deno.test("detect_deletes off (the default): no scan, no id set; off drops a set", async () => {
  const on = await setup();
  const off = await setup({ detect_deletes: false }, { seed: 11 });
  try {
    const withSet = await sync(on, NOW);
    const result = await sync(off, LATER, { state: stateFileOf(withSet) });
    for (const name of NAMES) {
      assert.equal(await committed(result, name), undefined, `${name}: no id set`);
      assert.ok(result.records(name).every((r) => r._ab_cdc_deleted_at === null));
    }
    assert.ok(
      !off.sandbox.requests.some((r) => decodeURIComponent(r.query).includes("$select")),
      "no id scan",
    );
  } finally {
    await teardown(on);
    await teardown(off);
  }
});

Deno.test("detect_deletes: a state without a set (older version) starts one, reporting none", async () => {
  const off = await setup({ detect_deletes: false });
  try {
    const old = await sync(off, NOW);
    off.sandbox.change("/job-roles", { deletes: 2 });
    const on = await setup({}, { seed: 11 });
    try {
      on.sandbox.change("/job-roles", { deletes: 2 });
      const result = await sync(on, LATER, { state: stateFileOf(old) });
      assert.deepEqual(deletedIds(result, "job_roles"), []);
      assert.deepEqual(await committed(result, "job_roles"), liveIds(on, "job_roles"));
    } finally {
      await teardown(on);
    }
  } finally {
    await teardown(off);
  }
});

Deno.test("detect_deletes: a failed or unproven scan reports nothing and keeps the set, with the ids it wrote", async (t) => {
  /** A page of the id scan (not its one-row probe, not a confirming request), and its `$skip`. */
  const scanPage = (input: RequestInfo | URL) => {
    const query = new URL(String(input)).searchParams;
    const isScan = query.has("$select[]") && query.get("$limit") === "250" &&
      ![...query.keys()].some((key) => key.startsWith("id["));
    return isScan ? Number(query.get("$skip") ?? 0) : undefined;
  };
  const cases: [string, typeof fetch, RegExp][] = [
    [
      "the scan fails",
      (input, init) => {
        if (scanPage(input) !== undefined) {
          return Promise.resolve(Response.json({ message: "boom" }, { status: 500 }));
        }
        return fetch(input, init);
      },
      /deletes were not detected this sync \(the id scan failed: .*500/,
    ],
    [
      "no page boundary of the scan can be proven",
      async (input, init) => {
        const response = await fetch(input, init);
        if (!(scanPage(input)! > 0)) return response;
        // Every later page comes back empty though the total says more rows are there: as if
        // rows were deleted faster than pages are read, so no page joins the page before.
        const body = await response.json();
        body.data = [];
        return Response.json(body);
      },
      /cannot prove which are gone/,
    ],
  ];
  for (const [name, fetcher, warning] of cases) {
    await t.step(name, async () => {
      const s = await setup({}, { people: 200 });
      try {
        const first = await sync(s, NOW);
        assert.ok(liveIds(s, "job_roles").size > 250, "more than one page of ids");
        s.sandbox.change("/job-roles", { deletes: 3, inserts: 2 });
        const second = await sync(s, LATER, { state: stateFileOf(first), fetch: fetcher });
        assert.deepEqual(deletedIds(second, "job_roles"), [], "no deletes reported");
        assert.ok(logs(second, "WARN").some((m) => warning.test(m)), logs(second, "WARN").join());
        assert.deepEqual(second.statuses("job_roles"), ["STARTED", "RUNNING", "COMPLETE"]);
        // The committed set, with the rows this sync wrote added: should they be deleted later,
        // the set knows them.
        const kept = new Set(await decodeIdSet(second.lastState("job_roles").id_set));
        const committed = await decodeIdSet(first.lastState("job_roles").id_set);
        assert.ok(committed.every((id) => kept.has(id)), "the committed ids are kept");
        const written = second.records("job_roles").map((r) => r.id as string);
        assert.ok(written.length >= 2, "the inserted rows were written");
        assert.deepEqual(written.filter((id) => !kept.has(id)), [], "written ids are kept");
        // The next sync, with a working API, reports them.
        const third = await sync(s, LATEST, { state: stateFileOf(second) });
        assert.equal(deletedIds(third, "job_roles").length, 3);
      } finally {
        await teardown(s);
      }
    });
  }
});

Deno.test("detect_deletes under churn: no row that exists is reported, none is lost", async (t) => {
  for (const concurrency of [1, 4]) {
    await t.step(`concurrency ${concurrency}`, async () => {
      const s = await setup({ concurrency, max_records_per_page: 10 }, { seed: 20 + concurrency });
      try {
        const first = await sync(s, NOW);
        const known = liveIds(s, "job_roles");
        s.sandbox.change("/job-roles", { deletes: 4 });
        // Every list request updates, inserts and deletes rows, the scan's included.
        s.sandbox.setChurn({ updates: 2, inserts: 1, deletes: 1 });
        const second = await sync(s, LATER, { state: stateFileOf(first) });
        s.sandbox.setChurn(0);
        for (const r of second.records("job_roles")) known.add(r.id as string);
        const live = liveIds(s, "job_roles");
        const invented = deletedIds(second, "job_roles").filter((id) => live.has(id));
        assert.deepEqual(invented, [], "rows reported deleted while they exist");
        const third = await sync(s, LATEST, { state: stateFileOf(second) });
        if (!logs(second, "WARN").some((m) => m.includes("deletes were not detected"))) {
          // A proven scan finds at least the rows deleted before the sync.
          assert.ok(deletedIds(second, "job_roles").length >= 4);
        }
        const reported = new Set([
          ...deletedIds(second, "job_roles"),
          ...deletedIds(third, "job_roles"),
        ]);
        assert.ok([...reported].every((id) => !live.has(id)), "no existing row reported");
        const gone = [...known].filter((id) => !live.has(id));
        assert.ok(gone.length >= 4);
        assert.deepEqual(gone.filter((id) => !reported.has(id)), [], "deletes lost");
        assert.deepEqual(
          [...(await committed(third, "job_roles"))!].filter((id) => !live.has(id)),
          [],
          "the set holds no deleted id",
        );
      } finally {
        await teardown(s);
      }
    });
  }
});

Deno.test("detect_deletes where the API ignores the cursor filter: the deleted rows, confirmed", async () => {
  const s = await setup({}, { filters: "ignore" });
  try {
    const first = await sync(s, NOW);
    const before = liveIds(s, "job_roles");
    assert.deepEqual(await committed(first, "job_roles"), before);
    s.sandbox.change("/job-roles", { deletes: 2 });
    const from = s.sandbox.requests.length;
    const second = await sync(s, LATER, { state: stateFileOf(first) });
    const after = liveIds(s, "job_roles");
    assert.deepEqual(
      deletedIds(second, "job_roles"),
      [...before].filter((id) => !after.has(id)).sort(),
    );
    // Delete detection is its own step: its own scan, whatever the read did.
    const made = s.sandbox.requests.slice(from).map((r) => decodeURIComponent(r.query));
    assert.ok(made.some((q) => q.includes("id[$in]")), "the candidates were confirmed");
    assert.ok(logs(second, "INFO").some((m) => m.includes("2 deleted rows found")));
  } finally {
    await teardown(s);
  }
});

Deno.test("detect_deletes leaves full_refresh syncs alone: overwrite needs no deletes", async () => {
  const api = await startSandbox({ people: 10, now, seed: 11 });
  await using files = await TempFiles.create();
  try {
    for (
      const [what, options] of [
        ["a full_refresh catalog", { syncMode: "full_refresh" as const, config: {} }],
        ["enable_incremental_sync off", { config: { enable_incremental_sync: false } }],
      ] as const
    ) {
      const args = await files.readArgs(api, {
        streams: ["job_roles"],
        syncMode: "syncMode" in options ? options.syncMode : undefined,
        config: { detect_deletes: true, ...options.config },
      });
      const from = api.requests.length;
      const result = await runConnector(args, { clock: testClock(NOW), secrets: [api.token] });
      assert.equal(result.code, 0, what);
      const states = result.states("job_roles");
      assert.ok(states.length > 0 && states.every((st) => !("id_set" in st.stream.stream_state!)));
      assert.ok(result.records("job_roles").every((r) => r._ab_cdc_deleted_at === null), what);
      const made = api.requests.slice(from).map((r) => decodeURIComponent(r.query));
      assert.ok(!made.some((q) => q.includes("$select")), `${what}: no id scan`);
    }
  } finally {
    await api.close();
  }
});

import assert from "node:assert/strict";
import { startSandbox } from "../../sandbox/mod.ts";
import { HumaansClient } from "../../src/http/client.ts";
import { jobRoles } from "../../src/streams/job_roles.ts";
import { DELETED_AT } from "../../src/streams/mod.ts";
import {
  CONFIRM_BATCH,
  confirmDeleted,
  deletedRecord,
  DeleteTracker,
  type Detection,
  missingIds,
  probeSelection,
  scanIds,
} from "../../src/sync/deletes.ts";
import { MessageWriter } from "../../src/protocol/writer.ts";
import { decodeIdSet, encodeIdSet } from "../../src/sync/id_set.ts";
import { Capture } from "../support/capture.ts";
import { testClock } from "../support/clock.ts";

const CONFIG = { max_records_per_page: 20, concurrency: 2 };

function clientOf(sandbox: { url: string; token: string }, fetch?: typeof globalThis.fetch) {
  return new HumaansClient({
    baseUrl: sandbox.url,
    token: sandbox.token,
    timeoutMs: 10_000,
    retryAttempts: 0,
    clock: testClock(),
    maxConcurrency: 4,
    fetch,
  });
}

/** A fetch that answers 400 to any request for a `$select`. */
const rejectingSelect: typeof fetch = (input, init) => {
  if (decodeURIComponent(String(input)).includes("$select")) {
    return Promise.resolve(
      Response.json({ name: "BadRequest", code: 400, message: "Invalid $select" }, {
        status: 400,
      }),
    );
  }
  return fetch(input, init);
};

Deno.test("missingIds: the known ids the scan did not find, in order", () => {
  assert.deepEqual(missingIds(["a", "b", "c", "d"], new Set(["b", "d", "e"])), ["a", "c"]);
  assert.deepEqual(missingIds([], new Set(["a"])), []);
  assert.deepEqual(missingIds(new Set(["a"]), new Set()), ["a"]);
});

Deno.test("deletedRecord: id, updated_at and _ab_cdc_deleted_at at detection, the rest null", () => {
  const record = deletedRecord(jobRoles, "r1", {
    detectedAt: "2026-11-28T12:05:00.000Z",
    syncedAt: "2026-11-28T12:00:00.000Z",
  });
  assert.deepEqual(Object.keys(record), [...jobRoles.columns.keys()]);
  assert.equal(record.id, "r1");
  assert.equal(record.updated_at, "2026-11-28T12:05:00.000Z");
  assert.equal(record[DELETED_AT], "2026-11-28T12:05:00.000Z");
  assert.equal(record.timestamp, "2026-11-28T12:00:00.000Z");
  const others = Object.entries(record)
    .filter(([k]) => !["id", "updated_at", DELETED_AT, "timestamp"].includes(k));
  assert.ok(others.length > 5);
  assert.ok(others.every(([, v]) => v === null), "other columns null");
  // The record validates against the stream's schema.
  assert.deepEqual(jobRoles.record.parse(record), record);
});

Deno.test("probeSelection: ids when $select is honoured, rows when ignored or rejected", async () => {
  const honouring = await startSandbox({ people: 10 });
  const ignoring = await startSandbox({ people: 10, select: "ignore" });
  try {
    const total = honouring.snapshot("/job-roles").length;
    assert.deepEqual(await probeSelection(clientOf(honouring), "/job-roles"), {
      selection: "ids",
      total,
    });
    assert.deepEqual(await probeSelection(clientOf(ignoring), "/job-roles"), {
      selection: "rows",
      total,
    });
    assert.deepEqual(await probeSelection(clientOf(honouring, rejectingSelect), "/job-roles"), {
      selection: "rows",
      total,
    });
    const probe = honouring.requests.at(0)!;
    assert.equal(decodeURIComponent(probe.query), "$limit=1&$select[]=id");
    // Another failure is not a verdict on $select: it is thrown.
    honouring.inject("/job-roles", [{ status: 500 }]);
    await assert.rejects(() => probeSelection(clientOf(honouring), "/job-roles"), /500/);
  } finally {
    await honouring.close();
    await ignoring.close();
  }
});

Deno.test("scanIds: every id, proven, in ids-only or whole-row pages", async (t) => {
  const sandbox = await startSandbox({ people: 60 });
  try {
    const expected = new Set(sandbox.snapshot("/job-roles").map((r) => r.id as string));
    assert.ok(expected.size > 60);
    for (const selection of ["ids", "rows"] as const) {
      await t.step(selection, async () => {
        const before = sandbox.requests.length;
        const scan = await scanIds(clientOf(sandbox), "/job-roles", {
          config: CONFIG,
          selection,
        });
        assert.deepEqual(scan.ids, expected);
        assert.equal(scan.proven, true);
        const queries = sandbox.requests.slice(before).map((r) => decodeURIComponent(r.query));
        assert.equal(queries.length, scan.requests);
        if (selection === "ids") {
          // Ids-only pages are small: the largest page the API serves.
          assert.ok(queries.every((q) => q.includes("$select[]=id") && q.includes("$limit=250")));
        } else {
          assert.ok(queries.every((q) => !q.includes("$select") && q.includes("$limit=20")));
        }
      });
    }
  } finally {
    await sandbox.close();
  }
});

Deno.test("scanIds: deletes and inserts while it pages never hide a row that stays", async (t) => {
  for (const concurrency of [1, 4]) {
    await t.step(`concurrency ${concurrency}`, async () => {
      const sandbox = await startSandbox({ people: 80, seed: 3 });
      try {
        const before = new Set(sandbox.snapshot("/job-roles").map((r) => r.id as string));
        sandbox.setChurn({ updates: 2, inserts: 1, deletes: 2 });
        const scan = await scanIds(clientOf(sandbox), "/job-roles", {
          config: { max_records_per_page: 10, concurrency },
          selection: "rows",
        });
        sandbox.setChurn(0);
        const after = new Set(sandbox.snapshot("/job-roles").map((r) => r.id as string));
        // A row there before and after the scan was there all along: the scan must hold it
        // whenever it claims to be proven.
        const stayed = [...before].filter((id) => after.has(id));
        const missed = stayed.filter((id) => !scan.ids.has(id));
        if (scan.proven) assert.deepEqual(missed, [], "proven scan missed rows that stayed");
        assert.ok(before.size - after.size > 10, "rows were deleted during the scan");
      } finally {
        await sandbox.close();
      }
    });
  }
});

Deno.test("confirmDeleted: only ids the API does not have are deleted", async (t) => {
  const sandbox = await startSandbox({ people: 40, seed: 4 });
  try {
    const ids = sandbox.snapshot("/job-roles").map((r) => r.id as string);
    const gone = ["nope-1", "nope-2", "nope-3"];
    const candidates = [...ids.slice(0, CONFIRM_BATCH + 5), ...gone];
    await t.step("with id[$in] honoured: one request per batch", async () => {
      const before = sandbox.requests.length;
      const result = await confirmDeleted(clientOf(sandbox), "/job-roles", {
        candidates,
        selection: "ids",
      });
      assert.deepEqual(result.deleted.sort(), gone);
      assert.deepEqual(result.present.sort(), ids.slice(0, CONFIRM_BATCH + 5).sort());
      const made = sandbox.requests.slice(before);
      assert.equal(made.length, 2);
      assert.ok(made.every((r) => decodeURIComponent(r.query).includes("id[$in][0]=")));
    });
    await t.step("with filters ignored: each id on its own, 404 meaning gone", async () => {
      sandbox.setFilters("ignore");
      sandbox.change("/job-roles", { deletes: 1 });
      const live = new Set(sandbox.snapshot("/job-roles").map((r) => r.id as string));
      const [removed] = ids.filter((id) => !live.has(id));
      const [a, b] = ids.filter((id) => live.has(id));
      const before = sandbox.requests.length;
      const result = await confirmDeleted(clientOf(sandbox), "/job-roles", {
        candidates: [a, "nope-1", removed, b],
        selection: "ids",
      });
      assert.deepEqual(result, { deleted: ["nope-1", removed], present: [a, b] });
      const paths = sandbox.requests.slice(before).map((r) => r.path);
      assert.deepEqual(paths, [
        "/job-roles",
        `/job-roles/${a}`,
        "/job-roles/nope-1",
        `/job-roles/${removed}`,
        `/job-roles/${b}`,
      ]);
      sandbox.setFilters("honour");
    });
    await t.step("with id[$in] rejected (400): each id on its own", async () => {
      const rejectingIn: typeof fetch = (input, init) =>
        decodeURIComponent(String(input)).includes("id[$in]")
          ? Promise.resolve(Response.json({ message: "Invalid filter" }, { status: 400 }))
          : fetch(input, init);
      const present = sandbox.snapshot("/job-roles")[2].id as string;
      const result = await confirmDeleted(clientOf(sandbox, rejectingIn), "/job-roles", {
        candidates: ["nope-1", present],
        selection: "rows",
      });
      assert.deepEqual(result, { deleted: ["nope-1"], present: [present] });
    });
    await t.step("another failure is thrown, never taken for a delete", async () => {
      sandbox.inject("/job-roles", [{ status: 500 }]);
      await assert.rejects(
        () =>
          confirmDeleted(clientOf(sandbox), "/job-roles", {
            candidates: ["nope-1"],
            selection: "ids",
          }),
        /500/,
      );
    });
  } finally {
    await sandbox.close();
  }
});

/** A DeleteTracker's detection against `sandbox`, with the messages it wrote. */
async function detectWith(
  sandbox: { url: string; token: string },
  tracker: DeleteTracker,
): Promise<{ detection: Detection; messages: Record<string, unknown>[] }> {
  const stdout = new Capture();
  const writer = new MessageWriter(stdout);
  const detection = await tracker.detect({
    client: clientOf(sandbox),
    writer,
    config: CONFIG,
    detectedAt: "2026-11-28T12:05:00.000Z",
    syncedAt: "2026-11-28T12:00:00.000Z",
  });
  await writer.flush();
  const messages = stdout.text().split("\n").filter((l) => l).map((l) => JSON.parse(l));
  return { detection, messages };
}

function warnings(messages: Record<string, unknown>[]): string[] {
  return messages.filter((m) => m.type === "LOG")
    .map((m) => (m.log as { level: string; message: string }))
    .filter((log) => log.level === "WARN").map((log) => log.message);
}

Deno.test("DeleteTracker: a stream with more rows than the set may hold is not scanned", async () => {
  const sandbox = await startSandbox({ people: 20 });
  try {
    const before = sandbox.requests.length;
    const { detection, messages } = await detectWith(
      sandbox,
      new DeleteTracker(jobRoles, undefined, { maxIds: 10 }),
    );
    assert.deepEqual(detection, { state: {}, records: 0 });
    assert.equal(sandbox.requests.length - before, 1, "the probe only");
    assert.match(warnings(messages)[0], /ids are more than the 10 delete detection keeps/);
  } finally {
    await sandbox.close();
  }
});

Deno.test("DeleteTracker: a damaged set warns and tracking starts again, reporting nothing", async () => {
  const sandbox = await startSandbox({ people: 20 });
  try {
    const good = await encodeIdSet(["a", "b"]);
    const damaged = { ...good, count: 3 };
    const tracker = new DeleteTracker(jobRoles, damaged);
    assert.deepEqual(tracker.carried(), { id_set: damaged }, "carried as is until detection");
    const { detection, messages } = await detectWith(sandbox, tracker);
    assert.equal(detection.records, 0);
    assert.match(warnings(messages)[0], /"id_set" holds 2 ids where its count says 3/);
    const set = await decodeIdSet(detection.state.id_set);
    assert.deepEqual(new Set(set), new Set(sandbox.snapshot("/job-roles").map((r) => r.id)));
    // Something that is no id set at all is not carried.
    assert.deepEqual(new DeleteTracker(jobRoles, "junk").carried(), {});
  } finally {
    await sandbox.close();
  }
});

/**
 * `detect_deletes` across a crash, for real: after a sync that committed an id set, rows are
 * deleted; the next sync runs as a subprocess, is killed with SIGKILL right after its k-th
 * STATE, and is restarted from the last STATE of each stream it printed. Whatever k, the two
 * runs together report exactly the deleted rows (none that exists, none lost), and the final
 * state's set holds every row but them.
 *
 * @module
 */
import assert from "node:assert/strict";
import { startSandbox } from "../sandbox/mod.ts";
import { decodeIdSet } from "../src/sync/id_set.ts";
import { TempFiles } from "./support/connector.ts";
import { lastStates, type ProcessMessage, runConnectorProcess } from "./support/process.ts";

const PATH = "/job-roles";

type Message = ProcessMessage;

function deleted(messages: Message[]): string[] {
  return messages.filter((m) => m.type === "RECORD" && m.record.data._ab_cdc_deleted_at !== null)
    .map((m) => m.record.data.id as string);
}

Deno.test("detect_deletes: killed (SIGKILL) after any STATE and resumed, deletes are exact", async (t) => {
  // Rows change ten minutes before the syncs run, so each page's checkpoint has its own cursor
  // (cursors within a minute of the sync's start are held back to allow for clock skew).
  const sandbox = await startSandbox({
    people: 30,
    seed: 13,
    now: () => new Date(Date.now() - 600_000),
  });
  await using files = await TempFiles.create();
  try {
    const read = await files.readArgs(sandbox, {
      streams: ["job_roles"],
      config: {
        detect_deletes: true,
        initial_sync_days: 365,
        max_records_per_page: 10,
        concurrency: 2,
      },
    });
    const baseline = await runConnectorProcess(read);
    assert.equal(baseline.code, 0);
    const baseState = await files.write("base.json", lastStates(baseline.messages));
    const before = new Set(sandbox.snapshot(PATH).map((r) => r.id as string));
    sandbox.change(PATH, { deletes: 3, updates: 45 });
    const live = new Set(sandbox.snapshot(PATH).map((r) => r.id as string));
    const gone = [...before].filter((id) => !live.has(id)).sort();
    assert.equal(gone.length, 3);

    const clean = await runConnectorProcess([...read, "--state", baseState]);
    assert.equal(clean.code, 0);
    assert.deepEqual(deleted(clean.messages).sort(), gone);
    const stateCount = clean.messages.filter((m) => m.type === "STATE").length;
    assert.ok(stateCount >= 3, `${stateCount} checkpoints to cut at`);
    for (let k = 1; k <= stateCount; k++) {
      await t.step(`killed after STATE ${k} of ${stateCount}`, async () => {
        const first = await runConnectorProcess([...read, "--state", baseState], {
          killAfterStates: k,
        });
        assert.ok(first.killed || k === stateCount);
        const state = await files.write(`state-${k}.json`, lastStates(first.messages));
        const second = await runConnectorProcess([...read, "--state", state]);
        assert.equal(second.code, 0);
        const reported = new Set([...deleted(first.messages), ...deleted(second.messages)]);
        assert.deepEqual([...reported].sort(), gone, "exactly the deleted rows");
        const final = lastStates(second.messages)[0] as Message;
        const set = await decodeIdSet(final.stream.stream_state.id_set);
        assert.deepEqual(new Set(set), live, "the committed set: every row but the deleted");
      });
    }
  } finally {
    await sandbox.close();
  }
});

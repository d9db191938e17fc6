/**
 * Crash and resume, for real: the connector runs as a subprocess (the `connector` task's command
 * line), is killed with SIGKILL right after its k-th STATE message, and is restarted from the
 * last STATE of each stream it printed, as a platform would. Both runs together must hold every
 * row a sync without a crash writes.
 *
 * @module
 */
import assert from "node:assert/strict";
import { startSandbox } from "../sandbox/mod.ts";
import { parseRun, TempFiles } from "./support/connector.ts";
import { lastStates, runConnectorProcess } from "./support/process.ts";

const STREAMS = ["job_roles", "documents", "people"];

function recordIds(lines: string[]): string[] {
  return lines.map((line) => JSON.parse(line))
    .filter((message) => message.type === "RECORD")
    .map((message) => `${message.record.stream}/${message.record.data.id}`);
}

Deno.test("a sync killed (SIGKILL) after its k-th STATE and restarted from it loses no row", async (t) => {
  // 60 people: streams read in slices claim what their lowest slice has read, so they take more
  // rows than a page a slice for ten checkpoints.
  const sandbox = await startSandbox({ people: 60, latencyMs: 2, seed: 9 });
  await using files = await TempFiles.create();
  try {
    const read = await files.readArgs(sandbox, {
      streams: STREAMS,
      config: { initial_sync_days: 365, max_records_per_page: 10, concurrency: 3 },
    });
    const clean = await runConnectorProcess(read);
    assert.equal(clean.code, 0);
    parseRun(0, clean.lines.join("\n") + "\n", "", [sandbox.token]);
    const all = new Set(recordIds(clean.lines));
    const stateCount = clean.lines.filter((line) => line.includes('"type":"STATE"')).length;
    assert.ok(stateCount >= 10, `${stateCount} checkpoints to cut at`);
    const cuts = Array.from({ length: stateCount - 1 }, (_, i) => i + 1);
    let kills = 0;
    for (const k of cuts) {
      await t.step(`killed after STATE ${k} of ${stateCount}`, async () => {
        const first = await runConnectorProcess(read, { killAfterStates: k });
        if (!first.killed) {
          // Slices read at once make claims in the order their pages come back, so a run may
          // print a STATE or two fewer than the clean one: it then ended whole, every row in it.
          assert.equal(first.code, 0);
          assert.deepEqual([...all].filter((id) => !recordIds(first.lines).includes(id)), []);
          return;
        }
        kills++;
        const state = await files.write(`state-${k}.json`, lastStates(first.messages));
        const second = await runConnectorProcess([...read, "--state", state]);
        assert.equal(second.code, 0);
        const seen = new Set([...recordIds(first.lines), ...recordIds(second.lines)]);
        const missing = [...all].filter((id) => !seen.has(id));
        assert.deepEqual(missing, [], `${missing.length} rows lost`);
      });
    }
    // Enough kills to mean something: the runs that printed fewer STATEs than a late cut ended
    // whole and were checked above. A clean run on a loaded machine may print more STATEs than
    // most runs (15 against 11 to 12 in one CI run), so the bar is at most 8 kills, not all but 2.
    const needed = Math.min(cuts.length - 2, 8);
    assert.ok(kills >= needed, `${kills} of ${cuts.length} runs were killed (at least ${needed})`);
  } finally {
    await sandbox.close();
  }
});

/**
 * The sandbox side of `deno task interop`: starts a sandbox, prints one JSON line (its URL, token
 * and every stream's row count) on stdout, then answers one JSON line per command read on stdin:
 *
 * - `{"change": {"job_roles": {"updates": 12}, "people": {"inserts": 3}}}`: changes rows; answers
 *   `{"changed": {"job_roles": {"<id>": "<new updatedAt>", ...}, ...}, "deleted": {"<stream>":
 *   ["<id>", ...]}, "totals": {...}}`: the rows whose `updatedAt` moved or that are new, and the
 *   ids of the rows deleted (`{"deletes": N}`).
 * - `{"totals": true}`: answers `{"totals": {...}}`.
 *
 * It stops when stdin closes.
 *
 * @module
 */
import { type Changes, type Row, type Sandbox, startSandbox } from "../../sandbox/mod.ts";
import { STREAMS } from "../../src/streams/mod.ts";

/**
 * Every stream's row count, as the sandbox serves it now (a pivoted stream's: the people its
 * rows are about).
 */
export function totalsOf(sandbox: Sandbox): Record<string, number> {
  return Object.fromEntries(STREAMS.map((s) => {
    const rows = sandbox.snapshot(s.path);
    return [s.name, s.pivoted ? new Set(rows.map((row) => row.personId)).size : rows.length];
  }));
}

function updatedAtById(rows: Row[]): Map<string, unknown> {
  return new Map(rows.map((row) => [row.id as string, row.updatedAt]));
}

/** Every stream's ids, as the sandbox serves them now. */
export function idsOf(sandbox: Sandbox): Record<string, string[]> {
  return Object.fromEntries(
    STREAMS.map((s) => [s.name, sandbox.snapshot(s.path).map((row) => row.id as string)]),
  );
}

/** The ids in `before` (from {@linkcode idsOf}) that the sandbox no longer serves, by stream. */
export function deletedSince(
  sandbox: Sandbox,
  before: Record<string, string[]>,
): Record<string, string[]> {
  const now = idsOf(sandbox);
  return Object.fromEntries(
    Object.entries(before).map(([name, ids]) => {
      const served = new Set(now[name]);
      return [name, ids.filter((id) => !served.has(id))];
    }).filter(([, ids]) => ids.length > 0),
  );
}

/** Applies `changes` (by stream name); returns each stream's changed or new rows' `updatedAt`. */
export function applyChanges(
  sandbox: Sandbox,
  changes: Record<string, Changes>,
): Record<string, Record<string, string>> {
  const changed: Record<string, Record<string, string>> = {};
  for (const [name, change] of Object.entries(changes)) {
    const stream = STREAMS.find((s) => s.name === name);
    if (!stream) throw new Error(`Unknown stream "${name}": name one of the connector's streams`);
    const before = updatedAtById(sandbox.snapshot(stream.path));
    sandbox.change(stream.path, change);
    changed[name] = Object.fromEntries(
      sandbox.snapshot(stream.path)
        .filter((row) => before.get(row.id as string) !== row.updatedAt)
        .map((row) => [row.id as string, row.updatedAt as string]),
    );
  }
  return changed;
}

async function main(): Promise<void> {
  // The sandbox's clock runs five minutes behind: its newest rows, and the rows it changes, are
  // older than the minute before a sync's start that a checkpoint never claims (CLOCK_SKEW_MS),
  // as a live API's rows mostly are; otherwise each sync would re-read the newest rows on purpose.
  const sandbox = await startSandbox({
    people: Number(Deno.args[0] ?? 200),
    now: () => new Date(Date.now() - 5 * 60_000),
  });
  const encoder = new TextEncoder();
  const send = (value: unknown) => Deno.stdout.write(encoder.encode(JSON.stringify(value) + "\n"));
  try {
    await send({ url: sandbox.url, token: sandbox.token, totals: totalsOf(sandbox) });
    const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream());
    let buffered = "";
    for await (const chunk of lines) {
      buffered += chunk;
      for (let end = buffered.indexOf("\n"); end >= 0; end = buffered.indexOf("\n")) {
        const line = buffered.slice(0, end).trim();
        buffered = buffered.slice(end + 1);
        if (!line) continue;
        try {
          const command = JSON.parse(line);
          const before = idsOf(sandbox);
          const changed = command.change ? applyChanges(sandbox, command.change) : undefined;
          await send({
            changed,
            deleted: deletedSince(sandbox, before),
            totals: totalsOf(sandbox),
          });
        } catch (error) {
          await send({ error: error instanceof Error ? error.message : String(error) });
        }
      }
    }
  } finally {
    await sandbox.close();
  }
}

if (import.meta.main) await main();

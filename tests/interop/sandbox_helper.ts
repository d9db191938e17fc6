/**
 * The sandbox side of `deno task interop`: starts a sandbox, prints one JSON line (its URL, token
 * and every stream's row count) on stdout, then answers one JSON line per command read on stdin:
 *
 * - `{"change": {"job_roles": {"updates": 12}, "people": {"inserts": 3}}}`: changes rows; answers
 *   `{"changed": {"job_roles": {"<id>": "<new updatedAt>", ...}, ...}, "deleted": {"<stream>":
 *   ["<id>", ...]}, "totals": {...}}`: the rows whose `updatedAt` moved or that are new, and the
 *   ids of the rows deleted (`{"deletes": N}`). Rows are named by their stream's primary key: a
 *   pivoted stream's (people_custom_fields) by person, whose row is changed when one of their
 *   values is (its `updatedAt`: the latest of their values'), deleted when none is left.
 * - `{"totals": true}`: answers `{"totals": {...}}`.
 *
 * It stops when stdin closes.
 *
 * @module
 */
import { type Changes, type Row, type Sandbox, startSandbox } from "../../sandbox/mod.ts";
import { type StreamDefinition, STREAMS } from "../../src/streams/mod.ts";
import { rowCursor } from "../../src/streams/row.ts";

/** The primary key of a row a stream serves: a pivoted stream's, the person it is about. */
function keyOf(stream: StreamDefinition, row: Row): string {
  return (stream.pivoted ? row.personId : row.id) as string;
}

/**
 * Every stream's row count, as the sandbox serves it now (a pivoted stream's: the people its
 * rows are about).
 */
export function totalsOf(sandbox: Sandbox): Record<string, number> {
  return Object.fromEntries(STREAMS.map((s) => [s.name, keysOf(s, sandbox).length]));
}

/** The keys of the rows a stream serves now, one per row (a pivoted stream's: its people). */
function keysOf(stream: StreamDefinition, sandbox: Sandbox): string[] {
  const keys = sandbox.snapshot(stream.path).map((row) => keyOf(stream, row));
  return stream.pivoted ? [...new Set(keys)] : keys;
}

/**
 * `byValue`: each row's `updatedAt` by its id; `byKey`: the same by primary key, but a pivoted
 * stream's, each person's latest of their values' (canonical), their row's `updated_at`.
 */
function updatedAtByKey(
  stream: StreamDefinition,
  rows: Row[],
): { byKey: Map<string, unknown>; byValue: Map<string, unknown> } {
  const byValue = new Map(rows.map((row) => [row.id as string, row.updatedAt]));
  if (!stream.pivoted) return { byKey: byValue, byValue };
  const byKey = new Map<string, unknown>();
  for (const row of rows) {
    const key = keyOf(stream, row);
    const cursor = rowCursor(row);
    const latest = byKey.get(key) as string | undefined;
    if (!byKey.has(key) || (cursor !== undefined && (latest === undefined || cursor > latest))) {
      byKey.set(key, cursor);
    }
  }
  return { byKey, byValue };
}

/** Every stream's row keys (a pivoted stream's: its people), as the sandbox serves them now. */
export function idsOf(sandbox: Sandbox): Record<string, string[]> {
  return Object.fromEntries(STREAMS.map((s) => [s.name, keysOf(s, sandbox)]));
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

/**
 * Applies `changes` (by stream name); returns each stream's changed or new rows' `updatedAt` by
 * key (a pivoted stream's: the people one of whose values changed, with their row's new one).
 */
export function applyChanges(
  sandbox: Sandbox,
  changes: Record<string, Changes>,
): Record<string, Record<string, string>> {
  const changed: Record<string, Record<string, string>> = {};
  for (const [name, change] of Object.entries(changes)) {
    const stream = STREAMS.find((s) => s.name === name);
    if (!stream) throw new Error(`Unknown stream "${name}": name one of the connector's streams`);
    const before = updatedAtByKey(stream, sandbox.snapshot(stream.path)).byValue;
    sandbox.change(stream.path, change);
    const rows = sandbox.snapshot(stream.path);
    const after = updatedAtByKey(stream, rows).byKey;
    const keys = new Set(
      rows.filter((row) => before.get(row.id as string) !== row.updatedAt)
        .map((row) => keyOf(stream, row)),
    );
    changed[name] = Object.fromEntries([...keys].map((key) => [key, after.get(key) as string]));
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

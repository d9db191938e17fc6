import { configError } from "../errors.ts";
import { parseJsonText, readJsonFile, readTextFile } from "../files.ts";
import { parseCatalog } from "../sync/catalog.ts";
import { readStream, type StreamResult } from "../sync/read_stream.ts";
import { cursorOf, parseState } from "../sync/state.ts";
import { findStream } from "../streams/mod.ts";
import { clientFor, type CommandContext, loadConfig } from "./context.ts";

/** `read`: syncs the catalog's streams; exit 1 when any stream ends INCOMPLETE. */
export async function read(context: CommandContext): Promise<number> {
  const { writer, files } = context;
  if (!files.catalog) {
    throw configError("The read command needs --catalog FILE: run discover first");
  }
  const config = await loadConfig(context);
  const selected = parseCatalog(await readJsonFile(files.catalog, "catalog"), {
    source: files.catalog,
  });
  const statePath = files.state;
  const stateText = statePath
    ? await readTextFile(statePath, "state", { missingOk: true })
    : undefined;
  if (statePath && stateText === undefined) {
    await writer.log(
      "WARN",
      `State file "${statePath}" not found: starting fresh (check the path if this is not a first sync)`,
    );
  }
  const rawState = statePath && stateText?.trim()
    ? parseJsonText(stateText, statePath, "state")
    : undefined;
  const state = parseState(rawState, { source: statePath });
  for (const name of state.cursors.keys()) {
    if (!findStream(name)) {
      throw configError(
        `State file "${statePath}" holds state for unknown stream "${name}": remove that entry`,
      );
    }
    if (!selected.some((s) => s.stream.name === name)) {
      await writer.log(
        "INFO",
        `State for stream "${name}" is ignored: the catalog does not select it`,
      );
    }
  }
  if (statePath && stateText !== undefined && rawState === undefined) {
    await writer.log("INFO", `State file "${statePath}" is empty: starting fresh`);
  }

  const client = clientFor(config, context);
  const progress = context.progress;
  const syncStartedAt = context.clock.now();
  // Streams run side by side; the client's adaptive limit caps the requests they make together.
  const queue = [...selected];
  const results: StreamResult[] = [];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const { stream, syncMode } = next;
      results.push(
        await readStream(stream, {
          client,
          writer,
          config,
          syncMode: config.enable_incremental_sync ? syncMode : "full_refresh",
          cursor: cursorOf(state, stream.name),
          idSet: state.idSets.get(stream.name),
          now: () => context.clock.now(),
          syncStartedAt,
          onProgress: progress && ((name, counts) => progress.update(name, counts)),
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(config.concurrency, queue.length) }, worker));
  results.sort((a, b) =>
    selected.findIndex((s) => s.stream.name === a.name) -
    selected.findIndex((s) => s.stream.name === b.name)
  );
  progress?.end();
  const failed = results.filter((r) => r.status === "INCOMPLETE");
  const summary = results.map((r) => `${r.name} ${r.records} records/${r.pages} pages`).join(", ");
  await writer.log("INFO", `Sync finished: ${summary || "no streams selected"}`);
  if (failed.length > 0) {
    writer.diagnostic(`${failed.length} of ${results.length} streams failed`);
    return 1;
  }
  return 0;
}

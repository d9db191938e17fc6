import type { Config } from "../config.ts";
import { configError } from "../errors.ts";
import { parseJsonText, readJsonFile, readTextFile } from "../files.ts";
import { parseCatalog, type SelectedStream } from "../sync/catalog.ts";
import { readStream, type StreamResult } from "../sync/read_stream.ts";
import { cursorOf, idsAtCursorOf, type InputState, parseState } from "../sync/state.ts";
import { type SensitiveReading, sensitiveReading } from "../sensitive/read.ts";
import { findStream } from "../streams/mod.ts";
import { PEOPLE_CUSTOM_FIELDS } from "../streams/people_custom_fields.ts";
import { readPeopleCustomFields } from "../sync/people_custom_fields_read.ts";
import { clientFor, type CommandContext, loadConfig } from "./context.ts";

/** What the final log line says of a stream's fields kept in `additional_fields`. */
function extraNote(count: number): string {
  if (count === 0) return "";
  return `${count} field${count === 1 ? "" : "s"} kept in additional_fields`;
}

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
  for (const { notice } of selected) if (notice) await writer.log("INFO", notice);
  const state = await loadState(context, selected);
  // The sensitive-data policy wraps each selected stream's map (and columns): the one hook.
  const sensitive = await sensitiveReading(selected, {
    config,
    client: () => clientFor(config, context),
    writer,
  });
  const results = await readAll(sensitive.selected, { context, config, state, sensitive });
  context.progress?.end();
  for (const line of sensitive.reports()) await writer.log("INFO", line);
  return await finish(writer, results);
}

/** Reads `--state` (a missing or empty file starts fresh) and WARNs of what the read ignores. */
async function loadState(
  context: CommandContext,
  selected: SelectedStream[],
): Promise<InputState> {
  const { writer } = context;
  const statePath = context.files.state;
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
    ? parseJsonText(stateText, { path: statePath, what: "state" })
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
  await warnAboutState(writer, state, selected);
  if (statePath && stateText !== undefined && rawState === undefined) {
    await writer.log("INFO", `State file "${statePath}" is empty: starting fresh`);
  }
  return state;
}

/**
 * Reads the selected streams side by side (`concurrency` at a time; the client's adaptive limit
 * caps the requests they make together); the results in catalog order.
 */
async function readAll(
  selected: SelectedStream[],
  options: {
    context: CommandContext;
    config: Config;
    state: InputState;
    /** The sensitive-data policy's part of the read (its hooks for people_custom_fields). */
    sensitive: SensitiveReading;
  },
): Promise<StreamResult[]> {
  const { context, config, state } = options;
  const client = clientFor(config, context);
  const progress = context.progress;
  const syncStartedAt = context.clock.now();
  const queue = [...selected];
  const results: StreamResult[] = [];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const { stream, syncMode } = next;
      // people_custom_fields pivots values by person: a read of its own.
      const reader = stream.name === PEOPLE_CUSTOM_FIELDS ? readPeopleCustomFields : readStream;
      results.push(
        await reader(stream, {
          configuredSchema: next.jsonSchema,
          protect: options.sensitive.sectionsOf(next),
          streamState: state.raw.get(stream.name),
          client,
          writer: context.writer,
          config,
          syncMode: config.enable_incremental_sync ? syncMode : "full_refresh",
          state: {
            cursor: cursorOf(state, stream.name),
            idsAtCursor: idsAtCursorOf(state, stream.name),
            idSet: state.idSets.get(stream.name),
          },
          now: () => context.clock.now(),
          syncStartedAt,
          onProgress: progress && ((name, counts) => progress.update(name, counts)),
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(config.concurrency, queue.length) }, worker));
  const order = (name: string) => selected.findIndex((s) => s.stream.name === name);
  return results.sort((a, b) => order(a.name) - order(b.name));
}

/** The final log line, and the exit code: 1 when any stream failed. */
async function finish(writer: CommandContext["writer"], results: StreamResult[]): Promise<number> {
  const failed = results.filter((r) => r.status === "INCOMPLETE");
  const summary = results.map(summaryOf).join(", ");
  await writer.log("INFO", `Sync finished: ${summary || "no streams selected"}`);
  if (failed.length > 0) {
    writer.diagnostic(
      `The sync is partial: ${failed.length} of ${results.length} streams failed (${
        failed.map((r) => r.name).join(", ")
      }); the others finished`,
    );
    return 1;
  }
  return 0;
}

/** WARNs for stream states the read cannot use: no updated_at, or an empty object. */
async function warnAboutState(
  writer: CommandContext["writer"],
  state: InputState,
  selected: SelectedStream[],
): Promise<void> {
  for (const warning of state.warnings) await writer.log("WARN", warning);
  for (const { stream, syncMode } of selected) {
    if (state.empty.has(stream.name) && stream.incremental && syncMode === "incremental") {
      await writer.log(
        "WARN",
        `State for stream "${stream.name}" is an empty object, with no updated_at: the stream starts from scratch`,
      );
    }
  }
}

/** A stream's part of the final log line: records and pages, against the server's count. */
function summaryOf(result: StreamResult): string {
  const notes = [
    result.serverTotal === undefined ? "" : `server count ${result.serverTotal}`,
    extraNote(result.extraFields ?? 0),
  ].filter(Boolean);
  const note = notes.length ? ` (${notes.join("; ")})` : "";
  return `${result.name} ${result.records} records/${result.pages} pages${note}`;
}

import { configError } from "../errors.ts";
import { CURSOR, findStream, type StreamDefinition } from "../streams/mod.ts";

/** How a stream is read. */
export type SyncMode = "full_refresh" | "incremental";

/** One selected stream of a configured catalog. */
export interface SelectedStream {
  stream: StreamDefinition;
  /** The mode the catalog asks for. */
  syncMode: SyncMode;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Validates a ConfiguredAirbyteCatalog against the streams this connector offers: every stream
 * known, each in a sync mode it supports, with the source-defined cursor. Throws a config_error
 * naming the file and the field.
 */
export function parseCatalog(raw: unknown, options: { source?: string } = {}): SelectedStream[] {
  const source = options.source ?? "catalog";
  const fail = (field: string, problem: string): never => {
    throw configError(`Catalog file "${source}" field "${field}" ${problem}`);
  };
  if (!isObject(raw)) fail("(root)", 'must be a JSON object with a "streams" array');
  const streams = (raw as Json).streams;
  if (!Array.isArray(streams)) fail("streams", "must be an array of configured streams");
  const seen = new Set<string>();
  return (streams as unknown[]).map((entry, i) => {
    const at = `streams[${i}]`;
    if (!isObject(entry)) return fail(at, "must be an object");
    if (!isObject(entry.stream)) return fail(`${at}.stream`, "must be an object with a name");
    const name = entry.stream.name;
    if (typeof name !== "string") return fail(`${at}.stream.name`, "must be a string");
    const stream = findStream(name);
    if (!stream) {
      return fail(`${at}.stream.name`, `names unknown stream "${name}": run discover for the list`);
    }
    if (seen.has(name)) fail(`${at}.stream.name`, `repeats stream "${name}"`);
    seen.add(name);
    const syncMode = entry.sync_mode;
    const supported: SyncMode[] = stream.incremental
      ? ["full_refresh", "incremental"]
      : ["full_refresh"];
    if (!supported.includes(syncMode as SyncMode)) {
      fail(
        `${at}.sync_mode`,
        `is ${JSON.stringify(syncMode)}; stream "${name}" supports ${supported.join(" or ")}`,
      );
    }
    const cursor = entry.cursor_field;
    if (
      syncMode === "incremental" && cursor !== undefined && cursor !== null &&
      !(Array.isArray(cursor) && (cursor.length === 0 ||
        (cursor.length === 1 && cursor[0] === CURSOR.column)))
    ) {
      fail(`${at}.cursor_field`, `must be ["${CURSOR.column}"] (the cursor is source-defined)`);
    }
    return { stream, syncMode: syncMode as SyncMode };
  });
}

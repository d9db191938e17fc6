import { configError } from "../errors.ts";
import type { AirbyteSyncMode } from "../protocol/messages.ts";
import { CURSOR, findStream, type StreamDefinition } from "../streams/mod.ts";

/** One selected stream of a configured catalog. */
export interface SelectedStream {
  /** The stream's definition. */
  stream: StreamDefinition;
  /** The mode to read in: the catalog's, or full_refresh for a stream without a cursor. */
  syncMode: AirbyteSyncMode;
  /** Set when the mode differs from the catalog's: an INFO line saying why. */
  notice?: string;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Validates a ConfiguredAirbyteCatalog against the streams this connector offers: every stream
 * known, in full_refresh or incremental, with the source-defined cursor. A stream without a cursor
 * asked for incremental is read in full, with a notice to log. Throws a config_error naming the
 * file and the field.
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
    if (syncMode !== "full_refresh" && syncMode !== "incremental") {
      const supported = stream.incremental ? "full_refresh or incremental" : "full_refresh";
      fail(
        `${at}.sync_mode`,
        `is ${JSON.stringify(syncMode)}; stream "${name}" supports ${supported}`,
      );
    }
    if (syncMode === "incremental" && !stream.incremental) {
      // As CDK sources do: a client that asks every stream for incremental (PyAirbyte does)
      // gets the streams without a cursor in full.
      return {
        stream,
        syncMode: "full_refresh",
        notice:
          `Stream "${name}" has no cursor: reading it in full (full_refresh), although the catalog asks for incremental`,
      };
    }
    const cursor = entry.cursor_field;
    if (
      syncMode === "incremental" && cursor !== undefined && cursor !== null &&
      !(Array.isArray(cursor) && (cursor.length === 0 ||
        (cursor.length === 1 && cursor[0] === CURSOR.column)))
    ) {
      fail(`${at}.cursor_field`, `must be ["${CURSOR.column}"] (the cursor is source-defined)`);
    }
    return { stream, syncMode: syncMode as AirbyteSyncMode };
  });
}

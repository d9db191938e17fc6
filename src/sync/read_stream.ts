import type { Config } from "../config.ts";
import { ConnectorError, toConnectorError } from "../errors.ts";
import { HttpError, type HumaansClient, type Query } from "../http/client.ts";
import { paginate } from "../http/paginate.ts";
import type { MessageWriter } from "../protocol/writer.ts";
import { snakeCase, utcTimestamp } from "../streams/fields.ts";
import { CURSOR, type MapContext, type StreamDefinition } from "../streams/mod.ts";
import type { SyncMode } from "./catalog.ts";

/** Options of {@linkcode readStream}. */
export interface ReadStreamOptions {
  client: HumaansClient;
  writer: MessageWriter;
  config: Config;
  /** The mode to read in (already downgraded to full_refresh where incremental is off). */
  syncMode: SyncMode;
  /** The stream's cursor from the input state, if any. */
  cursor?: string;
  /** When the sync started (ms since the epoch). */
  syncStartedAt: number;
  signal?: AbortSignal;
}

/** What reading one stream came to. */
export interface StreamResult {
  name: string;
  status: "COMPLETE" | "INCOMPLETE";
  records: number;
  pages: number;
  /** The cursor of the last STATE written, if any. */
  cursor?: string;
  error?: ConnectorError;
}

const DAY_MS = 86_400_000;

/** Tracks what one stream has written, and what a checkpoint may safely claim. */
class Progress {
  records = 0;
  pages = 0;
  sinceState = 0;
  skipped = 0;
  /** Largest cursor value written. */
  maxSeen?: string;
  /** Cursor value of the previous row, to check the server's sort order. */
  previous?: string;
  /** False once rows are seen out of order or outside the filter. */
  ordered = true;
  lastState?: string;
  invalid = new Map<string, number>();
}

/** The lower bound of an incremental read: the state's cursor, else `initial_sync_days` ago. */
export function lowerBoundOf(
  options: Pick<ReadStreamOptions, "config" | "syncMode" | "cursor" | "syncStartedAt">,
): string | undefined {
  if (options.syncMode !== "incremental") return undefined;
  if (options.cursor) return options.cursor;
  return new Date(options.syncStartedAt - options.config.initial_sync_days * DAY_MS).toISOString();
}

function serverQuery(stream: StreamDefinition, lowerBound: string | undefined): Query {
  if (!stream.incremental) return {};
  const query: Query = { [`$sort[${CURSOR.api}]`]: 1 };
  if (lowerBound) query[`${CURSOR.api}[$gte]`] = lowerBound;
  return query;
}

/**
 * Reads one stream: STARTED, pages of RECORDs with a STATE after each, then COMPLETE; on failure
 * an ERROR trace and INCOMPLETE. A checkpoint's cursor never passes a row not yet written: it
 * advances mid-stream only while the server returns rows sorted and filtered as asked.
 */
export async function readStream(
  stream: StreamDefinition,
  options: ReadStreamOptions,
): Promise<StreamResult> {
  const { writer } = options;
  const name = stream.name;
  const progress = new Progress();
  const lowerBound = lowerBoundOf(options);
  const syncedAt = new Date(options.syncStartedAt).toISOString();
  const context: MapContext = {
    syncedAt,
    today: syncedAt.slice(0, 10),
    onInvalid: (column) => progress.invalid.set(column, (progress.invalid.get(column) ?? 0) + 1),
  };
  const knownKeys = new Map<string, boolean>();
  const columns = [...stream.columns.keys()];
  const isKnownKey = (key: string): boolean => {
    let known = knownKeys.get(key);
    if (known === undefined) {
      const snake = snakeCase(key);
      known = columns.some((column) => column === snake || column.startsWith(snake + "_"));
      knownKeys.set(key, known);
      if (!known) {
        writer.queueLog("DEBUG", `Stream "${name}": API field "${key}" is not in the schema; dropped`);
      }
    }
    return known;
  };

  await writer.streamStatus(name, "STARTED");
  let query = serverQuery(stream, lowerBound);
  try {
    for (let fallback = false;;) {
      try {
        for await (const page of paginate(options.client, stream.path, {
          query,
          pageSize: options.config.max_records_per_page,
          signal: options.signal,
        })) {
          if (page.index === 0) {
            await writer.streamStatus(name, "RUNNING");
            await writer.estimate(name, page.total);
          }
          writePage(stream, page.data, { progress, context, lowerBound, isKnownKey, writer });
          progress.pages++;
          if (stream.incremental && progress.ordered && !fallback) {
            const cursor = progress.maxSeen ?? lowerBound;
            if (cursor && cursor !== progress.lastState) await checkpoint(writer, name, cursor, progress);
          }
          await writer.flushIfFull();
        }
        break;
      } catch (error) {
        const canFallBack = error instanceof HttpError && error.status === 400 &&
          Object.keys(query).length > 0 && progress.pages === 0 && !fallback;
        if (!canFallBack) throw error;
        fallback = true;
        query = {};
        progress.ordered = false;
        await writer.log(
          "WARN",
          `Stream "${name}": the API rejected the updatedAt filter and sort (${error.apiMessage ?? "400"}); reading every row and filtering here`,
        );
      }
    }
    await finish(stream, options, progress, lowerBound);
    await writer.streamStatus(name, "COMPLETE");
    return { name, status: "COMPLETE", records: progress.records, pages: progress.pages, cursor: progress.lastState };
  } catch (thrown) {
    const error = toConnectorError(thrown);
    await writer.flush();
    await writer.error(`Stream "${name}" failed: ${error.message}`, {
      failureType: error.failureType,
      internalMessage: error.internalMessage,
      stream: name,
    });
    await writer.streamStatus(name, "INCOMPLETE");
    return {
      name,
      status: "INCOMPLETE",
      records: progress.records,
      pages: progress.pages,
      cursor: progress.lastState,
      error,
    };
  }
}

interface PageContext {
  progress: Progress;
  context: MapContext;
  lowerBound?: string;
  isKnownKey: (key: string) => boolean;
  writer: MessageWriter;
}

function writePage(stream: StreamDefinition, data: unknown[], page: PageContext): void {
  const { progress, lowerBound, writer } = page;
  for (const raw of data) {
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
      progress.skipped++;
      continue;
    }
    const object = raw as Record<string, unknown>;
    for (const key in object) page.isKnownKey(key);
    const record = stream.map(object, page.context);
    if (typeof record.id !== "string") {
      progress.skipped++;
      continue;
    }
    if (stream.incremental) {
      const cursor = record[CURSOR.column] as string | null;
      if (cursor !== null) {
        if (lowerBound && cursor < lowerBound) {
          progress.ordered = false;
          continue;
        }
        if (progress.previous && cursor < progress.previous) progress.ordered = false;
        progress.previous = cursor;
        if (!progress.maxSeen || cursor > progress.maxSeen) progress.maxSeen = cursor;
      }
    }
    writer.record(stream.name, record);
    progress.records++;
    progress.sinceState++;
  }
}

async function checkpoint(
  writer: MessageWriter,
  name: string,
  cursor: string,
  progress: Progress,
): Promise<void> {
  await writer.streamState(name, { [CURSOR.column]: cursor }, progress.sinceState);
  progress.lastState = cursor;
  progress.sinceState = 0;
}

async function finish(
  stream: StreamDefinition,
  options: ReadStreamOptions,
  progress: Progress,
  lowerBound: string | undefined,
): Promise<void> {
  const { writer } = options;
  const name = stream.name;
  if (progress.skipped > 0) {
    await writer.log(
      "WARN",
      `Stream "${name}": skipped ${progress.skipped} rows that were not objects with an "id"`,
    );
  }
  if (progress.invalid.size > 0) {
    const detail = [...progress.invalid].map(([column, n]) => `${column}: ${n}`).join(", ");
    await writer.log(
      "WARN",
      `Stream "${name}": values that did not fit their column were written as null (${detail})`,
    );
  }
  if (!stream.incremental) {
    await writer.streamState(name, {}, progress.sinceState);
    progress.sinceState = 0;
    return;
  }
  const candidates = [progress.maxSeen, lowerBound, options.cursor].filter((c): c is string =>
    c !== undefined
  );
  const cursor = candidates.sort().at(-1) ?? utcTimestamp(options.syncStartedAt)!;
  if (cursor !== progress.lastState || progress.sinceState > 0 || progress.lastState === undefined) {
    await checkpoint(writer, name, cursor, progress);
  }
}

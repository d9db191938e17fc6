import type { Config } from "../config.ts";
import { type ConnectorError, toConnectorError } from "../errors.ts";
import { HttpError, type HumaansClient, type Query } from "../http/client.ts";
import { getPage, type Page, paginate } from "../http/paginate.ts";
import type { MessageWriter } from "../protocol/writer.ts";
import type { StreamProgress } from "../progress.ts";
import { snakeCase } from "../streams/fields.ts";
import { CURSOR, type MapContext, type StreamDefinition } from "../streams/mod.ts";
import type { SyncMode } from "./catalog.ts";
import { DeleteTracker } from "./deletes.ts";

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
  /** Told of the stream's counts after every page and at the end. */
  onProgress?: (stream: string, progress: StreamProgress) => void;
  /** The stream's committed id set from the input state, if any (`detect_deletes`). */
  idSet?: unknown;
  /** The time now (ms since the epoch): when deletes are detected. Default `Date.now`. */
  now?: () => number;
}

/** What reading one stream came to. */
export interface StreamResult {
  name: string;
  status: "COMPLETE" | "INCOMPLETE";
  records: number;
  pages: number;
  /** Who filtered and sorted the rows. */
  paging: Paging;
  /** The cursor of the last STATE written, if any. */
  cursor?: string;
  error?: ConnectorError;
}

/**
 * Who filters and sorts a stream's rows: the `server` (it honours `updatedAt[$gte]` and
 * `$sort[updatedAt]`; checkpoints after every page) or the `client` (the server ignores or
 * rejects them, or the stream has no updatedAt: every row is read, filtered here, and the one
 * checkpoint comes at the end).
 */
export type Paging = "server" | "client";

const DAY_MS = 86_400_000;
/**
 * How far the API's clock may lag ours. No checkpoint passes the sync's start less this: a row
 * that changes during the sync is stamped after it, so the next sync reads it again, even if
 * this one read it before the change or not at all (a guess: the real API's clock is unknown).
 */
export const CLOCK_SKEW_MS = 60_000;
/** A lower bound no row can reach: a server that honours filters answers it with no rows. */
const FUTURE_PROBE = "9999-12-31T00:00:00.000Z";

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
  /**
   * Set at the first page whose boundary with the page before could not be proven (rows
   * changed faster than they were read): the cursor no checkpoint may pass, or null for none.
   */
  gap?: { cursor: string | null; page: number };
  /** Delete detection, when on for this stream; its keys go into every STATE. */
  deletes?: DeleteTracker;
  /** Keys every STATE adds to the cursor (the committed id set, then the new one). */
  extra: Record<string, unknown> = {};
}

/** The lower bound of an incremental read: the state's cursor, else `initial_sync_days` ago. */
export function lowerBoundOf(
  options: Pick<ReadStreamOptions, "config" | "syncMode" | "cursor" | "syncStartedAt">,
): string | undefined {
  if (options.syncMode !== "incremental") return undefined;
  if (options.cursor) return options.cursor;
  return new Date(options.syncStartedAt - options.config.initial_sync_days * DAY_MS).toISOString();
}

/**
 * Finds out whether the server honours `updatedAt[$gte]` and `$sort`: one request for rows
 * updated in the year 9999. No rows means honoured; rows mean ignored, and a
 * 400 means rejected (both read every row and filter here; a rejection also warns).
 */
export async function choosePaging(
  stream: StreamDefinition,
  options: Pick<ReadStreamOptions, "client" | "writer" | "signal">,
): Promise<Paging> {
  if (!stream.incremental) return "client";
  try {
    const probe = await getPage(options.client, stream.path, {
      [`${CURSOR.api}[$gte]`]: FUTURE_PROBE,
      [`$sort[${CURSOR.api}]`]: 1,
      $limit: 1,
    }, options);
    if (probe.total === 0) return "server";
    await options.writer.log(
      "INFO",
      `Stream "${stream.name}": the API ignores the ${CURSOR.api} filter; reading every row and filtering here`,
    );
  } catch (error) {
    if (!(error instanceof HttpError) || error.status !== 400) throw error;
    await options.writer.log(
      "WARN",
      `Stream "${stream.name}": the API rejected the ${CURSOR.api} filter and sort (${
        error.apiMessage ?? "400"
      }); reading every row and filtering here`,
    );
  }
  return "client";
}

function pagesOf(
  stream: StreamDefinition,
  paging: Paging,
  lowerBound: string | undefined,
  options: ReadStreamOptions,
): AsyncGenerator<Page> {
  const query: Query = {};
  if (paging === "server") {
    query[`$sort[${CURSOR.api}]`] = 1;
    if (lowerBound) query[`${CURSOR.api}[$gte]`] = lowerBound;
    // Rows that change during the sync leave this window instead of moving behind the pages
    // still to read: only removals can shift offsets, and the overlap detects every one. They
    // are read by the next sync, whose lower bound is at most this sync's start.
    query[`${CURSOR.api}[$lte]`] = new Date(options.syncStartedAt).toISOString();
  }
  return paginate(options.client, stream.path, {
    query,
    pageSize: options.config.max_records_per_page,
    concurrency: options.config.concurrency,
    signal: options.signal,
  });
}

/**
 * Reads one stream: STARTED, RUNNING with an ESTIMATE, pages of RECORDs with a STATE after each,
 * then COMPLETE; on failure an ERROR trace and INCOMPLETE. A checkpoint's cursor never passes a
 * row not yet written: it advances mid-stream only while the server filters and sorts, and rows
 * arrive in order.
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
  const unknownFields = unknownFieldReporter(stream, writer);
  let paging: Paging = "client";
  let total: number | undefined;
  if (options.config.detect_deletes && options.syncMode === "incremental" && stream.incremental) {
    progress.deletes = new DeleteTracker(stream, options.idSet);
    progress.extra = progress.deletes.carried();
  }

  await writer.streamStatus(name, "STARTED");
  try {
    paging = await choosePaging(stream, options);
    if (progress.deletes) progress.deletes.readsEveryRow = paging === "client";
    for await (const page of pagesOf(stream, paging, lowerBound, options)) {
      if (page.index === 0) {
        await writer.streamStatus(name, "RUNNING");
        await writer.estimate(name, page.total);
      }
      if (!page.proven && !progress.gap) {
        const safe = paging === "server" && progress.ordered
          ? progress.maxSeen ?? lowerBound
          : lowerBound;
        progress.gap = { cursor: safe ?? null, page: page.index };
      }
      writePage(stream, page.data, { progress, context, lowerBound, unknownFields, writer });
      progress.deletes?.wrote(page.data);
      progress.pages++;
      total ??= page.total;
      options.onProgress?.(name, { records: progress.records, pages: progress.pages, total });
      if (
        paging === "server" && progress.ordered && !progress.gap &&
        (progress.deletes?.mayCheckpoint(progress.sinceState) ?? true)
      ) {
        const cursor = capped(progress.maxSeen, options) ?? lowerBound;
        if (cursor && cursor !== progress.lastState) checkpoint(writer, name, cursor, progress);
      }
      // The next page is mapped while this one is written (its STATE after its records).
      await writer.flushAhead();
    }
    await finish(stream, options, progress, lowerBound);
    options.onProgress?.(name, { ...counts(progress), total, done: true });
    await writer.streamStatus(name, "COMPLETE");
    return { name, status: "COMPLETE", ...counts(progress), paging };
  } catch (thrown) {
    const error = toConnectorError(thrown);
    const hint = error instanceof HttpError && error.status === 403
      ? `; the token needs the ${stream.scopes.join(" or ")} scope for this stream`
      : "";
    await writer.flush();
    await writer.error(`Stream "${name}" failed: ${error.message}${hint}`, {
      failureType: error.failureType,
      internalMessage: error.internalMessage,
      stream: name,
    });
    await writer.streamStatus(name, "INCOMPLETE");
    return { name, status: "INCOMPLETE", ...counts(progress), paging, error };
  }
}

function counts(progress: Progress) {
  return { records: progress.records, pages: progress.pages, cursor: progress.lastState };
}

/** Logs each API field the schema lacks, once per stream, at DEBUG level. */
function unknownFieldReporter(
  stream: StreamDefinition,
  writer: MessageWriter,
): (row: Record<string, unknown>) => void {
  const known = new Map<string, boolean>();
  const columns = [...stream.columns.keys()];
  return (row) => {
    for (const key in row) {
      if (known.has(key)) continue;
      const snake = snakeCase(key);
      const isKnown = columns.some((column) => column === snake || column.startsWith(snake + "_"));
      known.set(key, isKnown);
      if (!isKnown) {
        writer.queueLog(
          "DEBUG",
          `Stream "${stream.name}": API field "${key}" is not in the schema; dropped`,
        );
      }
    }
  };
}

interface PageContext {
  progress: Progress;
  context: MapContext;
  lowerBound?: string;
  unknownFields: (row: Record<string, unknown>) => void;
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
    page.unknownFields(object);
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

/** Queues a STATE after the records queued before it; the caller flushes. */
function checkpoint(
  writer: MessageWriter,
  name: string,
  cursor: string,
  progress: Progress,
): void {
  writer.queueState(name, { [CURSOR.column]: cursor, ...progress.extra }, progress.sinceState);
  progress.lastState = cursor;
  progress.sinceState = 0;
}

/** A cursor value, lowered to the sync's start less {@linkcode CLOCK_SKEW_MS} if it is past that. */
function capped(
  cursor: string | undefined,
  options: Pick<ReadStreamOptions, "syncStartedAt">,
): string | undefined {
  const ceiling = new Date(options.syncStartedAt - CLOCK_SKEW_MS).toISOString();
  return cursor !== undefined && cursor > ceiling ? ceiling : cursor;
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
  if (progress.gap) {
    const keep = progress.gap.cursor === null
      ? "a full sync is needed to be sure of them"
      : `state stays at ${progress.gap.cursor} so the next sync reads them again`;
    await writer.log(
      "WARN",
      `Stream "${name}": rows changed faster than pages could be read from page ${progress.gap.page} on, so some may have been missed; ${
        stream.incremental ? keep : "run the sync again to be sure of them"
      }`,
    );
  }
  if (!stream.incremental) {
    await writer.streamState(name, {}, progress.sinceState);
    progress.sinceState = 0;
    return;
  }
  if (progress.gap && progress.gap.cursor === null) return;
  if (progress.deletes) {
    const syncedAt = new Date(options.syncStartedAt).toISOString();
    const detectedAt = new Date(Math.max(options.now?.() ?? Date.now(), options.syncStartedAt));
    const found = await progress.deletes.detect({
      ...options,
      detectedAt: detectedAt.toISOString(),
      syncedAt,
      listedAll: progress.deletes.readsEveryRow && !progress.gap,
    });
    progress.extra = found.state;
    progress.records += found.records;
    progress.sinceState += found.records;
    progress.lastState = undefined; // the final STATE is written, with the new set
  }
  const candidates = progress.gap
    ? [progress.gap.cursor, options.cursor]
    : [capped(progress.maxSeen, options), lowerBound, options.cursor];
  const cursor = candidates.filter((c): c is string => typeof c === "string").sort().at(-1) ??
    new Date(options.syncStartedAt).toISOString();
  if (
    progress.lastState === undefined || cursor !== progress.lastState || progress.sinceState > 0
  ) {
    checkpoint(writer, name, cursor, progress);
    await writer.flush();
  }
}

import type { Config } from "../config.ts";
import { type ConnectorError, ConnectorError as Failure, toConnectorError } from "../errors.ts";
import { accessHint, type HumaansClient, isRejectedQuery, type Query } from "../http/client.ts";
import { getPage, paginate } from "../http/paginate.ts";
import type { MessageWriter } from "../protocol/writer.ts";
import type { StreamProgress } from "../progress.ts";
import { utcTimestamp } from "../streams/fields.ts";
import { CURSOR, type MapContext, type StreamDefinition } from "../streams/mod.ts";
import type { AirbyteSyncMode } from "../protocol/messages.ts";
import { Checkpoint, type CursorState } from "./checkpoint.ts";
import { DeleteTracker } from "./deletes.ts";
import { reportingRateLimits } from "./rate_limited.ts";
import { serverTotal } from "./server_total.ts";
import { warnWindowCut } from "./window.ts";

/** Options of {@linkcode readStream}. */
export interface ReadStreamOptions {
  /** The HTTP client (shared by the streams of a sync). */
  client: HumaansClient;
  /** Where the stream's messages go. */
  writer: MessageWriter;
  /** The connector's configuration. */
  config: Config;
  /** The mode to read in (already downgraded to full_refresh where incremental is off). */
  syncMode: AirbyteSyncMode;
  /**
   * How many days back a first sync reads, if bounded: `initial_sync_days` for a stream of dated
   * events (`initialSyncDaysOf` in window.ts), else undefined (all history).
   */
  initialSyncDays?: number;
  /** The stream's cursor from the input state, if any. */
  cursor?: string;
  /** The ids the input state lists as written at `cursor` (`ids_at_cursor`), if any. */
  idsAtCursor?: readonly string[];
  /** When the sync started (ms since the epoch). */
  syncStartedAt: number;
  /** Aborts the read (the sync is stopping). */
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
  /** The stream's name. */
  name: string;
  /** How the stream ended, as its last STREAM_STATUS says. */
  status: "COMPLETE" | "INCOMPLETE";
  /** RECORDs written (delete records included). */
  records: number;
  /** Pages read. */
  pages: number;
  /** Who filtered and sorted the rows. */
  paging: Paging;
  /** The cursor of the last STATE written, if any. */
  cursor?: string;
  /** How many rows the server said the list holds, unfiltered, when asked. */
  serverTotal?: number;
  /** How many distinct API fields had no column and were kept in `additional_fields`. */
  extraFields?: number;
  /** What failed the stream, when it is INCOMPLETE. */
  error?: ConnectorError;
}

/**
 * Who filters and sorts a stream's rows: the `server` (it honours `updatedAt[$gte]` and
 * `$sort[updatedAt]`; checkpoints after every page once its sort is proven) or the `client` (the
 * server ignores or rejects them, or the stream has no updatedAt: every row is read, filtered
 * here, and the one checkpoint comes at the end).
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
/** A lower bound every dated row passes: its count is the rows a range filter can see. */
const EVER = "0001-01-01T00:00:00.000Z";

/** Counts of what one stream has written. */
class Progress {
  records = 0;
  pages = 0;
  sinceState = 0;
  skipped = 0;
  /** Rows with no cursor written by the pass over undated rows. */
  undated = 0;
  /** The first page of the pass over undated rows that could not prove its start, if any. */
  undatedGap?: number;
  /** The `total` of the last page read. */
  lastTotal?: number;
  invalid = new Map<string, number>();
  /** API fields kept in `additional_fields` (dotted paths; bounded, should keys be ids). */
  extra = new Set<string>();
  /** Whether a page could not prove its boundary with the page before. */
  unproven = false;
  /** Delete detection, when on for this stream; its keys go into every STATE. */
  deletes?: DeleteTracker;
  /** Keys every STATE adds to the cursor (the committed id set, then the new one). */
  stateExtra: Record<string, unknown> = {};
}

/**
 * The lower bound of an incremental read: the state's cursor, else `initialSyncDays` ago (set only
 * for streams of dated events), else none: all history.
 */
export function lowerBoundOf(
  options: Pick<ReadStreamOptions, "initialSyncDays" | "syncMode" | "cursor" | "syncStartedAt">,
): string | undefined {
  if (options.syncMode !== "incremental") return undefined;
  if (options.cursor) return options.cursor;
  if (options.initialSyncDays === undefined) return undefined;
  return new Date(options.syncStartedAt - options.initialSyncDays * DAY_MS).toISOString();
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
      query: {
        [`${CURSOR.api}[$gte]`]: FUTURE_PROBE,
        [`$sort[${CURSOR.api}]`]: 1,
        $limit: 1,
      },
      signal: options.signal,
    });
    if (probe.total === 0) return "server";
    await options.writer.log(
      "INFO",
      `Stream "${stream.name}": the API ignores the ${CURSOR.api} filter; reading every row and filtering here`,
    );
  } catch (error) {
    const rejected = isRejectedQuery(error);
    if (rejected === undefined) throw error;
    await options.writer.log(
      "WARN",
      `Stream "${stream.name}": the API rejected the ${CURSOR.api} filter and sort (${rejected}); reading every row and filtering here`,
    );
  }
  return "client";
}

/**
 * The evidence for the server's sort: the cursor values of the two newest rows of the sync's
 * window, asked for sorted descending (`$sort[updatedAt]=-1`). A server that sorts returns them
 * newest first, and the newest is later than the first row of the ascending first page; one that
 * ignores `$sort` returns the same rows in the same order both times, which cannot be both (see
 * `checkpoint.ts`).
 */
export async function probeSort(
  stream: StreamDefinition,
  options: Pick<ReadStreamOptions, "client" | "signal" | "syncStartedAt">,
): Promise<(string | undefined)[]> {
  const probe = await getPage(options.client, stream.path, {
    query: {
      [`${CURSOR.api}[$lte]`]: new Date(options.syncStartedAt).toISOString(),
      [`$sort[${CURSOR.api}]`]: -1,
      $limit: 2,
    },
    signal: options.signal,
  });
  return probe.data.map((row) => utcTimestamp(rawCursor(row)));
}

function rawCursor(row: unknown): unknown {
  return row !== null && typeof row === "object"
    ? (row as Record<string, unknown>)[CURSOR.api]
    : undefined;
}

/** The cursor of the first row of a page that has one, as a canonical timestamp. */
function firstCursorOf(data: unknown[]): string | undefined {
  for (const row of data) {
    const cursor = utcTimestamp(rawCursor(row));
    if (cursor !== undefined) return cursor;
  }
  return undefined;
}

/**
 * A cursor later than the sync's start (a state from the future: a clock or a hand edit) is
 * replaced by the sync's start less the clock skew allowance, with a WARN; the STATE written
 * then is not in the future either.
 */
export async function saneCursor(
  stream: StreamDefinition,
  options: Pick<ReadStreamOptions, "cursor" | "syncMode" | "syncStartedAt" | "writer">,
): Promise<string | undefined> {
  const { cursor } = options;
  const start = new Date(options.syncStartedAt).toISOString();
  if (!cursor || options.syncMode !== "incremental" || cursor <= start) return cursor;
  const ceiling = new Date(options.syncStartedAt - CLOCK_SKEW_MS).toISOString();
  await options.writer.log(
    "WARN",
    `Stream "${stream.name}": the state's cursor ${cursor} is later than this sync's start (${start}); reading from ${ceiling} instead, and the new state is not in the future. If rows changed before then were never synced, reset the stream or run a full refresh`,
  );
  return ceiling;
}

/** The passes a stream reads, in order (see the README's "Sync modes and state"). */
type Pass = "window" | "after" | "undated";

function queryOf(pass: Pass, paging: Paging, lowerBound: string | undefined, start: string): Query {
  if (paging === "client" || pass === "undated") return {};
  const query: Query = { [`$sort[${CURSOR.api}]`]: 1 };
  if (pass === "after") {
    // Rows changed or inserted during the window's pass, and rows dated in the future.
    query[`${CURSOR.api}[$gt]`] = start;
    return query;
  }
  if (lowerBound) query[`${CURSOR.api}[$gte]`] = lowerBound;
  // Rows that change during the sync leave this window instead of moving behind the pages
  // still to read: only removals can shift offsets, and the overlap detects every one. The
  // pass after the window reads them.
  query[`${CURSOR.api}[$lte]`] = start;
  return query;
}

/** One stream's read in progress: what every pass shares. */
interface StreamRun {
  stream: StreamDefinition;
  options: ReadStreamOptions;
  progress: Progress;
  checkpoint: Checkpoint;
  page: PageContext;
}

/** Reads one pass of a stream, writing its pages, with the claims the checkpoint allows. */
async function readPass(run: StreamRun, pass: Pass, query: Query): Promise<void> {
  const { stream, options, progress, checkpoint } = run;
  const { writer } = options;
  const pages = paginate(options.client, stream.path, {
    query,
    pageSize: options.config.max_records_per_page,
    concurrency: options.config.concurrency,
    signal: options.signal,
  });
  for await (const page of pages) {
    if (progress.pages === 0) {
      await writer.streamStatus(stream.name, "RUNNING");
      await writer.estimate(stream.name, page.total);
    }
    if (!page.proven) progress.unproven = true;
    if (pass === "undated") {
      // Undated rows claim nothing; a page that could not prove its start may have missed some.
      if (!page.proven) progress.undatedGap ??= page.index;
    } else if (stream.incremental) {
      const first = firstCursorOf(page.data);
      const claim = checkpoint.beforePage(progress.pages, {
        firstCursor: first,
        proven: page.proven,
      });
      // With detect_deletes each STATE repeats the id set: spaced so it never outweighs records.
      const spaced = progress.deletes?.mayCheckpoint(progress.sinceState) ?? true;
      if (claim && spaced) queueClaim(writer, stream.name, claim, progress);
    }
    run.page.undatedOnly = pass === "undated";
    writePage(stream, page.data, run.page);
    progress.deletes?.wrote(page.data);
    progress.pages++;
    progress.lastTotal = page.total;
    options.onProgress?.(stream.name, {
      records: progress.records,
      pages: progress.pages,
      total: page.total,
    });
    // The next page is mapped while this one is written (its STATE after its records).
    await writer.flushAhead();
  }
}

/**
 * Reads one stream: STARTED, RUNNING with an ESTIMATE, pages of RECORDs with STATEs between them,
 * then COMPLETE; on failure an ERROR trace and INCOMPLETE. With a server that filters, up to
 * three passes: when the server counts rows that no range filter sees and there is no state
 * yet, every row for those undated ones; the window (rows updated up to the sync's start); the
 * rows after it (changed during the sync, or dated in the future). A STATE claims only what
 * {@linkcode Checkpoint} allows.
 */
export async function readStream(
  stream: StreamDefinition,
  options: ReadStreamOptions,
): Promise<StreamResult> {
  options = reportingRateLimits(options, stream.name);
  const { writer } = options;
  const name = stream.name;
  const progress = new Progress();
  let paging: Paging = "client";
  let total: number | undefined;
  let checkpoint: Checkpoint | undefined;
  await writer.streamStatus(name, "STARTED");
  try {
    const cursor = await saneCursor(stream, options);
    const lowerBound = lowerBoundOf({ ...options, cursor });
    paging = await choosePaging(stream, options);
    startDeletes(stream, options, { progress, paging });
    const idsAtCursor = cursor === options.cursor ? options.idsAtCursor : undefined;
    const run = await startRun(stream, { ...options, cursor, idsAtCursor }, {
      paging,
      lowerBound,
      progress,
    });
    checkpoint = run.checkpoint;
    total = await readPasses(run, paging, lowerBound);
    await warnWindowCut(stream, {
      lowerBound,
      paging,
      inWindow: progress.records,
      dropped: checkpoint.outside,
      unfiltered: total,
    }, options);
    await finish(run, { paging, lowerBound, total });
    await reportExtraFields(writer, name, progress.extra);
    options.onProgress?.(name, { ...counts(progress, checkpoint), total, done: true });
    await writer.streamStatus(name, "COMPLETE");
    return {
      name,
      status: "COMPLETE",
      ...counts(progress, checkpoint),
      paging,
      serverTotal: total,
    };
  } catch (thrown) {
    const error = toConnectorError(thrown);
    await writer.flush();
    await writer.error(
      `Stream "${name}" failed: ${error.message}${accessHint(error, stream)}`,
      {
        failureType: error.failureType,
        internalMessage: error.internalMessage,
        stream: name,
      },
    );
    await writer.streamStatus(name, "INCOMPLETE");
    const result = counts(progress, checkpoint);
    return { name, status: "INCOMPLETE", ...result, paging, serverTotal: total, error };
  }
}

async function startRun(
  stream: StreamDefinition,
  options: ReadStreamOptions,
  how: { paging: Paging; lowerBound?: string; progress: Progress },
): Promise<StreamRun> {
  const descending = how.paging === "server" ? await probeSort(stream, options) : [];
  const checkpoint = new Checkpoint({
    serverFilters: how.paging === "server",
    descending,
    lowerBound: how.lowerBound,
    ceiling: new Date(options.syncStartedAt - CLOCK_SKEW_MS).toISOString(),
    cursor: options.cursor,
    idsAtCursor: options.cursor === undefined ? undefined : options.idsAtCursor,
  });
  const syncedAt = new Date(options.syncStartedAt).toISOString();
  const { progress } = how;
  const context: MapContext = {
    syncedAt,
    today: syncedAt.slice(0, 10),
    onInvalid: (column) => progress.invalid.set(column, (progress.invalid.get(column) ?? 0) + 1),
    onExtra: (field) => {
      if (progress.extra.size < MAX_EXTRA_FIELDS) progress.extra.add(field);
    },
  };
  const page: PageContext = {
    progress,
    checkpoint,
    context,
    writer: options.writer,
    undatedOnly: false,
  };
  return { stream, options, progress, checkpoint, page };
}

/**
 * Reads the passes of a stream; returns the server's unfiltered count of its rows (asked before
 * the passes, so that every row it counts is read by a pass that starts after it), or with
 * client paging the `total` of the last page.
 */
async function readPasses(
  run: StreamRun,
  paging: Paging,
  lowerBound: string | undefined,
): Promise<number | undefined> {
  const { stream, options, progress } = run;
  const start = new Date(options.syncStartedAt).toISOString();
  if (paging === "client") {
    await readPass(run, "window", queryOf("window", paging, lowerBound, start));
    return progress.lastTotal;
  }
  const total = await serverTotal(options.client, stream.path, options);
  // Undated rows (updatedAt null, absent or not a date) escape every range filter. A sync
  // without state reads them, first (before any STATE a resumed sync would start from): when
  // the server counts more rows than its filters can see, by reading every row.
  const firstSync = options.syncMode === "full_refresh" || options.cursor === undefined;
  if (firstSync) {
    const dated = await serverTotal(options.client, stream.path, {
      signal: options.signal,
      query: { [`${CURSOR.api}[$gte]`]: EVER },
    });
    if (total > dated) await readPass(run, "undated", {});
  }
  await readPass(run, "window", queryOf("window", paging, lowerBound, start));
  await readPass(run, "after", queryOf("after", paging, lowerBound, start));
  return total;
}

function counts(progress: Progress, checkpoint: Checkpoint | undefined) {
  return {
    records: progress.records,
    pages: progress.pages,
    cursor: checkpoint?.lastClaim,
    extraFields: progress.extra.size,
  };
}

/** How many distinct additional fields a stream counts (and how many it names in its log). */
const MAX_EXTRA_FIELDS = 1000;
const NAMED_EXTRA_FIELDS = 20;

/** One INFO line naming the API fields the stream kept in `additional_fields`, if any. */
async function reportExtraFields(writer: MessageWriter, name: string, extra: Set<string>) {
  if (extra.size === 0) return;
  const named = [...extra].slice(0, NAMED_EXTRA_FIELDS).join(", ");
  const more = extra.size > NAMED_EXTRA_FIELDS
    ? `, and ${extra.size - NAMED_EXTRA_FIELDS} more`
    : "";
  await writer.log(
    "INFO",
    `Stream "${name}": API fields with no column, kept in additional_fields: ${named}${more}`,
  );
}

interface PageContext {
  progress: Progress;
  checkpoint: Checkpoint;
  context: MapContext;
  writer: MessageWriter;
  /** Write only rows without a cursor (the pass over undated rows). */
  undatedOnly: boolean;
}

function writePage(stream: StreamDefinition, data: unknown[], page: PageContext): void {
  const { progress, checkpoint, writer } = page;
  const incremental = stream.incremental;
  for (const raw of data) {
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
      progress.skipped++;
      continue;
    }
    const { record, changes } = stream.map(raw as Record<string, unknown>, page.context);
    const id = record.id;
    if (typeof id !== "string") {
      progress.skipped++;
      continue;
    }
    if (incremental) {
      const cursor = record[CURSOR.column] as string | null;
      if (page.undatedOnly) {
        if (cursor !== null) continue;
        progress.undated++;
      } else if (!checkpoint.admit(cursor, id)) continue;
    }
    writer.record(stream.name, record, { changes });
    progress.records++;
    progress.sinceState++;
  }
}

/** Queues a STATE after the records queued before it; the caller flushes. */
function queueClaim(
  writer: MessageWriter,
  name: string,
  claim: CursorState | Record<string, never>,
  progress: Progress,
): void {
  writer.queueState(name, { ...claim, ...progress.stateExtra }, {
    recordCount: progress.sinceState,
  });
  progress.sinceState = 0;
}

async function warnAboutRows(run: StreamRun): Promise<void> {
  const { stream, progress, checkpoint } = run;
  const { writer } = run.options;
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
      `Stream "${name}": values that did not fit their column were written as null and kept in additional_fields (${detail})`,
    );
  }
  if (checkpoint.disorder) {
    await writer.log(
      "WARN",
      `Stream "${name}": the API stopped returning rows in ${CURSOR.api} order at page ${checkpoint.disorder.page}; checkpoints stopped there (a STATE written before it may claim rows read after it: if this sync does not finish, run a full refresh)`,
    );
  }
  if (progress.undatedGap !== undefined) {
    await writer.log(
      "WARN",
      `Stream "${name}": rows changed faster than pages could be read while reading rows without ${CURSOR.api} (from page ${progress.undatedGap} on), so some of them may have been missed; run a full refresh again to be sure of them`,
    );
  }
  const gap = checkpoint.gap;
  if (gap) {
    const keep = gap.cursor === null
      ? "a full sync is needed to be sure of them"
      : `state stays at ${gap.cursor} so the next sync reads them again`;
    await writer.log(
      "WARN",
      `Stream "${name}": rows changed faster than pages could be read from page ${gap.page} on, so some may have been missed; ${
        stream.incremental ? keep : "run the sync again to be sure of them"
      }`,
    );
  }
}

/**
 * Compares the rows read with the server's count, where that means something: a read of all
 * history (full refresh, or a first sync without a window) or with client paging (every row is
 * read). A shortfall is a WARN naming the stream and the number, and fails the stream.
 */
async function reconcile(
  run: StreamRun,
  how: { paging: Paging; lowerBound?: string; total?: number },
): Promise<void> {
  const { stream, progress, checkpoint } = run;
  if (how.total === undefined || (how.lowerBound !== undefined && how.paging === "server")) return;
  const read = progress.records + checkpoint.known + checkpoint.outside + progress.skipped;
  if (how.total <= read) return;
  // Rows deleted during the sync are counted but were not all read: the count now settles it.
  const now = how.paging === "server"
    ? await serverTotal(run.options.client, stream.path, run.options)
    : how.total;
  const missing = Math.min(how.total, now) - read;
  if (missing <= 0) return;
  const message =
    `Stream "${stream.name}": ${missing} of the ${how.total} rows the server counts were not read (read ${read})`;
  await run.options.writer.log("WARN", message);
  throw new Failure(
    `${message}: run the sync again; if it recurs, the API's paging is unreliable`,
    {
      failureType: "transient_error",
    },
  );
}

/** Turns delete detection on for an incremental stream of an incremental sync, if configured. */
function startDeletes(
  stream: StreamDefinition,
  options: ReadStreamOptions,
  how: { progress: Progress; paging: Paging },
): void {
  const { progress } = how;
  if (!options.config.detect_deletes || options.syncMode !== "incremental") return;
  if (!stream.incremental) return;
  progress.deletes = new DeleteTracker(stream, options.idSet);
  progress.stateExtra = progress.deletes.carried();
  // A server that ignores the filter sends every row: the read itself is the scan.
  progress.deletes.readsEveryRow = how.paging === "client";
}

/**
 * Scans for deleted rows and writes their RECORDs before the final STATE, which then carries the
 * new id set. Returns whether detection ran (the final STATE must then be written).
 */
async function detectDeletes(run: StreamRun): Promise<boolean> {
  const { progress, options } = run;
  if (!progress.deletes) return false;
  const detectedAt = new Date(Math.max(options.now?.() ?? Date.now(), options.syncStartedAt));
  const found = await progress.deletes.detect({
    ...options,
    detectedAt: detectedAt.toISOString(),
    syncedAt: new Date(options.syncStartedAt).toISOString(),
    listedAll: progress.deletes.readsEveryRow && !progress.unproven,
  });
  progress.stateExtra = found.state;
  progress.records += found.records;
  progress.sinceState += found.records;
  return true;
}

async function finish(
  run: StreamRun,
  how: { paging: Paging; lowerBound?: string; total?: number },
): Promise<void> {
  const { stream, progress, checkpoint } = run;
  const { writer } = run.options;
  await warnAboutRows(run);
  await reconcile(run, how);
  if (!stream.incremental) {
    queueClaim(writer, stream.name, {}, progress);
    await writer.flush();
    return;
  }
  const { state, changed } = checkpoint.final();
  const detected = state !== undefined && await detectDeletes(run);
  if (
    state &&
    (detected || changed || progress.sinceState > 0 || checkpoint.lastClaim === undefined)
  ) {
    queueClaim(writer, stream.name, state, progress);
  }
  await writer.flush();
}

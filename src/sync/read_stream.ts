/**
 * Reads one stream, top to bottom: STARTED; on a first sync the rows no date filter can see;
 * the dated rows by key (`keyset.ts`), or, when the server does not filter and sort as asked, by
 * a scan filtered here; RECORDs with the STATEs their claims allow (`checkpoint.ts`); the final
 * STATE; delete detection as a step of its own (`deletes.ts`); COMPLETE, or an ERROR trace and
 * INCOMPLETE.
 *
 * @module
 */
import type { Config } from "../config.ts";
import { ConnectorError, toConnectorError } from "../errors.ts";
import { accessHint, type HumaansClient, isRejectedQuery, type Query } from "../http/client.ts";
import { scanPages } from "../http/paginate.ts";
import type { AirbyteSyncMode } from "../protocol/messages.ts";
import type { MessageWriter } from "../protocol/writer.ts";
import type { StreamProgress } from "../progress.ts";
import { rowCursor, rowId } from "../streams/row.ts";
import type { MapContext, StreamDefinition } from "../streams/mod.ts";
import { ceilingOf, claimOf, type CursorState, type Key, sameClaim } from "./checkpoint.ts";
import { DeleteTracker } from "./deletes.ts";
import {
  type Covered,
  EVER,
  isCovered,
  keysetPages,
  KeysetRefused,
  type Paging,
} from "./keyset.ts";
import { reportingRateLimits } from "./rate_limited.ts";
import { serverTotal } from "./server_total.ts";
import { initialSyncDaysOf, warnWindowCut } from "./window.ts";

export { CLOCK_SKEW_MS } from "./checkpoint.ts";

/** What the input state holds for one stream. */
export interface StreamStateIn {
  /** The cursor (`updated_at`). */
  cursor?: string;
  /** The ids written at the cursor (`ids_at_cursor`). */
  idsAtCursor?: readonly string[];
  /** The committed id set of `detect_deletes`, unchecked. */
  idSet?: unknown;
}

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
  /** What the input state holds for the stream. */
  state?: StreamStateIn;
  /** When the sync started (ms since the epoch). */
  syncStartedAt: number;
  /** Aborts the read (the sync is stopping). */
  signal?: AbortSignal;
  /** Told of the stream's counts after every page and at the end. */
  onProgress?: (stream: string, progress: StreamProgress) => void;
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

const DAY_MS = 86_400_000;

/**
 * The lower bound of an incremental read: the state's cursor, else `initialSyncDays` ago (set only
 * for streams of dated events), else none: all history.
 */
export function lowerBoundOf(
  options: { syncMode: AirbyteSyncMode; cursor?: string; initialSyncDays?: number },
  syncStartedAt: number,
): string | undefined {
  if (options.syncMode !== "incremental") return undefined;
  if (options.cursor) return options.cursor;
  if (options.initialSyncDays === undefined) return undefined;
  return new Date(syncStartedAt - options.initialSyncDays * DAY_MS).toISOString();
}

/**
 * A cursor later than the sync's start (a state from the future: a clock or a hand edit) is
 * replaced by the sync's start less the clock skew allowance, with a WARN; the STATE written
 * then is not in the future either.
 */
export async function saneCursor(
  stream: StreamDefinition,
  options: Pick<ReadStreamOptions, "state" | "syncMode" | "syncStartedAt" | "writer">,
): Promise<string | undefined> {
  const cursor = options.state?.cursor;
  const start = new Date(options.syncStartedAt).toISOString();
  if (!cursor || options.syncMode !== "incremental" || cursor <= start) return cursor;
  const ceiling = ceilingOf(options.syncStartedAt);
  await options.writer.log(
    "WARN",
    `Stream "${stream.name}": the state's cursor ${cursor} is later than this sync's start (${start}); reading from ${ceiling} instead, and the new state is not in the future. If rows changed before then were never synced, reset the stream or run a full refresh`,
  );
  return ceiling;
}

/** Where a stream's read starts. */
interface Plan {
  /** Rows below this are not read (undefined: all history). */
  lower?: string;
  /** Ids already written at `lower` (the state's `ids_at_cursor`). */
  idsAtLower?: readonly string[];
  /** No state: rows without a date are read too. */
  firstSync: boolean;
  /** The unfiltered count, asked beside the first page on a first sync. */
  counted?: Promise<number>;
  /** That count, once it came (before the first STATE). */
  total?: number;
}

/**
 * Reads one stream: STARTED, RUNNING with an ESTIMATE, pages of RECORDs with STATEs between them,
 * then COMPLETE; on failure an ERROR trace and INCOMPLETE.
 */
export async function readStream(
  stream: StreamDefinition,
  options: ReadStreamOptions,
): Promise<StreamResult> {
  options = reportingRateLimits(options, stream.name);
  const run = new StreamRun(stream, options);
  await options.writer.streamStatus(stream.name, "STARTED");
  try {
    if (!stream.incremental) {
      run.total = await readScan(run, { keep: () => true });
      await run.finish(undefined);
    } else {
      const plan = await planOf(stream, options);
      if (plan.firstSync) countAll(run, plan);
      const claim = await readDated(run, plan);
      await warnWindowCut(stream, {
        lowerBound: plan.lower,
        paging: run.paging,
        inWindow: run.records,
        dropped: run.outside,
        unfiltered: plan.total,
      }, { ...options, cursor: plan.firstSync ? undefined : plan.lower });
      await run.finish(claim);
    }
    options.onProgress?.(stream.name, { ...run.counts(), total: run.total, done: true });
    await options.writer.streamStatus(stream.name, "COMPLETE");
    return { ...run.result(), status: "COMPLETE" };
  } catch (thrown) {
    const error = toConnectorError(thrown);
    await options.writer.flush();
    await options.writer.error(
      `Stream "${stream.name}" failed: ${error.message}${accessHint(error, stream)}`,
      {
        failureType: error.failureType,
        internalMessage: error.internalMessage,
        stream: stream.name,
      },
    );
    await options.writer.streamStatus(stream.name, "INCOMPLETE");
    return { ...run.result(), status: "INCOMPLETE", error };
  }
}

async function planOf(stream: StreamDefinition, options: ReadStreamOptions): Promise<Plan> {
  const cursor = await saneCursor(stream, options);
  const initialSyncDays = initialSyncDaysOf(stream, options.config);
  const lower = lowerBoundOf({ ...options, cursor, initialSyncDays }, options.syncStartedAt);
  const sameCursor = cursor !== undefined && cursor === options.state?.cursor;
  const idsAtLower = sameCursor && lower === cursor ? options.state?.idsAtCursor : undefined;
  const firstSync = options.syncMode === "full_refresh" || cursor === undefined;
  return { lower, idsAtLower, firstSync };
}

/**
 * A sync without state asks the unfiltered count (every row a read must account for) beside the
 * first page; {@linkcode totalOf} waits for it before the first STATE.
 */
function countAll(run: StreamRun, plan: Plan): void {
  const { client, signal } = run.options;
  plan.counted = serverTotal(client, run.stream.path, { signal });
  plan.counted.catch(() => {}); // a failure fails the stream where it is awaited
}

/** The unfiltered count asked by {@linkcode countAll}, once it came. */
async function totalOf(run: StreamRun, plan: Plan): Promise<number | undefined> {
  if (plan.counted !== undefined) plan.total = run.total = await plan.counted;
  return plan.total;
}

/**
 * A sync without state reads the rows no date filter can see (`updatedAt` null, absent or not a
 * date), before any STATE: when the unfiltered count is more than the count of dated rows, by a
 * scan that writes only those. `dated` is the `total` of the first keyset page when that page
 * asked for every dated row (no lower bound); else it is asked here.
 */
async function readUndated(run: StreamRun, plan: Plan, dated?: number): Promise<void> {
  const total = await totalOf(run, plan);
  if (!plan.firstSync || total === undefined) return;
  const { client, signal } = run.options;
  if (dated === undefined || plan.lower !== undefined) {
    try {
      dated = await serverTotal(client, run.stream.path, {
        signal,
        query: { "updatedAt[$gte]": EVER },
      });
    } catch (error) {
      // A server that rejects the filter is read by the scan that also writes undated rows.
      if (isRejectedQuery(error) !== undefined) return;
      throw error;
    }
  }
  if (total > dated) await readScan(run, { keep: (at) => at === undefined });
}

/**
 * Reads the dated rows by key, writing each page and the STATE its claim allows; falls back to a
 * scan when the server does not do what keyset paging asks. Returns the final claim.
 */
async function readDated(run: StreamRun, plan: Plan): Promise<CursorState> {
  const { options, stream } = run;
  const ceiling = ceilingOf(options.syncStartedAt);
  let claim: CursorState | undefined;
  try {
    const pages = keysetPages(options.client, stream.path, {
      lower: plan.lower,
      idsAtLower: plan.idsAtLower,
      start: new Date(options.syncStartedAt).toISOString(),
      ceiling,
      pageSize: options.config.max_records_per_page,
      concurrency: options.config.concurrency,
      signal: options.signal,
    });
    let undatedRead = false;
    for await (const page of pages) {
      run.skipped += page.skipped;
      run.known += page.known;
      await run.write(page.rows, page.total);
      if (!undatedRead) {
        // Before the first STATE: the first page's total counts every dated row.
        undatedRead = true;
        await readUndated(run, plan, page.total);
      }
      claim = page.claim ?? claim;
      run.checkpoint(claim);
    }
    if (!undatedRead) await readUndated(run, plan, 0);
    await reconcile(run, plan);
    return claim ?? { updated_at: ceiling };
  } catch (error) {
    const refused = error instanceof KeysetRefused ? error.message : rejection(error);
    if (refused === undefined) throw error;
    await totalOf(run, plan);
    // Ignoring a parameter costs requests, not rows: INFO. Rejecting it (400) is a WARN.
    await options.writer.log(
      error instanceof KeysetRefused ? "INFO" : "WARN",
      `Stream "${stream.name}": ${refused}; reading every row and filtering here`,
    );
    return await readFallback(run, plan, {
      covered: error instanceof KeysetRefused ? error.covered : [],
      // A server that rejects the filter is not asked it again.
      filtered: error instanceof KeysetRefused,
    });
  }
}

function rejection(error: unknown): string | undefined {
  const rejected = isRejectedQuery(error);
  return rejected === undefined
    ? undefined
    : `the API rejected the updatedAt filter and sort (${rejected})`;
}

/**
 * The scan that replaces keyset paging: every row, written here when it is inside the read (at
 * or after the lower bound, or undated on a first sync) and not written already, then the rows
 * dated from the sync's start once more (asked by `updatedAt[$gte]` when the server is
 * `filtered`), for those a row inserted or changed meanwhile moved behind the scan. One claim, at
 * the end: the newest row seen, or the lower bound.
 */
async function readFallback(
  run: StreamRun,
  plan: Plan,
  options: { covered: Covered[]; filtered: boolean },
): Promise<CursorState> {
  const { covered } = options;
  run.paging = "client";
  const { lower } = plan;
  const start = new Date(run.options.syncStartedAt).toISOString();
  let top: Key = { at: lower, ids: [...plan.idsAtLower ?? []] };
  const written: Covered[] = [...covered, { from: lower, key: top }];
  /** Rows written dated from the sync's start, as `id@updatedAt`. */
  const recent = new Set<string>();
  const keep = (at: string | undefined, id: string) => {
    if (at === undefined) return plan.firstSync;
    if (lower !== undefined && at < lower) {
      run.outside++;
      return false;
    }
    if (top.at === undefined || at > top.at) top = { at, ids: [id] };
    else if (at === top.at) top = { at, ids: [...top.ids, id] };
    if (isCovered(written, { at, id }) || recent.has(`${id}@${at}`)) {
      run.known++;
      return false;
    }
    if (at >= start) recent.add(`${id}@${at}`);
    return true;
  };
  run.total = await readScan(run, { keep });
  // A row inserted or changed while the scan went on may have come in behind it: one more pass
  // over the rows dated from the sync's start (a server that ignores the filter sends every row,
  // filtered here) writes those not written yet.
  await readScan(run, {
    keep: (at, id) => at !== undefined && at >= start && keep(at, id),
    query: options.filtered ? { "updatedAt[$gte]": start } : undefined,
  });
  const ceiling = ceilingOf(run.options.syncStartedAt);
  return claimOf([{ key: top, done: true, reached: true }], { ceiling, final: true })!;
}

/**
 * Reads every row with offset pages, writing those `keep` accepts (each id once), then reconciles
 * the distinct ids seen with the server's count: fewer fails the stream. Returns the count.
 */
async function readScan(
  run: StreamRun,
  filter: { keep: (at: string | undefined, id: string) => boolean; query?: Query },
): Promise<number> {
  const { options, stream } = run;
  const seen = new Set<string>();
  let first: number | undefined;
  let last = 0;
  const pages = scanPages(options.client, stream.path, {
    pageSize: options.config.max_records_per_page,
    signal: options.signal,
    query: filter.query,
  });
  for await (const page of pages) {
    first ??= page.total;
    last = page.total;
    const rows = page.data.filter((raw) => {
      const id = rowId(raw);
      if (id === undefined) {
        run.skipped++;
        return false;
      }
      if (seen.has(id)) return false;
      seen.add(id);
      return filter.keep(rowCursor(raw), id);
    });
    await run.write(rows, page.total);
  }
  const counted = Math.min(first ?? 0, last);
  if (seen.size + run.skipped < counted) {
    await fail(run, { missing: counted - seen.size - run.skipped, of: counted });
  }
  return first ?? 0;
}

/**
 * Compares the rows a read of all history saw with the unfiltered count asked before it: a
 * shortfall the count asked again still shows fails the stream, naming the number.
 */
async function reconcile(run: StreamRun, plan: Plan): Promise<void> {
  if (plan.total === undefined || plan.lower !== undefined) return;
  const read = run.records + run.known + run.skipped;
  if (read >= plan.total) return;
  const { client, signal } = run.options;
  const now = await serverTotal(client, run.stream.path, { signal });
  const missing = Math.min(plan.total, now) - read;
  if (missing > 0) await fail(run, { missing, of: plan.total });
}

async function fail(run: StreamRun, counts: { missing: number; of: number }): Promise<never> {
  const read = run.records + run.known + run.skipped;
  const message =
    `Stream "${run.stream.name}": ${counts.missing} of the ${counts.of} rows the server counts were not read (read ${read})`;
  await run.options.writer.log("WARN", message);
  throw new ConnectorError(
    `${message}: run the sync again; if it recurs, the API's paging is unreliable`,
    { failureType: "transient_error" },
  );
}

/**
 * One WARN counting, by column, the values written as null because they did not fit their
 * column (kept in `additional_fields`); nothing when there were none.
 */
export async function warnNulled(
  writer: MessageWriter,
  options: { stream: string; counts: ReadonlyMap<string, number> },
): Promise<void> {
  const { stream, counts } = options;
  if (counts.size === 0) return;
  const detail = [...counts].map(([column, n]) => `${column}: ${n}`).join(", ");
  await writer.log(
    "WARN",
    `Stream "${stream}": values that did not fit their column were written as null and kept in additional_fields (${detail})`,
  );
}

/** How many distinct additional fields a stream counts (and how many it names in its log). */
const MAX_EXTRA_FIELDS = 1000;
const NAMED_EXTRA_FIELDS = 20;

/** One stream's read in progress: what it has written, and its STATEs. */
class StreamRun {
  records = 0;
  pages = 0;
  /** Rows that were not objects with an id. */
  skipped = 0;
  /** Rows skipped as already written (at the state's cursor, or before a fallback). */
  known = 0;
  /** Rows below the lower bound (sent by a server that ignores the filter). */
  outside = 0;
  /** The server's unfiltered count, when asked. */
  total?: number;
  paging: Paging = "server";
  #sinceState = 0;
  #claim?: CursorState;
  readonly #invalid = new Map<string, number>();
  readonly #extra = new Set<string>();
  readonly #context: MapContext;
  /** Delete detection, when on: the committed set every STATE repeats, the ids written. */
  readonly #deletes?: DeleteTracker;

  constructor(readonly stream: StreamDefinition, readonly options: ReadStreamOptions) {
    const syncedAt = new Date(options.syncStartedAt).toISOString();
    this.#context = {
      syncedAt,
      today: syncedAt.slice(0, 10),
      onInvalid: (column) => this.#invalid.set(column, (this.#invalid.get(column) ?? 0) + 1),
      onExtra: (field) => {
        if (this.#extra.size < MAX_EXTRA_FIELDS) this.#extra.add(field);
      },
    };
    const { config, syncMode, state } = options;
    if (config.detect_deletes && syncMode === "incremental" && stream.incremental) {
      this.#deletes = new DeleteTracker(stream, state?.idSet);
    }
    if (!stream.incremental) this.paging = "client";
  }

  /** Writes a page's rows as RECORDs (RUNNING and the ESTIMATE before the first page). */
  async write(rows: unknown[], total: number): Promise<void> {
    const { writer } = this.options;
    if (this.pages++ === 0) {
      await writer.streamStatus(this.stream.name, "RUNNING");
      await writer.estimate(this.stream.name, total);
    }
    for (const raw of rows) {
      if (raw === null || typeof raw !== "object" || Array.isArray(raw)) continue;
      const { record, changes } = this.stream.map(raw as Record<string, unknown>, this.#context);
      writer.record(this.stream.name, record, { changes });
      this.#deletes?.wrote(rowId(raw));
    }
    this.records += rows.length;
    this.#sinceState += rows.length;
    this.options.onProgress?.(this.stream.name, { ...this.counts(), total });
    // The next page is fetched while this one is written (its STATE after its records).
    await writer.flushAhead();
  }

  /** Queues a STATE claiming `claim` after the records before it, when it says something new. */
  checkpoint(claim: CursorState | undefined): void {
    if (claim === undefined || sameClaim(claim, this.#claim)) return;
    this.#queueState(claim);
  }

  #queueState(claim: CursorState | Record<string, never>, extra = this.#deletes?.carried()) {
    this.options.writer.queueState(this.stream.name, { ...claim, ...extra }, {
      recordCount: this.#sinceState,
    });
    this.#sinceState = 0;
    if ("updated_at" in claim) this.#claim = claim as CursorState;
  }

  /**
   * The end of the read: WARNs about rows, delete detection (its RECORDs before the final
   * STATE, which carries the new id set), then the final STATE: `claim`, or `{}` for a stream
   * without a cursor.
   */
  async finish(claim: CursorState | undefined): Promise<void> {
    await this.#warnAboutRows();
    const { options } = this;
    let extra = this.#deletes?.carried();
    if (this.#deletes && claim) {
      const detectedAt = Math.max(options.now?.() ?? Date.now(), options.syncStartedAt);
      const found = await this.#deletes.detect({
        ...options,
        detectedAt: new Date(detectedAt).toISOString(),
        syncedAt: new Date(options.syncStartedAt).toISOString(),
      });
      extra = found.state;
      this.records += found.records;
      this.#sinceState += found.records;
    }
    // The final STATE, unless the last one already says all of it.
    const repeat = claim !== undefined && this.#deletes === undefined &&
      this.#sinceState === 0 && sameClaim(claim, this.#claim);
    if (!repeat) this.#queueState(claim ?? {}, extra);
    await options.writer.flush();
  }

  async #warnAboutRows(): Promise<void> {
    const { writer } = this.options;
    const name = this.stream.name;
    if (this.skipped > 0) {
      await writer.log(
        "WARN",
        `Stream "${name}": skipped ${this.skipped} rows that were not objects with an "id"`,
      );
    }
    await warnNulled(writer, { stream: name, counts: this.#invalid });
    if (this.#extra.size === 0) return;
    const named = [...this.#extra].slice(0, NAMED_EXTRA_FIELDS).join(", ");
    const more = this.#extra.size > NAMED_EXTRA_FIELDS
      ? `, and ${this.#extra.size - NAMED_EXTRA_FIELDS} more`
      : "";
    await writer.log(
      "INFO",
      `Stream "${name}": API fields with no column, kept in additional_fields: ${named}${more}`,
    );
  }

  counts(): StreamProgress {
    return { records: this.records, pages: this.pages };
  }

  result(): Omit<StreamResult, "status"> {
    return {
      name: this.stream.name,
      records: this.records,
      pages: this.pages,
      paging: this.paging,
      cursor: this.#claim?.updated_at,
      serverTotal: this.total,
      extraFields: this.#extra.size,
    };
  }
}

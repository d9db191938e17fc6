/**
 * Delete detection (`detect_deletes`). Humaans deletes are hard deletes and no endpoint lists
 * them, so after an incremental stream is read, one more scan lists the ids of every row, and
 * ids the last sync knew of that are gone now are written as RECORDs carrying
 * `_ab_cdc_deleted_at` (destinations in append-dedup mode delete those rows).
 *
 * Guarantees:
 * - No row that exists is reported deleted. Only a scan that saw as many ids as the server
 *   counts counts, and every id it did not find is then confirmed gone by asking the API for it
 *   by id before it is reported: a row missed by offset paging under churn, or moved by a server
 *   whose natural order is not stable, is found by that request and kept.
 * - No delete is forgotten for good. The ids kept in state (the committed set, under its own key
 *   `id_set`) change only in the stream's final STATE, written after the delete RECORDs; every
 *   STATE before it carries the committed set unchanged (the read's STATEs are not spaced or
 *   held back for it). A sync that crashes, fails or cannot prove its scan leaves the
 *   committed set as it was, and the next sync compares against it again (a delete may then be
 *   written twice, which dedup absorbs). The new set holds every id known to exist: the last
 *   set, the rows this sync wrote and the rows the scan found, less the ids confirmed gone.
 *
 * @module
 */
import type { Config } from "../config.ts";
import { failureKindOf, type HumaansClient, type Query } from "../http/client.ts";
import { getPage, scanPages } from "../http/paginate.ts";
import type { MessageWriter } from "../protocol/writer.ts";
import { CURSOR, DELETED_AT, type StreamDefinition } from "../streams/mod.ts";
import { rowId } from "../streams/row.ts";
import {
  decodeIdSet,
  type EncodedIdSet,
  encodeIdSet,
  ID_SET_FORMAT,
  IdSetError,
} from "./id_set.ts";

/** The key of a stream's state that holds its committed id set. */
export const ID_SET_KEY = "id_set";

/**
 * The most ids a stream's set may hold (about 2.4 MB of state at 24-character ids). A stream with
 * more rows is not tracked: its set is dropped, with a WARN, and its deletes go undetected.
 */
export const MAX_TRACKED_IDS = 100_000;

/** Ids asked for in one confirming request (`id[$in]`). */
export const CONFIRM_BATCH = 50;

/** The largest page the API serves: ids-only pages are small, so the scan always asks for it. */
const ID_PAGE_SIZE = 250;

/**
 * How the scan reads ids: `ids` when the server honours `$select[]=id` (rows hold only their
 * id), `rows` when it ignores or rejects it (whole rows).
 */
export type Selection = "ids" | "rows";

/** What the scan and the confirming requests need. */
export interface DeleteOptions {
  /** The HTTP client the scan and the confirmations use. */
  client: HumaansClient;
  /** Where the delete RECORDs and the WARNs go. */
  writer: MessageWriter;
  /** The page size and how many confirming requests run at once. */
  config: Pick<Config, "max_records_per_page" | "concurrency">;
  /** Aborts the scan (the sync is stopping). */
  signal?: AbortSignal;
}

/** What {@linkcode probeSelection} found: how to scan, and how many rows the stream has. */
export interface Probe {
  /** Whether the scan can ask for ids only. */
  selection: Selection;
  /** How many rows the stream has (the probe's `total`). */
  total: number;
}

/**
 * Finds out whether the server honours `$select[]=id`: one request for one row, asking for its
 * id only. A row with only `id` means honoured; more fields (or no row to tell) mean ignored or
 * unknown, and a 400 means rejected (then one more request, without `$select`, for the count):
 * both read whole rows, which also carry the id.
 */
export async function probeSelection(
  client: HumaansClient,
  path: string,
  options: { signal?: AbortSignal } = {},
): Promise<Probe> {
  try {
    const probe = await getPage(client, path, {
      query: { $limit: 1, "$select[]": "id" },
      signal: options.signal,
    });
    const row = probe.data[0];
    const keys = row && typeof row === "object" ? Object.keys(row) : [];
    const selection = keys.length === 1 && keys[0] === "id" ? "ids" : "rows";
    return { selection, total: probe.total };
  } catch (error) {
    if (failureKindOf(error) !== "rejected_query") throw error;
    const probe = await getPage(client, path, { query: { $limit: 1 }, signal: options.signal });
    return { selection: "rows", total: probe.total };
  }
}

/** What one id scan found. */
export interface Scan {
  /** Every id the scan saw. */
  ids: Set<string>;
  /** Whether the scan saw as many ids as the server counts (else ids may be missing). */
  proven: boolean;
  /** Pages read. */
  pages: number;
  /** Requests made, retries excluded. */
  requests: number;
}

/** Lists the id of every row of `path` (no filter), `$select`ing ids when the server allows. */
export async function scanIds(
  client: HumaansClient,
  path: string,
  options: Pick<DeleteOptions, "config" | "signal"> & { selection: Selection },
): Promise<Scan> {
  const ids = new Set<string>();
  const query: Query = options.selection === "ids" ? { "$select[]": "id" } : {};
  const scan: Scan = { ids, proven: true, pages: 0, requests: 0 };
  let counted = Infinity;
  for await (
    const page of scanPages(client, path, {
      query,
      pageSize: options.selection === "ids" ? ID_PAGE_SIZE : options.config.max_records_per_page,
      signal: options.signal,
    })
  ) {
    for (const row of page.data) {
      const id = rowId(row);
      if (id !== undefined) ids.add(id);
    }
    counted = Math.min(counted, page.total);
    scan.pages++;
    scan.requests++;
  }
  // Fewer ids than the server counts (rows deleted meanwhile shift offsets): ids may be missing.
  scan.proven = ids.size >= (counted === Infinity ? 0 : counted);
  return scan;
}

/** Ids of `known` that `found` lacks: the candidates for deletion, in `known`'s order. */
export function missingIds(known: Iterable<string>, found: ReadonlySet<string>): string[] {
  const missing: string[] = [];
  for (const id of known) if (!found.has(id)) missing.push(id);
  return missing;
}

/** What confirming the candidates found: which are gone, which exist after all. */
export interface Confirmation {
  /** Ids confirmed gone. */
  deleted: string[];
  /** Ids found to exist after all. */
  present: string[];
}

/**
 * The ids of `batch` the API has, from one `id[$in]` request; undefined when the server rejects
 * the filter (400) or ignores it (the answer holds an id not asked for, or more rows than asked).
 */
async function foundAmong(
  client: HumaansClient,
  path: string,
  options: { batch: readonly string[]; selection: Selection; signal?: AbortSignal },
): Promise<Set<string | undefined> | undefined> {
  const query: Query = { $limit: ID_PAGE_SIZE };
  if (options.selection === "ids") query["$select[]"] = "id";
  options.batch.forEach((id, k) => query[`id[$in][${k}]`] = id);
  let page;
  try {
    page = await getPage(client, path, { query, signal: options.signal });
  } catch (error) {
    if (failureKindOf(error) === "rejected_query") return undefined;
    throw error;
  }
  const asked = new Set(options.batch);
  const found = new Set(page.data.map(rowId));
  const honoured = page.total <= options.batch.length &&
    [...found].every((id) => id !== undefined && asked.has(id));
  return honoured ? found : undefined;
}

/**
 * Asks the API for each candidate by id, {@linkcode CONFIRM_BATCH} at a time with `id[$in]`: a
 * candidate the answer lacks is gone. An answer holding an id that was not asked for means the
 * server ignores the filter, and a 400 that it rejects it; then each candidate is asked for on
 * its own (`GET path/id`), and only a 404 counts as gone. Any other failure is thrown: nothing is reported unconfirmed.
 */
export async function confirmDeleted(
  client: HumaansClient,
  path: string,
  options: { candidates: readonly string[]; selection: Selection; signal?: AbortSignal },
): Promise<Confirmation> {
  const result: Confirmation = { deleted: [], present: [] };
  let filtered = true;
  for (let i = 0; i < options.candidates.length; i += CONFIRM_BATCH) {
    const batch = options.candidates.slice(i, i + CONFIRM_BATCH);
    const found = filtered ? await foundAmong(client, path, { ...options, batch }) : undefined;
    if (found) {
      for (const id of batch) (found.has(id) ? result.present : result.deleted).push(id);
      continue;
    }
    filtered = false;
    for (const id of batch) {
      try {
        await client.get(`${path}/${encodeURIComponent(id)}`, {}, { signal: options.signal });
        result.present.push(id);
      } catch (error) {
        if (failureKindOf(error) !== "not_found") throw error;
        result.deleted.push(id);
      }
    }
  }
  return result;
}

/**
 * The RECORD of a deleted row: its id, `updated_at` and `_ab_cdc_deleted_at` at `detectedAt`,
 * `timestamp` at `syncedAt`, every other column null.
 */
export function deletedRecord(
  stream: Pick<StreamDefinition, "columns">,
  id: string,
  options: { detectedAt: string; syncedAt: string },
): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const column of stream.columns.keys()) record[column] = null;
  record.id = id;
  if (stream.columns.has(CURSOR.column)) record[CURSOR.column] = options.detectedAt;
  if (stream.columns.has("timestamp")) record.timestamp = options.syncedAt;
  record[DELETED_AT] = options.detectedAt;
  return record;
}

/** Whether a state value looks like an id set this version writes (checked fully when read). */
function looksLikeIdSet(value: unknown): boolean {
  return value !== null && typeof value === "object" &&
    (value as { format?: unknown }).format === ID_SET_FORMAT &&
    typeof (value as { data?: unknown }).data === "string";
}

/** What {@linkcode DeleteTracker.detect} came to. */
export interface Detection {
  /** The keys the stream's final STATE adds to its cursor. */
  state: Record<string, unknown>;
  /** Delete RECORDs written. */
  records: number;
}

/**
 * Delete detection for one incremental stream in one sync: what its STATEs carry, the ids its
 * read wrote, then the scan, the delete RECORDs and the new set (see the module's doc).
 */
/** Options of {@linkcode DeleteTracker.detect}. */
export interface DetectOptions extends DeleteOptions {
  /** When the deletes were detected, UTC ISO 8601: the `_ab_cdc_deleted_at` value. */
  detectedAt: string;
  /** Sync start, UTC ISO 8601: the `timestamp` column. */
  syncedAt: string;
}

/**
 * Delete detection for one stream (`detect_deletes`): carries the committed id set through a
 * read, remembers the ids the read wrote, and at its end scans the list's ids, confirms each
 * missing one gone and writes its delete RECORD.
 */
export class DeleteTracker {
  readonly #stream: StreamDefinition;
  /** The committed set as the input state holds it, carried as is until the final STATE. */
  readonly #committed: unknown;
  /** Ids of the rows this sync's read wrote. */
  readonly #written = new Set<string>();
  readonly #maxIds: number;

  /**
   * Tracks `stream`; `committed` is its state's id set, if any (checked when detecting).
   * `maxIds` (default {@linkcode MAX_TRACKED_IDS}) is the most ids its set may hold.
   */
  constructor(stream: StreamDefinition, committed: unknown, options: { maxIds?: number } = {}) {
    this.#stream = stream;
    this.#maxIds = options.maxIds ?? MAX_TRACKED_IDS;
    this.#committed = committed ?? undefined;
  }

  /** The keys every STATE before the final one adds to its cursor: the committed set. */
  carried(): Record<string, unknown> {
    return looksLikeIdSet(this.#committed) ? { [ID_SET_KEY]: this.#committed } : {};
  }

  /** Remembers the id of a row the read wrote. */
  wrote(id: string | undefined): void {
    if (id !== undefined) this.#written.add(id);
  }

  /**
   * Scans ids, writes a RECORD for each row confirmed gone and returns the keys of the final
   * STATE. A scan that fails or cannot be proven complete writes none and keeps the committed
   * set with the ids this sync wrote added (so a row written now and deleted later is found),
   * with a WARN; only an abort is thrown.
   */
  async detect(options: DetectOptions): Promise<Detection> {
    // Every id known to exist: the committed set, then the rows written and those scanned.
    const known = new Set<string>();
    const committed = await this.#loadCommitted(known, options.writer);
    const keep = async (why: string): Promise<Detection> => {
      await this.#warnKept(options.writer, why);
      if (committed !== "read") return { state: {}, records: 0 };
      for (const id of this.#written) known.add(id);
      const encoded = await this.#encode(known, options.writer);
      return { state: encoded ? { [ID_SET_KEY]: encoded } : {}, records: 0 };
    };
    try {
      return await this.#scanAndReport(known, { ...options, previous: committed === "read", keep });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      const message = error instanceof Error ? error.message : String(error);
      return await keep(`the id scan failed: ${message}`);
    }
  }

  /** Adds the committed ids to `known`; an unreadable set is a WARN, and tracking restarts. */
  async #loadCommitted(
    known: Set<string>,
    writer: MessageWriter,
  ): Promise<"none" | "read" | "unreadable"> {
    if (!this.#committed) return "none";
    try {
      for (const id of await decodeIdSet(this.#committed)) known.add(id);
      return "read";
    } catch (error) {
      if (!(error instanceof IdSetError)) throw error;
      await writer.log(
        "WARN",
        `Stream "${this.#stream.name}": the state's "${ID_SET_KEY}" ${error.message}; delete tracking starts again from this sync's ids`,
      );
      return "unreadable";
    }
  }

  async #scanAndReport(
    known: Set<string>,
    options: DetectOptions & { previous: boolean; keep: (why: string) => Promise<Detection> },
  ): Promise<Detection> {
    const { writer, client } = options;
    const { name, path } = this.#stream;
    const probe = await probeSelection(client, path, options);
    if (probe.total > this.#maxIds) {
      // Known before the scan: not made, and the set dropped.
      await this.#dropped(writer, this.#tooMany(probe.total));
      return { state: {}, records: 0 };
    }
    const selection = probe.selection;
    const scan = await scanIds(client, path, { ...options, selection });
    if (!scan.proven) {
      return await options.keep(
        `the id scan saw fewer ids than the server counts (rows changed while it paged), so it cannot prove which are gone`,
      );
    }
    for (const id of this.#written) known.add(id);
    const candidates = options.previous ? missingIds(known, scan.ids) : [];
    const { deleted } = await confirmDeleted(client, path, { ...options, candidates, selection });
    for (const id of scan.ids) known.add(id);
    for (const id of deleted) {
      known.delete(id);
      writer.record(name, deletedRecord(this.#stream, id, options));
    }
    const encoded = await this.#encode(known, writer);
    if (encoded === undefined) return { state: {}, records: deleted.length };
    const how = `${scan.requests} scan requests, ${
      selection === "ids" ? "ids only" : "whole rows"
    }`;
    await writer.log(
      "INFO",
      options.previous
        ? `Stream "${name}": ${deleted.length} deleted rows found among ${
          known.size + deleted.length
        } ids (${how})`
        : `Stream "${name}": delete tracking started with ${known.size} ids; deletes are reported from the next sync on`,
    );
    return { state: { [ID_SET_KEY]: encoded }, records: deleted.length };
  }

  /** The new set, encoded; undefined (after a WARN) when it is too large to keep. */
  async #encode(known: Set<string>, writer: MessageWriter): Promise<EncodedIdSet | undefined> {
    if (known.size > this.#maxIds) {
      await this.#dropped(writer, this.#tooMany(known.size));
      return undefined;
    }
    try {
      return await encodeIdSet(known);
    } catch (error) {
      if (!(error instanceof IdSetError)) throw error;
      await this.#dropped(writer, error.message);
      return undefined;
    }
  }

  #tooMany(n: number): string {
    return `${n} ids are more than the ${this.#maxIds} delete detection keeps in state`;
  }

  #dropped(writer: MessageWriter, why: string): Promise<void> {
    return writer.log("WARN", `Stream "${this.#stream.name}": ${why}; its deletes are not tracked`);
  }

  #warnKept(writer: MessageWriter, why: string): Promise<void> {
    return writer.log(
      "WARN",
      `Stream "${this.#stream.name}": deletes were not detected this sync (${why}); the ids of the last sync are kept with those this sync wrote, so the next sync detects them`,
    );
  }
}

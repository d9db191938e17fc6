import { z } from "zod";
import type { HumaansClient, Query } from "./client.ts";

/** A Humaans list response: `{ total, limit, skip, data }`. */
export const ListEnvelope = z.object({
  total: z.number().int().nonnegative(),
  limit: z.number().int().nonnegative().optional(),
  skip: z.number().int().nonnegative().optional(),
  data: z.array(z.unknown()),
});

/** A Humaans list response. */
export type ListEnvelope = z.infer<typeof ListEnvelope>;

/** One page of a list, as yielded: rows already yielded by the page before are left out. */
export interface Page {
  /** Raw API objects, in server order. */
  data: unknown[];
  /** Rows matching the query, as the server counted them for this page. */
  total: number;
  /** 0-based page number. */
  index: number;
  /** Requests this page took (more than 1 when a shifted boundary was read again). */
  requests: number;
  /**
   * Whether the page is proven to join the page before (always true for the first page and
   * without overlap). False when rows changed so fast that no re-read found the boundary: a row
   * may then have been skipped, and state must not move past it.
   */
  proven: boolean;
}

/** Times a page whose boundary moved is read again from further back before giving up. */
export const MAX_REREADS = 8;

/** Re-reads allowed in all by the time page `index` is read: two per page, and 16 to start. */
function rereadBudget(index: number): number {
  return 16 + 2 * index;
}

/** Options of {@linkcode paginate}. */
export interface PaginateOptions {
  /** Filters and sort, sent with every page. */
  query?: Query;
  /** Requested page size ($limit), at most 250. */
  pageSize: number;
  /** Pages requested ahead of the one being written; default 1 (sequential). */
  concurrency?: number;
  /** Rows each page re-reads of the page before, to detect shifted boundaries; default 4%. */
  overlap?: number;
  /** A row's id, for de-duplicating the overlap. */
  idOf?: (row: unknown) => string | undefined;
  /** A row's version (default: its `updatedAt`): a row that changed is neither a repeat nor proof that a boundary held. */
  versionOf?: (row: unknown) => unknown;
  signal?: AbortSignal;
}

function parseEnvelope(body: unknown): ListEnvelope {
  const result = ListEnvelope.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path.length ? `"${issue.path.join(".")}"` : "the body";
  throw new Error(`list envelope field ${field} is invalid (${issue.message})`);
}

/** GETs one list page and checks its envelope (a malformed one is retried like a 5xx). */
export function getPage(
  client: HumaansClient,
  path: string,
  query: Query,
  options: { signal?: AbortSignal } = {},
): Promise<ListEnvelope> {
  return client.get(path, query, { parse: parseEnvelope, signal: options.signal });
}

function defaultIdOf(row: unknown): string | undefined {
  const id = row && typeof row === "object" ? (row as { id?: unknown }).id : undefined;
  return typeof id === "string" ? id : undefined;
}

function defaultVersionOf(row: unknown): unknown {
  return row && typeof row === "object" ? (row as { updatedAt?: unknown }).updatedAt : undefined;
}

/** The rows of a page by id: each one's version and its offset in the list when read. */
type Seen = Map<string, { version: unknown; offset: number }>;

function seenOf(
  data: unknown[],
  start: number,
  idOf: (row: unknown) => string | undefined,
  versionOf: (row: unknown) => unknown,
): Seen {
  const seen: Seen = new Map();
  for (const [k, row] of data.entries()) {
    const id = idOf(row);
    if (id !== undefined) seen.set(id, { version: versionOf(row), offset: start + k });
  }
  return seen;
}

/** Whether `row` is a row of the page before, unchanged. */
function isRepeat(
  row: unknown,
  previous: Seen,
  idOf: (row: unknown) => string | undefined,
  versionOf: (row: unknown) => unknown,
): boolean {
  const id = idOf(row);
  const seen = id === undefined ? undefined : previous.get(id);
  return seen !== undefined && seen.version === versionOf(row);
}

/**
 * How many rows towards the start the rows of the page before moved by the time `data` was
 * read (0 if none did): the most any of its repeated rows moved. `repeats[k]` tells whether
 * `data[k]` is a repeated row (see {@linkcode isRepeat}).
 */
function shiftOf(
  data: unknown[],
  start: number,
  previous: Seen,
  repeats: boolean[],
  idOf: (row: unknown) => string | undefined,
): number {
  let shift = 0;
  for (let k = 0; k < data.length; k++) {
    if (repeats[k]) shift = Math.max(shift, previous.get(idOf(data[k])!)!.offset - (start + k));
  }
  return shift;
}

/** The overlap used for a page size: about 4 % of a page, at least 1 row, none for 1-row pages. */
export function defaultOverlap(pageSize: number): number {
  return pageSize > 1 ? Math.max(1, Math.floor(pageSize / 25)) : 0;
}

/**
 * Pages through a list with `$skip`/`$limit`. Each page starts `overlap` rows before the end of
 * the one before; the rows both hold prove the boundary did not move (rows changing, inserted or
 * deleted while the sync runs shift offsets). When no row of the page before is found, the
 * boundary shifted by more than the overlap, and the page is read again from further back, up to
 * {@linkcode MAX_REREADS} times, going back twice as far each time. Repeated rows are dropped by
 * id. If no re-read joins (rows change faster than pages are read), the page as first read is
 * yielded with `proven: false` and paging goes on from there, so paging always ends.
 *
 * Up to `concurrency` pages are requested ahead, but pages are yielded in order, and each page is
 * yielded before pages beyond the window are asked for. The last `concurrency` pages are read one
 * at a time, after every page before them: a row that moves to the end of the order during the
 * sync is then read at its old place or at the end (unless more than that many pages of rows
 * change during one sync). Stops at `skip + data.length >= total` or
 * an empty page, and follows a page size the server capped.
 */
export async function* paginate(
  client: HumaansClient,
  path: string,
  options: PaginateOptions,
): AsyncGenerator<Page> {
  const pageSize = options.pageSize;
  const idOf = options.idOf ?? defaultIdOf;
  const versionOf = options.versionOf ?? defaultVersionOf;
  const overlap = Math.min(options.overlap ?? defaultOverlap(pageSize), pageSize - 1);
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const controller = new AbortController();
  const signal = options.signal
    ? AbortSignal.any([controller.signal, options.signal])
    : controller.signal;
  const queryAt = (skip: number): Query => ({ ...options.query, $limit: pageSize, $skip: skip });
  const fetchAt = (skip: number) => getPage(client, path, queryAt(skip), { signal });
  // Pages read ahead are kept as text and parsed when their turn comes: a parsed page waiting
  // its turn would be copied by every young-generation GC meanwhile and then promoted, which
  // costs more CPU and memory than the parse. A body that turns out not to be a list envelope
  // then is read again, with retries, as any page is.
  const ahead = new Map<number, Promise<string>>();
  const request = (skip: number): Promise<string> => {
    let pending = ahead.get(skip);
    if (!pending) {
      pending = client.get<string>(path, queryAt(skip), { text: true, signal });
      pending.catch(() => {}); // awaited in order; a failure surfaces there
      ahead.set(skip, pending);
    }
    return pending;
  };
  const opened = async (skip: number): Promise<ListEnvelope> => {
    const text = await request(skip);
    try {
      return parseEnvelope(JSON.parse(text));
    } catch {
      return await fetchAt(skip);
    }
  };

  try {
    let envelope = await fetchAt(0);
    // The first page tells the effective page size (the server may cap $limit).
    // A short first page that is not the last one is the cap too, when the envelope omits `limit`.
    const served = envelope.data.length > 0 && envelope.data.length < envelope.total
      ? envelope.data.length
      : pageSize;
    const step = Math.max(1, Math.min(pageSize, envelope.limit || pageSize, served) - overlap);
    let start = 0;
    let previous: Seen = new Map();
    let total = envelope.total;
    const firstTotal = envelope.total;
    // Extra rows each page steps back, learnt from how far boundaries moved: rows that keep
    // changing keep shifting offsets, and a wider overlap then saves re-reads.
    let lead = 0;
    // Re-reads so far; beyond a budget that grows with the pages read, paging stops reading
    // back (and marks pages unproven), so it always ends, however fast rows change.
    let rereads = 0;
    for (let index = 0;; index++) {
      let requests = 1;
      let proven = true;
      if (index > 0) {
        if (index > 4 * Math.ceil(firstTotal / step) + 64) {
          throw new Error(
            `paging ${path} read ${index} pages for ${firstTotal} rows: rows are inserted faster than they can be read`,
          );
        }
        envelope = await opened(start);
        ahead.delete(start);
        // No row of the page before: the boundary moved by more than the overlap. Read the page
        // again from further back (rows only ever shift towards the start) until it joins.
        const joins = (data: unknown[]) =>
          data.some((row) => isRepeat(row, previous, idOf, versionOf));
        if (overlap > 0 && !joins(envelope.data)) {
          if (rereads >= rereadBudget(index)) proven = false;
        }
        if (proven && overlap > 0 && !joins(envelope.data)) {
          const first = { envelope, start };
          let back = Math.max(overlap, lead);
          for (let reread = 0; reread < MAX_REREADS && start > 0; reread++, back *= 2) {
            start = Math.max(0, start - back);
            envelope = await fetchAt(start);
            requests++;
            rereads++;
            if (joins(envelope.data)) break;
          }
          if (!joins(envelope.data)) {
            // Rows change faster than pages are read: go on from the page as first read, and
            // say so; the caller must not treat what follows as proof that no row was missed.
            ({ envelope, start } = first);
            proven = false;
          }
        }
      }
      // Which rows the page before held, unchanged (found once: the filter and the shift use it).
      const repeats = previous.size === 0
        ? []
        : envelope.data.map((row) => isRepeat(row, previous, idOf, versionOf));
      const data = previous.size === 0
        ? envelope.data
        : envelope.data.filter((_, k) => !repeats[k]);
      if (index > 0 && proven) {
        const shift = shiftOf(envelope.data, start, previous, repeats, idOf);
        lead = Math.min(Math.max(Math.floor(lead / 2), 2 * shift), Math.floor(step / 2));
      }
      yield { data, total: envelope.total, index, requests, proven };
      const end = start + envelope.data.length;
      if (envelope.data.length === 0 || end >= envelope.total) return;
      total = Math.max(total, envelope.total);
      previous = seenOf(envelope.data, start, idOf, versionOf);
      const stride = Math.max(1, step - lead);
      start += stride;
      for (const skip of ahead.keys()) if (skip < start) ahead.delete(skip);
      // Prefetch ahead, but read the last `concurrency` pages one after another: a row that
      // moves to the end of the order while its old page is in flight is then still found there.
      const tail = total - concurrency * pageSize;
      for (let i = 0; i < concurrency; i++) {
        if (i === 0 || start + i * stride + pageSize <= tail) request(start + i * stride);
      }
    }
  } finally {
    controller.abort();
    await Promise.all([...ahead.values()].map((pending) => pending.catch(() => {})));
  }
}

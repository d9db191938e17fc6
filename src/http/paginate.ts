/**
 * List pages: the Humaans envelope, one page by query, and the plain offset scan that reads a
 * list the server cannot page by key (no `updatedAt`, or a server that ignores the filter or the
 * sort). Keyset paging, the usual way, is `sync/keyset.ts`.
 *
 * @module
 */
import { z } from "zod";
import { ConnectorError } from "../errors.ts";
import type { HumaansClient, Query } from "./client.ts";

const decoder = new TextDecoder();

/** A Humaans list response: `{ total, limit, skip, data }`. */
export interface ListEnvelope {
  /** Rows that match the query, as the server counts them. */
  total: number;
  /** The page size the server used. */
  limit?: number;
  /** The offset of the page's first row. */
  skip?: number;
  /** The page's rows. */
  data: unknown[];
}

/** What a list response must be, checked before any row is used. */
const LIST_ENVELOPE: z.ZodType<ListEnvelope> = z.object({
  total: z.number().int().nonnegative(),
  limit: z.number().int().nonnegative().optional(),
  skip: z.number().int().nonnegative().optional(),
  data: z.array(z.unknown()),
});

/** Options of {@linkcode getPage}. */
export interface GetPageOptions {
  /** Filters, sort, `$limit` and `$skip`. */
  query?: Query;
  /** Aborts the request. */
  signal?: AbortSignal;
}

function parseEnvelope(body: unknown): ListEnvelope {
  const result = LIST_ENVELOPE.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path.length ? `"${issue.path.join(".")}"` : "the body";
  throw new Error(`list envelope field ${field} is invalid (${issue.message})`);
}

/** GETs one list page and checks its envelope (a malformed one is retried like a 5xx). */
export function getPage(
  client: HumaansClient,
  path: string,
  options: GetPageOptions = {},
): Promise<ListEnvelope> {
  return client.get(path, options.query ?? {}, { parse: parseEnvelope, signal: options.signal });
}

/**
 * One list page asked for now and parsed when its turn comes. It waits as bytes, outside the
 * JavaScript heap: a page waiting as text or parsed would outlive young-generation GCs and be
 * promoted, and held until the next full GC. `open` parses it and frees the bytes at once; a body
 * that is not a list envelope is read again, with retries, as any page.
 */
export async function laterPage(
  client: HumaansClient,
  path: string,
  options: GetPageOptions,
): Promise<{ open(): Promise<ListEnvelope> }> {
  let bytes: Uint8Array | undefined = await client.get<Uint8Array>(path, options.query ?? {}, {
    bytes: true,
    signal: options.signal,
  });
  return {
    open: () => {
      const text = decoder.decode(bytes);
      // The client's body owns its buffer: detaching it frees the bytes now.
      (bytes?.buffer as ArrayBuffer | undefined)?.transfer(0);
      bytes = undefined;
      try {
        return Promise.resolve(parseEnvelope(JSON.parse(text)));
      } catch {
        return getPage(client, path, options);
      }
    },
  };
}

/**
 * Whether a page is the last of its query: empty, or short of `$limit` with the envelope agreeing
 * that no row matches past it. A `total` alone never ends a query (it may lie), and a short page
 * the envelope says is not the end just goes on.
 */
export function isLastPage(page: ListEnvelope, asked: { limit: number; skip: number }): boolean {
  if (page.data.length === 0) return true;
  const full = page.data.length >= Math.min(asked.limit, page.limit || asked.limit);
  return !full && asked.skip + page.data.length >= page.total;
}

/** One page of an offset scan. */
export interface ScanPage {
  /** The page's rows, in server order. */
  data: unknown[];
  /** The rows the server counts, as this page says. */
  total: number;
  /**
   * False from the page after which rows shifted more often than the scan steps back for: a row
   * may have been skipped from there on.
   */
  proven: boolean;
  /**
   * True when rows shifted before this page and the scan steps back next: the page before is read
   * again, then this one, so a caller that must see rows in order (none missing) may pass over it.
   */
  readAgain: boolean;
}

/** Options of {@linkcode scanPages}. */
export interface ScanOptions {
  /** Parameters sent with every page (`$select[]`, ...); no filter or sort is needed. */
  query?: Query;
  /** `$limit` of every page. */
  pageSize: number;
  /** Aborts the scan. */
  signal?: AbortSignal;
}

/**
 * Reads a whole list with `$skip`/`$limit`, one page after another, to its last page (see
 * {@linkcode isLastPage}). Each page after the first starts one row early: that row must be the
 * last row of the page before, else rows before it were deleted meanwhile and shifted the rest,
 * and the scan steps back a page (the caller drops repeated ids; that page says `readAgain`). What
 * offsets still cannot promise is the caller's to reconcile against the server's count. Throws a
 * system_error naming the path when the server ignores `$skip` (a later page starts with the first
 * row again). Pages hold at least 2 rows, whatever `pageSize` says (the row early and one more).
 */
export async function* scanPages(
  client: HumaansClient,
  path: string,
  options: ScanOptions,
): AsyncGenerator<ScanPage> {
  // A page that starts one row early must be able to hold one more: pages of one row would ask
  // for the same row for ever.
  const limit = Math.max(2, options.pageSize);
  let first: unknown;
  let last: unknown;
  let backs = 0;
  let proven = true;
  for (let next = 0;;) {
    const skip = next > 0 && last !== undefined ? next - 1 : next;
    const query = { ...options.query, $limit: limit, $skip: skip };
    const page = await getPage(client, path, { query, signal: options.signal });
    const head = firstId(page.data);
    if (skip === 0) first = head;
    else if (first !== undefined && head === first) {
      throw new ConnectorError(
        `The API ignores $skip on ${path}: the page at $skip=${skip} starts with the first row again, so the list cannot be paged`,
        { failureType: "system_error" },
      );
    }
    const lastPage = isLastPage(page, { limit, skip });
    const shifted = !lastPage && skip < next && head !== last;
    const readAgain = shifted && backs < MAX_STEP_BACKS;
    yield { data: page.data, total: page.total, proven, readAgain };
    if (lastPage) return;
    if (readAgain) {
      backs++;
      next = Math.max(0, skip - limit); // rows shifted: read the page before again
      last = undefined;
      continue;
    }
    if (shifted) proven = false;
    next = skip + page.data.length;
    last = idOf(page.data.at(-1));
  }
}

/** How many times one scan steps back after rows shifted. */
const MAX_STEP_BACKS = 100;

function idOf(row: unknown): unknown {
  return row !== null && typeof row === "object" ? (row as { id?: unknown }).id : undefined;
}

function firstId(data: unknown[]): unknown {
  return idOf(data[0]);
}

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

/** The overlap used for a page size: about 4 % of a page, at least 1 row, none for 1-row pages. */
export function defaultOverlap(pageSize: number): number {
  return pageSize > 1 ? Math.max(1, Math.floor(pageSize / 25)) : 0;
}

/**
 * Pages through a list with `$skip`/`$limit`. Each page starts `overlap` rows before the end of
 * the one before; the rows both hold prove the boundary did not move (rows changing, inserted or
 * deleted while the sync runs shift offsets). When no row of the page before is found, the
 * boundary shifted by more than the overlap, and the page is read again from further back, so
 * no row that exists for the whole sync is missed. Repeated rows are dropped by id.
 *
 * Up to `concurrency` pages are requested ahead, but pages are yielded in order, and each page is
 * yielded before pages beyond the window are asked for. Stops at `skip + data.length >= total` or
 * an empty page, and follows a page size the server capped.
 */
export async function* paginate(
  client: HumaansClient,
  path: string,
  options: PaginateOptions,
): AsyncGenerator<Page> {
  const pageSize = options.pageSize;
  const idOf = options.idOf ?? defaultIdOf;
  const overlap = Math.min(options.overlap ?? defaultOverlap(pageSize), pageSize - 1);
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const controller = new AbortController();
  const signal = options.signal
    ? AbortSignal.any([controller.signal, options.signal])
    : controller.signal;
  const fetchAt = (skip: number) =>
    getPage(client, path, { ...options.query, $limit: pageSize, $skip: skip }, { signal });
  const ahead = new Map<number, Promise<ListEnvelope>>();
  const request = (skip: number): Promise<ListEnvelope> => {
    let pending = ahead.get(skip);
    if (!pending) {
      pending = fetchAt(skip);
      pending.catch(() => {}); // awaited in order; a failure surfaces there
      ahead.set(skip, pending);
    }
    return pending;
  };

  try {
    let envelope = await fetchAt(0);
    // The first page tells the effective page size (the server may cap $limit).
    const step = Math.max(1, Math.min(pageSize, envelope.limit || pageSize) - overlap);
    let start = 0;
    let previousStart = 0;
    let previous = new Set<string>();
    let total = envelope.total;
    for (let index = 0;; index++) {
      let requests = 1;
      if (index > 0) {
        envelope = await request(start);
        ahead.delete(start);
        // No row of the page before: the boundary moved by more than the overlap. Read the page
        // again from further back until it joins (at worst from where the page before started).
        for (let back = overlap; !joins(envelope.data, previous, idOf); back *= 2) {
          if (overlap === 0 || start <= previousStart) break;
          start = Math.max(previousStart, start - back);
          envelope = await fetchAt(start);
          requests++;
        }
      }
      const data = previous.size === 0 ? envelope.data : envelope.data.filter((row) => {
        const id = idOf(row);
        return id === undefined || !previous.has(id);
      });
      yield { data, total: envelope.total, index, requests };
      const end = start + envelope.data.length;
      if (envelope.data.length === 0 || end >= envelope.total) return;
      total = Math.max(total, envelope.total);
      previous = new Set(envelope.data.map(idOf).filter((id): id is string => id !== undefined));
      previousStart = start;
      start += step;
      for (let i = 0; i < concurrency; i++) {
        if (i === 0 || start + i * step < total) request(start + i * step);
      }
    }
  } finally {
    controller.abort();
    await Promise.all([...ahead.values()].map((pending) => pending.catch(() => {})));
  }
}

/** Whether a page holds one of the rows of the page before (true for the first page). */
function joins(
  data: unknown[],
  previous: Set<string>,
  idOf: (row: unknown) => string | undefined,
): boolean {
  if (previous.size === 0) return true;
  return data.some((row) => {
    const id = idOf(row);
    return id !== undefined && previous.has(id);
  });
}

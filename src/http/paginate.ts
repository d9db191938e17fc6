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

/** One page of a list. */
export interface Page {
  /** Raw API objects, in server order. */
  data: unknown[];
  /** Rows matching the query, as the server counted them for this page. */
  total: number;
  /** Offset of the page's first row. */
  skip: number;
  /** 0-based page number. */
  index: number;
}

/** Options of {@linkcode paginate}. */
export interface PaginateOptions {
  /** Filters and sort, sent with every page. */
  query?: Query;
  /** Requested page size ($limit), at most 250. */
  pageSize: number;
  signal?: AbortSignal;
}

function parseEnvelope(body: unknown): ListEnvelope {
  const result = ListEnvelope.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue.path.length ? `"${issue.path.join(".")}"` : "the body";
  throw new Error(`list envelope field ${field} is invalid (${issue.message})`);
}

/**
 * Pages through a list with `$skip`/`$limit`, one request per page, yielding each page before
 * asking for the next. Stops at `skip + data.length >= total` or an empty page.
 */
export async function* paginate(
  client: HumaansClient,
  path: string,
  options: PaginateOptions,
): AsyncGenerator<Page> {
  let skip = 0;
  for (let index = 0;; index++) {
    const envelope = await client.get(
      path,
      { ...options.query, $limit: options.pageSize, $skip: skip },
      { parse: parseEnvelope, signal: options.signal },
    );
    yield { data: envelope.data, total: envelope.total, skip, index };
    skip += envelope.data.length;
    if (envelope.data.length === 0 || skip >= envelope.total) return;
  }
}

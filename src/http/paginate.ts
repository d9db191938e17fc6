import { z } from "zod";
import type { HumaansClient, Query } from "./client.ts";
import { defaultOverlap, Joiner, type RowKeys } from "./joiner.ts";

export { defaultOverlap } from "./joiner.ts";

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
   * without overlap). False when rows changed so fast that no re-read found the boundary (or,
   * after a page of one row, none found the row again): a row may then have been skipped, and
   * state must not move past it.
   */
  proven: boolean;
  /**
   * Set on the last page only, when the server's own `total` counts rows past the last row it
   * served (it answered an offset below its total with no rows): how many rows it counts but
   * did not serve. They may exist and be unreadable, or the total may be wrong; either way the
   * caller should say so. Never set once a total has been proven wrong (see `totalWrong`).
   */
  shortfall?: number;
  /**
   * True from the first page whose rows go past its own `total`: the server's totals are wrong
   * (too low), so neither they nor counts reconciled against them can be believed.
   */
  totalWrong?: boolean;
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
  /** Aborts the paging (the sync is stopping). */
  signal?: AbortSignal;
}

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

function defaultIdOf(row: unknown): string | undefined {
  const id = row && typeof row === "object" ? (row as { id?: unknown }).id : undefined;
  return typeof id === "string" ? id : undefined;
}

function defaultVersionOf(row: unknown): unknown {
  return row && typeof row === "object" ? (row as { updatedAt?: unknown }).updatedAt : undefined;
}

/**
 * The requests of one paging: pages asked for ahead are kept as text and parsed when their turn
 * comes (a parsed page waiting its turn would be copied by every young-generation GC meanwhile
 * and then promoted, which costs more CPU and memory than the parse). A body that turns out not
 * to be a list envelope then is read again, with retries, as any page is. Pages asked for ahead
 * that paging no longer needs (a short page moved the next start) are aborted.
 */
class PageReader {
  readonly #ahead = new Map<number, { text: Promise<string>; abort: AbortController }>();
  readonly #controller = new AbortController();
  readonly #signal: AbortSignal;

  constructor(
    readonly client: HumaansClient,
    readonly path: string,
    readonly options: { query?: Query; pageSize: number; signal?: AbortSignal },
  ) {
    this.#signal = options.signal
      ? AbortSignal.any([this.#controller.signal, options.signal])
      : this.#controller.signal;
  }

  #queryAt(skip: number): Query {
    return { ...this.options.query, $limit: this.options.pageSize, $skip: skip };
  }

  /** Reads the page at `skip` now (not from what was asked ahead). */
  fetch(skip: number): Promise<ListEnvelope> {
    return getPage(this.client, this.path, { query: this.#queryAt(skip), signal: this.#signal });
  }

  /** Asks for the page at `skip` ahead of its turn (once). */
  request(skip: number): void {
    if (this.#ahead.has(skip)) return;
    const abort = new AbortController();
    const signal = AbortSignal.any([this.#signal, abort.signal]);
    const text = this.client.get<string>(this.path, this.#queryAt(skip), { text: true, signal });
    text.catch(() => {}); // awaited in turn; a failure surfaces there
    this.#ahead.set(skip, { text, abort });
  }

  /** The page at `skip`: asked for ahead (or now), parsed, and read again if it is malformed. */
  async open(skip: number): Promise<ListEnvelope> {
    this.request(skip);
    const text = await this.#ahead.get(skip)!.text;
    this.#ahead.delete(skip);
    try {
      return parseEnvelope(JSON.parse(text));
    } catch {
      return await this.fetch(skip);
    }
  }

  /** Aborts the pages asked for ahead that are not in `wanted`. */
  keep(wanted: Set<number>): void {
    for (const [skip, pending] of this.#ahead) {
      if (wanted.has(skip)) continue;
      pending.abort.abort();
      this.#ahead.delete(skip);
    }
  }

  /** Aborts every request and waits for them to settle. */
  async close(): Promise<void> {
    this.#controller.abort();
    await Promise.all([...this.#ahead.values()].map((pending) => pending.text.catch(() => {})));
  }
}

/**
 * Reads the page planned at `start`; when it does not join the page before (its boundary moved
 * by more than the overlap), reads it again from further back, twice as far each time, while
 * the budget allows. Rows only ever shift towards the start.
 */
async function readJoined(
  reader: PageReader,
  joiner: Joiner,
  start: number,
): Promise<{ envelope: ListEnvelope; start: number; requests: number; proven: boolean }> {
  const first = { envelope: await reader.open(start), start, requests: 1, proven: true };
  if (!joiner.needsReread(first.envelope.data)) return first;
  let requests = 1;
  for (let back = joiner.rereadBack, at = start; at > 0 && joiner.budget.canReread(); back *= 2) {
    at = Math.max(0, at - back);
    const envelope = await reader.fetch(at);
    requests++;
    joiner.budget.reread();
    if (joiner.joins(envelope.data)) return { envelope, start: at, requests, proven: true };
  }
  // Rows change faster than pages are read: go on from the page as first read, and say so; the
  // caller must not treat what follows as proof that no row was missed.
  return { ...first, requests, proven: false };
}

/**
 * Asks for up to `concurrency` pages from `next` on, assuming they are as long as the page just
 * read; the last `concurrency` pages are read one after another, after every page before them:
 * a row that moves to the end of the order while its old page is in flight is then still found
 * there (unless more than that many pages of rows change during one sync).
 */
function prefetch(
  reader: PageReader,
  joiner: Joiner,
  plan: { next: number; length: number; total: number; concurrency: number },
): void {
  const wanted = new Set<number>();
  const tail = plan.total - plan.concurrency * reader.options.pageSize;
  // Pages after a short one that is not as long as the one before cannot be foretold.
  const ahead = joiner.steady ? plan.concurrency : 1;
  for (let i = 0; i < ahead; i++) {
    const skip = joiner.ahead(plan.next, { i, length: plan.length });
    if (i === 0 || skip + reader.options.pageSize <= tail) wanted.add(skip);
  }
  reader.keep(wanted);
  for (const skip of wanted) reader.request(skip);
}

/**
 * Pages through a list with `$skip`/`$limit`. Each page starts `overlap` rows before the end of
 * the rows the one before actually held; the rows both hold prove the boundary did not move
 * (rows changing, inserted or deleted while the sync runs shift offsets). When no row of the
 * page before is found, the page is read again from further back (see `readJoined`); if no
 * re-read joins, the page as first read is yielded with `proven: false`. Repeated rows are
 * dropped by id. When the list has ended, and what the envelope cannot be believed about, is the
 * {@linkcode Joiner}'s to decide; its {@linkcode PagingBudget} bounds the requests, so paging
 * always ends. Throws a ConnectorError when the server ignores `$skip` or the list grows faster
 * than it is read.
 *
 * Up to `concurrency` pages are requested ahead, but pages are yielded in order, and each page is
 * yielded before pages beyond the window are asked for.
 */
export async function* paginate(
  client: HumaansClient,
  path: string,
  options: PaginateOptions,
): AsyncGenerator<Page> {
  const { pageSize } = options;
  const keys: RowKeys = {
    idOf: options.idOf ?? defaultIdOf,
    versionOf: options.versionOf ?? defaultVersionOf,
  };
  const overlap = Math.max(0, Math.min(options.overlap ?? defaultOverlap(pageSize), pageSize - 1));
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const joiner = new Joiner({ path, pageSize, overlap, keys });
  const reader = new PageReader(client, path, options);
  try {
    let read = { envelope: await reader.fetch(0), start: 0, requests: 1, proven: true };
    joiner.first(read.envelope);
    let total = read.envelope.total;
    let next = 0;
    for (let index = 0;; index++) {
      if (index > 0) read = await readJoined(reader, joiner, next);
      const { envelope, requests } = read;
      const joined = joiner.take(envelope, { start: read.start, index, proven: read.proven });
      const { data, proven } = joined;
      const page: Page = { data, total: envelope.total, index, requests, proven };
      if (joined.shortfall) page.shortfall = joined.shortfall;
      if (joiner.totalWrong) page.totalWrong = true;
      yield page;
      if (joined.next === undefined) return;
      next = joined.next;
      total = Math.max(total, envelope.total);
      prefetch(reader, joiner, { next, length: envelope.data.length, total, concurrency });
    }
  } finally {
    await reader.close();
  }
}

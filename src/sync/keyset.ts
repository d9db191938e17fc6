/**
 * Keyset paging: a stream's rows in (`updatedAt`, `id`) order, each page asked for from the last
 * key read on, and every page proven by its rows.
 *
 * A request is `updatedAt[$gte]=K`, `$sort[updatedAt]=1`, `$sort[id]=1`, `$limit`, plus
 * `updatedAt[$lt]=B` in a bounded slice. Rows at K already read are skipped by id; `$skip` is
 * sent only inside a run of rows tied on one `updatedAt` that fills a page (then one row of
 * overlap proves the run did not shift). A slice ends at an empty page, a short page whose
 * envelope agrees that nothing matches past it, or a row at or past its bound B.
 *
 * Every row is checked against what was asked: dated, inside the bounds, after the row before
 * it in (`updatedAt`, `id`) order. A server that ignores the filter or either sort is caught by
 * the first page that shows it ({@linkcode KeysetRefused}: the caller scans instead); one that
 * ignores `$skip` fails the stream naming it. A row outside the bounds is never yielded.
 *
 * When the first page comes back full, the range from it to the sync's start is cut into
 * bounded slices, sized by the envelope's `total`, read several at once; the open tail (rows
 * from the sync's start on, where rows changed during the sync go) is read after every bounded
 * slice. Each page yielded carries the claim its STATE may make (`checkpoint.ts`).
 *
 * @module
 */
import { ConnectorError } from "../errors.ts";
import type { HumaansClient, Query } from "../http/client.ts";
import { getPage, isLastPage, laterPage, type ListEnvelope } from "../http/paginate.ts";
import { rowCursor, rowId } from "../streams/row.ts";
import { claimOf, type CursorState, type Key, type SliceMark } from "./checkpoint.ts";

/** A lower bound every dated row passes. */
export const EVER = "0001-01-01T00:00:00.000Z";
/** The most slices one stream is cut into. */
const MAX_SLICES = 64;
/** How many slices a stream's rows are sized for, per slice read at once. */
const SLICES_PER_READER = 4;
/** How many times a run of tied rows is read again from its start after it shifted. */
const MAX_RESTARTS = 3;

/** A server answer keyset paging cannot use; `message` says what the server ignored. */
export class KeysetRefused extends Error {
  /** What the pages written before this hold (see {@linkcode isCovered}). */
  covered: Covered[] = [];
}

/** A range of keys whose rows have been written: from `from` (or the first row) up to `key`. */
export interface Covered {
  /** The slice's lower bound, inclusive; undefined: from the first row. */
  from?: string;
  /** The key its written rows reach. */
  key: Key;
}

/** Whether a row (its `updatedAt` and id) lies in a range already written. */
export function isCovered(covered: readonly Covered[], row: { at: string; id: string }): boolean {
  const { at, id } = row;
  return covered.some(({ from, key }) =>
    key.at !== undefined && (from === undefined || at >= from) &&
    (at < key.at || (at === key.at && key.ids.includes(id)))
  );
}

/**
 * Who filtered and sorted a stream's rows: the `server` (keyset pages, proven by their rows) or
 * the `client` (a scan of every row, filtered here: the stream has no `updatedAt`, or the server
 * did not filter or sort as asked).
 */
export type Paging = "server" | "client";

/** One page of keyset paging, as yielded. */
export interface KeysetPage {
  /** Rows to write: inside the bounds, in order, not read before. */
  rows: unknown[];
  /** The `total` of the query that brought the page. */
  total: number;
  /** Rows on the page that were not objects with an id. */
  skipped: number;
  /** Rows skipped as written by the sync that wrote the state (each counted once). */
  known: number;
  /** What a STATE after this page's rows may claim (undefined: nothing yet). */
  claim?: CursorState;
}

/** Options of {@linkcode keysetPages}. */
export interface KeysetOptions {
  /** The lower bound (the state's cursor or the window's start); undefined: every dated row. */
  lower?: string;
  /** Ids read at `lower` by the sync that claimed it (`ids_at_cursor`). */
  idsAtLower?: readonly string[];
  /** The sync's start (UTC ISO): bounded slices end there, the open tail starts there. */
  start: string;
  /** No claim passes this. */
  ceiling: string;
  /** `$limit` of every page. */
  pageSize: number;
  /** How many slices are read at once. */
  concurrency: number;
  /** Aborts the paging. */
  signal?: AbortSignal;
}

/** What one page of a slice came to. */
interface Take {
  rows: unknown[];
  skipped: number;
  known: number;
  /** Rows on the page (every one, skipped or not). */
  length: number;
}

/** One slice of the key order: `[from, to)`, read page by page from its key. */
class Slice {
  key: { at?: string; ids: string[] };
  /** Ids at `key.at` read in this sync or listed by the state (what a re-read skips). */
  #known: Set<string>;
  /** Ids the state lists, not yet seen again: each is counted once as known when it is. */
  #listed: Set<string>;
  /** The id of the last row read at `key.at`, in server order. */
  #lastId?: string;
  #skip = 0;
  #overlap = false;
  #restarts = 0;
  started = false;
  /** Every page of the slice has been read. */
  done = false;
  pages = 0;
  /** What the pages yielded so far reach. */
  written: SliceMark;

  /** Whether the key was reached by rows (or is the state's cursor), not the slice's bound. */
  reached: boolean;
  /** The key before the last page: proven by that page's envelope to hold every row below it. */
  #verified: SliceMark;
  /** The last page: its key, `$skip`, bound, length, rows at the key it reached, `total`. */
  #last?: {
    at?: string;
    skip: number;
    to?: string;
    length: number;
    tie: number;
    total: number;
  };
  /** The upper bound the page in flight was asked with (`to` may shrink meanwhile). */
  #askedTo?: string;

  constructor(
    readonly from: string | undefined,
    public to: string | undefined,
    key: Key & { reached: boolean },
  ) {
    this.key = { at: key.at, ids: [...key.ids] };
    this.#known = new Set(key.ids);
    this.#listed = new Set(key.ids);
    this.reached = key.reached;
    this.#verified = this.written = { key: this.mark(), done: false, reached: this.reached };
  }

  /**
   * What claims may rely on: the whole slice once it is done; else the key reached before the
   * last page, once that page's envelope agreed that no row below it was left out.
   */
  proven(): SliceMark {
    return this.done ? { key: this.mark(), done: true, reached: this.reached } : this.#verified;
  }

  /**
   * A range the last page's envelope could not vouch for: the server counts more rows there
   * than the pages held (rows that left it meanwhile look the same). A count of the range as it
   * is now settles it (see {@linkcode Slice.settle}).
   */
  suspect?: { from: string; to: string; held: number; mark: SliceMark };

  /**
   * After the slice was cut at its first page: that page is settled by a count of its range now
   * (its claim need not wait for the next page, whose `total` counts under the new bound).
   */
  recount(): void {
    const last = this.#last;
    if (last !== undefined && last.at !== this.key.at) this.#suspect(last);
    this.#last = undefined;
  }

  /**
   * Checks the page before against this page's `total`: the rows the server counts between the
   * two pages' keys should all have been on the page before. When they may not have been, the
   * range is suspect; else the key before this page is proven.
   */
  #account(page: { total: number }): void {
    const last = this.#last;
    if (last === undefined || last.at === this.key.at) return;
    const held = last.skip + last.length - last.tie;
    // Totals under different bounds (the slice was cut meanwhile) do not compare: count instead.
    if (last.to !== this.#askedTo || last.total - page.total > held) this.#suspect(last);
    else this.#verified = { key: this.mark(), done: false, reached: this.reached };
  }

  #suspect(last: { at?: string; skip: number; length: number; tie: number }): void {
    const held = last.skip + last.length - last.tie;
    const mark = { key: this.mark(), done: false, reached: this.reached };
    this.suspect = { from: last.at ?? EVER, to: this.key.at!, held, mark };
  }

  /**
   * Settles the suspect range with the count of its rows now: rows only leave a range below the
   * key (a change moves a row to now, an insert lands at now), so more rows than the pages held
   * means rows the pages skipped: the server ignores the sort.
   */
  settle(count: number, path: string): void {
    const suspect = this.suspect!;
    this.suspect = undefined;
    if (count > suspect.held) {
      refuse(
        path,
        `$sort[updatedAt] (it counts ${count} rows from updatedAt ${suspect.from} to ${suspect.to}, where its pages held ${suspect.held})`,
      );
    }
    this.#verified = suspect.mark;
  }

  /** About how many rows are left to read (under the bound of the last page). */
  left(): number {
    return this.#last ? Math.max(0, this.#last.total - this.#last.length) : 0;
  }

  /** The key reached, as a copy. */
  mark(): Key {
    return { at: this.key.at, ids: [...this.key.ids] };
  }

  query(limit: number): Query {
    const query: Query = { "updatedAt[$gte]": this.key.at ?? EVER };
    this.#askedTo = this.to;
    if (this.to !== undefined) query["updatedAt[$lt]"] = this.to;
    query["$sort[updatedAt]"] = 1;
    query["$sort[id]"] = 1;
    query.$limit = limit;
    if (this.#skip > 0) query.$skip = this.#skip;
    return query;
  }

  /** Proves a page's rows against the query that brought them and moves the key past them. */
  take(page: ListEnvelope, path: string, limit: number): Take {
    const skip = this.#skip;
    const took: Take = { rows: [], skipped: 0, known: 0, length: page.data.length };
    if (skip > 0 && !this.#joins(page.data, path)) return took;
    this.#account(page);
    const before = this.key.at;
    const bound = before ?? EVER;
    let previous: { at: string; id: string } | undefined;
    let beyond = false;
    let tie = 0;
    for (const raw of page.data) {
      const id = rowId(raw);
      if (id === undefined) {
        took.skipped++;
        continue;
      }
      const at = prove(raw, { previous, bound, to: this.to, path });
      if (at === undefined) {
        beyond = true; // rows in order: none below the bound comes after this one
        break;
      }
      previous = { at, id };
      this.#lastId = id;
      if (at === this.key.at) {
        tie++;
        if (this.#known.has(id)) {
          if (this.#listed.delete(id)) took.known++;
          continue;
        }
      } else {
        this.key.at = at;
        this.key.ids = [];
        this.#known = new Set();
        this.reached = true;
        tie = 1;
      }
      this.key.ids.push(id);
      this.#known.add(id);
      took.rows.push(raw);
    }
    const sameRun = this.key.at === before;
    const length = page.data.length;
    this.#last = { at: before, skip, to: this.#askedTo, length, tie, total: page.total };
    this.#next({
      page,
      limit,
      skip,
      beyond,
      tie,
      sameRun,
      // Positions of the run's rows read so far: past the skipped ones when the page is all run.
      allRun: sameRun && tie + took.skipped === page.data.length,
      progress: took.rows.length > 0,
      path,
    });
    return took;
  }

  /** Whether a page asked for with `$skip` starts where the run left off. */
  #joins(data: unknown[], path: string): boolean {
    const first = data.find((raw) => rowId(raw) !== undefined);
    if (first === undefined) return true;
    const at = rowCursor(first);
    const id = rowId(first)!;
    const last = this.#lastId!;
    // A row read already where the run should go on: the server served an earlier offset.
    if (at === this.key.at && (this.#overlap ? id < last : id <= last)) {
      throw new ConnectorError(
        `The API ignores $skip on ${path}: the page at $skip=${this.#skip} starts with a row already read, so tied rows cannot be paged`,
        { failureType: "system_error" },
      );
    }
    const joined = this.#overlap
      ? at === this.key.at && id === last
      : at !== this.key.at || id > last;
    if (joined) return true;
    // Rows left the run while it was read: read it again from its start (skipping known ids).
    if (++this.#restarts > MAX_RESTARTS) {
      throw new ConnectorError(
        `Rows of ${path} updated at ${this.key.at} changed faster than they could be paged; run the sync again`,
        { failureType: "transient_error" },
      );
    }
    this.#skip = 0;
    this.#overlap = false;
    return false;
  }

  #next(
    how: {
      page: ListEnvelope;
      limit: number;
      skip: number;
      beyond: boolean;
      tie: number;
      sameRun: boolean;
      allRun: boolean;
      progress: boolean;
      path: string;
    },
  ): void {
    const { page, limit, skip } = how;
    if (how.beyond || isLastPage(page, { limit, skip })) {
      this.done = true;
      return;
    }
    // Rows of the run at `key.at` read so far, in server order (positions, when the page is all run).
    const run = how.allRun ? skip + page.data.length : how.tie;
    const before = this.#skip;
    this.#overlap = run >= limit && run >= 2;
    this.#skip = this.#overlap ? run - 1 : 0;
    if (!how.sameRun || how.progress || this.#skip > before) return;
    // Nothing new and nowhere further to ask from (short pages of rows already read): go on
    // past them without overlap.
    if (run <= before) {
      throw new ConnectorError(
        `The API's pages of ${how.path} make no progress: the same rows come back whatever $skip asks`,
        { failureType: "system_error" },
      );
    }
    this.#skip = run;
    this.#overlap = false;
  }
}

/**
 * A row's `updatedAt`, proven against what was asked: dated, at or after the page's lower bound,
 * after the row before it in (`updatedAt`, id) order. Undefined when it is at or past the upper
 * bound `to` (the slice ends there); throws {@linkcode KeysetRefused} naming what the server
 * ignored otherwise.
 */
function prove(
  raw: unknown,
  asked: { previous?: { at: string; id: string }; bound: string; to?: string; path: string },
): string | undefined {
  const { previous, path } = asked;
  const id = rowId(raw)!;
  const at = rowCursor(raw);
  if (at === undefined) refuse(path, "updatedAt[$gte] (it sends rows without updatedAt)");
  if (at < asked.bound) refuse(path, "updatedAt[$gte]");
  if (asked.to !== undefined && at >= asked.to) return undefined;
  if (previous && at < previous.at) refuse(path, "$sort[updatedAt]");
  if (previous && at === previous.at && id <= previous.id) {
    refuse(path, id === previous.id ? "$limit (it repeats a row on one page)" : "$sort[id]");
  }
  return at;
}

function refuse(path: string, parameter: string): never {
  throw new KeysetRefused(`the API ignores ${parameter} on ${path}`);
}

/** An ISO instant `fraction` of the way from `a` to `b`. */
function between(a: string, b: string, fraction: number): string {
  const from = Date.parse(a);
  return new Date(from + Math.floor((Date.parse(b) - from) * fraction)).toISOString();
}

/** The slices of one stream's read and the pages fetched but not yet yielded. */
class SliceSet {
  readonly slices: Slice[];
  /** Rows a slice should hold, once the first page has sized the range. */
  #target = Infinity;
  /** The first page's `total`: no slice of its range can hold more (else the totals lie). */
  #whole = Infinity;

  constructor(readonly options: KeysetOptions) {
    const ids = options.idsAtLower ?? [];
    this.slices = [new Slice(options.lower, undefined, { at: options.lower, ids, reached: true })];
  }

  /** The next slice to start: the lowest not started; the open tail only after all bounded ones. */
  next(): Slice | undefined {
    for (const slice of this.slices) {
      if (slice.started) continue;
      if (slice.to === undefined && this.slices.some((s) => s.to !== undefined && !s.done)) {
        return undefined;
      }
      return slice;
    }
    return undefined;
  }

  /**
   * After a slice's first page: when it came back full and the slice holds more rows than a
   * slice should, cuts the rest of its range (up to the sync's start) into slices by time.
   */
  size(slice: Slice, page: ListEnvelope, took: Take): boolean {
    const { concurrency, pageSize, start } = this.options;
    const at = slice.key.at;
    const end = slice.to ?? start;
    if (concurrency <= 1 || slice.done || at === undefined || at >= end) return false;
    if (took.length < pageSize) return false;
    const rest = Math.max(0, page.total - took.length);
    if (this.#target === Infinity) {
      const pages = Math.ceil(rest / pageSize);
      this.#target = Math.max(1, Math.ceil(pages / (concurrency * SLICES_PER_READER))) * pageSize;
      this.#whole = page.total;
    } else if (rest <= this.#target || page.total >= this.#whole) return false;
    const room = MAX_SLICES - this.slices.length;
    const pieces = Math.min(Math.ceil(rest / this.#target), room, slice.to ? 4 : room);
    if (pieces < 2) return false;
    return this.#cut(slice, { at, end, pieces });
  }

  #cut(slice: Slice, how: { at: string; end: string; pieces: number }): boolean {
    const bounds: string[] = [];
    for (let k = 1; k < how.pieces; k++) {
      const bound = between(how.at, how.end, k / how.pieces);
      if (bound > (bounds.at(-1) ?? how.at)) bounds.push(bound);
    }
    if (bounds.length === 0) return false;
    const added: Slice[] = [];
    bounds.push(how.end);
    for (let k = 0; k < bounds.length - 1; k++) {
      added.push(new Slice(bounds[k], bounds[k + 1], { at: bounds[k], ids: [], reached: false }));
    }
    if (slice.to === undefined) {
      added.push(new Slice(how.end, undefined, { at: how.end, ids: [], reached: false }));
    }
    slice.to = bounds[0];
    this.slices.splice(this.slices.indexOf(slice) + 1, 0, ...added);
    return true;
  }

  /**
   * For a reader with no slice left to start: cuts the running bounded slice with the most rows
   * left in two by time (never the lowest unfinished one, whose key the claims follow), and
   * returns the upper half. The running slice's bound shrinks: a row at or past it on a page in
   * flight ends that slice, and its next page is settled by a count.
   */
  steal(): Slice | undefined {
    if (this.slices.length >= MAX_SLICES) return undefined;
    const lowest = this.slices.find((slice) => !slice.done);
    let best: Slice | undefined;
    let most = 2 * this.options.pageSize;
    for (const slice of this.slices) {
      if (slice === lowest || !slice.started || slice.done || slice.to === undefined) continue;
      // A slice holds fewer rows than the whole range: a count as big is a lie.
      const left = slice.left();
      const lie = left + this.options.pageSize >= this.#whole;
      if (slice.key.at !== undefined && left > most && !lie) [best, most] = [slice, left];
    }
    if (best === undefined) return undefined;
    const mid = between(best.key.at!, best.to!, 0.5);
    if (mid <= best.key.at! || mid >= best.to!) return undefined;
    const added = new Slice(mid, best.to, { at: mid, ids: [], reached: false });
    best.to = mid;
    this.slices.splice(this.slices.indexOf(best) + 1, 0, added);
    return added;
  }

  /** What the pages yielded so far hold, for a scan that takes over. */
  covered(): Covered[] {
    return this.slices.map((slice) => ({ from: slice.from, key: slice.written.key }));
  }
}

/** A page fetched by a slice, waiting its turn; `taken` lets the slice go on. */
interface Ready {
  slice: Slice;
  /** Parses and proves the page (when its turn comes). */
  open(): Promise<Opened>;
  taken: () => void;
}

/** A page parsed and proven: its rows, the slice's mark after it, its `total`. */
interface Opened {
  took: Take;
  mark: SliceMark;
  total: number;
}

/** The slices being read at once, and the pages they fetched that wait their turn. */
class Readers {
  readonly #controller = new AbortController();
  readonly signal: AbortSignal;
  readonly set: SliceSet;
  readonly ready: Ready[] = [];
  readonly #workers: Promise<void>[] = [];
  failure?: { error: unknown };
  running = 0;
  #wake = () => {};

  constructor(
    readonly client: HumaansClient,
    readonly path: string,
    readonly options: KeysetOptions,
  ) {
    this.signal = options.signal
      ? AbortSignal.any([this.#controller.signal, options.signal])
      : this.#controller.signal;
    this.set = new SliceSet(options);
  }

  /** Starts the next slices, up to `concurrency` at once (an idle reader takes half a slice). */
  schedule(): void {
    const { set } = this;
    while (!this.failure && this.running < this.options.concurrency) {
      const slice = set.next() ?? set.steal();
      if (slice === undefined) return;
      slice.started = true;
      this.running++;
      this.#workers.push(this.#work(slice));
    }
  }

  /** Resolves when a page is ready, a slice ended or failed. */
  wait(): Promise<void> {
    return new Promise((resolve) => this.#wake = resolve);
  }

  /** Stops every slice and waits for them. */
  async close(current: Ready | undefined): Promise<void> {
    this.#controller.abort();
    current?.taken();
    for (const item of this.ready.splice(0)) item.taken();
    await Promise.all(this.#workers);
  }

  /**
   * Reads one slice, page after page: each is fetched as text and waits its turn; then it is
   * parsed and proven, and handed over before the next is asked for.
   */
  async #work(slice: Slice): Promise<void> {
    const { client, path, options, signal } = this;
    try {
      while (!slice.done && !signal.aborted) {
        const query = slice.query(options.pageSize);
        const later = await laterPage(client, path, { query, signal });
        await new Promise<void>((taken) => {
          const open = () => this.#open(slice, later);
          this.ready.push({ slice, open, taken });
          this.#wake();
        });
      }
    } catch (error) {
      this.failure ??= { error };
    } finally {
      this.running--;
      this.schedule();
      this.#wake();
    }
  }

  async #open(slice: Slice, later: { open(): Promise<ListEnvelope> }): Promise<Opened> {
    const { path, options } = this;
    const page = await later.open();
    const took = slice.take(page, path, options.pageSize);
    if (slice.pages++ === 0 && this.set.size(slice, page, took)) {
      slice.recount();
      this.schedule(); // the new slices start now
    }
    if (slice.suspect) slice.settle(await this.#countBetween(slice.suspect), path);
    return { took, mark: slice.proven(), total: page.total };
  }

  /**
   * The rows from one key up to another, now: two counts with the lower bound only (`$gte`,
   * which every page relies on), the lower first, so that rows moving up or inserted meanwhile
   * can only make the difference smaller.
   */
  async #countBetween(range: { from: string; to: string }): Promise<number> {
    const { client, path, signal } = this;
    const count = async (at: string) =>
      (await getPage(client, path, { query: { "updatedAt[$gte]": at, $limit: 1 }, signal }))
        .total;
    const from = await count(range.from);
    return from - await count(range.to);
  }
}

/**
 * Pages through a stream by key (see the module's doc), up to `concurrency` slices at once;
 * yields each page once every page before it was taken, with the claim a STATE after it may
 * make. A slice fetches its next page only once the last was taken (at most one page per slice
 * is held). Throws {@linkcode KeysetRefused} (with what was written) when the server does not
 * do what was asked.
 */
export async function* keysetPages(
  client: HumaansClient,
  path: string,
  options: KeysetOptions,
): AsyncGenerator<KeysetPage> {
  const readers = new Readers(client, path, options);
  const { set, ready } = readers;
  let current: Ready | undefined;
  readers.schedule();
  try {
    for (;;) {
      if (readers.failure) throw readers.failure.error;
      const item = current = ready.shift();
      if (item === undefined) {
        if (readers.running === 0) break;
        await readers.wait();
        continue;
      }
      const { took, mark, total } = await item.open();
      item.slice.written = mark;
      const claim = claimOf(set.slices.map((s) => s.written), { ceiling: options.ceiling });
      const { rows, skipped, known } = took;
      yield { rows, total, skipped, known, claim };
      item.taken();
      current = undefined;
    }
  } catch (error) {
    if (error instanceof KeysetRefused) error.covered = set.covered();
    throw error;
  } finally {
    await readers.close(current);
  }
}

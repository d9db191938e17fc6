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
/**
 * How many times in a row (no new row read meanwhile) a run of tied rows is read again from its
 * start after it shifted.
 */
const MAX_RESTARTS = 3;
/**
 * Pages of rows changed after the sync's start one read may take before it fails, at least: a
 * tail that ends neither at an empty page nor at a short page its count agrees with (a `total`
 * that lies) while rows keep changing would be read for ever. Twice the pages read below the
 * start, when that is more.
 */
const MIN_CHASE_PAGES = 100;

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
  return covered.some((range) => covers(range, row.at, row.id));
}

/** Whether the row at `at` with `id` lies in `range`. */
function covers(range: Covered, at: string, id: string): boolean {
  const { from, key } = range;
  return key.at !== undefined && (from === undefined || at >= from) &&
    (at < key.at || (at === key.at && key.ids.includes(id)));
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
  /** Each row's key, as parallel lists: its `updatedAt` and its id. */
  keys: Written;
  skipped: number;
  known: number;
  /** Rows on the page (every one, skipped or not). */
  length: number;
}

/** What a page of `length` rows gives before its rows are taken. */
function takeOf(length: number): Take {
  return { rows: [], keys: { ats: [], ids: [] }, skipped: 0, known: 0, length };
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
  /** The last page: its key, `$skip`, length, rows at the key it reached, `total`. */
  #last?: { at?: string; skip: number; length: number; tie: number; total: number };

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
   * Checks the page before against `total`, the count of the rows from its key on under the same
   * upper bound (the next page's, or a probe's): the rows the server counts between the page's
   * first key and its last should all have been on it. When they may not have been, the range
   * is suspect; else the key the page reached is proven.
   */
  #account(total: number): void {
    const last = this.#last;
    if (last === undefined || last.at === this.key.at) return;
    const held = last.skip + last.length - last.tie;
    if (last.total - total > held) this.#suspect(last);
    else this.#verified = { key: this.mark(), done: false, reached: this.reached };
  }

  /**
   * Proves the first page by a probe's `total` (asked from the page's last key, without an upper
   * bound, as the page was), before the slice's bound shrinks: the next page's total, under the
   * new bound, does not compare.
   */
  vouch(total: number): void {
    this.#account(total);
    this.#last = undefined;
  }

  #suspect(last: { at?: string; skip: number; length: number; tie: number }): void {
    const held = last.skip + last.length - last.tie;
    const mark = { key: this.mark(), done: false, reached: this.reached };
    this.suspect = { from: last.at ?? EVER, to: this.key.at!, held, mark };
  }

  /**
   * Settles the suspect range with the count of its rows now: rows only leave a range below the
   * key (a change moves a row to now, an insert lands at now), so more rows than the pages held
   * means rows the pages skipped: the server ignores the sort. Past the sync's `start`, rows
   * dated in the future that changed meanwhile also come in (the message says so); the scan that
   * takes over reads them either way.
   */
  settle(count: number, options: { path: string; start: string }): void {
    const suspect = this.suspect!;
    this.suspect = undefined;
    if (count > suspect.held) {
      // Rows dated in the future break the rule: one changed during the sync moves back to now.
      const future = suspect.to > options.start
        ? "; rows dated after the sync's start that changed meanwhile look the same"
        : "";
      refuse(
        options.path,
        `$sort[updatedAt] (it counts ${count} rows from updatedAt ${suspect.from} to ${suspect.to}, where its pages held ${suspect.held}${future})`,
      );
    }
    this.#verified = suspect.mark;
  }

  /** Whether the next page is asked inside a run of tied rows (with `$skip`). */
  get skipping(): boolean {
    return this.#skip > 0;
  }

  /** The key reached, as a copy. */
  mark(): Key {
    return { at: this.key.at, ids: [...this.key.ids] };
  }

  query(limit: number): Query {
    const query: Query = { "updatedAt[$gte]": this.key.at ?? EVER };
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
    const took = takeOf(page.data.length);
    if (skip > 0 && !this.#joins(page, path)) return took;
    this.#account(page.total);
    const before = this.key.at;
    let previous: { at: string; id: string } | undefined;
    let beyond = false;
    let tie = 0;
    for (const raw of page.data) {
      const id = rowId(raw);
      if (id === undefined) {
        took.skipped++;
        continue;
      }
      const at = prove(raw, { previous, bound: before ?? EVER, to: this.to, path });
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
        tie = 1;
      }
      // A row read at the key: a claim may rest on it, also where the key is the slice's bound
      // (a slice placed by a probe starts at a row's updatedAt).
      this.reached = true;
      this.key.ids.push(id);
      this.#known.add(id);
      took.rows.push(raw);
      took.keys.ats.push(at);
      took.keys.ids.push(id);
    }
    const sameRun = this.key.at === before;
    const { length } = took;
    this.#last = { at: before, skip, length, tie, total: page.total };
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
  #joins(page: ListEnvelope, path: string): boolean {
    // Without a row of overlap only the count tells that rows before the skip left meanwhile
    // (rows only leave a range below the sync's start): then the skip passed rows unread.
    const fell = !this.#overlap && this.#last !== undefined && page.total < this.#last.total;
    const first = page.data.find((raw) => rowId(raw) !== undefined);
    if (first === undefined) return !fell || this.#restart(path);
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
      : !fell && (at !== this.key.at || id > last);
    return joined || this.#restart(path);
  }

  /** Rows left the run while it was read: reads it again from its start (skipping known ids). */
  #restart(path: string): false {
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
    // Restarts count while no page brings a new row: rows leave the run faster than it is read.
    if (how.progress) this.#restarts = 0;
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

/** The slices of one stream's read, lowest range first. */
class SliceSet {
  readonly slices: Slice[];

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
   * Cuts the rest of the first slice's range at `bounds` (ascending, past its key, before the
   * sync's start) and at the sync's start: the slice keeps the lowest piece, each other piece
   * is a slice of its own, and the open tail from the sync's start comes last.
   */
  cut(slice: Slice, bounds: string[]): void {
    const { start } = this.options;
    const ends = [...bounds, start];
    const added: Slice[] = [];
    for (let k = 0; k < ends.length - 1; k++) {
      added.push(new Slice(ends[k], ends[k + 1], { at: ends[k], ids: [], reached: false }));
    }
    added.push(new Slice(start, undefined, { at: start, ids: [], reached: false }));
    slice.to = ends[0];
    this.slices.push(...added);
  }

  /** What the pages yielded so far hold, for a scan that takes over. */
  covered(): Covered[] {
    return this.slices.map((slice) => ({ from: slice.from, key: slice.written.key }));
  }
}

/** Rows written, in key order, as parallel lists: each one's `updatedAt` and id. */
interface Written {
  ats: string[];
  ids: string[];
}

/**
 * Adds the rows of `slice`'s latest page to those it wrote past its proven key (`beyond`), then
 * drops those the proven key now reaches: rows come in key order, so they are a prefix.
 */
function keepBeyond(slice: Slice, beyond: Written, page: Written): void {
  beyond.ats.push(...page.ats);
  beyond.ids.push(...page.ids);
  const proven: Covered = { from: slice.from, key: slice.written.key };
  let reached = 0;
  while (
    reached < beyond.ats.length && covers(proven, beyond.ats[reached], beyond.ids[reached])
  ) reached++;
  beyond.ats.splice(0, reached);
  beyond.ids.splice(0, reached);
}

/** Rows written as ranges of one row each (see {@linkcode isCovered}). */
function pointsOf(written: Written): Covered[] {
  return written.ats.map((at, k) => ({ from: at, key: { at, ids: [written.ids[k]] } }));
}

/**
 * A page fetched by a slice, waiting its turn as text; `opened` lets the slice ask for its next
 * page while this one is written.
 */
interface Ready {
  slice: Slice;
  /** Parses and proves the page (when its turn comes). */
  open(): Promise<Opened>;
  opened: () => void;
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
  /** Pages asked from a key below the sync's start, and from one at or past it. */
  readonly #pages = { below: 0, past: 0 };

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

  /** Starts the next slices, up to `concurrency` at once. */
  schedule(): void {
    const { set } = this;
    while (!this.failure && this.running < this.options.concurrency) {
      const slice = set.next();
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
    current?.opened();
    for (const item of this.ready.splice(0)) item.opened();
    await Promise.all(this.#workers);
  }

  /**
   * Reads one slice, page after page: each is fetched as text and waits its turn (a parsed page
   * waiting would be copied by young-generation GCs and promoted); once it is parsed and proven,
   * the next is asked for while it is written.
   */
  async #work(slice: Slice): Promise<void> {
    const { client, path, options, signal } = this;
    try {
      while (!slice.done && !signal.aborted) {
        const query = slice.query(options.pageSize);
        const later = await laterPage(client, path, { query, signal });
        await new Promise<void>((opened) => {
          const open = () => this.#open(slice, later);
          this.ready.push({ slice, open, opened });
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
    this.#count((slice.key.at ?? EVER) >= options.start);
    const took = slice.take(page, path, options.pageSize);
    if (slice.pages++ === 0 && this.set.slices.length === 1) {
      if (await this.#split(slice, { total: page.total, length: took.length })) this.schedule();
    }
    if (slice.suspect) {
      slice.settle(await this.#countBetween(slice.suspect), { path, start: options.start });
    }
    return { took, mark: slice.proven(), total: page.total };
  }

  /**
   * Counts a page; fails the read when rows changed during the sync keep coming with no end in
   * sight (see {@linkcode MIN_CHASE_PAGES}).
   */
  #count(past: boolean): void {
    const pages = this.#pages;
    if (!past) {
      pages.below++;
      return;
    }
    const most = Math.max(MIN_CHASE_PAGES, 2 * pages.below);
    if (++pages.past <= most) return;
    throw new ConnectorError(
      `Rows of ${this.path} kept changing while they were read: ${most} pages of rows changed after the sync started, and no page said the list was read to its end (an empty page, or a short one its total agrees with); run the sync again`,
      { failureType: "transient_error" },
    );
  }

  /**
   * After the first page, when it came back full: finds where the rest of the rows split into
   * `concurrency` parts of about equal size, by probes (`$skip` to each part's first row,
   * `$limit=1`, asked at once), and cuts the range there (see {@linkcode SliceSet.cut}). The
   * probes' `total` proves the first page. Probes only place the bounds: a server that ignores
   * `$skip` or counts wrong gets fewer or uneven slices, never a row less.
   */
  async #split(slice: Slice, first: { total: number; length: number }): Promise<boolean> {
    const { client, path, options, signal } = this;
    const at = slice.key.at;
    const rest = first.total - first.length;
    const parts = Math.min(options.concurrency, Math.ceil(rest / options.pageSize));
    if (slice.done || slice.skipping || at === undefined || at >= options.start || parts < 2) {
      return false;
    }
    // Each page after a slice's first brings one row less than `$limit` (the row at its key
    // again), so parts of whole pages (the lowest one short of its known row) end on a short
    // page: no empty page to ask for at the end of each.
    const perPage = Math.max(1, options.pageSize - 1);
    const part = perPage * Math.max(1, Math.ceil(rest / (parts * perPage)));
    const positions = Array.from({ length: parts - 1 }, (_, k) => (k + 1) * part - 1);
    // The slice's own query (no `$lt` yet, no `$skip`: not inside a run), one row at a position.
    const probe = slice.query(1);
    const probes = await Promise.all(
      positions.map((position) =>
        getPage(client, path, {
          query: { ...probe, $skip: slice.key.ids.length + position },
          signal,
        })
      ),
    );
    slice.vouch(probes[0].total);
    const bounds = new Set<string>();
    for (const probe of probes) {
      const row = probe.data[0];
      if (row === undefined) continue;
      const bound = rowCursor(row);
      if (bound === undefined || bound < at) refuse(path, "updatedAt[$gte]");
      if (bound > at && bound < options.start) bounds.add(bound);
    }
    this.set.cut(slice, [...bounds].sort());
    return true;
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
 * yields each page in turn, with the claim a STATE after it may make. A slice asks for its next
 * page once the last is parsed and proven, while it is written (it holds at most two: one being
 * written, one waiting its turn as text). Throws {@linkcode KeysetRefused} (with what was
 * written) when the server does not do what was asked.
 */
export async function* keysetPages(
  client: HumaansClient,
  path: string,
  options: KeysetOptions,
): AsyncGenerator<KeysetPage> {
  const readers = new Readers(client, path, options);
  const { set, ready } = readers;
  let current: Ready | undefined;
  // Rows written past their slice's proven key, by slice: a scan that takes over skips them too.
  const beyond = new Map<Slice, Written>();
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
      item.opened();
      item.slice.written = mark;
      const claim = claimOf(set.slices.map((s) => s.written), { ceiling: options.ceiling });
      const { rows, skipped, known } = took;
      const written = beyond.get(item.slice) ?? { ats: [], ids: [] };
      keepBeyond(item.slice, written, took.keys);
      beyond.set(item.slice, written);
      yield { rows, total, skipped, known, claim };
      current = undefined;
    }
  } catch (error) {
    if (error instanceof KeysetRefused) {
      error.covered = [...set.covered(), ...[...beyond.values()].flatMap(pointsOf)];
    }
    throw error;
  } finally {
    await readers.close(current);
  }
}

/**
 * The rules of offset paging, without I/O: how consecutive pages join (the overlap proves that no
 * row slipped between them), where the next page starts, when a list has ended, what an envelope
 * cannot be believed about, and the one budget that bounds the requests of a stream.
 * {@linkcode paginate} does the requests; this module decides.
 *
 * @module
 */
import { ConnectorError } from "../errors.ts";

/** How rows are told apart: a row's id, and its version (a changed row is a new row). */
export interface RowKeys {
  /** A row's id, or undefined if it has none. */
  idOf: (row: unknown) => string | undefined;
  /** A row's version (by default its `updatedAt`). */
  versionOf: (row: unknown) => unknown;
}

/** The rows of a page by id: each one's version and its offset in the list when read. */
export type Seen = Map<string, { version: unknown; offset: number }>;

/** The rows of a page read at offset `start`, by id. */
export function seenOf(data: unknown[], options: { start: number; keys: RowKeys }): Seen {
  const { idOf, versionOf } = options.keys;
  const seen: Seen = new Map();
  for (let k = 0; k < data.length; k++) {
    const id = idOf(data[k]);
    if (id !== undefined) seen.set(id, { version: versionOf(data[k]), offset: options.start + k });
  }
  return seen;
}

/** Whether `row` is a row of the page before, unchanged (same id and version, as `options` reads them). */
export function isRepeat(row: unknown, previous: Seen, options: RowKeys): boolean {
  const id = options.idOf(row);
  const seen = id === undefined ? undefined : previous.get(id);
  return seen !== undefined && seen.version === options.versionOf(row);
}

/**
 * How many rows towards the start the rows of the page before moved by the time `data` was read
 * at `start` (0 if none did): the most any of its repeated rows moved. `repeats[k]` tells whether
 * `data[k]` is a repeated row (see {@linkcode isRepeat}).
 */
export function shiftOf(
  data: unknown[],
  previous: Seen,
  options: { start: number; repeats: boolean[]; idOf: RowKeys["idOf"] },
): number {
  let shift = 0;
  for (let k = 0; k < data.length; k++) {
    if (!options.repeats[k]) continue;
    shift = Math.max(shift, previous.get(options.idOf(data[k])!)!.offset - (options.start + k));
  }
  return shift;
}

/** The overlap used for a page size: about 4 % of a page, at least 1 row, none for 1-row pages. */
export function defaultOverlap(pageSize: number): number {
  return pageSize > 1 ? Math.max(1, Math.floor(pageSize / 25)) : 0;
}

/** Spare requests every stream may make, whatever its length. */
export const BUDGET_BASE = 16;
/** Spare requests each page's worth of the list's first total adds, once paging has reached it. */
export const BUDGET_PER_PAGE = 2;

/**
 * The one bound on a stream's requests. Spare requests are those beyond one per page of the rows
 * the list held when paging began (its first `total`): re-reads of a shifted boundary, and pages
 * that start past that total (rows inserted during the sync, or a total that is wrong). The
 * budget is {@linkcode BUDGET_BASE}, plus {@linkcode BUDGET_PER_PAGE} for every page's worth of
 * that total that paging has got past, so paging that makes no headway earns no more. Once it
 * is spent, boundaries are no longer read again (pages are then unproven, and say so); once pages
 * past the total alone exceed it, the list grows faster than it is read (or its total is wrong)
 * and paging fails with an error. So paging always ends.
 */
export class PagingBudget {
  #step = 1;
  #total = 0;
  #reached = 0;
  #spent = 0;
  #pastTotal = 0;

  /** Sets the page step (rows a page moves on) and the list's first total. */
  begin(options: { step: number; total: number }): void {
    this.#step = Math.max(1, options.step);
    this.#total = options.total;
  }

  /** Spare requests allowed so far. */
  get allowance(): number {
    const pages = Math.ceil(Math.min(this.#reached, this.#total) / this.#step);
    return BUDGET_BASE + BUDGET_PER_PAGE * pages;
  }

  /** Spare requests made so far. */
  get spent(): number {
    return this.#spent;
  }

  /** Pages read past the first total. */
  get pastTotal(): number {
    return this.#pastTotal;
  }

  /** Whether one more re-read is allowed. */
  canReread(): boolean {
    return this.#spent < this.allowance;
  }

  /** Counts a re-read. */
  reread(): void {
    this.#spent++;
  }

  /**
   * Counts a page read (not a re-read) over `[start, end)`; false when pages past the first
   * total exceed the budget.
   */
  page(range: { start: number; end: number }): boolean {
    this.#reached = Math.max(this.#reached, range.end);
    if (range.start < this.#total) return true;
    this.#spent++;
    this.#pastTotal++;
    return this.#pastTotal <= this.allowance;
  }
}

/** Options of a {@linkcode Joiner}. */
export interface JoinerOptions {
  /** The list's path, for error messages. */
  path: string;
  /** Requested page size ($limit). */
  pageSize: number;
  /** Rows each page re-reads of the page before. */
  overlap: number;
  /** Reads each row's id and version. */
  keys: RowKeys;
}

/** What the joiner made of one page. */
export interface Joined {
  /** The page's rows less those the page before held, unchanged. */
  data: unknown[];
  /**
   * Whether the page is proven to join the page before: as read, unless it had to be asked for
   * without overlap (after a one-row page, with the budget spent).
   */
  proven: boolean;
  /** Where the next page starts, or undefined when the list has ended. */
  next?: number;
  /** At the end: rows the server's own total counts past the last row it served. */
  shortfall?: number;
}

/**
 * Joins the pages of one list as they are read: drops repeated rows, learns how far boundaries
 * move, and decides where the next page starts and when the list has ended. Nothing in the
 * envelope is trusted on its own:
 *
 * - The next page starts from the rows actually received (`start + data.length`, less the
 *   overlap), so a server that returns fewer rows than `$limit` loses none.
 * - The list ends at an empty page, or at a short page whose end reaches the server's `total`.
 *   A full page that reaches `total` is followed by one more request: the total may be low.
 * - Rows past a page's own `total` prove the total wrong: from then on only an empty page ends
 *   the list. A short page that adds no row is followed by one that starts halfway through it
 *   (so even pages of a few rows move on), and a single repeated row by one just past it.
 * - A page holding exactly the rows of the page before, at another `$skip`, is an error: the
 *   server ignores `$skip`.
 * - At the end, rows the server's own total counts past its last row are the `shortfall`.
 */
export class Joiner {
  /** The one re-read budget of the stream's pages. */
  readonly budget = new PagingBudget();
  readonly #options: JoinerOptions;
  #limit: number;
  #firstTotal?: number;
  #totalWrong = false;
  #previous: Seen = new Map();
  #previousStart = 0;
  /** Extra rows each page steps back, learnt from how far boundaries moved. */
  #lead = 0;
  /** The overlap the next page was asked with. */
  #back = 0;
  /** Whether the next page is asked for without overlap, to be proven by a re-read if it has rows. */
  #verify = false;
  /** Rows in the last two pages taken: whether pages ahead can be foretold. */
  #lengths: [number, number] = [-1, -1];

  /** A joiner for one list's pages. */
  constructor(options: JoinerOptions) {
    this.#options = options;
    this.#limit = options.pageSize;
  }

  /** The page size the server serves, as learnt from the first page. */
  get limit(): number {
    return this.#limit;
  }

  /** Whether a page's rows went past its own total (totals are then not believed). */
  get totalWrong(): boolean {
    return this.#totalWrong;
  }

  /**
   * Whether the pages after the last one taken can be foretold (to ask for them ahead): it was
   * full, or as long as the page before it (a server that serves a steady shorter page).
   */
  get steady(): boolean {
    const [before, last] = this.#lengths;
    return last >= this.#limit || last === before;
  }

  /** How far back a re-read of a boundary starts, before it doubles. */
  get rereadBack(): number {
    return Math.max(this.#options.overlap, this.#lead);
  }

  /**
   * Learns from the first page the page size the server serves: the envelope's `limit`, or a
   * short first page that is not the last one (a server may cap `$limit`).
   */
  first(envelope: { total: number; limit?: number; data: unknown[] }): void {
    const n = envelope.data.length;
    const served = n > 0 && n < envelope.total ? n : this.#options.pageSize;
    this.#limit = Math.max(1, Math.min(this.#options.pageSize, envelope.limit || Infinity, served));
    this.#firstTotal = envelope.total;
    this.budget.begin({ step: this.#limit - this.#options.overlap, total: envelope.total });
    this.budget.page({ start: 0, end: n });
  }

  /** Whether a page read at the planned start needs its boundary read again from further back. */
  needsReread(data: unknown[]): boolean {
    const expected = this.#back > 0 || (this.#verify && data.length > 0);
    return expected && this.#previous.size > 0 && !this.joins(data) && this.budget.canReread();
  }

  /** Whether `data` holds a row of the page before, unchanged: proof the boundary held. */
  joins(data: unknown[]): boolean {
    return data.some((row) => isRepeat(row, this.#previous, this.#options.keys));
  }

  /**
   * Takes the page read at `start` (after any re-reads); `proven` tells whether its boundary
   * was proven. Throws when the server ignores `$skip` or the budget is spent on pages past the
   * list's first total.
   */
  take(
    envelope: { total: number; data: unknown[] },
    options: { start: number; index: number; proven: boolean },
  ): Joined {
    const { start, index } = options;
    const rows = envelope.data;
    this.#lengths = [this.#lengths[1], rows.length];
    if (index > 0) this.#checkSkip(rows, start);
    const repeats = this.#previous.size === 0
      ? []
      : rows.map((row) => isRepeat(row, this.#previous, this.#options.keys));
    const data = this.#previous.size === 0 ? rows : rows.filter((_, k) => !repeats[k]);
    if (index > 0 && options.proven) this.#learnShift(rows, start, repeats);
    if (start + rows.length > envelope.total) this.#totalWrong = true;
    if (index > 0) this.#countPage(start, start + rows.length);
    const unjoined = this.#verify && rows.length > 0 && !repeats.some(Boolean);
    const joined: Joined = { data, proven: options.proven && !unjoined };
    this.#verify = false;
    const next = this.#nextStart(envelope, { start, fresh: data.length });
    if (next === undefined) {
      const shortfall = envelope.total - (start + rows.length);
      if (shortfall > 0 && !this.#totalWrong) joined.shortfall = shortfall;
    } else {
      joined.next = next;
      // A page that added no row holds only rows of the page before: that page stays the one
      // the next joins (and de-duplicates) against.
      if (data.length > 0 || this.#previous.size === 0) {
        this.#previous = seenOf(rows, { start, keys: this.#options.keys });
        this.#previousStart = start;
      }
    }
    return joined;
  }

  /** The start of page `i` ahead of the next one, if pages keep the length of this one. */
  ahead(next: number, options: { i: number; length: number }): number {
    const length = Math.max(1, options.length);
    return next + options.i * Math.max(1, length - this.#backFor(length));
  }

  #backFor(length: number): number {
    return Math.min(this.#options.overlap + this.#lead, Math.floor(length / 2));
  }

  #nextStart(
    envelope: { total: number; data: unknown[] },
    page: { start: number; fresh: number },
  ): number | undefined {
    const n = envelope.data.length;
    const end = page.start + n;
    if (n === 0) return undefined;
    const short = n < this.#limit;
    // A page longer than asked for (the server ignores `$limit`) that reaches total ends it too.
    if (n !== this.#limit && !this.#totalWrong && end >= envelope.total) return undefined;
    // A short page that adds nothing goes on from halfway through it (so that pages of a few
    // rows still move on); past its last row once it is a single repeated row.
    this.#back = short && page.fresh === 0 ? Math.floor(n / 2) : this.#backFor(n);
    // Nothing left to overlap (a page of one row): ask just past it; a page that then holds
    // rows is read again from further back to prove it joins (an empty one ends the list).
    this.#verify = this.#back === 0 && this.#options.overlap > 0;
    return end - this.#back;
  }

  #learnShift(rows: unknown[], start: number, repeats: boolean[]): void {
    const shift = shiftOf(rows, this.#previous, { start, repeats, idOf: this.#options.keys.idOf });
    const step = Math.max(1, this.#limit - this.#options.overlap);
    this.#lead = Math.min(Math.max(Math.floor(this.#lead / 2), 2 * shift), Math.floor(step / 2));
  }

  #countPage(start: number, end: number): void {
    if (this.budget.page({ start, end })) return;
    const total = this.#firstTotal ?? 0;
    throw new ConnectorError(
      `GET ${this.#options.path} read ${this.budget.pastTotal} pages past the ${total} rows its first page counted: rows are added faster than they can be read, or the API's total is wrong; run the sync again when fewer rows change`,
      { failureType: "system_error" },
    );
  }

  /** Throws when `rows`, read at `start`, are the rows of the page before: `$skip` is ignored. */
  #checkSkip(rows: unknown[], start: number): void {
    const previous = this.#previous;
    // Rows that moved towards the end by a whole page: what a server that ignores $skip serves.
    // (Deleted rows move rows towards the start; a re-read may then find the same rows earlier.)
    if (rows.length === 0 || rows.length !== previous.size || start <= this.#previousStart) return;
    for (const row of rows) {
      const id = this.#options.keys.idOf(row);
      if (id === undefined || !previous.has(id)) return;
    }
    throw new ConnectorError(
      `GET ${this.#options.path} returned the same page for $skip=${start} as for $skip=${this.#previousStart}: the API ignores $skip, so rows past the first ${rows.length} cannot be read; check that base_url points at the Humaans API`,
      { failureType: "system_error" },
    );
  }
}

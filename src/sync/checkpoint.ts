/**
 * What a STATE of an incremental stream may claim. A state claims a cursor C (and the ids of the
 * rows already written whose `updated_at` is C); the next sync reads rows with `updated_at` at or
 * after C and skips the listed ids when they come back unchanged. So a claim is only made when
 * every row with `updated_at` below C has been written:
 *
 * - mid-stream (after a page) only while the server filters and its sort is proven: a probe sorted
 *   the other way came back in descending order, the first page in ascending order, and every row
 *   since (the first row of each page included) is at or after the row before it. A page's claim
 *   is made when the next page has arrived and its first row has been checked, before that next
 *   page is written;
 * - never past the first page whose boundary with the page before could not be proven;
 * - never past the sync's start less the clock skew allowance (the ceiling);
 * - otherwise once, at the end of the stream, when every row has been read.
 *
 * Pure: no I/O, driven by `tests/sync/checkpoint_test.ts` without a server.
 *
 * @module
 */

/** The state of an incremental stream, as written in a STATE message. */
export interface CursorState {
  /** Every row with an earlier `updated_at` has been written. */
  updated_at: string;
  /** Ids of rows with `updated_at` equal to the cursor that have been written (at most {@linkcode IDS_AT_CURSOR_CAP}). */
  ids_at_cursor?: string[];
}

/**
 * How many ids a state keeps of the rows tied at its cursor. Past this many ties, the rest are
 * read again by the next sync (at-least-once, as without ids).
 */
export const IDS_AT_CURSOR_CAP = 100;

/** Options of a {@linkcode Checkpoint}. */
export interface CheckpointOptions {
  /** Whether the server filters on `updatedAt` (the probe says so); else no mid-stream claim. */
  serverFilters: boolean;
  /** The cursor values of a probe sorted descending, in the order they came; empty if none. */
  descending?: readonly (string | undefined)[];
  /** Rows below this are outside the read (a server that ignores the filter sends them). */
  lowerBound?: string;
  /** No claim passes this: the sync's start less the clock skew allowance. */
  ceiling: string;
  /** The input state's cursor, and the ids it lists as written at it (skipped when unchanged). */
  cursor?: string;
  /** The ids the input state lists as written at `cursor` (`ids_at_cursor`). */
  idsAtCursor?: readonly string[];
  /** How many ids a claim lists at most; default {@linkcode IDS_AT_CURSOR_CAP}. */
  cap?: number;
}

/** What a claim could not be made over: the first page whose start could not be proven. */
export interface Gap {
  /** The cursor no claim may pass (the claim before the gap), or null when there is none. */
  cursor: string | null;
  /** The page's index in the read (0 is the first). */
  page: number;
}

/** What one stream has written, as far as its claims are concerned. */
export class Checkpoint {
  readonly #options: CheckpointOptions;
  readonly #known: Set<string>;
  readonly #cap: number;
  #midStream: boolean;
  #max?: string;
  #idsAtMax: string[] = [];
  #first?: string;
  #previous?: string;
  #page = 0;
  #lastClaim?: string;
  #gapClaim?: CursorState;
  /** Rows skipped because the input state lists them as written at its cursor, unchanged. */
  known = 0;
  /** Rows below the lower bound (the server ignored the filter). */
  outside = 0;
  /** Set at the first page whose start could not be proven. */
  gap?: Gap;
  /** Set at the first row seen out of `updated_at` order while the server was to sort. */
  disorder?: { page: number };

  /** A checkpoint for one stream's read. */
  constructor(options: CheckpointOptions) {
    this.#options = options;
    this.#known = new Set(options.cursor ? options.idsAtCursor ?? [] : []);
    this.#cap = options.cap ?? IDS_AT_CURSOR_CAP;
    this.#midStream = options.serverFilters && isDescending(options.descending ?? []);
  }

  /**
   * Takes one row with its cursor value (null when it has none) and id, in server order: true if
   * it is to be written, false if it is outside the read or already written at the input cursor.
   * On the hot path: a few comparisons a row.
   */
  admit(cursor: string | null, id: string): boolean {
    if (cursor === null) return true;
    const { lowerBound } = this.#options;
    if (lowerBound !== undefined && cursor < lowerBound) {
      this.outside++;
      this.#midStream = false;
      return false;
    }
    if (this.#first === undefined) this.#first = cursor;
    if (this.#previous !== undefined && cursor < this.#previous) this.#breakOrder();
    this.#previous = cursor;
    if (this.#max === undefined || cursor > this.#max) {
      this.#max = cursor;
      this.#idsAtMax = [id];
    } else if (cursor === this.#max && this.#idsAtMax.length < this.#cap) {
      this.#idsAtMax.push(id);
    }
    if (cursor === this.#options.cursor && this.#known.has(id)) {
      this.known++;
      return false;
    }
    return true;
  }

  /**
   * Called before page `index` is written, with the cursor of its first row (if any) and whether
   * its start is proven: the claim over the pages before it, if one may be made now and differs
   * from the last one.
   */
  beforePage(
    index: number,
    page: { firstCursor: string | undefined; proven: boolean },
  ): CursorState | undefined {
    const { firstCursor, proven } = page;
    this.#page = index;
    if (
      firstCursor !== undefined && this.#previous !== undefined && firstCursor < this.#previous
    ) {
      this.#breakOrder();
    }
    if (!proven && !this.gap) {
      const floor = this.#floor();
      this.#gapClaim = this.#sortProven()
        ? this.#claim()
        : floor === null
        ? undefined
        : this.#at(floor);
      this.gap = { cursor: this.#gapClaim?.updated_at ?? null, page: index };
    }
    if (index === 0 || this.gap || !this.#sortProven()) return undefined;
    return this.#fresh(this.#claim());
  }

  /** Whether claims may be made mid-stream: the server filters and its sort is proven so far. */
  get midStream(): boolean {
    return this.#sortProven();
  }

  /**
   * The claim at the end of the stream, once every row of the read has been written (undefined
   * when none may be made: a gap with nothing before it; the ceiling when no row had a date), and
   * whether it differs from the last claim returned.
   */
  final(): { state?: CursorState; changed: boolean } {
    // No row and no floor: every row there is was read, and none had a date.
    const state = this.gap
      ? this.#gapClaim
      : this.#claim() ?? { updated_at: this.#options.ceiling };
    const changed = state !== undefined && this.#fresh(state) !== undefined;
    return { state, changed };
  }

  /** The cursor of the last claim returned, if any. */
  get lastClaim(): string | undefined {
    return this.#lastClaim?.split("|")[0];
  }

  #breakOrder(): void {
    if (this.#midStream && !this.disorder) this.disorder = { page: this.#page };
    this.#midStream = false;
  }

  #sortProven(): boolean {
    if (!this.#midStream) return false;
    const top = this.#options.descending?.[0];
    return this.#first !== undefined && top !== undefined && this.#first < top;
  }

  /** What a claim falls back to when no row proves more: the lower bound or the input cursor. */
  #floor(): string | null {
    const candidates = [this.#options.lowerBound, this.#options.cursor]
      .filter((c): c is string => c !== undefined);
    return candidates.sort().at(-1) ?? null;
  }

  /** The largest cursor that may be claimed over the rows written so far. */
  #claim(): CursorState | undefined {
    const { ceiling } = this.#options;
    const top = this.#max !== undefined && this.#max > ceiling ? ceiling : this.#max;
    const floor = this.#floor();
    const cursor = top === undefined ? floor : floor !== null && floor > top ? floor : top;
    return cursor === null ? undefined : this.#at(cursor);
  }

  #at(cursor: string): CursorState {
    if (cursor === this.#max) return { updated_at: cursor, ids_at_cursor: [...this.#idsAtMax] };
    if (cursor === this.#options.cursor && this.#known.size > 0) {
      return { updated_at: cursor, ids_at_cursor: [...this.#known].slice(0, this.#cap) };
    }
    return { updated_at: cursor };
  }

  #fresh(claim: CursorState | undefined): CursorState | undefined {
    if (!claim) return undefined;
    const key = `${claim.updated_at}|${claim.ids_at_cursor?.length ?? 0}`;
    if (key === this.#lastClaim) return undefined;
    this.#lastClaim = key;
    return claim;
  }
}

/** Whether probe values are in non-increasing order, every one a timestamp, at least one. */
function isDescending(values: readonly (string | undefined)[]): boolean {
  if (values.length === 0) return false;
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (value === undefined) return false;
    if (i > 0 && value > values[i - 1]!) return false;
  }
  return true;
}

/**
 * What a STATE of an incremental stream may claim. A state claims a cursor C and the ids of the
 * rows already written whose `updated_at` is C; the next sync reads rows with `updated_at` at or
 * after C and skips the listed ids. So a claim is only ever the key of a place in the
 * (`updated_at`, id) order below which every row has been written:
 *
 * - the stream is read in slices of that order, lowest first in the list; a claim is the key
 *   reached by the lowest slice not finished (every slice below it has finished), or the last
 *   slice's key once all have;
 * - never past the sync's start less the clock skew allowance (the ceiling): a claim past it is
 *   the ceiling, without ids;
 * - a read that has seen no dated row claims nothing until its end, and then the ceiling.
 *
 * Pure: no I/O, driven by `tests/sync/checkpoint_test.ts`.
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

/**
 * How far the API's clock may lag ours. No claim passes the sync's start less this: a row that
 * changes during the sync is stamped after it, so the next sync reads it again, even if this one
 * read it before the change or not at all (a guess: the real API's clock is unknown).
 */
export const CLOCK_SKEW_MS = 60_000;

/** A place in the (`updatedAt`, id) order: every row before `at` is read, and at `at` those in `ids`. */
export interface Key {
  /** The `updatedAt` reached (canonical UTC); undefined before the first dated row. */
  at?: string;
  /** Ids of the rows at `at` already read, in the order read. */
  ids: readonly string[];
}

/** One slice's progress, as claims see it: its key, and whether it has been read to its end. */
export interface SliceMark {
  /** The key the slice's written rows reach. */
  key: Key;
  /** Whether every row of the slice has been written. */
  done: boolean;
  /**
   * Whether `key` was reached by rows read (or is the state's own cursor), rather than being the
   * slice's lower bound: a claim stays at rows read, never at an empty range's bound.
   */
  reached: boolean;
}

/** The ceiling of a sync started at `syncStartedAt` (ms): its start less the clock skew. */
export function ceilingOf(syncStartedAt: number): string {
  return new Date(syncStartedAt - CLOCK_SKEW_MS).toISOString();
}

/**
 * The claim the slices allow now (in the order of their ranges, lowest first): the highest key
 * reached by rows among the finished slices at the bottom and the lowest slice not finished;
 * capped at `ceiling`. Undefined when no key has a date yet, unless `final` (then the ceiling:
 * every row there is was read, and none had a date).
 */
export function claimOf(
  slices: readonly SliceMark[],
  options: { ceiling: string; final?: boolean },
): CursorState | undefined {
  let key: Key | undefined;
  for (const slice of slices) {
    if (slice.reached && slice.key.at !== undefined) key = slice.key;
    if (!slice.done) break;
  }
  const at = key?.at;
  if (at === undefined) return options.final ? { updated_at: options.ceiling } : undefined;
  if (at > options.ceiling) return { updated_at: options.ceiling };
  const ids = key!.ids;
  if (ids.length === 0) return { updated_at: at };
  return { updated_at: at, ids_at_cursor: ids.slice(0, IDS_AT_CURSOR_CAP) };
}

/** Whether two claims say the same (so the second needs no STATE of its own). */
export function sameClaim(a: CursorState | undefined, b: CursorState | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.updated_at === b.updated_at &&
    (a.ids_at_cursor?.length ?? 0) === (b.ids_at_cursor?.length ?? 0);
}

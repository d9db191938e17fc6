/**
 * Rows changing while the sandbox runs. A change moves a row's `updatedAt` forward; the
 * generated data stays as it is and a small overlay remembers the new times, so a resource of
 * a million rows with a few hundred changes costs a few hundred entries.
 *
 * @module
 */

/** The rows of one resource whose `updatedAt` moved, and when to. */
export class ChurnOverlay {
  /** Row index -> new `updatedAt` (ms). A Map keeps insertion order: the order of changes. */
  #moved = new Map<number, number>();
  /** The moved and deleted row indices, ascending. */
  #indices: number[] = [];
  /** Deleted row indices. */
  #deleted = new Set<number>();
  /** Rows inserted after the generated ones (their indices follow the generated rows'). */
  added = 0;

  /** How many rows moved. */
  get size(): number {
    return this.#moved.size;
  }

  /** How many rows were deleted. */
  get deletedCount(): number {
    return this.#deleted.size;
  }

  /** Whether row `index` was deleted. */
  isDeleted(index: number): boolean {
    return this.#deleted.has(index);
  }

  /** Deletes row `index` (generated, moved or inserted). */
  delete(index: number): void {
    if (this.#deleted.has(index)) return;
    if (this.#moved.has(index)) this.#moved.delete(index);
    else this.#indices.splice(firstAtLeast(this.#indices, index), 0, index);
    this.#deleted.add(index);
  }

  /** The new `updatedAt` (ms) of row `index`, or undefined if it has not moved. */
  updatedAt(index: number): number | undefined {
    return this.#moved.get(index);
  }

  /**
   * Moves row `index` to `at` (ms). Changes must come in time order (`at` at or after every
   * earlier change), so the order of changes is also the order of the new times.
   */
  move(index: number, at: number): void {
    if (this.#deleted.has(index)) return;
    if (this.#moved.has(index)) this.#moved.delete(index);
    else this.#indices.splice(firstAtLeast(this.#indices, index), 0, index);
    this.#moved.set(index, at);
  }

  /** Moved rows as [index, updatedAt], oldest change first. */
  inChangeOrder(): IterableIterator<[number, number]> {
    return this.#moved.entries();
  }

  /** Moved and deleted row indices, ascending. */
  indices(): readonly number[] {
    return this.#indices;
  }

  /** How many moved or deleted rows have an index in [from, to). */
  countBetween(from: number, to: number): number {
    return Math.max(0, firstAtLeast(this.#indices, to) - firstAtLeast(this.#indices, from));
  }

  /**
   * The `n`-th (0-based) index in [from, to) that has not moved. The caller makes sure there
   * are more than `n`.
   */
  nthUnmoved(from: number, n: number): number {
    // Each moved index at or before the candidate pushes it one further; repeat until stable.
    const before = firstAtLeast(this.#indices, from);
    let candidate = from + n;
    for (;;) {
      const next = from + n + (firstAtLeast(this.#indices, candidate + 1) - before);
      if (next === candidate) return candidate;
      candidate = next;
    }
  }
}

/** The first position in sorted `values` whose value is at least `value` (binary search). */
function firstAtLeast(values: readonly number[], value: number): number {
  return firstWhere(values.length, (i) => values[i] >= value);
}

/** The first i in [0, n) for which `ok(i)` holds, given `ok` is false then true; else n. */
export function firstWhere(n: number, ok: (i: number) => boolean): number {
  let low = 0;
  let high = n;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (ok(middle)) high = middle;
    else low = middle + 1;
  }
  return low;
}

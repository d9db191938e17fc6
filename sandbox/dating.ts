/**
 * Rows a window on `updatedAt` cannot see, and a server that ignores `$sort`: switches that make
 * the sandbox behave like Humaans-like servers the connector must still read completely.
 *
 * - `nullUpdatedAt`: a fraction of rows has `updatedAt` null (even rows of the fraction) or no
 *   `updatedAt` at all (odd ones);
 * - `futureUpdatedAt`: a fraction of rows has `updatedAt` 1 to 30 days after the sandbox's now
 *   (clock skew, bad data);
 * - `sortIgnored`: filters are honoured but `$sort` is not; rows come in `id` order.
 *
 * Rows are picked by a hash of (seed, path, index), so the same seed picks the same rows. A row
 * that changes while the sandbox runs gets a real `updatedAt` again.
 *
 * @module
 */
import { hash, type Row } from "./data.ts";
import type { ListQuery } from "./query.ts";

/** Options of {@linkcode datedRow}. */
export interface Dating {
  /** Fraction (0..1) of rows with `updatedAt` null or absent. */
  nullUpdatedAt?: number;
  /** Fraction (0..1) of rows with `updatedAt` in the future. */
  futureUpdatedAt?: number;
}

const DAY = 86_400_000;

/** Whether any switch changes rows' `updatedAt` (the sandbox then scans instead of searching). */
export function changesDates(dating: Dating): boolean {
  return (dating.nullUpdatedAt ?? 0) > 0 || (dating.futureUpdatedAt ?? 0) > 0;
}

/** Row `index` of `path` as the switches serve it: undated, dated in the future, or as it is. */
export function datedRow(
  row: Row,
  where: { path: string; index: number; seed: number; now: number },
  dating: Dating,
): Row {
  if (!("updatedAt" in row)) return row;
  const draw = hash(`${where.path}~${where.index}`, where.seed) / 4294967296;
  const nulls = dating.nullUpdatedAt ?? 0;
  if (draw < nulls) {
    if (where.index % 2 === 0) return { ...row, updatedAt: null };
    const { updatedAt: _, ...rest } = row;
    return rest;
  }
  if (draw < nulls + (dating.futureUpdatedAt ?? 0)) {
    const days = 1 + Math.floor(((draw * 7919) % 1) * 30);
    return { ...row, updatedAt: new Date(where.now + days * DAY).toISOString() };
  }
  return row;
}

/** The query as a server that ignores `$sort` answers it: in `id` order, filters kept. */
export function ignoringSort(query: ListQuery): ListQuery {
  return { ...query, sort: [["id", 1]] };
}

/** Checks the fractions; throws a message naming the option. */
export function checkDating(dating: Dating): void {
  const fractions = {
    nullUpdatedAt: dating.nullUpdatedAt,
    futureUpdatedAt: dating.futureUpdatedAt,
  };
  for (const [name, value] of Object.entries(fractions)) {
    if (value !== undefined && !(value >= 0 && value <= 1)) {
      throw new Error(`Sandbox ${name} must be a fraction from 0 to 1, got ${value}`);
    }
  }
  if ((dating.nullUpdatedAt ?? 0) + (dating.futureUpdatedAt ?? 0) > 1) {
    throw new Error("Sandbox nullUpdatedAt and futureUpdatedAt must add up to at most 1");
  }
}

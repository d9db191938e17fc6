/**
 * One page of a list: which rows a query selects, in what order, from `$skip` for `$limit`.
 *
 * Generated resources are never materialised when the query only filters and sorts on
 * `updatedAt` (what an incremental sync sends): their base `updatedAt` grows with the row index,
 * so the matching rows form an index range found by binary search, and the few rows that
 * changed while the sandbox ran (see `churn.ts`) are handled apart. Any other query reads the
 * whole resource, which is fine for the small ones.
 *
 * @module
 */
import type { Row } from "./data.ts";
import { ChurnOverlay, firstWhere } from "./churn.ts";
import { type Filter, type ListQuery, matches, passes, sortRows } from "./query.ts";

/** The rows a list reads from. */
export interface ListSource {
  /** How many rows there are. */
  count: number;
  /** Row `index` as served now (with its changed `updatedAt`, if it changed). */
  row(index: number): Row;
  /**
   * The generated `updatedAt` of row `index`, if rows are generated with `updatedAt` never
   * decreasing in the index and every changed row later than all of them (enables the fast path).
   */
  baseUpdatedAt?: (index: number) => string;
  /** Rows that changed while the sandbox ran. */
  churn?: ChurnOverlay;
  /**
   * Where a list read in full keeps the order of the rows a query selects (under a key naming the
   * path), for the next page of the same query: the sandbox clears it whenever a row changes.
   */
  orders?: Map<string, number[]>;
}

/** The selected rows' count and one page of them. */
export interface Page {
  total: number;
  data: Row[];
}

const FIELD = "updatedAt";

/** The page of `source` that `query` asks for. */
export function listPage(source: ListSource, query: ListQuery): Page {
  const { filters, sort } = query;
  const fast = source.baseUpdatedAt !== undefined &&
    filters.every((f) =>
      f.field === FIELD && f.op !== "$ne" && f.op !== "$in" && f.op !== "$nin"
    ) &&
    (sort.length === 0 || (sort[0][0] === FIELD &&
      (sort.length === 1 || (sort.length === 2 && sort[1][0] === "id"))));
  if (!fast) return scannedPage(source, query);
  if (sort.length < 2) return updatedAtPage(source, query);
  return tiesById(source, query);
}

/**
 * A page sorted by `updatedAt` then `id`: the page in `updatedAt` order, widened to whole runs
 * of rows tied on `updatedAt` at its ends, each run sorted by id, then cut to the page again.
 */
function tiesById(source: ListSource, query: ListQuery): Page {
  const at = (n: number) => updatedAtPage(source, { ...query, skip: n, limit: 1 }).data[0];
  const first = updatedAtPage(source, query);
  if (first.data.length === 0) return first;
  let start = query.skip;
  const head = first.data[0][FIELD];
  while (start > 0 && at(start - 1)?.[FIELD] === head) start--;
  let end = query.skip + first.data.length;
  const tail = first.data.at(-1)![FIELD];
  while (end < first.total && at(end)?.[FIELD] === tail) end++;
  if (start === query.skip && end === query.skip + first.data.length) {
    // No run of ties crosses the page's ends: its own rows, sorted, are the page.
    return { total: first.total, data: sortRows(first.data, query.sort) };
  }
  const wide = updatedAtPage(source, { ...query, skip: start, limit: end - start }).data;
  sortRows(wide, query.sort);
  const from = query.skip - start;
  return { total: first.total, data: wide.slice(from, from + query.limit) };
}

/** Reads every row, then filters, sorts and slices (the order kept for the next page). */
function scannedPage(source: ListSource, query: ListQuery): Page {
  const order = selectedOrder(source, query);
  const page = order.slice(query.skip, query.skip + query.limit);
  return { total: order.length, data: page.map((index) => source.row(index)) };
}

/** The indices of the rows `query` selects, in its order. */
function selectedOrder(source: ListSource, query: ListQuery): number[] {
  const key = JSON.stringify([query.filters, query.sort]);
  const kept = source.orders?.get(key);
  if (kept) return kept;
  const selected: Row[] = [];
  const indexOf = new Map<Row, number>();
  for (let i = 0; i < source.count + (source.churn?.added ?? 0); i++) {
    if (source.churn?.isDeleted(i)) continue;
    const row = source.row(i);
    if (matches(row, query.filters)) selected.push(row), indexOf.set(row, i);
  }
  sortRows(selected, query.sort);
  const order = selected.map((row) => indexOf.get(row)!);
  source.orders?.clear(); // one query's order at a time
  source.orders?.set(key, order);
  return order;
}

/**
 * A page of a generated resource under filters on `updatedAt` only, in index order or
 * `updatedAt` order, without reading rows outside the page.
 */
function updatedAtPage(source: ListSource, query: ListQuery): Page {
  const baseUpdatedAt = source.baseUpdatedAt!;
  const churn = source.churn ?? new ChurnOverlay();
  const allPass = (filters: Filter[], value: string) => filters.every((f) => passes(value, f));
  // Lower bounds hold from some index on, upper bounds up to some index: unchanged rows that
  // match are those in [low, high) that have not moved.
  const lower = query.filters.filter((f) => f.op === "$gte" || f.op === "$gt" || f.op === "$eq");
  const upper = query.filters.filter((f) => f.op === "$lte" || f.op === "$lt" || f.op === "$eq");
  const asLower = lower.map((f): Filter => f.op === "$eq" ? { ...f, op: "$gte" } : f);
  const asUpper = upper.map((f): Filter => f.op === "$eq" ? { ...f, op: "$lte" } : f);
  const low = firstWhere(source.count, (i) => allPass(asLower, baseUpdatedAt(i)));
  const high = Math.max(low, firstWhere(source.count, (i) => !allPass(asUpper, baseUpdatedAt(i))));
  const unmoved = high - low - churn.countBetween(low, high);
  // Changed rows that match, in change order (which is also `updatedAt` order).
  const moved = [...churn.inChangeOrder()]
    .filter(([, at]) => allPass(query.filters, new Date(at).toISOString()))
    .map(([index]) => index);

  const total = unmoved + moved.length;
  const sorted = query.sort.length > 0;
  // Index order: the unmoved range with the matching moved rows merged in by index.
  const movedByIndex = sorted ? [] : moved.toSorted((a, b) => a - b);
  const movedPositions = movedByIndex.map((index, k) => {
    const end = Math.min(Math.max(index, low), high);
    return k + (end - low - churn.countBetween(low, end));
  });
  const indexAt = (n: number): number => {
    if (sorted) return n < unmoved ? churn.nthUnmoved(low, n) : moved[n - unmoved];
    const k = firstWhere(movedPositions.length, (i) => movedPositions[i] >= n);
    if (movedPositions[k] === n) return movedByIndex[k];
    return churn.nthUnmoved(low, n - k);
  };
  const descending = sorted && query.sort[0][1] === -1;
  const data: Row[] = [];
  for (let n = query.skip; n < Math.min(total, query.skip + query.limit); n++) {
    data.push(source.row(indexAt(descending ? total - 1 - n : n)));
  }
  return { total, data };
}

/**
 * Feathers-style list queries as the Humaans API takes them: `$limit`, `$skip`,
 * `$sort[field]=1|-1`, equality filters `field=value` and bracket filters
 * `field[$gte|$gt|$lte|$lt|$ne]=value`, `field[$in][]=a`, `field[$nin][]=a`, and the field
 * selection `$select[]=field` (the server answers with those fields and the id).
 *
 * @module
 */
import type { Row } from "./data.ts";

/** A comparison a filter makes. */
export type Operator = "$eq" | "$ne" | "$gte" | "$gt" | "$lte" | "$lt" | "$in" | "$nin";

/** One filter on a top-level field. */
export interface Filter {
  field: string;
  op: Operator;
  /** One value, or the list for `$in` / `$nin`. */
  value: string | string[];
}

/** A parsed list query. */
export interface ListQuery {
  limit: number;
  skip: number;
  /** Sort keys in order: field and direction. */
  sort: [field: string, direction: 1 | -1][];
  filters: Filter[];
  /** The first bracket filter or `$sort` parameter, if any (what "reject" mode refuses). */
  advanced?: string;
  /** The fields `$select[]` asks for, if any. */
  select?: string[];
}

/** A query the API would answer with 400 BadRequest. */
export class QueryError extends Error {}

/** Page size when `$limit` is absent. */
export const DEFAULT_LIMIT = 100;
/** The largest page the API serves; a larger `$limit` is capped silently. */
export const MAX_LIMIT = 250;

const RANGE_OPERATORS = new Set(["$ne", "$gte", "$gt", "$lte", "$lt"]);
const LIST_OPERATORS = new Set(["$in", "$nin"]);

function nonNegativeInteger(key: string, value: string): number {
  if (!/^\d+$/.test(value)) {
    throw new QueryError(
      `Invalid query parameter ${key}: "${value}" is not a non-negative integer`,
    );
  }
  return Number(value);
}

/** Parses a list query; throws {@linkcode QueryError} for what the API rejects. */
export function parseListQuery(params: URLSearchParams): ListQuery {
  const query: ListQuery = { limit: DEFAULT_LIMIT, skip: 0, sort: [], filters: [] };
  const lists = new Map<string, Filter & { value: string[] }>();
  for (const [key, value] of params) {
    if (key === "$limit") {
      query.limit = Math.min(MAX_LIMIT, nonNegativeInteger(key, value));
      continue;
    }
    if (key === "$skip") {
      query.skip = nonNegativeInteger(key, value);
      continue;
    }
    const sort = key.match(/^\$sort\[([\w.]+)\]$/);
    if (sort) {
      if (value !== "1" && value !== "-1") {
        throw new QueryError(`Invalid query parameter ${key}: sort direction must be 1 or -1`);
      }
      query.sort.push([sort[1], value === "1" ? 1 : -1]);
      query.advanced ??= key;
      continue;
    }
    const bracket = key.match(/^(\w+)\[(\$\w+)\](\[\d*\])?$/);
    if (bracket) {
      const [, field, op, listSuffix] = bracket;
      query.advanced ??= key;
      if (LIST_OPERATORS.has(op)) {
        const list = lists.get(`${field}${op}`) ?? { field, op: op as Operator, value: [] };
        list.value.push(value);
        lists.set(`${field}${op}`, list);
      } else if (RANGE_OPERATORS.has(op) && listSuffix === undefined) {
        query.filters.push({ field, op: op as Operator, value });
      } else {
        throw new QueryError(`Invalid query parameter ${key}: unsupported operator ${op}`);
      }
      continue;
    }
    if (/^\$select(\[\d*\])?$/.test(key)) {
      (query.select ??= []).push(value);
      continue;
    }
    // Other `$` parameters ($asOf, ...) change nothing here.
    if (key.startsWith("$")) continue;
    if (!/^\w+$/.test(key)) throw new QueryError(`Invalid query parameter ${key}`);
    query.filters.push({ field: key, op: "$eq", value });
  }
  query.filters.push(...lists.values());
  return query;
}

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T/;

/**
 * Compares a row's value with a query value: numbers as numbers, timestamps as instants (so
 * `...T08:00:00Z` equals `...T08:00:00.000Z`), booleans and everything else as strings; null and
 * missing values sort first.
 */
export function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "string" && typeof b === "string" && TIMESTAMP.test(a) && TIMESTAMP.test(b)) {
    const difference = Date.parse(a) - Date.parse(b);
    if (!Number.isNaN(difference)) return difference;
  }
  const [x, y] = [String(a), String(b)];
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A query string value read as the type of the row's value it is compared with. */
function coerce(sample: unknown, value: string): unknown {
  if (value === "null") return null;
  if (typeof sample === "number" && value.trim() !== "" && !Number.isNaN(Number(value))) {
    return Number(value);
  }
  if (typeof sample === "boolean") return value === "true";
  return value;
}

/** Whether a row's value passes one filter. */
export function passes(actual: unknown, filter: Filter): boolean {
  if (filter.op === "$in" || filter.op === "$nin") {
    const found = (filter.value as string[]).some((v) =>
      compareValues(actual, coerce(actual, v)) === 0
    );
    return filter.op === "$in" ? found : !found;
  }
  const expected = coerce(actual, filter.value as string);
  const order = compareValues(actual, expected);
  if (filter.op === "$eq") return order === 0;
  if (filter.op === "$ne") return order !== 0;
  // Ranges never match a missing value, as in SQL.
  if (actual === null || actual === undefined || expected === null) return false;
  if (filter.op === "$gte") return order >= 0;
  if (filter.op === "$gt") return order > 0;
  if (filter.op === "$lte") return order <= 0;
  return order < 0;
}

/** Whether a row passes every filter. */
export function matches(row: Row, filters: readonly Filter[]): boolean {
  return filters.every((filter) => passes(row[filter.field], filter));
}

/** The row with only the `select`ed fields and its `id`, as Feathers' `$select` answers. */
export function selectFields(row: Row, select: readonly string[]): Row {
  const out: Row = { id: row.id };
  for (const field of select) if (field in row) out[field] = row[field];
  return out;
}

/** Sorts rows in place by the sort keys (stable: ties keep their order) and returns them. */
export function sortRows(rows: Row[], sort: ListQuery["sort"]): Row[] {
  if (sort.length === 0) return rows;
  return rows.sort((a, b) => {
    for (const [field, direction] of sort) {
      const order = compareValues(a[field], b[field]);
      if (order !== 0) return order * direction;
    }
    return 0;
  });
}

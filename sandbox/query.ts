/**
 * Feathers-style list queries: `$limit`, `$skip`, `$sort[field]=1|-1` and filters
 * (`field=value`, `field[$gte|$gt|$lte|$lt|$ne]=value`, `field[$in][]=a`).
 *
 * @module
 */
import type { Row } from "./data.ts";

/** One filter on a top-level field. */
export interface Filter {
  field: string;
  op: "$eq" | "$gte" | "$gt" | "$lte" | "$lt" | "$ne" | "$in";
  value: string | string[];
}

/** A parsed list query. */
export interface ListQuery {
  limit: number;
  skip: number;
  sort: [string, 1 | -1][];
  filters: Filter[];
  /** Whether the query has bracket filters or a sort (what "reject" mode refuses). */
  advanced: boolean;
  /** The first bracket parameter, for error messages. */
  firstAdvanced?: string;
}

/** The largest page the API serves. */
export const MAX_LIMIT = 250;

/** Parses a list query; throws a message for a 400 on bad `$limit` or `$skip`. */
export function parseListQuery(params: URLSearchParams): ListQuery {
  const query: ListQuery = { limit: 100, skip: 0, sort: [], filters: [], advanced: false };
  const ins = new Map<string, string[]>();
  for (const [key, value] of params) {
    if (key === "$limit" || key === "$skip") {
      if (!/^\d+$/.test(value)) throw `Invalid ${key} value "${value}"`;
      if (key === "$limit") query.limit = Math.min(MAX_LIMIT, Number(value));
      else query.skip = Number(value);
      continue;
    }
    const sort = key.match(/^\$sort\[(\w+)\]$/);
    if (sort) {
      query.sort.push([sort[1], value === "-1" ? -1 : 1]);
      query.advanced = true;
      query.firstAdvanced ??= key;
      continue;
    }
    const bracket = key.match(/^(\w+)\[(\$\w+)\](\[\])?$/);
    if (bracket) {
      query.advanced = true;
      query.firstAdvanced ??= key;
      const [, field, op] = bracket;
      if (op === "$in") ins.set(field, [...(ins.get(field) ?? []), value]);
      else if (["$gte", "$gt", "$lte", "$lt", "$ne"].includes(op)) {
        query.filters.push({ field, op: op as Filter["op"], value });
      } else throw `Invalid query operator ${op}`;
      continue;
    }
    if (key.startsWith("$")) continue;
    query.filters.push({ field: key, op: "$eq", value });
  }
  for (const [field, values] of ins) query.filters.push({ field, op: "$in", value: values });
  return query;
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a) < String(b) ? -1 : 1;
}

function coerce(sample: unknown, value: string): unknown {
  if (typeof sample === "number") return Number(value);
  if (typeof sample === "boolean") return value === "true";
  if (value === "null") return null;
  return value;
}

/** Whether a row passes every filter. */
export function matches(row: Row, filters: Filter[]): boolean {
  return filters.every((filter) => {
    const actual = row[filter.field];
    if (filter.op === "$in") {
      return (filter.value as string[]).some((v) => compare(actual, coerce(actual, v)) === 0);
    }
    const c = compare(actual, coerce(actual, filter.value as string));
    switch (filter.op) {
      case "$eq":
        return c === 0;
      case "$ne":
        return c !== 0;
      case "$gte":
        return actual !== null && actual !== undefined && c >= 0;
      case "$gt":
        return actual !== null && actual !== undefined && c > 0;
      case "$lte":
        return actual !== null && actual !== undefined && c <= 0;
      case "$lt":
        return actual !== null && actual !== undefined && c < 0;
    }
  });
}

/** Sorts rows in place by the query's sort keys (stable). */
export function sortRows(rows: Row[], sort: [string, 1 | -1][]): Row[] {
  if (sort.length === 0) return rows;
  return rows.sort((a, b) => {
    for (const [field, direction] of sort) {
      const c = compare(a[field], b[field]);
      if (c !== 0) return c * direction;
    }
    return 0;
  });
}

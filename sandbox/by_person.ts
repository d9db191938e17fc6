/**
 * A list filtered by `personId[$in]` on a generated per-person resource, without reading the
 * whole resource: a person's rows are consecutive indices, found from their id. What keeps the
 * batched re-reads of `people_custom_fields` cheap to serve at ten thousand people, as an index
 * keeps them for a database.
 *
 * @module
 */
import { type DataOptions, indexOfId, type Row } from "./data.ts";
import type { ChurnOverlay } from "./churn.ts";
import type { ListSource } from "./listing.ts";
import type { ListQuery } from "./query.ts";
import { RESOURCES } from "./resources.ts";

const FIELD = "personId";

/** Row indices of `people` (0-based) in a resource with `cycle` rows a person, in order. */
export function indicesOfPeople(cycle: readonly number[], people: readonly number[]): number[] {
  const perCycle = cycle.reduce((a, b) => a + b, 0);
  const indices: number[] = [];
  for (const person of [...new Set(people)].sort((a, b) => a - b)) {
    const within = person % cycle.length;
    let start = Math.floor(person / cycle.length) * perCycle;
    for (let i = 0; i < within; i++) start += cycle[i];
    for (let n = 0; n < cycle[within]; n++) indices.push(start + n);
  }
  return indices;
}

/**
 * The source and query of a `personId[$in]` list of a generated per-person resource: only those
 * people's rows (deleted ones left out, inserted ones that copy theirs added), the filter taken
 * out; undefined for any other query, which is served as before.
 */
export function byPerson(
  path: string,
  options: {
    query: ListQuery;
    data: DataOptions;
    count: number;
    churn?: ChurnOverlay;
    row: (index: number) => Row;
  },
): { source: ListSource; query: ListQuery } | undefined {
  const { query, data, count, churn, row } = options;
  const shape = RESOURCES[path]?.shape;
  const filter = query.filters.find((f) => f.field === FIELD && f.op === "$in");
  if (!shape || !("perPerson" in shape) || !filter || !Array.isArray(filter.value)) return;
  const wanted = new Set(filter.value);
  const people = filter.value.map((id) => indexOfId("/people", id, data))
    .filter((p): p is number => p !== undefined && p < data.people);
  const indices = indicesOfPeople(shape.perPerson, people).filter((i) => i < count);
  // Rows inserted while the sandbox runs copy a generated row: few, so they are checked one by one.
  for (let i = count; i < count + (churn?.added ?? 0); i++) {
    if (wanted.has(row(i)[FIELD] as string)) indices.push(i);
  }
  const live = indices.filter((i) => !churn?.isDeleted(i));
  return {
    source: { count: live.length, row: (i) => row(live[i]) },
    query: { ...query, filters: query.filters.filter((f) => f !== filter) },
  };
}

/**
 * Ways a Humaans-like server can page badly, for testing a client against them: pages after the
 * first shorter than `$limit` (the envelope's `limit` unchanged), a `total` that lies, and
 * `$skip` ignored. Each is a separate switch of {@linkcode startSandbox}'s options.
 *
 * @module
 */
import type { Row } from "./data.ts";
import type { ListQuery } from "./query.ts";

/**
 * Pages after the first serve fewer rows than `$limit`: a fraction of it (0 to 1, at least one
 * row), or a seeded random number of rows from one to `$limit`. A page is "after the first" when
 * its query has `$skip` above 0 (offset paging) or a lower bound on a field (`[$gte]`/`[$gt]`,
 * keyset paging).
 */
export type ShortPages = number | "random";

/** A `total` that lies: "smaller" than the rows served (a third of them), or a fixed number. */
export type LyingTotal = "smaller" | number;

/** Options of {@linkcode PagingDeviations}. */
export interface PagingDeviationOptions {
  shortPages?: ShortPages;
  lyingTotal?: LyingTotal;
  /** Serve the first page whatever `$skip` asks for. */
  skipIgnored?: boolean;
}

/** Checks the paging deviation options; throws a message naming the bad one. */
export function checkPagingDeviations(options: PagingDeviationOptions): void {
  const { shortPages, lyingTotal } = options;
  if (shortPages !== undefined && shortPages !== "random" && !(shortPages > 0 && shortPages <= 1)) {
    throw new Error(
      `Sandbox shortPages must be a fraction above 0 and at most 1, or "random", got ${shortPages}`,
    );
  }
  if (
    lyingTotal !== undefined && lyingTotal !== "smaller" &&
    !(Number.isSafeInteger(lyingTotal) && lyingTotal >= 0)
  ) {
    throw new Error(
      `Sandbox lyingTotal must be "smaller" or a whole number of rows, got ${lyingTotal}`,
    );
  }
}

/** Applies the paging deviations to a list query and to the page it selected. */
export class PagingDeviations {
  constructor(
    readonly options: PagingDeviationOptions,
    readonly random: () => number,
  ) {}

  /** Whether any deviation is on. */
  get active(): boolean {
    const { shortPages, lyingTotal, skipIgnored } = this.options;
    return shortPages !== undefined || lyingTotal !== undefined || skipIgnored === true;
  }

  /** The query the rows are selected with: `$skip` dropped when it is ignored. */
  query(query: ListQuery): ListQuery {
    return this.options.skipIgnored ? { ...query, skip: 0 } : query;
  }

  /** The page served: shortened and with a lying total, as switched on. */
  page(page: { total: number; data: Row[] }, query: ListQuery): { total: number; data: Row[] } {
    let data = page.data;
    const short = this.options.shortPages;
    const later = query.skip > 0 ||
      query.filters.some((f) => f.op === "$gte" || f.op === "$gt");
    if (short !== undefined && later && query.limit > 0) {
      const fraction = short === "random" ? this.random() : short;
      data = data.slice(0, Math.max(1, Math.floor(query.limit * fraction)));
    }
    const lie = this.options.lyingTotal;
    const total = lie === undefined
      ? page.total
      : lie === "smaller"
      ? Math.floor(page.total / 3)
      : lie;
    return { total, data };
  }
}

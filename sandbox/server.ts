/**
 * The sandbox server: a Humaans-compatible API on 127.0.0.1 serving the generated data, with
 * the real API's envelope, `$limit` cap, filters, bearer auth, scopes and Feathers-style
 * errors, plus switches for latency, a rate limit, random 500s, rows changing while a client
 * pages, and scripted faults.
 *
 * A request goes through: scripted fault? -> auth (401) -> rate limit (429) -> random 500 ->
 * route (404) -> scope (403) -> one row, or a list page; then the response waits out the rest of
 * the latency. Latency is the time from a request to its response, the server's own work
 * included, as a real API's is: the sandbox builds every response on one thread, and work
 * queued behind other requests' would otherwise add to the latency of each.
 *
 * @module
 */
import {
  dataOptions,
  idOf,
  indexOfId,
  isResource,
  isTimed,
  prng,
  type Row,
  rowAt,
  rowCount,
  updatedAtMs,
} from "./data.ts";
import { byPerson } from "./by_person.ts";
import { ChurnOverlay } from "./churn.ts";
import { changesDates, checkDating, datedRow, ignoringSort } from "./dating.ts";
import { errorResponse } from "./errors.ts";
import { echoAuthorizationResponse, type Fault, FaultQueue, faultResponse } from "./faults.ts";
import { listPage, type ListSource } from "./listing.ts";
import {
  type ListQuery,
  type Operator,
  parseListQuery,
  QueryError,
  selectFields,
} from "./query.ts";
import {
  checkPagingDeviations,
  type LyingTotal,
  PagingDeviations,
  type ShortPages,
} from "./paging_deviations.ts";
import { TokenBucket } from "./rate_limit.ts";

export type { Fault } from "./faults.ts";
export type { LyingTotal, ShortPages } from "./paging_deviations.ts";

/** Every read scope; the default token has them all. */
export const ALL_SCOPES: readonly string[] = [
  "public:read",
  "private:read",
  "documents:read",
  "compensations:read",
];

/** The default token. */
const DEFAULT_TOKEN = "sandbox-token";

/** How the server treats bracket filters (`updatedAt[$gte]`, ...) and `$sort`. */
export type FilterMode = "honour" | "ignore" | "reject";

/** Options of {@linkcode startSandbox}. */
export interface SandboxOptions {
  /** Default 0: an ephemeral port. The host is always 127.0.0.1. */
  port?: number;
  /** Same seed, same data; default 1. */
  seed?: number;
  /** How many people; default 200. */
  people?: number;
  /** Time from each request to its response (the response is built meanwhile), ms; default 0. */
  latencyMs?: number;
  /** Requests per second allowed (burst as many); more get 429 with Retry-After. Default none. */
  rateLimit?: number;
  /** Probability (0..1) that a request gets a random 500 (seeded); default 0. */
  errorRate?: number;
  /**
   * Changes made after every list request: a number of rows whose `updatedAt` moves to now, or
   * counts of rows updated, inserted (with `updatedAt` now, after every other row) and deleted.
   * Default none.
   */
  churn?: number | Changes;
  /**
   * "honour" bracket filters and `$sort`, "ignore" them (natural order, unfiltered; equality
   * filters still apply) or "reject" any query that has them with 400. Default "honour".
   */
  filters?: FilterMode;
  /** Filters honoured, `$sort` ignored: rows in `id` order (see `dating.ts`). Default false. */
  sortIgnored?: boolean;
  /** Fraction (0..1) of rows with `updatedAt` null or absent (see `dating.ts`). Default 0. */
  nullUpdatedAt?: number;
  /** Fraction (0..1) of rows with `updatedAt` 1 to 30 days in the future. Default 0. */
  futureUpdatedAt?: number;
  /** "honour" `$select[]` (rows hold only the fields asked for, and the id) or "ignore" it. Default "honour". */
  select?: "honour" | "ignore";
  /** Token -> scopes. Default `{ "sandbox-token": ALL_SCOPES }`. */
  tokens?: Record<string, readonly string[]>;
  /**
   * Token -> list paths its creator's role cannot read: 403 whatever the token's scopes (what a
   * token can read is its scopes intersected with its creator's role). Default none.
   */
  denied?: Record<string, readonly string[]>;
  /** List paths that answer 404 as if this account had no such endpoint. Default none. */
  absent?: readonly string[];
  /** Rows served instead of generated ones, by path (raw camelCase API objects). */
  data?: Record<string, Row[]>;
  /** The clock for generated timestamps and changed rows; default the system clock. */
  now?: () => Date;
  /** Waits for latency and stalls; must end early when `signal` aborts. Default a real timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Monotonic ms for the rate limiter; default `performance.now`. */
  monotonicMs?: () => number;
  /**
   * Answer 429 to every so many authorised requests whatever their pace (a limit that is not
   * about rate), e.g. 11: the 11th, 22nd, ... Default none.
   */
  every429?: number;
  /**
   * Probability (0..1) that an authorised request gets 429 whatever its pace (seeded; a limit
   * that is not about rate, at random). Default 0.
   */
  random429?: number;
  /** The Retry-After (seconds) of the `every429` and `random429` 429s; default "1". */
  every429RetryAfter?: string;
  /**
   * List pages after the first serve fewer rows than `$limit` (its `limit` field unchanged): a
   * fraction of it (at least one row), or "random" (seeded). Default off.
   */
  shortPages?: ShortPages;
  /** Lists report a wrong `total`: "smaller" (a third of it) or this number. Default off. */
  lyingTotal?: LyingTotal;
  /** Lists serve their first page whatever `$skip` says. Default off. */
  skipIgnored?: boolean;
  /**
   * Range operators the server ignores (the filter is dropped, every other one honoured), e.g.
   * `["$gt"]`: a server that knows `$gte` and `$lte` but not `$gt`. Default none.
   */
  ignoredOperators?: readonly Operator[];
}

/** Rows to change at once: updated (their `updatedAt` moves to now), inserted, deleted. */
export interface Changes {
  updates?: number;
  inserts?: number;
  deletes?: number;
}

/** A request the sandbox answered. */
export interface LoggedRequest {
  method: string;
  /** The path under /api, e.g. "/companies". */
  path: string;
  /** The query string without "?". */
  query: string;
  status: number;
  /** The raw Authorization header. */
  auth: string | null;
}

/** A running sandbox. */
export interface Sandbox {
  /** "http://127.0.0.1:PORT/api" */
  url: string;
  /** The default token: the one with the most scopes. */
  token: string;
  /** Every request answered, in order. */
  requests: LoggedRequest[];
  /** Queues faults for the next requests to `path` (e.g. "/companies"), or any path with "*". */
  inject(path: string, faults: Fault[]): void;
  /** Changes how filters and `$sort` are treated from the next request on. */
  setFilters(mode: FilterMode): void;
  /** Moves the `updatedAt` of `count` distinct rows of `path` to now; returns how many moved. */
  touch(path: string, count: number): number;
  /** Updates, inserts and deletes rows of a generated resource with `updatedAt`. */
  change(path: string, changes: Changes): void;
  /** Changes the churn made after every list request from now on (0 for none). */
  setChurn(churn: number | Changes): void;
  /** Every row of `path` as served now, in natural order (what a test compares a sync with). */
  snapshot(path: string): Row[];
  /** Stops the server, ending stalled requests. */
  close(): Promise<void>;
}

/** The scope a resource needs beyond `public:read` or `private:read`. */
const SCOPE_OF: Record<string, string> = {
  "/documents": "documents:read",
  "/identity-documents": "documents:read",
  "/compensations": "compensations:read",
  "/bank-accounts": "private:read",
};

/** The path under /api, without a trailing slash; undefined outside /api. */
function apiPath(url: URL): string | undefined {
  const match = url.pathname.match(/^\/api(\/.*)?$/);
  if (!match) return undefined;
  return (match[1] ?? "/").replace(/(.)\/+$/, "$1");
}

/** A timer that ends early (resolving) when `signal` aborts. */
function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** The token with the most scopes (the first of equals). */
function defaultToken(tokens: Record<string, readonly string[]>): string {
  const [best] = Object.entries(tokens).reduce((a, b) => b[1].length > a[1].length ? b : a);
  return best;
}

function checkOptions(options: SandboxOptions): void {
  const { errorRate = 0, latencyMs = 0, churn = 0, rateLimit } = options;
  if (!(errorRate >= 0 && errorRate <= 1)) {
    throw new Error(`Sandbox errorRate must be between 0 and 1, got ${errorRate}`);
  }
  if (!(latencyMs >= 0)) throw new Error(`Sandbox latencyMs must be 0 or more, got ${latencyMs}`);
  const counts = typeof churn === "number" ? { updates: churn } : churn;
  for (const [kind, n] of Object.entries(counts)) {
    if (!Number.isInteger(n) || n < 0) {
      throw new Error(`Sandbox churn ${kind} must be a whole number of rows, got ${n}`);
    }
  }
  if (rateLimit !== undefined && !(rateLimit > 0)) {
    throw new Error(`Sandbox rateLimit must be more than 0 requests per second, got ${rateLimit}`);
  }
  if (
    options.every429 !== undefined && !(Number.isInteger(options.every429) && options.every429 >= 1)
  ) {
    throw new Error(`Sandbox every429 must be a whole number of requests, got ${options.every429}`);
  }
  const random429 = options.random429 ?? 0;
  if (!(random429 >= 0 && random429 <= 1)) {
    throw new Error(`Sandbox random429 must be between 0 and 1, got ${random429}`);
  }
  if (options.tokens && Object.keys(options.tokens).length === 0) {
    throw new Error("Sandbox tokens must name at least one token");
  }
  checkPagingDeviations(options);
}

/**
 * The `every429` and `random429` switches: a function giving the 429 every `n`th call, or with
 * probability `p` (drawn from `random`), or undefined without either.
 */
function unrelated429(
  options: SandboxOptions,
  random: () => number,
): (() => Response | undefined) | undefined {
  const { every429: n, random429: p = 0, every429RetryAfter: retryAfter = "1" } = options;
  if (!n && !p) return undefined;
  let count = 0;
  return () => {
    const nth = n !== undefined && ++count % n === 0;
    if (!nth && !(p > 0 && random() < p)) return undefined;
    const name = nth ? "every429" : "random429";
    return errorResponse(429, `Too many requests (${name})`, { "retry-after": retryAfter });
  };
}

/** Starts a sandbox on 127.0.0.1. */
export function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  checkOptions(options);
  checkDating(options);
  const data = dataOptions(options);
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? realSleep;
  const tokens = options.tokens ?? { [DEFAULT_TOKEN]: ALL_SCOPES };
  const overrides = options.data ?? {};
  const bucket = options.rateLimit
    ? new TokenBucket(options.rateLimit, options.monotonicMs ?? (() => performance.now()))
    : undefined;
  // Separate streams, so that random 500s do not change which rows churn picks.
  const errorRandom = prng(data.seed * 7919 + 17);
  const churnRandom = prng(data.seed * 104729 + 31);
  const deviations = new PagingDeviations(options, prng(data.seed * 15485863 + 7));
  const faults = new FaultQueue();
  const every429 = unrelated429(options, prng(data.seed * 32452843 + 3));
  const churns = new Map<string, ChurnOverlay>();
  const requests: LoggedRequest[] = [];
  const closing = new AbortController();
  let filterMode: FilterMode = options.filters ?? "honour";
  let churnEach = options.churn;
  // Every change is later than all generated rows and than the change before, even when the
  // clock stands still, so changed rows sort after everything else, in the order they changed.
  let lastChange = updatedAtMs(0, 1, data.now);

  const redated = changesDates(options);
  /** The row order of the last list read in full, by path: cleared when any row changes. */
  const orders = new Map<string, Map<string, number[]>>();
  const countOf = (path: string) => overrides[path]?.length ?? rowCount(path, data);
  const isKnown = (path: string) => path in overrides || isResource(path);

  /** Row `index` of `path` as served now (indices past the generated rows were inserted). */
  function row(path: string, index: number): Row {
    const count = countOf(path);
    const changed = churns.get(path)?.updatedAt(index);
    if (index >= count) {
      // An inserted row: a copy of a generated one with a new id, created when inserted.
      const at = new Date(changed!).toISOString();
      const base = overrides[path]?.[index % count] ?? rowAt(path, index % count, data);
      return { ...base, id: idOf(path, index, data.seed), createdAt: at, updatedAt: at };
    }
    const base = overrides[path]?.[index] ?? rowAt(path, index, data);
    if (changed !== undefined) return { ...base, updatedAt: new Date(changed).toISOString() };
    return redated
      ? datedRow(base, { path, index, seed: data.seed, now: data.now }, options)
      : base;
  }

  /** The overlay of a resource whose rows may change, or undefined if they may not. */
  function overlayOf(path: string): ChurnOverlay | undefined {
    const timed = path in overrides ? overrides[path].some((r) => "updatedAt" in r) : isTimed(path);
    if (!timed || countOf(path) === 0) return undefined;
    let churn = churns.get(path);
    if (!churn) churns.set(path, churn = new ChurnOverlay());
    return churn;
  }

  /** Up to `count` distinct random rows of `path` that exist now. */
  function pick(churn: ChurnOverlay, path: string, count: number): Set<number> {
    const all = countOf(path) + churn.added;
    const live = all - churn.deletedCount;
    const picked = new Set<number>();
    while (picked.size < Math.min(count, live)) {
      const index = Math.floor(churnRandom() * all);
      if (!churn.isDeleted(index)) picked.add(index);
    }
    return picked;
  }

  function touch(path: string, count: number): number {
    const churn = overlayOf(path);
    if (!churn) return 0;
    orders.delete(path);
    const picked = pick(churn, path, count);
    for (const index of picked) {
      lastChange = Math.max(now().getTime(), lastChange + 1);
      churn.move(index, lastChange);
    }
    return picked.size;
  }

  function change(path: string, changes: Changes): void {
    const churn = overlayOf(path);
    if (!churn) return;
    orders.delete(path);
    if (changes.updates) touch(path, changes.updates);
    for (const index of pick(churn, path, changes.deletes ?? 0)) churn.delete(index);
    for (let i = 0; i < (changes.inserts ?? 0); i++) {
      lastChange = Math.max(now().getTime(), lastChange + 1);
      churn.move(countOf(path) + churn.added++, lastChange);
    }
  }

  function ordersOf(path: string): Map<string, number[]> {
    let kept = orders.get(path);
    if (!kept) orders.set(path, kept = new Map());
    return kept;
  }

  /** Generated resources whose ids are `idOf`'s (a resource's fields may set their own). */
  const plainIds = new Map<string, boolean>();

  /**
   * Whether a query selecting `select` needs rows' ids only (it filters and sorts on `id`, if at
   * all), so rows need not be generated in full: what makes a scan of ids cheap to serve, as
   * it is for a database that reads an index.
   */
  function idsOnly(path: string, query: ListQuery, select: string[]): boolean {
    if (path in overrides || !select.every((field) => field === "id")) return false;
    if (!query.filters.every((f) => f.field === "id")) return false;
    if (!query.sort.every(([field]) => field === "id")) return false;
    let plain = plainIds.get(path);
    if (plain === undefined) {
      plain = rowCount(path, data) > 0 && rowAt(path, 0, data).id === idOf(path, 0, data.seed);
      plainIds.set(path, plain);
    }
    return plain;
  }

  function list(path: string, query: ListQuery): Response {
    if (filterMode === "reject" && query.advanced) {
      return errorResponse(400, `Invalid query parameter ${query.advanced}`);
    }
    if (filterMode === "ignore") {
      query = { ...query, sort: [], filters: query.filters.filter((f) => f.op === "$eq") };
    }
    if (options.sortIgnored) query = ignoringSort(query);
    const ignored = options.ignoredOperators;
    if (ignored?.length) {
      query = { ...query, filters: query.filters.filter((f) => !ignored.includes(f.op)) };
    }
    const generated = !(path in overrides) && isTimed(path) && !redated;
    const select = options.select === "ignore" ? undefined : query.select;
    const source: ListSource = {
      count: countOf(path),
      row: select && idsOnly(path, query, select)
        ? (index) => ({ id: idOf(path, index, data.seed) })
        : (index) => row(path, index),
      baseUpdatedAt: generated
        ? (index) => new Date(updatedAtMs(index, rowCount(path, data), data.now)).toISOString()
        : undefined,
      churn: churns.get(path),
      orders: redated ? undefined : ordersOf(path),
    };
    const people = generated && !deviations.active
      ? byPerson(path, { query, data, count: source.count, churn: source.churn, row: source.row })
      : undefined;
    const page = people
      ? listPage(people.source, people.query)
      : deviations.active
      ? deviations.page(listPage(source, deviations.query(query)), query)
      : listPage(source, query);
    if (select) page.data = page.data.map((r) => selectFields(r, select));
    if (churnEach) change(path, typeof churnEach === "number" ? { updates: churnEach } : churnEach);
    return Response.json({
      total: page.total,
      limit: query.limit,
      skip: query.skip,
      data: page.data,
    });
  }

  /** One row by id: generated ids decode to their index; others are searched for. */
  function single(path: string, id: string): Response {
    const churn = churns.get(path);
    let index = path in overrides ? undefined : indexOfId(path, id, data);
    const all = countOf(path) + (churn?.added ?? 0);
    if (index === undefined && all <= 100_000) {
      for (let i = 0; i < all && index === undefined; i++) {
        if (row(path, i).id === id) index = i;
      }
    }
    // A deleted row is gone, as the API's hard deletes leave it.
    if (index !== undefined && churn?.isDeleted(index)) index = undefined;
    if (index === undefined) return errorResponse(404, `No record found for id '${id}'`);
    return Response.json(row(path, index));
  }

  async function answer(request: Request, path: string | undefined): Promise<Response> {
    const fault = faults.take(path ?? new URL(request.url).pathname);
    if (fault?.echoAuthorization) {
      return echoAuthorizationResponse(fault, request.headers.get("authorization"));
    }
    if (fault && !fault.pass) {
      // A stall ends when the client gives up. (Reading request.signal makes Deno print a
      // one-time notice about its legacy abort behaviour, so only stalls read it.)
      const signal = fault.stallMs
        ? AbortSignal.any([request.signal, closing.signal])
        : closing.signal;
      return await faultResponse(fault, sleep, signal);
    }
    const bearer = request.headers.get("authorization")?.match(/^Bearer (.+)$/)?.[1];
    const scopes = bearer === undefined ? undefined : tokens[bearer];
    if (!scopes) return errorResponse(401, "Invalid authentication information");
    const nth = every429?.();
    if (nth) return nth;
    const wait = bucket?.take();
    if (wait !== undefined) {
      return errorResponse(429, "Rate limit exceeded", { "retry-after": String(wait) });
    }
    // Started before the response is built, awaited after: building it is part of the latency.
    const latency = options.latencyMs ? sleep(options.latencyMs, closing.signal) : undefined;
    const response = respond(request, path, bearer!, scopes);
    if (latency) await latency;
    return response;
  }

  /** The answer to an authorised request within the rate limit. */
  function respond(
    request: Request,
    path: string | undefined,
    bearer: string,
    scopes: readonly string[],
  ): Response {
    if (options.errorRate && errorRandom() < options.errorRate) {
      return errorResponse(500, "Internal server error (random sandbox fault)");
    }
    if (path === undefined) {
      return errorResponse(404, `Page not found: ${new URL(request.url).pathname}`);
    }
    if (request.method !== "GET") {
      return errorResponse(
        405,
        `Method ${request.method} is not allowed: the sandbox is read-only`,
      );
    }
    const readsAny = scopes.includes("public:read") || scopes.includes("private:read");
    if (path === "/token-info") {
      const tokenIndex = Object.keys(tokens).indexOf(bearer!);
      return Response.json({
        id: idOf("/tokens", tokenIndex, data.seed),
        personId: idOf("/people", 0, data.seed),
        label: `Sandbox token ${tokenIndex + 1}`,
        scopes,
      });
    }
    const [, resource, id] = path.match(/^(\/[\w-]+)(?:\/([^/]+))?$/) ?? [];
    if (resource === "/me" && id === undefined) {
      if (!readsAny) return errorResponse(403, "Missing scope public:read");
      return Response.json(rowAt("/people", 0, { ...data, people: Math.max(1, data.people) }));
    }
    if (!resource || !isKnown(resource) || options.absent?.includes(resource)) {
      return errorResponse(404, `Page not found: ${path}`);
    }
    if (options.denied?.[bearer]?.includes(resource)) {
      return errorResponse(403, "You do not have permission to perform this action");
    }
    const needed = SCOPE_OF[resource];
    if (needed ? !scopes.includes(needed) : !readsAny) {
      return errorResponse(403, `Missing scope ${needed ?? "public:read"}`);
    }
    if (id !== undefined) return single(resource, decodeURIComponent(id));
    let query: ListQuery;
    try {
      query = parseListQuery(new URL(request.url).searchParams);
    } catch (error) {
      if (error instanceof QueryError) return errorResponse(400, error.message);
      throw error;
    }
    return list(resource, query);
  }

  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: options.port ?? 0,
    onListen: () => {},
    onError: (error) => errorResponse(500, `Sandbox error: ${error}`),
  }, async (request) => {
    const url = new URL(request.url);
    const path = apiPath(url);
    const response = await answer(request, path);
    requests.push({
      method: request.method,
      path: path ?? url.pathname,
      query: url.search.slice(1),
      status: response.status,
      auth: request.headers.get("authorization"),
    });
    return response;
  });

  return Promise.resolve({
    url: `http://127.0.0.1:${server.addr.port}/api`,
    token: defaultToken(tokens),
    requests,
    inject: (path, list) => faults.add(path, list),
    setFilters(mode) {
      filterMode = mode;
    },
    touch,
    change,
    setChurn(churn) {
      churnEach = churn;
    },
    snapshot(path) {
      const source: ListSource = {
        count: countOf(path),
        row: (i) => row(path, i),
        churn: churns.get(path),
      };
      const all = { limit: Number.MAX_SAFE_INTEGER, skip: 0, sort: [], filters: [] };
      return listPage(source, all).data;
    },
    async close() {
      closing.abort();
      await server.shutdown();
    },
  });
}

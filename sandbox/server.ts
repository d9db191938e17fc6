/**
 * The sandbox: a Humaans-compatible API on 127.0.0.1 serving deterministic data, with the real
 * API's envelope, `$limit` cap, filters, bearer auth, scopes and Feathers-style errors, plus
 * switches for latency, rate limits, random 5xx, rows changing under a sync, and scripted faults.
 *
 * @module
 */
import {
  type DataOptions,
  idOf,
  isTimed,
  prng,
  RESOURCES,
  type Row,
  rowAt,
  rowCount,
  updatedAtMs,
} from "./data.ts";
import { type ListQuery, matches, parseListQuery, sortRows } from "./query.ts";

/** Every scope a full token has. */
export const ALL_SCOPES = ["public:read", "private:read", "documents:read", "compensations:read"];

/** Options of {@linkcode startSandbox}. */
export interface SandboxOptions {
  port?: number;
  seed?: number;
  people?: number;
  latencyMs?: number;
  /** Requests per second allowed; more get 429 with Retry-After. */
  rateLimit?: number;
  /** Probability (0..1) of a random 500. */
  errorRate?: number;
  /** Rows per list request whose updatedAt moves to now (rows changing while a sync runs). */
  churn?: number;
  filters?: FilterMode;
  /** Token to scopes; default one full-scope token, "sandbox-token". */
  tokens?: Record<string, string[]>;
  /** Rows served instead of generated ones, by path. */
  data?: Record<string, Row[]>;
  now?: () => Date;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** How the server treats bracket filters and `$sort`. */
export type FilterMode = "honour" | "ignore" | "reject";

/** One scripted response, used by the next matching request. */
export interface Fault {
  status?: number;
  retryAfter?: string;
  body?: string;
  contentType?: string;
  stallMs?: number;
  dropConnection?: boolean;
}

/** A request the sandbox answered. */
export interface LoggedRequest {
  method: string;
  path: string;
  query: string;
  status: number;
  auth: string | null;
}

/** A running sandbox. */
export interface Sandbox {
  url: string;
  token: string;
  requests: LoggedRequest[];
  inject(path: string, faults: Fault[]): void;
  setFilters(mode: FilterMode): void;
  /** Moves `count` rows of `path` to now (their updatedAt changes); returns how many moved. */
  touch(path: string, count: number): number;
  close(): Promise<void>;
}

const SCOPE_OF: Record<string, string> = {
  "/documents": "documents:read",
  "/identity-documents": "documents:read",
  "/compensations": "compensations:read",
  "/bank-accounts": "private:read",
};

function realSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

function feathersError(
  code: number,
  name: string,
  message: string,
  headers: HeadersInit = {},
): Response {
  return Response.json({ name, message, code, className: name.toLowerCase(), errors: {} }, {
    status: code,
    headers,
  });
}

/** Rows whose updatedAt moved while the sandbox ran, per path. */
class Churn {
  /** index -> new updatedAt (ms). */
  moved = new Map<number, number>();
  /** Moved indices, by (time, index). */
  order: number[] = [];
  /** Moved indices, ascending. */
  sorted: number[] = [];

  move(index: number, at: number): void {
    if (this.moved.has(index)) {
      this.order.splice(this.order.indexOf(index), 1);
    } else {
      const position = lowerBound(this.sorted.length, (i) => this.sorted[i] >= index);
      this.sorted.splice(position, 0, index);
    }
    this.moved.set(index, at);
    const position = lowerBound(this.order.length, (i) => {
      const other = this.order[i];
      const t = this.moved.get(other)!;
      return t > at || (t === at && other > index);
    });
    this.order.splice(position, 0, index);
  }
}

/** The first i in [0, n) where `ok(i)` holds (ok must be monotonic), else n. */
function lowerBound(n: number, ok: (i: number) => boolean): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ok(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Rows of the sandbox, for tests that need to know what it holds. */
export function sandboxRows(
  path: string,
  options: Pick<SandboxOptions, "seed" | "people" | "now"> = {},
): Iterable<Row> {
  const data: DataOptions = {
    seed: options.seed ?? 1,
    people: options.people ?? 200,
    now: (options.now?.() ?? new Date()).getTime(),
  };
  const count = rowCount(path, data);
  return {
    *[Symbol.iterator]() {
      for (let i = 0; i < count; i++) yield rowAt(path, i, data);
    },
  };
}

/** Starts a sandbox on 127.0.0.1. */
export function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? realSleep;
  const data: DataOptions = {
    seed: options.seed ?? 1,
    people: options.people ?? 200,
    now: now().getTime(),
  };
  const tokens = options.tokens ?? { "sandbox-token": ALL_SCOPES };
  const token = Object.entries(tokens).find(([, scopes]) => scopes.includes("public:read"))?.[0] ??
    Object.keys(tokens)[0];
  const random = prng(data.seed * 7919 + 17);
  const faults = new Map<string, Fault[]>();
  const churns = new Map<string, Churn>();
  const requests: LoggedRequest[] = [];
  let filterMode: FilterMode = options.filters ?? "honour";
  let bucket = options.rateLimit ?? Infinity;
  let bucketAt = performance.now();

  const churnOf = (path: string) => {
    let churn = churns.get(path);
    if (!churn) churns.set(path, churn = new Churn());
    return churn;
  };
  const touch = (path: string, count: number): number => {
    const total = rowCount(path, data);
    if (!isTimed(path) || total === 0 || options.data?.[path]) return 0;
    const at = Math.floor(now().getTime() / 1000) * 1000;
    for (let i = 0; i < count; i++) churnOf(path).move(Math.floor(random() * total), at);
    return count;
  };
  const row = (path: string, index: number): Row => {
    const base = rowAt(path, index, data);
    const moved = churns.get(path)?.moved.get(index);
    return moved === undefined ? base : { ...base, updatedAt: new Date(moved).toISOString() };
  };

  function takeFault(path: string): Fault | undefined {
    for (const key of [path, "*"]) {
      const queue = faults.get(key);
      if (queue?.length) return queue.shift();
    }
    return undefined;
  }

  function rateLimited(): Response | undefined {
    const rate = options.rateLimit;
    if (!rate) return undefined;
    const t = performance.now();
    bucket = Math.min(rate, bucket + ((t - bucketAt) / 1000) * rate);
    bucketAt = t;
    if (bucket >= 1) {
      bucket -= 1;
      return undefined;
    }
    const wait = Math.max(1, Math.ceil((1 - bucket) / rate));
    return feathersError(429, "TooManyRequests", "Rate limit exceeded", {
      "retry-after": String(wait),
    });
  }

  function list(path: string, query: ListQuery): Response {
    const overridden = options.data?.[path];
    const honour = filterMode === "honour";
    if (!honour && filterMode === "reject" && query.advanced) {
      return feathersError(400, "BadRequest", `Invalid query parameter ${query.firstAdvanced}`);
    }
    const filters = honour ? query.filters : query.filters.filter((f) => f.op === "$eq");
    const sort = honour ? query.sort : [];
    let page: Row[];
    let total: number;
    const cursorOnly = filters.every((f) =>
      f.field === "updatedAt" && (f.op === "$gte" || f.op === "$gt")
    );
    const sortable = sort.length === 0 ||
      (sort.length === 1 && sort[0][0] === "updatedAt" && sort[0][1] === 1);
    if (
      !overridden && isTimed(path) && cursorOnly && sortable &&
      (sort.length > 0 || filters.length === 0)
    ) {
      [page, total] = fastPage(
        path,
        query,
        filters.length ? filters[0] : undefined,
        sort.length > 0,
      );
    } else {
      const count = overridden ? overridden.length : rowCount(path, data);
      const all: Row[] = [];
      for (let i = 0; i < count; i++) {
        const r = overridden ? overridden[i] : row(path, i);
        if (matches(r, filters)) all.push(r);
      }
      sortRows(all, sort);
      total = all.length;
      page = all.slice(query.skip, query.skip + query.limit);
    }
    if (options.churn) touch(path, options.churn);
    return Response.json({ total, limit: query.limit, skip: query.skip, data: page });
  }

  /** A page in updatedAt order (or index order), without materialising the resource. */
  function fastPage(
    path: string,
    query: ListQuery,
    filter: { op: string; value: string | string[] } | undefined,
    sorted: boolean,
  ): [Row[], number] {
    const count = rowCount(path, data);
    const churn = churns.get(path) ?? new Churn();
    if (!sorted) {
      const page: Row[] = [];
      for (let i = query.skip; i < Math.min(count, query.skip + query.limit); i++) {
        page.push(row(path, i));
      }
      return [page, count];
    }
    const from = filter ? Date.parse(filter.value as string) : -Infinity;
    const passes = (t: number) => filter?.op === "$gt" ? t > from : t >= from;
    const lo = Number.isNaN(from)
      ? count
      : lowerBound(count, (i) => passes(updatedAtMs(i, count, data)));
    const movedBefore = lowerBound(churn.sorted.length, (i) => churn.sorted[i] >= lo);
    const baseCount = count - lo - (churn.sorted.length - movedBefore);
    const moved = churn.order.filter((i) => passes(churn.moved.get(i)!));
    const total = baseCount + moved.length;
    const page: Row[] = [];
    // The k-th unmoved index at or after lo: walk forward over moved ones.
    let index = lo + Math.min(query.skip, baseCount);
    let m = movedBefore;
    while (m < churn.sorted.length && churn.sorted[m] <= index) {
      index++;
      m++;
    }
    for (let n = query.skip; n < query.skip + query.limit && n < total; n++) {
      if (n < baseCount) {
        while (m < churn.sorted.length && churn.sorted[m] === index) {
          index++;
          m++;
        }
        page.push(row(path, index));
        index++;
      } else {
        page.push(row(path, moved[n - baseCount]));
      }
    }
    return [page, total];
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname.replace(/^\/api/, "").replace(/\/+$/, "") || "/";
    const fault = takeFault(path);
    if (fault) return await faultResponse(fault, request.signal);
    const auth = request.headers.get("authorization");
    const bearer = auth?.match(/^Bearer (.+)$/)?.[1];
    const scopes = bearer !== undefined ? tokens[bearer] : undefined;
    if (!scopes) {
      return feathersError(401, "NotAuthenticated", "Invalid authentication information");
    }
    const limited = rateLimited();
    if (limited) return limited;
    if (options.latencyMs) await sleep(options.latencyMs, request.signal);
    if (options.errorRate && random() < options.errorRate) {
      return feathersError(500, "GeneralError", "Something went wrong");
    }
    if (request.method !== "GET") {
      return feathersError(405, "MethodNotAllowed", "Method not allowed");
    }
    const readsAny = scopes.includes("public:read") || scopes.includes("private:read");
    if (path === "/token-info") {
      return Response.json({
        id: idOf("/tokens", 0, data.seed),
        personId: idOf("/people", 0, data.seed),
        label: "sandbox",
        scopes,
      });
    }
    if (path === "/me") {
      if (!readsAny) return feathersError(403, "Forbidden", "Missing scope public:read");
      return Response.json(row("/people", 0));
    }
    const single = path.match(/^(\/[a-z-]+)\/([A-Za-z0-9-]+)$/);
    const resource = single ? single[1] : path;
    if (!RESOURCES[resource]) return feathersError(404, "NotFound", `Page not found: ${path}`);
    const needed = SCOPE_OF[resource];
    if (needed ? !scopes.includes(needed) : !readsAny) {
      return feathersError(403, "Forbidden", `Missing scope ${needed ?? "public:read"}`);
    }
    if (single) {
      const count = rowCount(resource, data);
      for (let i = 0; i < count; i++) {
        const r = row(resource, i);
        if (r.id === single[2]) return Response.json(r);
      }
      return feathersError(404, "NotFound", `No record found for id '${single[2]}'`);
    }
    let query: ListQuery;
    try {
      query = parseListQuery(url.searchParams);
    } catch (message) {
      return feathersError(400, "BadRequest", String(message));
    }
    return list(resource, query);
  }

  async function faultResponse(fault: Fault, signal: AbortSignal): Promise<Response> {
    if (fault.stallMs) await sleep(fault.stallMs, signal);
    const headers: Record<string, string> = {
      "content-type": fault.contentType ?? "application/json",
    };
    if (fault.retryAfter !== undefined) headers["retry-after"] = fault.retryAfter;
    const status = fault.status ?? 200;
    if (fault.dropConnection) {
      const bytes = new TextEncoder().encode(
        '{"total": 10, "limit": 100, "skip": 0, "data": [{"id": "',
      );
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(bytes);
          setTimeout(() => controller.error(new Error("connection dropped")), 5);
        },
      });
      return new Response(body, { status, headers });
    }
    const body = fault.body ??
      (status >= 400
        ? JSON.stringify({ name: "GeneralError", message: `Injected ${status}`, code: status })
        : JSON.stringify({ total: 0, limit: 100, skip: 0, data: [] }));
    return new Response(body, { status, headers });
  }

  const controller = new AbortController();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: options.port ?? 0,
    signal: controller.signal,
    onListen: () => {},
    onError: () => feathersError(500, "GeneralError", "Internal error"),
  }, async (request) => {
    const url = new URL(request.url);
    const response = await handle(request);
    requests.push({
      method: request.method,
      path: url.pathname.replace(/^\/api/, "") || "/",
      query: url.search.slice(1),
      status: response.status,
      auth: request.headers.get("authorization"),
    });
    return response;
  });

  return Promise.resolve({
    url: `http://127.0.0.1:${server.addr.port}/api`,
    token,
    requests,
    inject(path, list) {
      faults.set(path, [...(faults.get(path) ?? []), ...list]);
    },
    setFilters(mode) {
      filterMode = mode;
    },
    touch,
    async close() {
      controller.abort();
      await server.finished;
    },
  });
}

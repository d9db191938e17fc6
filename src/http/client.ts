import { type Clock, systemClock } from "../clock.ts";
import { ConnectorError } from "../errors.ts";
import { ERROR_POLICY, type FailureKind, kindOfStatus, streamHint } from "./error_policy.ts";
import type { AirbyteFailureType } from "../protocol/messages.ts";
import { SecretMask } from "../protocol/mask.ts";
import { AdaptiveLimit } from "./limit.ts";
import { type BackoffOptions, parseRetryAfter, retryDelay } from "./retry.ts";

/** Bodies are UTF-8 (a byte order mark is dropped, a malformed sequence becomes U+FFFD). */
const decoder = new TextDecoder();

/** Largest response body read, in bytes (64 MiB; a 250-row page is well under 1 MiB). */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** Most characters of any message taken from a response (the API's message, a reason). */
export const MAX_MESSAGE_CHARS = 500;

/** `text` cut to `max` characters, saying how much was cut. */
export function capMessage(text: string, max = MAX_MESSAGE_CHARS): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}... (${text.length - max} more characters)`;
}

/** What the client reports before it waits for a retry. */
export interface RetryInfo {
  /** The request's method. */
  method: string;
  /** The request's path. */
  path: string;
  /** The failed attempt, 1-based. */
  attempt: number;
  /** How long it will wait, in ms. */
  delayMs: number;
  /** Why the attempt failed, e.g. "429 Too Many Requests" or "timed out after 30 s". */
  reason: string;
}

/** What the client reports when a request is held back by a rate limit (a 429), before it waits. */
export interface RateLimitedInfo {
  /**
   * When the server's quota resets, in ms since the epoch: the time its `Retry-After` names.
   * Undefined when the 429 came without a usable `Retry-After` (the wait is then a backoff).
   */
  quotaReset?: number;
  /** How long the request will wait before it is tried again, in ms. */
  delayMs: number;
}

/** Options of a {@linkcode HumaansClient}. */
export interface HumaansClientOptions {
  /** API root, e.g. https://app.humaans.io/api. */
  baseUrl: string;
  /** Bearer token; never appears in errors or logs. */
  token: string;
  /** Per-request timeout, body included, in ms. */
  timeoutMs: number;
  /** Retries after the first attempt. */
  retryAttempts: number;
  /** The clock for timeouts and backoff sleeps (the system clock by default). */
  clock?: Clock;
  /** The fetch to use (the global one by default). */
  fetch?: typeof fetch;
  /** Backoff delays of the retries. */
  backoff?: BackoffOptions;
  /** Most requests in flight at once (adapted down on 429s); default 1. */
  maxConcurrency?: number;
  /** Called before each retry wait. */
  onRetry?: (info: RetryInfo) => void | Promise<void>;
  /** Largest response body read, in bytes; default {@linkcode MAX_BODY_BYTES}. */
  maxBodyBytes?: number;
}

/** An HTTP request that failed for good. */
export class HttpError extends ConnectorError {
  /** HTTP status, or undefined for network errors and timeouts. */
  readonly status?: number;
  /** The failure's kind in the error policy ({@linkcode ERROR_POLICY}). */
  readonly kind: FailureKind;
  /** The API's own error message, when it sent one. */
  readonly apiMessage?: string;
  /** Attempts made, the first included. */
  readonly attempts: number;

  /** An HTTP failure with its message, failure type and response details. */
  constructor(
    message: string,
    options: {
      failureType: AirbyteFailureType;
      status?: number;
      /** Default: the status's kind, else `network`. */
      kind?: FailureKind;
      apiMessage?: string;
      attempts: number;
      cause?: unknown;
    },
  ) {
    super(message, { failureType: options.failureType, cause: options.cause });
    this.name = "HttpError";
    this.status = options.status;
    this.kind = options.kind ??
      (options.status === undefined ? "network" : kindOfStatus(options.status));
    this.apiMessage = options.apiMessage;
    this.attempts = options.attempts;
  }
}

/**
 * Whether `error` is the API refusing a query's parameters (400): what a server that rejects
 * filters or `$sort` answers. Returns the API's message (or "400") if so, else undefined.
 */
export function isRejectedQuery(error: unknown): string | undefined {
  if (failureKindOf(error) !== "rejected_query") return undefined;
  // The kind is only ever "rejected_query" on an HttpError.
  if (!(error instanceof HttpError)) return undefined;
  return error.apiMessage ?? "400";
}

/**
 * What to do about a stream the token may not read: for a 403, the scope to grant (or the role
 * that hides the list); for a 404, that the account has no such list. Empty for other errors.
 */
export function accessHint(
  error: unknown,
  stream: { scopes: readonly string[]; path: string },
): string {
  return streamHint(failureKindOf(error), stream);
}

/** The error policy's kind of a failed request's error; undefined for any other error. */
export function failureKindOf(error: unknown): FailureKind | undefined {
  return error instanceof HttpError ? error.kind : undefined;
}

/** Options of {@linkcode HumaansClient.get}. */
export interface GetOptions<T> {
  /** Checks and converts the body; what it throws is retried like a 5xx. */
  parse?: (body: unknown) => T;
  /**
   * Give `parse` the body's bytes rather than its parsed JSON (a page waiting its turn holds
   * them outside the JavaScript heap).
   */
  bytes?: boolean;
  /** Aborts the request (retries included). */
  signal?: AbortSignal;
  /**
   * Called before the request waits out a rate limit: after its own 429, or before it waits
   * for a `Retry-After` pause another request's 429 began. A rejection fails the request.
   */
  onRateLimited?: (info: RateLimitedInfo) => void | Promise<void>;
}

/** JSON's blanks: space, tab, newline, carriage return. */
function isBlank(byte: number): boolean {
  return byte === 32 || byte === 9 || byte === 10 || byte === 13;
}

/** Whether `bytes` begin with `{` and end with `}`, blanks aside: a cheap check for truncation. */
function looksLikeJsonObject(bytes: Uint8Array): boolean {
  let first = 0;
  while (first < bytes.length && isBlank(bytes[first])) first++;
  if (first === bytes.length || bytes[first] !== 123) return false;
  let last = bytes.length - 1;
  while (last > first && isBlank(bytes[last])) last--;
  return bytes[last] === 125;
}

/** Query values; arrays repeat the key. */
export type Query = Record<string, string | number | boolean | undefined>;

interface Failure {
  reason: string;
  /** Its row of the error policy: whether to retry, the failure type and the hint. */
  kind: FailureKind;
  status?: number;
  apiMessage?: string;
  retryAfterMs?: number;
  hint?: string;
  cause?: unknown;
}

/**
 * Reads an error body for the message a person reads: a JSON body's `message` (else `error.message`,
 * `errors[0].message`, `error` with `error_description`, then `name` and `code`), never the rest
 * of it (what else it holds is the server's, e.g. an echo of the request); text that is not JSON
 * as text, tags out when it is HTML. Either way character references, %-escapes and `\u`/`\x`
 * escapes are decoded and control characters become single spaces before `redact` masks it; at
 * most {@linkcode MAX_MESSAGE_CHARS} characters (200 of text).
 */
export function apiErrorMessage(
  text: string,
  options: { redact?: (text: string) => string } = {},
): string | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  const redact = options.redact ?? ((text: string) => text);
  const readable = (text: string) =>
    // deno-lint-ignore no-control-regex -- control characters are what it removes
    decodeEscapes(text).replace(/[\s\u0000-\u001f\u007f-\u009f]+/g, " ").trim();
  let body: unknown;
  try {
    body = JSON.parse(trimmed);
  } catch {
    const plain = readable(trimmed.startsWith("<") ? trimmed.replace(/<[^>]*>/g, " ") : trimmed);
    return plain === "" ? undefined : capMessage(redact(plain), 200);
  }
  const message = messageOf(body);
  return message ? capMessage(redact(readable(message))) : undefined;
}

/** The message of a JSON error body, by the shapes APIs use; undefined when it has none. */
function messageOf(body: unknown): string | undefined {
  if (!body || typeof body !== "object" || Array.isArray(body)) return undefined;
  const { message, error, errors, error_description: detail, name, code } = body as Record<
    string,
    unknown
  >;
  const text = (value: unknown) => typeof value === "string" && value ? value : undefined;
  const first = Array.isArray(errors) ? errors[0] : undefined;
  return text(message) ??
    text((error as { message?: unknown } | null)?.message) ??
    text((first as { message?: unknown } | null)?.message) ??
    (text(error) && (text(detail) ? `${error}: ${detail}` : text(error))) ??
    (text(name) && (code ? `${name} (${String(code)})` : text(name)));
}

/** `text` with HTML character references, %-escapes and `\u`/`\x` escapes decoded. */
function decodeEscapes(text: string): string {
  const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
  const point = (code: number, whole: string) =>
    code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  return text
    .replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (whole, ref: string) => {
      const lower = ref.toLowerCase();
      if (!lower.startsWith("#")) return named[lower] ?? whole;
      return point(
        lower.startsWith("#x") ? parseInt(lower.slice(2), 16) : Number(lower.slice(1)),
        whole,
      );
    })
    .replace(
      /\\u([0-9a-f]{4})|\\x([0-9a-f]{2})/gi,
      (whole, u, x) => point(parseInt(u ?? x, 16), whole),
    )
    .replace(/(%[0-9a-f]{2})+/gi, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
}

function formatBytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return mib >= 1 ? `${Math.round(mib * 10) / 10} MiB` : plural(bytes, "byte");
}

/** `bytes` in a buffer of their own: copied when they are a view into a larger one. */
function owned(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
    ? bytes
    : bytes.slice();
}

/**
 * A response's body, in a buffer of its own (a caller may free it by detaching it), or undefined
 * when it is larger than `maxBytes`: then no more of it is read. A declared length is checked
 * first (the HTTP stack reads no more than it declares); a body without one is read chunk by
 * chunk, and reading stops past the cap.
 */
async function readCappedBytes(
  response: Response,
  maxBytes: number,
): Promise<Uint8Array | undefined> {
  const declared = response.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared.trim())) {
    if (Number(declared) > maxBytes) {
      await response.body?.cancel().catch(() => {});
      return undefined;
    }
    return owned(await response.bytes());
  }
  if (!response.body) return new Uint8Array();
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      size += value.length;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        return undefined;
      }
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  if (chunks.length === 1) return owned(chunks[0]);
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * Humaans REST client: bearer auth, timeouts, retries by the error policy with backoff, shared
 * Retry-After pauses, and one adaptive cap on requests in flight (halved by a 429, grown back by
 * successes): one ticket per attempt.
 */
export class HumaansClient {
  #options: HumaansClientOptions;
  #clock: Clock;
  #fetch: typeof fetch;
  /** What every view of this client shares (see {@linkcode withDefaults}). */
  #shared: {
    /** The adaptive cap on requests in flight. */
    limit: AdaptiveLimit;
    /** When the shared Retry-After pause ends, in ms since the epoch. */
    pausedUntil: number;
    /** When the last 429's Retry-After pause ends (a pause may also come from a 503's). */
    quotaReset: number;
  };
  /** Options every request of this view gets, unless the call gives its own. */
  #defaults: Pick<GetOptions<unknown>, "onRateLimited"> = {};
  #mask = new SecretMask();
  #maxBodyBytes: number;

  /** A client for one base URL and token. */
  constructor(options: HumaansClientOptions) {
    this.#options = options;
    this.#mask.add(options.token);
    this.#maxBodyBytes = options.maxBodyBytes ?? MAX_BODY_BYTES;
    this.#clock = options.clock ?? systemClock;
    this.#fetch = options.fetch ?? fetch;
    const limit = new AdaptiveLimit(options.maxConcurrency ?? 1);
    this.#shared = { limit, pausedUntil: 0, quotaReset: 0 };
  }

  /** The adaptive cap on requests in flight, shared by every stream (and every view). */
  get limit(): AdaptiveLimit {
    return this.#shared.limit;
  }

  /**
   * A view of this client whose every request gets `defaults` (a call's own options win): one
   * stream's `onRateLimited`, so that everything reading the stream reports its rate limits
   * without passing the callback along. It shares this client's limit and Retry-After pauses.
   */
  withDefaults(defaults: Pick<GetOptions<unknown>, "onRateLimited">): HumaansClient {
    const view = new HumaansClient(this.#options);
    view.#shared = this.#shared;
    view.#defaults = { ...this.#defaults, ...defaults };
    return view;
  }

  /** The API host, for messages. */
  get host(): string {
    return new URL(this.#options.baseUrl).host;
  }

  /**
   * GETs `path` and returns its JSON body (after `parse`, whose errors count as retryable). With
   * `bytes`, `parse` is given the body's bytes unparsed, once they look like a JSON object (begin
   * with `{` and end with `}`), so a caller holding many bodies can parse each when it needs it.
   */
  async get<T = unknown>(
    path: string,
    query: Query = {},
    options: GetOptions<T> = {},
  ): Promise<T> {
    if (!options.onRateLimited && this.#defaults.onRateLimited) {
      options = { ...options, onRateLimited: this.#defaults.onRateLimited };
    }
    const url = this.#url(path, query);
    const max = this.#options.retryAttempts + 1;
    for (let attempt = 1;; attempt++) {
      const ticket = await this.#slot(options);
      let failure: { value: T } | Failure;
      try {
        failure = await this.#attempt(url, options);
      } catch (error) {
        this.#shared.limit.release(ticket, "failed");
        throw error;
      }
      const throttled = "reason" in failure && ERROR_POLICY[failure.kind].action === "rate_limited";
      this.#shared.limit.release(
        ticket,
        !("reason" in failure) ? "ok" : throttled ? "throttled" : "failed",
      );
      if (!("reason" in failure)) return failure.value;
      if (ERROR_POLICY[failure.kind].action === "fail" || attempt >= max) {
        throw this.#error("GET", path, failure, attempt);
      }
      const delayMs = retryDelay(attempt - 1, failure.retryAfterMs, {
        random: this.#clock.random,
        ...this.#options.backoff,
      });
      if (failure.retryAfterMs !== undefined) {
        this.#shared.pausedUntil = Math.max(this.#shared.pausedUntil, this.#clock.now() + delayMs);
        if (throttled) {
          this.#shared.quotaReset = Math.max(this.#shared.quotaReset, this.#clock.now() + delayMs);
        }
      }
      // A 429 with Retry-After pauses every request; the wait is reported where it is waited.
      if (throttled && failure.retryAfterMs === undefined) {
        await options.onRateLimited?.({ delayMs });
      }
      await this.#options.onRetry?.({
        method: "GET",
        path,
        attempt,
        delayMs,
        reason: capMessage(this.#redact(failure.reason)),
      });
      if (failure.retryAfterMs === undefined) await this.#clock.sleep(delayMs, options.signal);
    }
  }

  /** A free request slot outside any shared Retry-After pause: its ticket for the limit. */
  async #slot<T>(options: GetOptions<T>): Promise<number> {
    const { signal } = options;
    for (let reported = 0;;) {
      const now = this.#clock.now();
      if (
        this.#shared.pausedUntil > now && this.#shared.quotaReset > now &&
        this.#shared.quotaReset !== reported
      ) {
        reported = this.#shared.quotaReset;
        const delayMs = this.#shared.pausedUntil - now;
        await options.onRateLimited?.({ quotaReset: Math.ceil(reported), delayMs });
      }
      const wait = this.#shared.pausedUntil - this.#clock.now();
      if (wait > 0) await this.#clock.sleep(wait, signal);
      const ticket = await this.#shared.limit.acquire(signal);
      if (this.#shared.pausedUntil <= this.#clock.now()) return ticket;
      this.#shared.limit.release(ticket, "unused"); // a pause began while waiting for the slot
    }
  }

  #url(path: string, query: Query): URL {
    const url = new URL(this.#options.baseUrl + path);
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.append(key, String(value));
    }
    return url;
  }

  async #attempt<T>(url: URL, options: GetOptions<T>): Promise<{ value: T } | Failure> {
    const fetched = await this.#fetchBody(url, options.signal);
    if ("reason" in fetched) return fetched;
    const { response, bytes } = fetched;
    if (!response.ok) {
      const text = decoder.decode(bytes);
      const status = response.status;
      return {
        reason: `${status} ${capMessage(response.statusText || "error", 100)}`.trim(),
        status,
        kind: kindOfStatus(status),
        apiMessage: apiErrorMessage(this.#redact(text), { redact: (t) => this.#redact(t) }),
        retryAfterMs: parseRetryAfter(response.headers.get("retry-after"), this.#clock.now()),
      };
    }
    return this.#decode(response, { bytes, get: options });
  }

  /** One request and its body (capped), or why there is none. */
  async #fetchBody(
    url: URL,
    signal: AbortSignal | undefined,
  ): Promise<{ response: Response; bytes: Uint8Array } | Failure> {
    const timeoutMs = this.#options.timeoutMs;
    const timeout = this.#clock.timeout(timeoutMs);
    let response: Response;
    let bytes: Uint8Array | undefined;
    try {
      response = await this.#fetch(url, {
        headers: { authorization: `Bearer ${this.#options.token}`, accept: "application/json" },
        signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
      });
      bytes = await readCappedBytes(response, this.#maxBodyBytes);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (timeout.aborted) {
        return {
          reason: `timed out after ${timeoutMs / 1000} s`,
          kind: "timeout",
          cause: error,
        };
      }
      return {
        reason: `network error reaching ${url.host}: ${
          error instanceof Error ? error.message : String(error)
        }`,
        kind: "network",
        cause: error,
      };
    }
    if (bytes !== undefined) return { response, bytes };
    return {
      reason: `${response.status} response body is larger than ${
        formatBytes(this.#maxBodyBytes)
      }, the most the connector reads`,
      kind: "body_too_large",
    };
  }

  /** A successful response's body: JSON (or JSON object bytes), then `parse`d if asked. */
  #decode<T>(
    response: Response,
    options: { bytes: Uint8Array; get: GetOptions<T> },
  ): { value: T } | Failure {
    const { bytes, get } = options;
    let body: unknown = bytes;
    try {
      if (!get.bytes) body = JSON.parse(decoder.decode(bytes));
      else if (!looksLikeJsonObject(bytes)) throw new SyntaxError("not a JSON object");
    } catch (error) {
      const text = decoder.decode(bytes);
      const type = capMessage(
        this.#redact(response.headers.get("content-type") ?? "no content type"),
        100,
      );
      return {
        reason: `response is not JSON (${type}, ${plural(bytes.length, "byte")}): ${
          apiErrorMessage(this.#redact(text), { redact: (t) => this.#redact(t) }) ?? "empty body"
        }`.slice(0, 300),
        kind: "not_json",
        cause: error,
      };
    }
    if (!get.parse) return { value: body as T };
    try {
      return { value: get.parse(body) };
    } catch (error) {
      return {
        reason: `unexpected response: ${error instanceof Error ? error.message : String(error)}`,
        kind: "unexpected_body",
        cause: error,
      };
    }
  }

  #error(method: string, path: string, failure: Failure, attempts: number): HttpError {
    // Masked before cut: a cut must not leave part of a secret unrecognisable.
    const apiMessage = failure.apiMessage && this.#redact(failure.apiMessage); // capped when read
    const detail = apiMessage ? `: ${apiMessage}` : "";
    const { hint: advice, failureType } = ERROR_POLICY[failure.kind];
    const hint = advice ? `; ${advice}` : "";
    const message = `${method} ${path} failed with ${
      capMessage(this.#redact(failure.reason))
    }${detail} after ${plural(attempts, "attempt")}${hint}`;
    return new HttpError(this.#redact(message), {
      failureType,
      status: failure.status,
      kind: failure.kind,
      apiMessage,
      attempts,
      cause: failure.cause,
    });
  }

  /** `text` with the token masked in every form it could take (raw, base64, URL-encoded, ...). */
  #redact(text: string): string {
    return this.#mask.redact(text);
  }
}

/**
 * Milliseconds to wait from a `Retry-After` header (delta seconds or an HTTP date).
 *
 * Returns undefined when the header is absent or unparsable; never negative.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  nowMs: number,
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // Every HTTP-date form has a month name and hh:mm:ss; V8 alone would read "abc 1" as 2001.
  if (!/[a-z]/i.test(text) || !/\b\d{2}:\d{2}:\d{2}\b/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** Options of {@linkcode backoffDelay}. */
export interface BackoffOptions {
  /** Delay ceiling before jitter of the first retry, in ms. */
  baseMs?: number;
  /** Largest delay, in ms. */
  maxMs?: number;
  /** A number in [0, 1). */
  random?: () => number;
}

/** Exponential backoff with full jitter: a random delay in [0, min(max, base * 2^attempt)). */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? 1000;
  const max = options.maxMs ?? 60_000;
  const random = options.random ?? Math.random;
  const ceiling = Math.min(max, base * 2 ** Math.max(0, attempt));
  return Math.floor(random() * ceiling);
}

/** The wait before retry number `attempt` (0-based): `Retry-After` wins, capped at `maxMs`. */
export function retryDelay(
  attempt: number,
  retryAfterMs: number | undefined,
  options: BackoffOptions = {},
): number {
  const max = options.maxMs ?? 60_000;
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, Math.max(max, 300_000));
  return backoffDelay(attempt, options);
}

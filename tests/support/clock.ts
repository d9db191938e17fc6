import type { Clock } from "../../src/clock.ts";

/** A virtual clock: sleeps return at once and move `now` forward; every wait is recorded. */
export interface TestClock extends Clock {
  /** Every sleep requested, in ms. */
  sleeps: number[];
  /** Moves `now` forward without a sleep (time a request takes). */
  advance(ms: number): void;
}

/** Builds a {@linkcode TestClock} starting at `start` (ms or ISO), with timeouts of `timeoutMs` real ms. */
export function testClock(
  start: number | string = "2026-11-28T12:00:00.000Z",
  options: {
    timeoutMs?: number;
    random?: () => number;
    /** Replaces the short real timeouts, e.g. with signals that never fire. */
    timeout?: (ms: number) => AbortSignal;
  } = {},
): TestClock {
  let now = typeof start === "string" ? Date.parse(start) : start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep(ms: number, signal?: AbortSignal) {
      if (signal?.aborted) return Promise.reject(signal.reason);
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
    // A request's timeout is real (the server really stalls), but short: no test waits long.
    timeout: options.timeout ??
      ((ms: number) => AbortSignal.timeout(Math.min(ms, options.timeoutMs ?? 5_000))),
    random: options.random ?? (() => 0.5),
    advance(ms: number) {
      now += ms;
    },
  };
}

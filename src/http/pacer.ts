import type { Clock } from "../clock.ts";

/** A pace for messages: "18.0 a second", or "1 every 40.0 s" below one a second. */
export function formatPace(rps: number): string {
  return rps >= 1 ? `${rps.toFixed(1)} a second` : `1 every ${(1 / rps).toFixed(1)} s`;
}

/** Options of a {@linkcode RatePacer}. */
export interface RatePacerOptions {
  /** Share of the measured rate to pace at after a 429, in (0, 1]; default 0.9. */
  safety?: number;
  /** Longest window the accepted rate is measured over, in ms; default 60 000. */
  maxWindowMs?: number;
  /**
   * How fast the pace grows back while paced requests succeed: this share of the pace set at the
   * last cut, per second of paced successes; default 0.05 (5 % a second, additive).
   */
  growth?: number;
}

/** Successes between 429s over some windows: their sum, sum of squares and the windows. */
interface Successes {
  sum: number;
  squares: number;
  windows: number;
}

/** What {@linkcode RatePacer.start} hands out, to give back to {@linkcode RatePacer.finish}. */
export interface PaceTicket {
  /** The cut epoch the request started in. */
  readonly epoch: number;
  /** Whether the request waited for its paced start (the pace was what held it back). */
  readonly waited: boolean;
}

/**
 * Spaces request starts to the rate the server was seen to accept, learned from 429s.
 *
 * Unpaced until the first 429: a sync against an API that never throttles never waits.
 *
 * Rate. On a 429 (once per burst, like `AdaptiveLimit`: requests started before the last cut
 * cannot cut again) the pace becomes `safety` x the successes in the window / its length. The
 * window runs from the previous cut (before the first cut, from the first request) to this one,
 * at most `maxWindowMs`. For a token bucket both ends are moments the bucket was empty, and the
 * Retry-After pause after the previous cut lies inside, so what passed in the window is what the
 * bucket refilled: the refill rate, not the burst. (A sliding window of a few seconds would
 * start at an unknown bucket level, and the start-up burst would inflate every window that holds
 * it.) Only the first window overestimates, as the bucket started full; the second cut measures
 * the rate itself, so the pace settles after two cuts. The 60 s default covers per-minute limits,
 * whose Retry-After runs to the next minute. A cut never raises the pace; a cut that learned
 * nothing (no success, or no time, in its window) keeps the pace and the window.
 *
 * Burst. The first window let through the bucket's burst plus the rate over the window: at the
 * second cut the burst is that count less the measured rate x the first window's length (none
 * when `maxWindowMs` cut that window short: it did not begin with a full bucket). Starts
 * follow GCRA: after a quiet spell (a Retry-After pause, a slow page) up to `safety` x the burst
 * may start at once, refilled at the pace; a cut empties the allowance (the server's bucket is
 * empty), and a 429 on a start made on the allowance halves it. So the pacer spends what the
 * bucket refilled during a pause instead of leaving it, and cannot keep bursting into 429s.
 *
 * Growth. Each successful request that waited for its start adds `growth` x the pace set at the
 * last cut / the current pace: a linear climb of `growth` x that pace per second of paced traffic,
 * so a raised limit is found again; a pace that is not what holds requests back does not grow.
 * Once settled, that is about one 429 every 10 s against a bucket that holds a second's worth.
 *
 * 429s that are not about rate. Some servers answer 429 whatever the pace (every so many
 * requests, or at random). Cutting the pace then buys nothing: as many requests pass between
 * 429s as before, only more slowly, and each cut would slow the sync further. So each window that
 * cut also records how many requests it let through and the pace it ran at (the pacer's, or
 * unpaced, its successes over its length). A window with about as many successes as the window
 * that began the run of cuts (within 1 + 25 %) at 70 % of its pace or less shows that the pace
 * did not matter: the pacer goes back to the pace
 * before that run (unpaced, if it was), and from then on a 429 after at least half as many
 * successes cuts nothing (`finish` says so, and the client then leaves its concurrency limit
 * alone too). A 429 after fewer successes than that is about rate again, and cuts as before.
 * (Against a token bucket, a slower pace lets more requests through between 429s, so the counts
 * of its windows are not alike.)
 *
 * Limits: when Retry-After is much longer than the bucket takes to fill (a burst of 2 at 20 a
 * second with whole-second Retry-After), the bucket overflows during the pause and the rate is
 * underestimated; growth then recovers it slowly.
 */
export class RatePacer {
  #clock: Clock;
  #safety: number;
  #maxWindowMs: number;
  #growth: number;
  /** Requests a second, or undefined while unpaced. */
  #rate: number | undefined;
  /** The pace set at the last cut. */
  #base = 0;
  /** Requests that may start at once after a quiet spell: `safety` x the learned burst. */
  #burst = 1;
  /** The first window that taught a rate: its successes, length in ms, and whether it was whole. */
  #first: { accepted: number; elapsed: number; whole: boolean } | undefined;
  #burstLearned = false;
  /** When the next request would start were there no burst allowance, in ms (as in GCRA). */
  #next = Number.NEGATIVE_INFINITY;
  #epoch = 0;
  /** Start of the measuring window: the first request, then the last cut that learned. */
  #windowStart: number | undefined;
  /** When each success since the window start arrived (trimmed to the longest window). */
  #successes: number[] = [];
  #head = 0;
  /**
   * The current run of cuts whose windows let about as many requests through: the pace of its
   * first window and the pace before it, and the successes of its windows.
   */
  #run: Successes & { pace: number; rateBefore: number | undefined } | undefined;
  /** Once 429s were found not to be about rate: the successes between them, and lately. */
  #unrelated: Successes & { recent: number } | undefined;
  /** How many times a 429 cut the pace (or tried to). */
  cuts = 0;
  /** How many 429s were judged not to be about rate (and cut nothing). */
  unrelated = 0;
  /** Total time requests waited for their paced start, in ms. */
  waitedMs = 0;

  /** A pacer that times its waits with `clock`; throws a RangeError for a bad option. */
  constructor(clock: Clock, options: RatePacerOptions = {}) {
    this.#clock = clock;
    this.#safety = options.safety ?? 0.9;
    this.#maxWindowMs = options.maxWindowMs ?? 60_000;
    this.#growth = options.growth ?? 0.05;
    if (!(this.#safety > 0 && this.#safety <= 1)) {
      throw new RangeError(`Pacer safety must be in (0, 1], got ${this.#safety}`);
    }
    if (!(this.#maxWindowMs > 0)) {
      throw new RangeError(`Pacer maxWindowMs must be more than 0, got ${this.#maxWindowMs}`);
    }
    if (!(this.#growth >= 0)) {
      throw new RangeError(`Pacer growth must be 0 or more, got ${this.#growth}`);
    }
  }

  /** The pace in requests a second, or undefined while unpaced (before the first 429). */
  get rate(): number | undefined {
    return this.#rate;
  }

  /** How many requests may start at once after a quiet spell (1 until two cuts have taught it). */
  get burst(): number {
    return this.#burst;
  }

  /** Waits for the request's paced start (at once while unpaced); rejects when `signal` aborts. */
  async start(signal?: AbortSignal): Promise<PaceTicket> {
    signal?.throwIfAborted();
    const now = this.#clock.now();
    this.#windowStart ??= now;
    if (this.#rate === undefined) return { epoch: this.#epoch, waited: false };
    const interval = 1000 / this.#rate;
    const previous = this.#next;
    const at = Math.max(now, previous - (this.#burst - 1) * interval);
    const next = Math.max(previous, now) + interval;
    this.#next = next;
    const wait = at - now;
    if (wait <= 0) return { epoch: this.#epoch, waited: false };
    try {
      await this.#clock.sleep(wait, signal);
    } catch (error) {
      if (this.#next === next) this.#next = previous; // hand the unused start to the next request
      throw error;
    }
    this.waitedMs += wait;
    return { epoch: this.#epoch, waited: true };
  }

  /** Whether 429s are currently judged not to be about rate. */
  get rateIndependent(): boolean {
    return this.#unrelated !== undefined;
  }

  /**
   * Records how a request ended: `ok` counts and grows the pace, `throttled` (a 429) cuts it.
   * Returns false for a 429 judged not to be about rate (see the class notes), true otherwise.
   */
  finish(ticket: PaceTicket, outcome: "ok" | "throttled" | "failed"): boolean {
    const now = this.#clock.now();
    if (outcome === "ok") {
      this.#successes.push(now);
      this.#trim(now);
      if (ticket.waited && this.#rate !== undefined) {
        this.#rate += (this.#growth * this.#base) / this.#rate;
      }
    } else if (outcome === "throttled" && ticket.epoch === this.#epoch) {
      this.#epoch++;
      this.cuts++;
      return this.#cut(now, ticket);
    } else if (outcome === "throttled" && this.#unrelated) {
      return false; // one of a burst after an unrelated 429
    }
    return true;
  }

  /**
   * Sets the pace (and, at the second time, the burst) from the successes in the window ending
   * `now`, if it holds any; the server's bucket is empty, so no burst allowance is left either.
   */
  #cut(now: number, ticket: PaceTicket): boolean {
    const from = Math.max(this.#windowStart ?? now, now - this.#maxWindowMs);
    const elapsed = now - from;
    this.#trim(now);
    let accepted = 0;
    for (let i = this.#head; i < this.#successes.length; i++) {
      if (this.#successes[i] >= from) accepted++;
    }
    // The pace this window ran at: the pacer's, or (unpaced) what it let through.
    const pace = this.#rate ?? (elapsed > 0 ? (accepted * 1000) / elapsed : 0);
    if (this.#stillUnrelated(accepted, now)) return false;
    if (accepted > 0 && elapsed > 0 && this.#turnedUnrelated(accepted, { pace, now })) {
      return false;
    }
    if (this.#burstLearned && !ticket.waited) {
      this.#burst = Math.max(1, this.#burst / 2); // a 429 on the allowance: it was too big
    }
    if (accepted > 0 && elapsed > 0) this.#learn(accepted, { from, now });
    if (this.#rate !== undefined) {
      this.#next = Math.max(this.#next, now + (this.#burst * 1000) / this.#rate);
    }
    return true;
  }

  /**
   * While 429s are taken for unrelated ones: whether this window's count still fits them (it
   * then counts as one more); when it does not, that judgement and the run are dropped.
   */
  #stillUnrelated(accepted: number, now: number): boolean {
    const unrelated = this.#unrelated;
    if (!unrelated) return false;
    // Stays while the recent mean is within 3 standard errors (plus 1 + 10 %) of the mean.
    unrelated.recent = 0.9 * unrelated.recent + 0.1 * accepted;
    const mean = unrelated.sum / unrelated.windows;
    const variance = Math.max(0, unrelated.squares / unrelated.windows - mean * mean);
    const spread = 3 * Math.sqrt((variance * 0.1) / 1.9) + 1 + 0.1 * mean;
    if (Math.abs(unrelated.recent - mean) <= spread) {
      unrelated.sum += accepted;
      unrelated.squares += accepted * accepted;
      unrelated.windows++;
      this.unrelated++;
      this.#newWindow(now);
      return true;
    }
    // 429s now come more often, or much less often, than the unrelated ones: start over.
    this.#unrelated = undefined;
    this.#run = undefined;
    return false;
  }

  /**
   * Adds this window to the run of windows between 429s (or starts one); true when a slower pace
   * let no more requests through than before, so the 429s are unrelated to the rate.
   */
  #turnedUnrelated(accepted: number, options: { pace: number; now: number }): boolean {
    const { pace, now } = options;
    const run = this.#run;
    const mean = run && run.sum / run.windows;
    if (!run || !(accepted <= 1.5 * mean! + 2 && accepted >= mean! / 4 - 1)) {
      this.#run = {
        pace,
        rateBefore: this.#rate,
        sum: accepted,
        squares: accepted * accepted,
        windows: 1,
      };
      return false;
    }
    if (pace <= 0.7 * run.pace) {
      // A slower pace let no more requests through between 429s: not a rate limit.
      const mean = (run.sum + accepted) / (run.windows + 1);
      this.#unrelated = {
        sum: run.sum + accepted,
        squares: run.squares + accepted * accepted,
        windows: run.windows + 1,
        recent: mean,
      };
      this.unrelated++;
      this.#rate = run.rateBefore;
      this.#base = this.#rate ?? 0;
      this.#next = now;
      this.#run = undefined;
      this.#newWindow(now);
      return true;
    }
    run.sum += accepted;
    run.squares += accepted * accepted;
    run.windows++;
    return false;
  }

  /** Learns the rate (and, from the first two windows, the burst) from `accepted` successes. */
  #learn(accepted: number, options: { from: number; now: number }): void {
    const { from, now } = options;
    const elapsed = now - from;
    const measured = (accepted * 1000) / elapsed;
    if (this.#first === undefined) {
      this.#first = { accepted, elapsed, whole: from === this.#windowStart };
    } else if (!this.#burstLearned) {
      // The first window began with a full bucket (unless capped): what passed beyond the rate.
      this.#burstLearned = true;
      const burst = this.#first.accepted - (measured * this.#first.elapsed) / 1000;
      if (this.#first.whole) this.#burst = Math.max(1, this.#safety * burst);
    }
    this.#rate = Math.min(this.#rate ?? Infinity, this.#safety * measured);
    this.#base = this.#rate;
    this.#newWindow(now);
  }

  /** Starts a measuring window at `now`. */
  #newWindow(now: number): void {
    this.#windowStart = now;
    this.#successes = [];
    this.#head = 0;
  }

  /** Drops successes older than the longest window. */
  #trim(now: number): void {
    const oldest = now - this.#maxWindowMs;
    while (this.#head < this.#successes.length && this.#successes[this.#head] < oldest) {
      this.#head++;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#successes.length) {
      this.#successes = this.#successes.slice(this.#head);
      this.#head = 0;
    }
  }
}

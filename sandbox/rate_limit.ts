/**
 * A token bucket: `rate` requests per second on average, bursts of up to `rate` at once (at
 * least one).
 *
 * @module
 */

/** Rate limiter for the sandbox: each request takes a token; tokens refill continuously. */
export class TokenBucket {
  #rate: number;
  #capacity: number;
  #clock: () => number;
  #tokens: number;
  #at: number;

  /** A full bucket of `rate` tokens (at least 1) refilling at `rate` per second; `clock` in ms. */
  constructor(rate: number, clock: () => number) {
    this.#rate = rate;
    this.#capacity = Math.max(1, rate);
    this.#clock = clock;
    this.#tokens = this.#capacity;
    this.#at = clock();
  }

  /**
   * Takes a token. Returns undefined when there was one, else the whole seconds (at least 1)
   * until there will be: the request's Retry-After.
   */
  take(): number | undefined {
    const at = this.#clock();
    this.#tokens = Math.min(this.#capacity, this.#tokens + ((at - this.#at) / 1000) * this.#rate);
    this.#at = at;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return undefined;
    }
    return Math.max(1, Math.ceil((1 - this.#tokens) / this.#rate));
  }
}

/**
 * An adaptive cap on requests in flight (AIMD): it grows by one request per window of
 * successful requests and halves on a 429, once per burst (requests started before the last cut
 * cannot cut again).
 */
export class AdaptiveLimit {
  #max: number;
  #limit: number;
  #inFlight = 0;
  #epoch = 0;
  #waiting: (() => void)[] = [];

  /** A limit of `max` requests in flight at most. */
  constructor(max: number) {
    this.#max = Math.max(1, max);
    this.#limit = this.#max;
  }

  /** The current cap, at least 1. */
  get limit(): number {
    return Math.max(1, Math.floor(this.#limit));
  }

  /** Requests in flight. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Waits for a free slot; resolves to a ticket to hand back to {@linkcode release}. */
  async acquire(signal?: AbortSignal): Promise<number> {
    while (this.#inFlight >= this.limit) {
      signal?.throwIfAborted();
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    this.#inFlight++;
    return this.#epoch;
  }

  /** Frees a slot: `throttled` after a 429 cuts the cap, `ok` grows it, others leave it. */
  release(ticket: number, outcome: "ok" | "throttled" | "failed" | "unused"): void {
    this.#inFlight--;
    if (outcome === "throttled" && ticket === this.#epoch) {
      this.#limit = Math.max(1, this.#limit / 2);
      this.#epoch++;
    } else if (outcome === "ok") {
      this.#limit = Math.min(this.#max, this.#limit + 1 / this.#limit);
    }
    this.#wake();
  }

  #wake(): void {
    const free = this.limit - this.#inFlight;
    for (const resolve of this.#waiting.splice(0, Math.max(0, free))) resolve();
  }
}

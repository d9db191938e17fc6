/**
 * Bounded waiting for tests: yields to the event loop until a condition holds, and fails after a
 * fixed number of turns instead of hanging the suite when a regression means it never will.
 *
 * @module
 */

/** Options of {@linkcode until}. */
export interface UntilOptions {
  /** Event-loop turns to wait at most; default 1000. */
  turns?: number;
  /** What is awaited, for the failure message. */
  what?: string;
}

/** Resolves once `condition()` is true; rejects after `turns` event-loop turns without it. */
export async function until(condition: () => boolean, options: UntilOptions = {}): Promise<void> {
  const turns = options.turns ?? 1000;
  for (let turn = 0; turn < turns; turn++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  if (condition()) return;
  throw new Error(
    `Gave up after ${turns} event-loop turns waiting for ${options.what ?? "a condition"}`,
  );
}

/**
 * What a stream says while it waits out a rate limit: a STREAM_STATUS `RUNNING` with a
 * `RATE_LIMITED` reason, its `quota_reset` when the server's `Retry-After` named one.
 *
 * @module
 */

import type { HumaansClient, RateLimitedInfo } from "../http/client.ts";
import { type MessageWriter, rateLimitedReason } from "../protocol/writer.ts";

/**
 * The `onRateLimited` of a stream's requests: writes `RUNNING` with a `RATE_LIMITED` reason to
 * `writer` for `stream`, once per wait: a wait that ends no later than one already reported (the
 * stream's other requests held by the same 429) writes nothing. `now` (ms since the epoch,
 * `Date.now` by default) dates a wait without a quota reset.
 */
export function rateLimitedStatus(
  writer: MessageWriter,
  stream: string,
  options: { now?: () => number } = {},
): (info: RateLimitedInfo) => Promise<void> {
  const now = options.now ?? Date.now;
  let reportedUntil = Number.NEGATIVE_INFINITY;
  return async (info) => {
    const until = info.quotaReset ?? now() + info.delayMs;
    if (until <= reportedUntil) return;
    reportedUntil = until;
    await writer.streamStatus(stream, "RUNNING", {
      reasons: [rateLimitedReason(info.quotaReset)],
    });
  };
}

/**
 * `options` with its client a view that reports each rate limit of `stream` (see
 * {@linkcode rateLimitedStatus}): every request made for the stream through it says so.
 */
export function reportingRateLimits<
  T extends { client: HumaansClient; writer: MessageWriter; now?: () => number },
>(options: T, stream: string): T {
  const onRateLimited = rateLimitedStatus(options.writer, stream, { now: options.now });
  return { ...options, client: options.client.withDefaults({ onRateLimited }) };
}

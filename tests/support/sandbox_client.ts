/**
 * The HTTP client the paging tests read the sandbox with: no retries, a 5 s timeout, the test
 * clock at `now`.
 *
 * @module
 */
import type { Sandbox } from "../../sandbox/mod.ts";
import { HumaansClient } from "../../src/http/client.ts";
import { testClock } from "./clock.ts";

/** A client of `sandbox` with `concurrency` requests in flight at most. */
export function sandboxClient(
  sandbox: Sandbox,
  options: { concurrency?: number; now: string },
): HumaansClient {
  return new HumaansClient({
    baseUrl: sandbox.url,
    token: sandbox.token,
    timeoutMs: 5_000,
    retryAttempts: 0,
    maxConcurrency: options.concurrency,
    clock: testClock(options.now),
  });
}

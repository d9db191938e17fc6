import assert from "node:assert/strict";
import { AdaptiveLimit } from "../../src/http/limit.ts";
import { until } from "../support/wait.ts";

Deno.test("AdaptiveLimit admits up to its cap and queues the rest until a slot frees", async () => {
  const limit = new AdaptiveLimit(2);
  const a = await limit.acquire();
  await limit.acquire();
  assert.equal(limit.inFlight, 2);
  let third = false;
  const pending = limit.acquire().then((ticket) => {
    third = true;
    return ticket;
  });
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.equal(third, false, "a third request waits while two are in flight");
  limit.release(a, "ok");
  await until(() => third, { what: "the queued request to start" });
  assert.equal(limit.inFlight, 2);
  await pending;
});

Deno.test("AdaptiveLimit halves once per burst of 429s and grows back by one per window", () => {
  const limit = new AdaptiveLimit(8);
  const tickets = [0, 1, 2, 3].map(() => {
    let ticket = -1;
    limit.acquire().then((t) => ticket = t);
    return () => ticket;
  });
  // acquire resolves in a microtask; the epoch is 0 for all four.
  return Promise.resolve().then(() => {
    for (const ticket of tickets) limit.release(ticket(), "throttled");
    assert.equal(limit.limit, 4, "four 429s of one burst cut once");
    // Additive increase: +1/limit per success, so about `limit` successes add one slot.
    for (let i = 0; i < 4; i++) {
      limit.acquire();
      limit.release(1, "ok");
    }
    assert.equal(limit.limit, 4);
    for (let i = 0; i < 2; i++) {
      limit.acquire();
      limit.release(1, "ok");
    }
    assert.equal(limit.limit, 5, "grew back by one after a window of successes");
  });
});

Deno.test("AdaptiveLimit never drops below 1 or grows past its maximum", () => {
  const limit = new AdaptiveLimit(2);
  for (let i = 0; i < 10; i++) {
    limit.acquire();
    limit.release(i, "throttled");
  }
  assert.equal(limit.limit, 1);
  for (let i = 0; i < 100; i++) {
    limit.acquire();
    limit.release(0, "ok");
  }
  assert.equal(limit.limit, 2);
  assert.equal(new AdaptiveLimit(0).limit, 1, "a maximum below 1 means 1");
});

Deno.test("AdaptiveLimit: a wait whose signal is already aborted rejects while the cap is full", async () => {
  const limit = new AdaptiveLimit(1);
  const ticket = await limit.acquire();
  const controller = new AbortController();
  controller.abort(new Error("cancelled"));
  await assert.rejects(limit.acquire(controller.signal), /cancelled/);
  limit.release(ticket, "failed");
  assert.equal(limit.inFlight, 0);
});

import assert from "node:assert/strict";
import { realSleep, systemClock } from "../src/clock.ts";

Deno.test("realSleep(0) resolves", async () => {
  await realSleep(0);
});

Deno.test("realSleep rejects at once with the reason of an already aborted signal", async () => {
  const reason = new Error("cancelled");
  await assert.rejects(realSleep(60_000, AbortSignal.abort(reason)), (error) => error === reason);
});

Deno.test("realSleep rejects when aborted mid-sleep and clears its timer", async () => {
  // The test sanitizer fails this test if the 60 s timer were left running.
  const controller = new AbortController();
  const sleeping = realSleep(60_000, controller.signal);
  const reason = new Error("stop");
  controller.abort(reason);
  await assert.rejects(sleeping, (error) => error === reason);
});

Deno.test("systemClock: now, random and timeout", () => {
  const before = Date.now();
  const now = systemClock.now();
  assert.ok(now >= before && now <= Date.now());
  for (let i = 0; i < 100; i++) {
    const value = systemClock.random();
    assert.ok(value >= 0 && value < 1);
  }
  // An unexpired timeout signal (Deno does not keep the test alive for it).
  const signal = systemClock.timeout(60_000);
  assert.ok(signal instanceof AbortSignal);
  assert.equal(signal.aborted, false);
});

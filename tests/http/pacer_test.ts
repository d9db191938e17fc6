import assert from "node:assert/strict";
import type { Clock } from "../../src/clock.ts";
import {
  formatPace,
  type PaceTicket,
  RatePacer,
  type RatePacerOptions,
} from "../../src/http/pacer.ts";
import { TokenBucket } from "../../sandbox/rate_limit.ts";
import { type TestClock, testClock } from "../support/clock.ts";

const START = Date.parse("2026-11-28T12:00:00.000Z");

type FakeClock = TestClock;

/** Sleeps resolve at once and move `now` forward; timeouts never fire. */
function fakeClock(): FakeClock {
  return testClock(START, { timeout: () => new AbortController().signal });
}

/** Sends `n` requests that succeed, one every `everyMs` (time passing in the request). */
async function succeed(pacer: RatePacer, clock: FakeClock, n: number, everyMs: number) {
  for (let i = 0; i < n; i++) {
    const ticket = await pacer.start();
    clock.advance(everyMs);
    pacer.finish(ticket, "ok");
  }
}

/** Asserts `actual` is `expected` but for rounding (epoch milliseconds hold about 4 decimals). */
function close(actual: number | undefined, expected: number): void {
  assert.ok(
    actual !== undefined && Math.abs(actual - expected) <= 1e-4 * Math.max(1, Math.abs(expected)),
    `${actual} is not ${expected}`,
  );
}

Deno.test("formatPace: a second, or one every so many seconds", () => {
  assert.equal(formatPace(17.6), "17.6 a second");
  assert.equal(formatPace(1), "1.0 a second");
  assert.equal(formatPace(0.25), "1 every 4.0 s");
});

Deno.test("bad options are rejected", () => {
  const clock = fakeClock();
  assert.throws(() => new RatePacer(clock, { safety: 0 }), /safety must be in \(0, 1\], got 0/);
  assert.throws(() => new RatePacer(clock, { safety: 1.5 }), /safety/);
  assert.throws(() => new RatePacer(clock, { maxWindowMs: 0 }), /maxWindowMs must be more/);
  assert.throws(() => new RatePacer(clock, { growth: -1 }), /growth must be 0 or more/);
});

Deno.test("unpaced until the first 429: no request ever waits", async () => {
  const clock = fakeClock();
  const pacer = new RatePacer(clock);
  await succeed(pacer, clock, 1_000, 0);
  await succeed(pacer, clock, 100, 7);
  const failed = await pacer.start();
  pacer.finish(failed, "failed");
  assert.deepEqual(clock.sleeps, []);
  assert.equal(pacer.rate, undefined);
  assert.equal(pacer.cuts, 0);
  assert.equal(pacer.waitedMs, 0);
});

Deno.test("a 429 paces starts at safety x the successes since the first request", async () => {
  const clock = fakeClock();
  const pacer = new RatePacer(clock);
  await succeed(pacer, clock, 10, 100); // 10 successes in the first second
  const throttled = await pacer.start();
  pacer.finish(throttled, "throttled");
  close(pacer.rate, 9); // 0.9 x 10 / 1 s
  assert.equal(pacer.cuts, 1);
  assert.equal(pacer.burst, 1);
  // The server's bucket is empty: even the first request after the cut waits its turn.
  const tickets: PaceTicket[] = [];
  for (let i = 0; i < 4; i++) tickets.push(await pacer.start());
  const interval = 1000 / 9;
  assert.equal(clock.sleeps.length, 4);
  for (const ms of clock.sleeps) close(ms, interval);
  assert.deepEqual(tickets.map((t) => t.waited), [true, true, true, true]);
  close(pacer.waitedMs, 4 * interval);
  // After a quiet spell, one request (the burst allowance so far) starts at once.
  clock.advance(5_000);
  assert.equal((await pacer.start()).waited, false);
  assert.equal((await pacer.start()).waited, true);
});

Deno.test("requests started before a cut cannot cut again; later ones can", async () => {
  const clock = fakeClock();
  const pacer = new RatePacer(clock, { growth: 0 });
  await succeed(pacer, clock, 20, 50);
  const burst = [await pacer.start(), await pacer.start(), await pacer.start()];
  pacer.finish(burst[0], "throttled");
  const rate = pacer.rate;
  close(rate, 18); // 0.9 x 20 / 1 s
  clock.advance(500);
  pacer.finish(burst[1], "throttled");
  pacer.finish(burst[2], "throttled");
  assert.equal(pacer.cuts, 1);
  assert.equal(pacer.rate, rate);
  await succeed(pacer, clock, 4, 0);
  const after = await pacer.start();
  pacer.finish(after, "throttled");
  assert.equal(pacer.cuts, 2);
  assert.ok(pacer.rate! < rate!, `cut again: ${pacer.rate}`);
});

Deno.test("the window starts at the last cut: the second cut measures the refill rate", async () => {
  // A bucket of 20 refilling at 20 a second: the start-up burst drains it in 0.2 s.
  const clock = fakeClock();
  const pacer = new RatePacer(clock, { growth: 0 });
  await succeed(pacer, clock, 24, 200 / 24);
  const first = await pacer.start();
  pacer.finish(first, "throttled");
  close(pacer.rate, 0.9 * 24 / 0.2); // the burst overestimates: 108 a second
  const cutAt = clock.now();
  clock.advance(1_000); // Retry-After: 1 s refills the bucket (20)
  // Paced at 108 a second, 20 + 20 x t requests pass until t = 20 / 88 s.
  const passed = Math.round(20 + (20 * 20) / 88);
  await succeed(pacer, clock, passed, 0);
  const second = await pacer.start();
  pacer.finish(second, "throttled");
  const measured = passed / ((clock.now() - cutAt) / 1000);
  close(pacer.rate, 0.9 * measured);
  assert.ok(Math.abs(pacer.rate! - 18) < 0.5, `about 0.9 x 20: ${pacer.rate}`);
  // The first window let 24 through in 0.2 s at about 20 a second: a burst of about 20.
  close(pacer.burst, 0.9 * (24 - measured * 0.2));
  assert.ok(Math.abs(pacer.burst - 18) < 0.5, `about 0.9 x 20: ${pacer.burst}`);
  // Right after the cut nothing starts at once; after a quiet spell the burst does.
  assert.equal((await pacer.start()).waited, true);
  clock.advance(10_000);
  let atOnce = 0;
  while (atOnce < 1000 && !(await pacer.start()).waited) atOnce++;
  assert.equal(atOnce, Math.floor(pacer.burst));
  // The spell refills the allowance at the pace: half a second's worth after half a second.
  clock.advance(500);
  atOnce = 0;
  while (atOnce < 1000 && !(await pacer.start()).waited) atOnce++;
  assert.equal(atOnce, Math.floor(pacer.rate! / 2));
});

Deno.test("a cut never raises the pace", async () => {
  const clock = fakeClock();
  const pacer = new RatePacer(clock, { growth: 0 });
  await succeed(pacer, clock, 10, 100);
  const early: PaceTicket[] = [];
  for (let i = 0; i < 50; i++) early.push(await pacer.start()); // unpaced: all at once
  pacer.finish(await pacer.start(), "throttled");
  close(pacer.rate, 9);
  clock.advance(1_000);
  for (const ticket of early) pacer.finish(ticket, "ok"); // 50 successes in the new window
  pacer.finish(await pacer.start(), "throttled"); // 0.9 x 50 / 1 s would be 45 a second
  close(pacer.rate, 9);
  assert.equal(pacer.cuts, 2);
});

Deno.test("a cut that learned nothing keeps the pace and the window", async (t) => {
  await t.step("no success yet: the first request is a 429", async () => {
    const clock = fakeClock();
    const pacer = new RatePacer(clock);
    const first = await pacer.start();
    clock.advance(5);
    pacer.finish(first, "throttled");
    assert.equal(pacer.rate, undefined);
    assert.equal(pacer.cuts, 1);
    clock.advance(995);
    await succeed(pacer, clock, 10, 100);
    pacer.finish(await pacer.start(), "throttled");
    close(pacer.rate, 4.5); // 0.9 x 10 / 2 s: the window still starts at the first request
  });
  await t.step("no time passed (a virtual clock)", async () => {
    const clock = fakeClock();
    const pacer = new RatePacer(clock);
    await succeed(pacer, clock, 10, 0);
    pacer.finish(await pacer.start(), "throttled");
    assert.equal(pacer.rate, undefined);
    clock.advance(2_000);
    pacer.finish(await pacer.start(), "throttled");
    close(pacer.rate, 4.5); // 0.9 x 10 / 2 s
  });
});

Deno.test("the window is at most maxWindowMs", async () => {
  const clock = fakeClock();
  const pacer = new RatePacer(clock, { maxWindowMs: 10_000, growth: 0 });
  await succeed(pacer, clock, 100, 100); // 10 a second for 10 s
  await succeed(pacer, clock, 100, 50); // then 20 a second for 5 s
  pacer.finish(await pacer.start(), "throttled");
  close(pacer.rate, (0.9 * 151) / 10); // the last 10 s (5 s to 15 s): 51 + 100 successes
});

/** A pacer that met a bucket of 20 (20 a second): two cuts, so it knows the rate and burst. */
async function taught(clock: FakeClock, options: RatePacerOptions = {}): Promise<RatePacer> {
  const pacer = new RatePacer(clock, { growth: 0, ...options });
  await succeed(pacer, clock, 24, 200 / 24);
  pacer.finish(await pacer.start(), "throttled");
  clock.advance(1_000);
  await succeed(pacer, clock, 25, 0);
  pacer.finish(await pacer.start(), "throttled");
  return pacer;
}

Deno.test("a 429 on a start made on the burst allowance halves the allowance", async () => {
  const clock = fakeClock();
  const pacer = await taught(clock);
  const burst = pacer.burst;
  assert.ok(burst > 17, `burst ${burst}`);
  clock.advance(10_000);
  const early = await pacer.start();
  assert.equal(early.waited, false);
  pacer.finish(early, "throttled");
  close(pacer.burst, burst / 2);
  // A 429 on a start that waited its turn leaves the allowance.
  clock.advance(10_000);
  await succeed(pacer, clock, 40, 0);
  const paced = await pacer.start();
  assert.ok(paced.waited);
  pacer.finish(paced, "throttled");
  close(pacer.burst, burst / 2);
  assert.equal(pacer.cuts, 4);
});

Deno.test("a first window cut short by maxWindowMs teaches no burst", async () => {
  const clock = fakeClock();
  const pacer = new RatePacer(clock, { maxWindowMs: 10_000, growth: 0 });
  await succeed(pacer, clock, 300, 50); // 15 s at 20 a second: the window holds the last 10 s
  pacer.finish(await pacer.start(), "throttled");
  clock.advance(1_000);
  await succeed(pacer, clock, 25, 0);
  pacer.finish(await pacer.start(), "throttled");
  assert.equal(pacer.cuts, 2);
  assert.notEqual(pacer.rate, undefined);
  assert.equal(pacer.burst, 1);
});

Deno.test("paced successes grow the pace additively; unpaced and failed ones do not", async () => {
  const clock = fakeClock();
  const pacer = new RatePacer(clock, { growth: 0.1 });
  await succeed(pacer, clock, 10, 100);
  pacer.finish(await pacer.start(), "throttled");
  close(pacer.rate, 9);
  clock.advance(1_000); // a Retry-After pause
  // Requests slower than the pace do not wait for it: the pace stays.
  await succeed(pacer, clock, 5, 500);
  close(pacer.rate, 9);
  pacer.finish(await pacer.start(), "failed");
  close(pacer.rate, 9);
  // Back to back: each waits, and each success adds 0.1 x 9 / the pace (0.9 a second, a second).
  let rate = 9;
  for (let i = 0; i < 50; i++) {
    const ticket = await pacer.start();
    assert.ok(ticket.waited);
    pacer.finish(ticket, "ok");
    rate += (0.1 * 9) / rate;
  }
  close(pacer.rate, rate);
  // About 5.2 s of paced traffic: about 0.9 a second per second.
  const seconds = clock.sleeps.reduce((a, b) => a + b, 0) / 1000;
  assert.ok(Math.abs((rate - 9) / seconds - 0.9) < 0.05, `${rate} after ${seconds} s`);
});

Deno.test("an abort during the paced wait rejects with its reason and frees the start", async () => {
  let now = START;
  const sleeps: { ms: number; wake: () => void }[] = [];
  const clock: Clock = {
    now: () => now,
    sleep: (ms, signal) =>
      new Promise((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
        sleeps.push({ ms, wake: resolve });
      }),
    timeout: () => new AbortController().signal,
    random: () => 0.5,
  };
  const pacer = new RatePacer(clock);
  for (let i = 0; i < 10; i++) {
    const ticket = await pacer.start();
    now += 100;
    pacer.finish(ticket, "ok");
  }
  pacer.finish(await pacer.start(), "throttled");
  close(pacer.rate, 9);
  now += 1_000; // a Retry-After pause
  await pacer.start(); // starts at once
  const controller = new AbortController();
  const waiting = pacer.start(controller.signal);
  assert.equal(sleeps.length, 1);
  controller.abort(new Error("sync cancelled"));
  await assert.rejects(waiting, /sync cancelled/);
  await assert.rejects(pacer.start(controller.signal), /sync cancelled/);
  const next = pacer.start();
  assert.equal(sleeps.length, 2);
  close(sleeps[1].ms, 1000 / 9); // the freed start, not the one after it
  sleeps[1].wake();
  assert.equal((await next).waited, true);
  close(pacer.waitedMs, 1000 / 9); // aborted waits do not count
});

/** What a simulated sync against a token bucket came to. */
interface Simulated {
  accepted: number;
  throttled: number;
  /** The pace after each cut. */
  paces: number[];
  pacer: RatePacer;
}

/**
 * One request at a time, `latencyMs` each, against a token bucket of `rate(now)` a second (a new
 * full bucket whenever the rate changes), for `seconds`; a 429 pauses for its Retry-After.
 */
async function simulate(
  rate: (elapsedMs: number) => number,
  seconds: number,
  latencyMs = 5,
): Promise<Simulated> {
  const clock = fakeClock();
  const pacer = new RatePacer(clock);
  let current = rate(0);
  let bucket = new TokenBucket(current, clock.now);
  const result: Simulated = { accepted: 0, throttled: 0, paces: [], pacer };
  while (clock.now() - START < seconds * 1000) {
    const wanted = rate(clock.now() - START);
    if (wanted !== current) bucket = new TokenBucket(current = wanted, clock.now);
    const ticket = await pacer.start();
    const retryAfter = bucket.take();
    clock.advance(latencyMs);
    if (retryAfter === undefined) {
      result.accepted++;
      pacer.finish(ticket, "ok");
      continue;
    }
    result.throttled++;
    const cuts = pacer.cuts;
    pacer.finish(ticket, "throttled");
    if (pacer.cuts > cuts) result.paces.push(pacer.rate ?? Infinity);
    await clock.sleep(retryAfter * 1000);
  }
  return result;
}

Deno.test("against a token bucket the pace settles after two cuts, with few 429s", async (t) => {
  for (const rate of [5, 20, 50]) {
    await t.step(`${rate} a second`, async () => {
      const { accepted, throttled, paces } = await simulate(() => rate, 60);
      assert.ok(paces.length >= 2, `paces ${paces}`);
      assert.ok(paces[0] > rate, `the start-up burst overestimates: ${paces[0]}`);
      for (const pace of paces.slice(1)) {
        assert.ok(pace > 0.8 * rate && pace < rate, `pace ${pace} after the first cut`);
      }
      // At most one 429 every 6 s once settled; the bucket's own rate (plus its first burst) met.
      assert.ok(throttled <= 2 + 60 / 6, `${throttled} 429s`);
      assert.ok(accepted >= 0.95 * rate * 60, `${accepted} accepted in 60 s`);
      assert.ok(accepted <= rate * 61 + 1);
    });
  }
});

Deno.test("a raised limit is found again; a lowered one is learned from the next 429", async () => {
  const raised = await simulate((ms) => ms < 20_000 ? 10 : 20, 80);
  assert.ok(raised.pacer.rate! > 18, `pace ${raised.pacer.rate} after the limit doubled`);
  const lowered = await simulate((ms) => ms < 20_000 ? 20 : 5, 60);
  const after = lowered.paces.at(-1)!; // set by the last cut
  assert.ok(after > 4 && after < 5, `pace ${after} after the limit fell`);
  assert.ok(lowered.throttled < 20, `${lowered.throttled} 429s`);
});

/**
 * One request at a time, `latencyMs` each, for `requests` requests, against a server that
 * `answer`s each (undefined: accepted; a number: a 429 with that Retry-After in seconds).
 */
async function against(
  answer: (index: number, now: number) => number | undefined,
  requests: number,
  latencyMs = 5,
): Promise<{ seconds: number; throttled: number; paused: number; pacer: RatePacer }> {
  const clock = fakeClock();
  const pacer = new RatePacer(clock);
  let throttled = 0;
  let paused = 0;
  for (let i = 0, accepted = 0; accepted < requests; i++) {
    const ticket = await pacer.start();
    const retryAfter = answer(i, clock.now());
    clock.advance(latencyMs);
    if (retryAfter === undefined) {
      accepted++;
      pacer.finish(ticket, "ok");
      continue;
    }
    throttled++;
    pacer.finish(ticket, "throttled");
    paused += retryAfter;
    await clock.sleep(retryAfter * 1000);
  }
  return { seconds: (clock.now() - START) / 1000, throttled, paused, pacer };
}

Deno.test("429s every 11th request whatever the pace: the pace recovers", async (t) => {
  for (const retryAfter of [1, 0]) {
    await t.step(`Retry-After ${retryAfter} s`, async () => {
      const requests = 3_000;
      const { seconds, throttled, paused, pacer } = await against(
        (i) => (i + 1) % 11 === 0 ? retryAfter : undefined,
        requests,
      );
      // The aim: the achievable pace (200 a second: 5 ms a request) plus the pauses asked for.
      const aim = requests / 200 + paused;
      assert.ok(seconds <= 1.2 * aim, `${seconds} s, aim ${aim} s`);
      assert.equal(throttled, Math.floor((requests + throttled) / 11));
      assert.ok(pacer.rateIndependent, "the 429s were found not to be about rate");
      assert.equal(pacer.rate, undefined, "unpaced again, as before the first 429");
      assert.ok(pacer.unrelated >= throttled - 6, `${pacer.unrelated} of ${throttled} judged`);
    });
  }
});

Deno.test("429s at random (1 in 12) whatever the pace: the pace does not collapse", async (t) => {
  // Weaker than every 11th: the counts between random 429s vary, so telling them from a rate
  // limit takes longer. Measured over these seeds: 1.2 to 2.3 x the aim.
  for (const start of [7, 11, 13, 101, 977]) {
    await t.step(`seed ${start}`, async () => {
      let seed = start;
      const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
      const { seconds, paused } = await against(() => random() < 1 / 12 ? 1 : undefined, 3_000);
      const aim = 3_000 / 200 + paused;
      assert.ok(seconds <= 2.5 * aim, `${seconds} s, aim ${aim} s`);
    });
  }
});

Deno.test("a rate limit after rate-independent 429s is learned again", async () => {
  // Every 11th request is a 429 for the first 60 s; then a bucket of 20 a second takes over.
  const clock0 = START;
  let bucket: TokenBucket | undefined;
  let clockNow = () => clock0;
  const { pacer } = await against((i, now) => {
    clockNow = () => now;
    if (now - clock0 < 60_000) return (i + 1) % 11 === 0 ? 1 : undefined;
    bucket ??= new TokenBucket(20, () => clockNow());
    return bucket.take();
  }, 20_000);
  assert.ok(!pacer.rateIndependent, "429s more often than the unrelated ones: a rate limit");
  assert.ok(pacer.rate! > 15 && pacer.rate! < 25, `pace ${pacer.rate}`);
});

Deno.test("a token bucket is never taken for rate-independent 429s", async (t) => {
  for (const [rate, latencyMs] of [[5, 5], [20, 5], [20, 40], [50, 5], [100, 2], [10, 80]]) {
    await t.step(`${rate} a second, ${latencyMs} ms a request`, async () => {
      const clock = { now: START };
      const bucket = new TokenBucket(rate, () => clock.now);
      const { pacer, throttled, seconds } = await against(
        (_, now) => {
          clock.now = now;
          return bucket.take();
        },
        rate * 60,
        latencyMs,
      );
      assert.equal(pacer.unrelated, 0);
      assert.ok(throttled <= 14, `${throttled} 429s`);
      assert.ok(seconds <= 1.1 * 60 + 2, `${seconds} s`);
    });
  }
});

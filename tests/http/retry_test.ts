import assert from "node:assert/strict";
import { backoffDelay, parseRetryAfter, retryDelay } from "../../src/http/retry.ts";

const NOW = Date.parse("2026-11-28T12:00:00.000Z");

Deno.test("parseRetryAfter reads delta seconds, HTTP dates and rejects garbage", async (t) => {
  const rows: [string, string | null | undefined, number | undefined][] = [
    ["whole seconds", "120", 120_000],
    ["zero", "0", 0],
    ["one second", "1", 1_000],
    ["fractional seconds", "1.5", 1_500],
    ["fractional rounding", "0.0004", 0],
    ["surrounding space", "  3 ", 3_000],
    ["IMF date in the future", new Date(NOW + 9_000).toUTCString(), 9_000],
    ["IMF date far ahead", "Sat, 28 Nov 2026 13:00:00 GMT", 3_600_000],
    ["RFC 850 date", "Saturday, 28-Nov-26 12:00:30 GMT", 30_000],
    ["asctime date", "Sat Nov 28 12:00:05 2026", 5_000],
    ["date in the past", "Wed, 21 Oct 2015 07:28:00 GMT", 0],
    ["date exactly now", new Date(NOW).toUTCString(), 0],
    ["absent (null)", null, undefined],
    ["absent (undefined)", undefined, undefined],
    ["empty", "", undefined],
    ["blank", "   ", undefined],
    ["a word", "soon", undefined],
    ["negative", "-5", undefined],
    ["a unit", "5s", undefined],
    ["a word and a number", "garbage 1", undefined],
    ["words and a number", "retry in 5", undefined],
    ["two numbers", "1 2", undefined],
  ];
  for (const [name, header, expected] of rows) {
    await t.step(`${name}: ${JSON.stringify(header)}`, () => {
      assert.equal(parseRetryAfter(header, NOW), expected);
    });
  }
});

Deno.test("backoffDelay is full jitter in [0, min(max, base * 2^attempt))", async (t) => {
  const almostOne = 1 - Number.EPSILON;
  const rows: [number, number, number][] = [
    // attempt, random, expected (base 1000, max 60 000)
    [0, 0, 0],
    [0, 0.5, 500],
    [0, almostOne, 999],
    [1, 0, 0],
    [1, almostOne, 1_999],
    [2, 0.5, 2_000],
    [3, almostOne, 7_999],
    [5, almostOne, 31_999],
    [6, almostOne, 59_999], // 64 000 capped at 60 000
    [10, almostOne, 59_999],
    [60, 0.5, 30_000], // huge exponents stay capped
    [-1, almostOne, 999], // a negative attempt counts as the first
  ];
  for (const [attempt, random, expected] of rows) {
    await t.step(`attempt ${attempt}, random ${random}`, () => {
      assert.equal(backoffDelay(attempt, { random: () => random }), expected);
    });
  }
});

Deno.test("backoffDelay honours baseMs and maxMs", async (t) => {
  const almostOne = 1 - Number.EPSILON;
  await t.step("base 200", () => {
    assert.equal(backoffDelay(0, { baseMs: 200, random: () => almostOne }), 199);
    assert.equal(backoffDelay(2, { baseMs: 200, random: () => almostOne }), 799);
  });
  await t.step("cap 5000", () => {
    assert.equal(backoffDelay(10, { maxMs: 5_000, random: () => almostOne }), 4_999);
    assert.equal(backoffDelay(10, { maxMs: 5_000, random: () => 0 }), 0);
  });
  await t.step("never at or above the ceiling, never negative", () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      for (const random of [0, 0.1, 0.5, 0.9, almostOne]) {
        const delay = backoffDelay(attempt, { random: () => random });
        const ceiling = Math.min(60_000, 1_000 * 2 ** attempt);
        assert.ok(delay >= 0 && delay < ceiling, `attempt ${attempt}: ${delay} / ${ceiling}`);
        assert.ok(Number.isInteger(delay));
      }
    }
  });
  await t.step("uses Math.random by default", () => {
    for (let i = 0; i < 50; i++) {
      const delay = backoffDelay(0);
      assert.ok(delay >= 0 && delay < 1_000);
    }
  });
});

Deno.test("retryDelay prefers Retry-After, capped at five minutes", async (t) => {
  const random = () => 0.5;
  const rows: [string, number, number | undefined, number][] = [
    ["no Retry-After: backoff", 2, undefined, 2_000],
    ["Retry-After 0", 3, 0, 0],
    ["Retry-After below the backoff cap", 0, 7_000, 7_000],
    ["Retry-After above the backoff cap is still honoured", 0, 120_000, 120_000],
    ["Retry-After of an hour is capped", 0, 3_600_000, 300_000],
  ];
  for (const [name, attempt, retryAfter, expected] of rows) {
    await t.step(name, () => {
      assert.equal(retryDelay(attempt, retryAfter, { random }), expected);
    });
  }
  await t.step("a larger maxMs raises the Retry-After cap", () => {
    assert.equal(retryDelay(0, 3_600_000, { maxMs: 600_000, random }), 600_000);
  });
});

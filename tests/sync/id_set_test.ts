import assert from "node:assert/strict";
import {
  decodeIdSet,
  encodeIdSet,
  ID_SET_FORMAT,
  IdSetError,
  isEncodableId,
} from "../../src/sync/id_set.ts";
import { idOf } from "../../sandbox/data.ts";

function ids(n: number, path = "/time-away"): string[] {
  return Array.from({ length: n }, (_, i) => idOf(path, i, 1));
}

Deno.test("id set: encodes and decodes exactly, sorted, without repeats", async (t) => {
  const cases: [string, string[]][] = [
    ["empty", []],
    ["one id", ["Rg0r6DzaIEjj7lqcKL5W3cvX"]],
    ["shared prefixes, unsorted, repeated", ["abc", "ab", "abd", "b", "abc", "a"]],
    ["short calendar ids", ["GB", "ES-MD", "ES", "US-CA"]],
    ["non-ASCII", ["é", "ü€", "e"]],
    ["1000 sandbox ids", ids(1000)],
  ];
  for (const [name, input] of cases) {
    await t.step(name, async () => {
      const encoded = await encodeIdSet(input);
      const expected = [...new Set(input)].sort();
      assert.equal(encoded.format, ID_SET_FORMAT);
      assert.equal(encoded.count, expected.length);
      assert.match(encoded.data, /^[A-Za-z0-9+/]*={0,2}$/);
      // Through JSON, as a state file holds it.
      assert.deepEqual(await decodeIdSet(JSON.parse(JSON.stringify(encoded))), expected);
    });
  }
});

Deno.test("id set: state size per id at 10k and 100k Humaans-like ids", async () => {
  for (const n of [10_000, 100_000]) {
    const encoded = await encodeIdSet(ids(n));
    const bytes = JSON.stringify(encoded).length;
    // 24 random alphanumeric characters hold ~143 bits; sorted and compressed they take ~24
    // base64 characters. The README quotes these sizes; this bounds them.
    assert.ok(bytes / n < 25, `${n} ids: ${bytes} bytes (${(bytes / n).toFixed(1)} per id)`);
    assert.ok(bytes / n > 15, `${n} ids: ${bytes} bytes is less than their entropy`);
  }
});

Deno.test("id set: a damaged or foreign set is refused, saying why", async (t) => {
  const good = await encodeIdSet(ids(200));
  const flipped = good.data[40] === "A" ? "B" : "A";
  const cases: [string, unknown, RegExp][] = [
    ["not an object", "abc", /is not an object/],
    ["an array", [], /is not an object/],
    ["another format", { ...good, format: "bloom/1" }, /has format "bloom\/1"/],
    ["no count", { ...good, count: undefined }, /has no valid count/],
    ["negative count", { ...good, count: -1 }, /has no valid count/],
    ["no data", { ...good, data: 5 }, /has no data/],
    ["not base64", { ...good, data: "!!!" }, /damaged/],
    [
      "one character changed",
      { ...good, data: good.data.slice(0, 40) + flipped + good.data.slice(41) },
      /damaged|malformed|sorted|holds/,
    ],
    ["truncated", { ...good, data: good.data.slice(0, 100) }, /damaged|malformed|holds/],
    ["wrong count", { ...good, count: 199 }, /holds 200 ids where its count says 199/],
  ];
  for (const [name, value, message] of cases) {
    await t.step(name, async () => {
      await assert.rejects(() => decodeIdSet(value), (error: Error) => {
        assert.ok(error instanceof IdSetError, String(error));
        assert.match(error.message, message);
        return true;
      });
    });
  }
});

Deno.test("id set: ids it cannot hold are refused when encoding", async () => {
  assert.equal(isEncodableId("abc"), true);
  assert.equal(isEncodableId(""), false);
  assert.equal(isEncodableId("a\nb"), false);
  assert.equal(isEncodableId("x".repeat(256)), false);
  await assert.rejects(() => encodeIdSet(["ok", "a\nb"]), IdSetError);
  await assert.rejects(() => encodeIdSet(["x".repeat(300)]), IdSetError);
});

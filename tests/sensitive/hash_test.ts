import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { Hmac } from "../../src/sensitive/hash.ts";
import { bankAccounts } from "../../src/streams/bank_accounts.ts";

Deno.test("Hmac equals HMAC-SHA-256 (node:crypto) for keys short, block-sized and long", async (t) => {
  const keys = ["0123456789abcdef", "k".repeat(64), "k".repeat(65), "ключ-🔑-".repeat(20)];
  const values = ["", "01234567", "04-00-04", "Ada Lovelace", "ü€🔑", "x".repeat(1000)];
  for (const key of keys) {
    await t.step(`key of ${key.length} characters`, () => {
      const hmac = new Hmac(key);
      for (const value of values) {
        const expected = createHmac("sha256", key).update(value).digest("hex");
        assert.equal(hmac.hex(value), expected);
        assert.equal(hmac.hex(value), expected, "the same twice: the key's state is copied");
      }
    });
  }
});

Deno.test("Hmac: 64 lowercase hex digits; another key, another hash", () => {
  const a = new Hmac("0123456789abcdef").hex("01234567");
  assert.match(a, /^[0-9a-f]{64}$/);
  assert.notEqual(new Hmac("0123456789abcdeg").hex("01234567"), a);
});

Deno.test("Hmac equals createHmac at every length around the block boundaries", () => {
  const hmac = new Hmac("0123456789abcdef");
  const alphabet = "aZ09-_ é€🔑";
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let length = 0; length < 300; length++) {
    const chars = Array.from({ length }, () => alphabet[Math.floor(random() * 8)]);
    const text = chars.join("");
    const expected = createHmac("sha256", "0123456789abcdef").update(text).digest("hex");
    assert.equal(hmac.hex(text), expected, `${length} characters`);
  }
  const long = "🔑".repeat(500);
  assert.equal(hmac.hex(long), createHmac("sha256", "0123456789abcdef").update(long).digest("hex"));
});

Deno.test("Hmac: a value hashed again (from its cache) and past the cache's size is the same", () => {
  const hmac = new Hmac("0123456789abcdef");
  const expected = (text: string) =>
    createHmac("sha256", "0123456789abcdef").update(text).digest("hex");
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 5000; i++) assert.equal(hmac.hex(`v${i}`), expected(`v${i}`));
  }
});

Deno.test("the README's worked example: its hashes are the example row's under its key", async () => {
  const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
  const section = readme.slice(readme.indexOf("## Sensitive data"));
  const key = section.match(/"hash_key": "([^"]+)"/)![1];
  const hmac = new Hmac(key);
  const example = bankAccounts.example as Record<string, string>;
  const shown: [string, string][] = [
    ["name_on_account", example.nameOnAccount],
    ["account_number", example.accountNumber],
    ["swift_code", example.swiftCode],
    ["sort_code", example.sortCode],
    ["routing_number", example.routingNumber],
  ];
  for (const [column, raw] of shown) {
    assert.ok(section.includes(`"${column}": "${hmac.hex(raw)}"`), column);
  }
});

Deno.test("Hmac: RFC 4231 test case 2 (a known answer, not a second implementation)", () => {
  assert.equal(
    new Hmac("Jefe").hex("what do ya want for nothing?"),
    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
  );
});

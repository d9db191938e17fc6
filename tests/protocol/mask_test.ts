import assert from "node:assert/strict";
import fc from "fast-check";
import { MASK, secretForms, SecretMask } from "../../src/protocol/mask.ts";

const TOKEN = "hms_live_Zx81Qp0Lm4Rt7Yb2";
const encoder = new TextEncoder();

function b64(text: string): string {
  return btoa(String.fromCharCode(...encoder.encode(text)));
}

function b64url(text: string): string {
  return b64(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/**
 * The characters of `encoded` (the base64 of `before + secret + after`) that depend only on the
 * secret's bytes: what must not survive masking.
 */
function secretPart(before: string, secret: string, encoded: string): string {
  const k = encoder.encode(before).length;
  const n = encoder.encode(secret).length;
  return encoded.slice(Math.ceil((8 * k) / 6), Math.floor((8 * (k + n)) / 6));
}

/** Every way the token could be printed, independently computed, with what must not remain. */
function encodings(secret: string): [string, string, string][] {
  const rows: [string, string, string][] = [
    ["raw", secret, secret],
    ["JSON-escaped", JSON.stringify(secret).slice(1, -1), JSON.stringify(secret).slice(1, -1)],
    ["URL-encoded", encodeURIComponent(secret), encodeURIComponent(secret)],
    [
      "hex",
      Array.from(encoder.encode(secret), (b) => b.toString(16).padStart(2, "0")).join(""),
      "",
    ],
  ];
  rows[3][2] = rows[3][1];
  // A server's echo may change the case (an upper-cased token is the token), escape JSON twice,
  // or escape `/` as `\/` (PHP).
  const json = rows[1][1];
  for (
    const [name, form] of [
      ["upper case", secret.toUpperCase()],
      ["lower case", secret.toLowerCase()],
      ["JSON-escaped, upper case", json.toUpperCase()],
      ["URL-encoded, lower-case escapes", rows[2][1].toLowerCase()],
      ["hex, upper case", rows[3][1].toUpperCase()],
      ["JSON-escaped twice", JSON.stringify(json).slice(1, -1)],
      ["JSON-escaped with \\/", json.replaceAll("/", "\\/")],
      [
        "JSON-escaped with \\/, then twice",
        JSON.stringify(json.replaceAll("/", "\\/")).slice(1, -1),
      ],
    ]
  ) rows.push([name, form, form]);
  for (
    const [before, after] of [
      ["", ""],
      ["Bearer ", ""],
      [":", ""],
      ["", ":"],
      ["u:", ""],
      [
        "Authorization: Bearer ",
        "\r\nAccept: */*",
      ],
      ["x", "yz"],
      ["xy", ""],
    ]
  ) {
    const plain = b64(before + secret + after);
    rows.push([
      `base64 of ${JSON.stringify(before + "<token>" + after)}`,
      plain,
      secretPart(before, secret, plain),
    ]);
    const url = b64url(before + secret + after);
    rows.push([
      `base64url of ${JSON.stringify(before + "<token>" + after)}`,
      url,
      secretPart(before, secret, url),
    ]);
  }
  return rows;
}

Deno.test("the token is masked in every encoding, inside any text", async (t) => {
  const mask = new SecretMask();
  mask.add(TOKEN);
  for (const [name, encoded, part] of encodings(TOKEN)) {
    await t.step(name, () => {
      const text = `echo: {"authorization": "${encoded}"} end`;
      const out = mask.redact(text);
      assert.ok(out.includes(MASK), out);
      assert.ok(!out.includes(part), `${out} still holds ${part}`);
      assert.ok(out.startsWith("echo: ") && out.endsWith(" end"), "the text around is kept");
    });
  }
});

Deno.test("any secret of 8 printable characters is masked in every encoding", () => {
  fc.assert(
    fc.property(
      fc.stringMatching(/^[\x21-\x7e]{8,64}$/),
      fc.string({ maxLength: 5 }),
      (secret, before) => {
        const mask = new SecretMask();
        mask.add(secret);
        for (const [, encoded, part] of encodings(secret)) {
          assert.ok(!mask.redact(`${before}${encoded}`).includes(part), encoded);
        }
        const wrapped = b64(`${before}${secret}`);
        assert.ok(!mask.redact(wrapped).includes(secretPart(before, secret, wrapped)));
      },
    ),
    { numRuns: 300 },
  );
});

Deno.test("secretForms: distinct forms of 4 characters or more; short secrets are not masked", () => {
  const forms = secretForms(TOKEN);
  assert.equal(new Set(forms).size, forms.length);
  assert.ok(forms.includes(TOKEN));
  assert.ok(forms.every((form) => form.length >= 4));
  const mask = new SecretMask();
  assert.equal(mask.redact(TOKEN), TOKEN, "nothing masked before a secret is added");
  mask.add("abc");
  assert.equal(mask.redact("abc"), "abc");
  assert.ok(!mask.anyHolds("a"), "a secret of 3 characters is not kept");
  mask.add('ab"cd\\ef');
  assert.equal(mask.redact(JSON.stringify({ s: 'ab"cd\\ef' })), '{"s":"****"}');
  assert.ok(mask.anyHolds("\\"));
  assert.ok(!mask.anyHolds("\n"));
});

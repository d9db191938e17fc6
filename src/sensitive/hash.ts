/**
 * HMAC-SHA-256 of sensitive values under the `hash_key` setting, as lowercase hex.
 *
 * SHA-256 is written out here (FIPS 180-4) rather than called from `node:crypto` or WebCrypto,
 * for speed: HMAC hashes the key's inner and outer blocks once, and each value then costs one
 * compression per 64 bytes of its text plus one for the outer hash, with no call into native
 * code. `node:crypto`'s `createHmac` costs several times more per (short) value, WebCrypto more
 * still (a promise per value). `tests/sensitive/hash_test.ts` checks it against `createHmac`.
 *
 * @module
 */

/** The first `count` primes. */
function primes(count: number): number[] {
  const found: number[] = [];
  for (let n = 2; found.length < count; n++) {
    if (found.every((p) => n % p !== 0)) found.push(n);
  }
  return found;
}

/** The first 32 bits of the fractional part of `root(p)` of each prime `p`. */
function fractionBits(values: number[], root: (p: number) => number): Int32Array {
  return Int32Array.from(values, (p) => {
    const r = root(p);
    return Math.floor((r - Math.floor(r)) * 0x1_0000_0000) | 0;
  });
}

/** The round constants (cube roots of the first 64 primes) and the initial hash (square roots). */
const K = fractionBits(primes(64), Math.cbrt);
const IV = fractionBits(primes(8), Math.sqrt);

/** SHA-256's block, in bytes. */
const BLOCK = 64;

/** One SHA-256 compression of the 16 big-endian words `w[0..15]` into `state`. */
function compress(state: Int32Array, w: Int32Array): void {
  for (let t = 16; t < 64; t++) {
    const a = w[t - 15];
    const b = w[t - 2];
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    w[t] = (w[t - 16] + s0 + w[t - 7] + s1) | 0;
  }
  let a = state[0], b = state[1], c = state[2], d = state[3];
  let e = state[4], f = state[5], g = state[6], h = state[7];
  for (let t = 0; t < 64; t++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (h + S1 + ch + K[t] + w[t]) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    const t2 = (S0 + maj) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] += a;
  state[1] += b;
  state[2] += c;
  state[3] += d;
  state[4] += e;
  state[5] += f;
  state[6] += g;
  state[7] += h;
}

/**
 * Hashes `length` bytes of `bytes` into `state`, which has already hashed `before` bytes (a whole
 * number of blocks), padding included: `state` then holds the digest. `w` is scratch space.
 */
function finish(
  state: Int32Array,
  input: { bytes: Uint8Array; length: number; before: number; w: Int32Array },
): void {
  const { bytes, length, before, w } = input;
  const blocks = (length + 9 + BLOCK - 1) >>> 6;
  const bits = (before + length) * 8;
  for (let block = 0, at = 0; block < blocks; block++) {
    for (let i = 0; i < 16; i++, at += 4) {
      if (at + 4 <= length) {
        w[i] = (bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3];
      } else {
        let word = 0;
        for (let j = at; j < at + 4; j++) {
          word = (word << 8) | (j < length ? bytes[j] : j === length ? 0x80 : 0);
        }
        w[i] = word;
      }
    }
    if (block === blocks - 1) {
      w[14] = Math.floor(bits / 0x1_0000_0000);
      w[15] = bits >>> 0;
    }
    compress(state, w);
  }
}

/** The state after one block of the key XOR `pad`. */
function keyState(key: Uint8Array, pad: number): Int32Array {
  const block = new Uint8Array(BLOCK);
  for (let i = 0; i < BLOCK; i++) block[i] = (key[i] ?? 0) ^ pad;
  const w = new Int32Array(64);
  for (let i = 0; i < 16; i++) {
    w[i] = (block[i * 4] << 24) | (block[i * 4 + 1] << 16) | (block[i * 4 + 2] << 8) |
      block[i * 4 + 3];
  }
  const state = IV.slice();
  compress(state, w);
  return state;
}

/** The SHA-256 digest of `bytes`. */
function sha256(bytes: Uint8Array): Uint8Array {
  const state = IV.slice();
  finish(state, { bytes, length: bytes.length, before: 0, w: new Int32Array(64) });
  return bigEndian(state);
}

function bigEndian(state: Int32Array, out = new Uint8Array(32)): Uint8Array {
  for (let i = 0; i < 8; i++) {
    out[i * 4] = state[i] >>> 24;
    out[i * 4 + 1] = state[i] >>> 16;
    out[i * 4 + 2] = state[i] >>> 8;
    out[i * 4 + 3] = state[i];
  }
  return out;
}

/** A value's text, as it is hashed: a string as is, a number or boolean as text, else JSON. */
export function valueText(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

/** The longest value whose hash is cached, and how many are cached at most. */
const CACHED_LENGTH = 64;
const CACHE_SIZE = 4096;

/** Two lowercase hex digits of each byte. */
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** HMAC-SHA-256 under one key (RFC 2104), as lowercase hex; synchronous. */
export class Hmac {
  #inner: Int32Array;
  #outer: Int32Array;
  #encoder = new TextEncoder();
  /** Scratch space, reused by every value: no allocation per value but its hex text. */
  #bytes = new Uint8Array(256);
  #digest = new Uint8Array(32);
  #state = new Int32Array(8);
  #w = new Int32Array(64);
  /** The hashes of short values met lately, by value. */
  #cache = new Map<string, string>();

  /** An HMAC under `key` (its UTF-8 bytes; a key longer than 64 bytes is hashed first). */
  constructor(key: string) {
    let bytes: Uint8Array = new TextEncoder().encode(key);
    if (bytes.length > BLOCK) bytes = sha256(bytes);
    this.#inner = keyState(bytes, 0x36);
    this.#outer = keyState(bytes, 0x5c);
  }

  /** The HMAC of `text` (its UTF-8 bytes), as 64 lowercase hex digits. */
  hex(text: string): string {
    // Short values repeat (a sort code, a nationality, a gender): each is hashed once.
    if (text.length > CACHED_LENGTH) return this.#compute(text);
    let hex = this.#cache.get(text);
    if (hex === undefined) {
      if (this.#cache.size >= CACHE_SIZE) this.#cache.clear();
      hex = this.#compute(text);
      this.#cache.set(text, hex);
    }
    return hex;
  }

  #compute(text: string): string {
    if (text.length * 3 > this.#bytes.length) this.#bytes = new Uint8Array(text.length * 3);
    const { written } = this.#encoder.encodeInto(text, this.#bytes);
    const state = this.#state;
    const w = this.#w;
    state.set(this.#inner);
    finish(state, { bytes: this.#bytes, length: written, before: BLOCK, w });
    const digest = bigEndian(state, this.#digest);
    state.set(this.#outer);
    finish(state, { bytes: digest, length: 32, before: BLOCK, w });
    let hex = "";
    for (let i = 0; i < 8; i++) {
      const word = state[i];
      hex += HEX[word >>> 24] + HEX[(word >>> 16) & 255] + HEX[(word >>> 8) & 255] +
        HEX[word & 255];
    }
    return hex;
  }
}

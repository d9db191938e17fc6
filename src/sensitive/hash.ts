/**
 * HMAC-SHA-256 of sensitive values under the `hash_key` setting, as lowercase hex, by
 * `node:crypto` (the runtime's own implementation: no hand-written cryptography).
 *
 * @module
 */
import { createHmac } from "node:crypto";

/** The longest value whose hash is cached, and how many are cached at most. */
const CACHED_LENGTH = 64;
const CACHE_SIZE = 4096;

/** HMAC-SHA-256 under one key (RFC 2104), as lowercase hex; synchronous. */
export class Hmac {
  #key: string;
  /** The hashes of short values met lately, by value. */
  #cache = new Map<string, string>();

  /** An HMAC under `key` (its UTF-8 bytes). */
  constructor(key: string) {
    this.#key = key;
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
    return createHmac("sha256", this.#key).update(text, "utf8").digest("hex");
  }
}

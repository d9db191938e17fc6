/**
 * Secret masking: every form in which a secret can reach output, and their replacement.
 *
 * @module
 */

/** What a masked secret is replaced with. */
export const MASK = "****";

/** Secrets shorter than this are not masked: masking them would mangle ordinary text. */
export const MIN_MASKED_LENGTH = 4;

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

function base64(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += BASE64[(n >> 18) & 63] + BASE64[(n >> 12) & 63] + BASE64[(n >> 6) & 63] +
      BASE64[n & 63];
  }
  return out;
}

/**
 * The base64 characters that depend only on `bytes`, wherever they sit in a longer encoded text:
 * one run for each of the three alignments (so `Bearer <token>`, `:<token>`, `<token>:` and any
 * other text around the secret are covered), in the standard and the URL-safe alphabet.
 */
function base64Cores(bytes: Uint8Array): string[] {
  const cores: string[] = [];
  for (let k = 0; k < 3; k++) {
    const padded = new Uint8Array(k + bytes.length);
    padded.set(bytes, k);
    const from = Math.ceil((8 * k) / 6);
    const to = Math.floor((8 * (k + bytes.length)) / 6);
    const core = base64(padded).slice(from, to);
    cores.push(core, core.replaceAll("+", "-").replaceAll("/", "_"));
  }
  return cores;
}

/**
 * Every form in which `secret` can appear in what the connector prints: as is, JSON-escaped
 * (once or twice, with or without `/` escaped as `\/`), URL-encoded (as a path or query part, and
 * form-encoded), base64 (standard and URL-safe, at any alignment inside a longer encoded text,
 * e.g. `Basic` or `Bearer` header values) and hex.
 */
export function secretForms(secret: string): string[] {
  const bytes = new TextEncoder().encode(secret);
  return [...new Set([...foldedForms(secret, bytes), ...base64Cores(bytes)])]
    .filter((form) => form.length >= MIN_MASKED_LENGTH);
}

/** The forms of {@linkcode secretForms} that keep their meaning in any letter case. */
function foldedForms(secret: string, bytes: Uint8Array): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const slashes = json.replaceAll("/", "\\/");
  return [
    secret,
    json,
    JSON.stringify(json).slice(1, -1),
    slashes,
    JSON.stringify(slashes).slice(1, -1),
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
    Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(""),
  ];
}

/**
 * A set of secrets masked in every form {@linkcode secretForms} lists, base64 as it is and the
 * other forms in any letter case (an upper-cased token is the token).
 */
export class SecretMask {
  /** Base64 forms: case is meaning. */
  #exact: string[] = [];
  /** The other forms, lower-cased: found in a lower-cased text. */
  #folded: string[] = [];
  /** The folded forms as one case-insensitive pattern, longest first: to replace them. */
  #pattern?: RegExp;
  /** The same pattern, not global: to find whether a text holds any (as fast as `includes`). */
  #probe?: RegExp;

  /** Masks `secret` (in every form) from now on; secrets shorter than 4 characters are ignored. */
  add(secret: string): void {
    if (secret.length < MIN_MASKED_LENGTH) return;
    const bytes = new TextEncoder().encode(secret);
    const folded = foldedForms(secret, bytes).map((form) => form.toLowerCase());
    const exact = base64Cores(bytes);
    // Longest first, so a form containing another is masked whole.
    const byLength = (a: string, b: string) => b.length - a.length;
    const long = (form: string) => form.length >= MIN_MASKED_LENGTH;
    this.#folded = [...new Set([...this.#folded, ...folded.filter(long)])].sort(byLength);
    this.#exact = [...new Set([...this.#exact, ...exact.filter(long)])].sort(byLength);
    const escaped = this.#folded.map((form) => form.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    this.#pattern = new RegExp(escaped.join("|"), "gi");
    this.#probe = new RegExp(escaped.join("|"), "i");
  }

  /** Whether any form of a secret holds `text` (e.g. a newline). */
  anyHolds(text: string): boolean {
    const lower = text.toLowerCase();
    return this.#exact.some((form) => form.includes(text)) ||
      this.#folded.some((form) => form.includes(lower));
  }

  /** `text` with every form of every secret replaced by `****`. */
  redact(text: string): string {
    let out = text;
    for (const form of this.#exact) {
      if (out.includes(form)) out = out.replaceAll(form, MASK);
    }
    return this.#probe?.test(out) ? out.replace(this.#pattern!, MASK) : out;
  }
}

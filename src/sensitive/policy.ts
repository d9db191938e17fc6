/**
 * The `sensitive_data`, `sensitive_classes` and `hash_key` settings, as one policy.
 *
 * @module
 */
import type { Config } from "../config.ts";
import { SENSITIVE_CLASSES, type SensitiveClass } from "./classes.ts";
import type { Hmac } from "./hash.ts";

/** What the settings do with sensitive data, when they do anything (`keep` is no policy). */
export interface SensitivePolicy {
  /** Hash the values, or drop the columns. */
  mode: "hash" | "drop";
  /** The classes hashed or dropped. */
  classes: ReadonlySet<SensitiveClass>;
  /** The keyed hash, when `mode` is `hash`. */
  hmac?: Hmac;
}

/** The settings a policy is made of. */
export type SensitiveSettings = Pick<Config, "sensitive_data" | "sensitive_classes" | "hash_key">;

/**
 * The policy of a parsed config; undefined for `keep` (today's output, nothing changed). The
 * keyed hash is loaded only for `hash` (`node:crypto` costs a run that hashes nothing about
 * 10 MB of memory).
 */
export async function policyOf(config: SensitiveSettings): Promise<SensitivePolicy | undefined> {
  const mode = config.sensitive_data;
  if (mode === "keep") return undefined;
  const classes = new Set(config.sensitive_classes ?? SENSITIVE_CLASSES);
  if (mode === "drop") return { mode, classes };
  // parseConfig refuses hash without a key: this is a guard for a config made by hand.
  if (!config.hash_key) throw new Error("sensitive_data is hash but hash_key is not set");
  const { Hmac } = await import("./hash.ts");
  return { mode, classes, hmac: new Hmac(config.hash_key) };
}

/** Whether `policy` hashes or drops class `cls` (an unknown class always: it may be any). */
export function protects(policy: SensitivePolicy, cls: SensitiveClass | "unknown"): boolean {
  return cls === "unknown" || policy.classes.has(cls);
}

/**
 * What `check` says of the policy: which classes are hashed or dropped; nothing for `keep`, whose
 * output is as it was before the setting existed.
 */
export function policySummary(policy: SensitivePolicy | undefined): string {
  if (!policy) return "";
  const classes = SENSITIVE_CLASSES.filter((cls) => policy.classes.has(cls)).join(", ");
  return policy.mode === "hash"
    ? `Sensitive data hashed (HMAC-SHA-256 under hash_key): ${classes}.`
    : `Sensitive data dropped: ${classes}.`;
}

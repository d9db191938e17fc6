import { z } from "zod";
import { configError } from "./errors.ts";
import type { Parsed } from "./parsed.ts";
import { SENSITIVE_CLASSES } from "./sensitive/classes.ts";

/** The default Humaans API root. */
export const DEFAULT_BASE_URL = "https://app.humaans.io/api";

/** What `spec.json` says of one setting; the parser enforces exactly this. */
export interface SettingSpec {
  /** The JSON type of the setting (strings of the seed's config are coerced to it). */
  type: "string" | "integer" | "boolean" | "array";
  /** The setting's name in a form. */
  title: string;
  /** What the setting does, for the form and the README. */
  description: string;
  /** Its place in a form. */
  order: number;
  /** The value an absent setting takes. */
  default?: string | number | boolean | string[];
  /** The smallest value allowed. */
  minimum?: number;
  /** The largest value allowed. */
  maximum?: number;
  /** A secret: masked in forms and never printed. */
  airbyte_secret?: boolean;
  /** Example values for the form. */
  examples?: string[];
  /** The values a string setting may take. */
  enum?: string[];
  /** What each item of an array setting is: one of `enum`. */
  items?: { type: "string"; enum: string[] };
  /** Fewest items an array setting may have. */
  minItems?: number;
  /** An array setting names each item once. */
  uniqueItems?: boolean;
}

const TRUE_WORDS = new Set(["true", "1", "yes", "on", "y"]);
const FALSE_WORDS = new Set(["false", "0", "no", "off", "n"]);
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** Every setting of {@linkcode Config}, with what `spec.json` says of it. */
const SETTINGS = z.registry<SettingSpec>();

function setting<T extends z.ZodType>(schema: T, spec: SettingSpec): T {
  SETTINGS.add(schema, spec);
  return schema;
}

function toInteger(value: unknown): unknown {
  if (typeof value === "string" && /^\s*[+-]?\d+\s*$/.test(value)) return Number(value.trim());
  return value;
}

function toBoolean(value: unknown): unknown {
  if (typeof value === "string") {
    const word = value.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
  }
  if (value === 1) return true;
  if (value === 0) return false;
  return value;
}

function integerSetting(spec: Omit<SettingSpec, "type"> & { default: number }) {
  const inner = z.number().int().min(spec.minimum!).max(spec.maximum!);
  return setting(z.preprocess(toInteger, inner).default(spec.default), {
    type: "integer",
    ...spec,
  });
}

function optionalIntegerSetting(spec: Omit<SettingSpec, "type" | "default">) {
  const inner = z.number().int().min(spec.minimum!).max(spec.maximum!);
  return setting(z.preprocess(toInteger, inner).optional(), { type: "integer", ...spec });
}

function booleanSetting(spec: Omit<SettingSpec, "type"> & { default: boolean }) {
  return setting(z.preprocess(toBoolean, z.boolean()).default(spec.default), {
    type: "boolean",
    ...spec,
  });
}

/** What `sensitive_data` may be: see {@linkcode Config}. */
export const SENSITIVE_DATA_MODES = ["keep", "hash", "drop"] as const;

/** Fewest characters `hash_key` may have: a short key could be guessed like a password. */
export const MIN_HASH_KEY_LENGTH = 16;

/** A word setting's value, trimmed and lowercased. */
function toWord(value: unknown): unknown {
  return typeof value === "string" ? value.trim().toLowerCase() : value;
}

/** A list setting's value: a comma-separated string becomes its words; a list's words trimmed. */
function toList(value: unknown): unknown {
  if (typeof value === "string") {
    return value.split(",").map((word) => word.trim().toLowerCase()).filter(Boolean);
  }
  return Array.isArray(value) ? [...new Set(value.map(toWord))] : value;
}

/** Fewest characters an API token may have (shorter ones could not be masked in output). */
export const MIN_TOKEN_LENGTH = 8;
/** Most characters an API token may have (4 KiB; Humaans tokens are far shorter). */
export const MAX_TOKEN_LENGTH = 4096;

/** Why `token` (already trimmed) cannot be an API token, or undefined if it can. Never quotes it. */
function tokenProblem(token: string): string | undefined {
  if (token.length === 0) return undefined; // min(1) reports it
  if (token.length < MIN_TOKEN_LENGTH) {
    return `is too short (${token.length} characters, at least ${MIN_TOKEN_LENGTH}): copy the whole token from Humaans (Settings > API access)`;
  }
  if (token.length > MAX_TOKEN_LENGTH) {
    return `is too long (${token.length} characters, at most ${MAX_TOKEN_LENGTH}): set it to the token alone`;
  }
  // Printable ASCII only: a header cannot carry control characters, and a space, line break or
  // NUL inside means something else was pasted with the token.
  for (let i = 0; i < token.length; i++) {
    const code = token.charCodeAt(i);
    if (code <= 32 || code === 127) {
      return `holds a space, line break or control character (at character ${
        i + 1
      }): copy the token again, on one line`;
    }
    if (code > 127) {
      return `holds a character that is not ASCII (at character ${
        i + 1
      }): copy the token again from Humaans`;
    }
  }
  const folded = token.toLowerCase();
  if (OWN_WORDS.some((word) => word.includes(folded))) {
    // Masked wherever it shows, in any case, the token would mask the output's own words too.
    return "is a word the connector's own output holds (such as a key or status of its messages), so masking it would break every message: set the token Humaans gave you";
  }
  return undefined;
}

/**
 * The words of the connector's messages that are not data: keys and values of the protocol's
 * messages, and the columns every stream has. A token that is part of one cannot be masked.
 */
const OWN_WORDS = [
  "_ab_cdc_deleted_at",
  "additional_fields",
  "airbyte_secret",
  "complete",
  "config_error",
  "connection_status",
  "connectionspecification",
  "connectionstatus",
  "cursor_field",
  "default_cursor_field",
  "destination_sync_mode",
  "documentationurl",
  "emitted_at",
  "estimate",
  "failure_type",
  "ids_at_cursor",
  "incomplete",
  "internal_message",
  "is_resumable",
  "json_schema",
  "namespace",
  "primary_key",
  "quota_reset",
  "rate_limited",
  "recordcount",
  "row_estimate",
  "source_defined_cursor",
  "source_defined_primary_key",
  "sourcestats",
  "stream_descriptor",
  "stream_state",
  "stream_status",
  "succeeded",
  "supported_sync_modes",
  "system_error",
  "timestamp",
  "transient_error",
  "updated_at",
];

/** Why `value` cannot be the base URL, or undefined if it can. Quotes no user name or password. */
function baseUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "must be an https URL (http only on localhost)";
  }
  if (url.username !== "" || url.password !== "" || /^[^/?#]*\/\/[^/?#]*@/.test(value)) {
    return "must not hold a user name or password (user:password@): put the API token in api_token";
  }
  if (url.search !== "" || value.includes("?")) {
    return `must not have a query (?...): set the API root only, e.g. ${DEFAULT_BASE_URL}`;
  }
  if (url.hash !== "" || value.includes("#")) {
    return `must not have a fragment (#...): set the API root only, e.g. ${DEFAULT_BASE_URL}`;
  }
  if (url.protocol === "https:") return undefined;
  if (url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname)) return undefined;
  return "must be an https URL (http only on localhost)";
}

function refineWith(problem: (value: string) => string | undefined) {
  return (value: string, context: z.RefinementCtx) => {
    const message = problem(value);
    if (message) context.addIssue({ code: "custom", message });
  };
}

/**
 * The connector's configuration: the single source of truth for `spec.json`.
 *
 * @ignore
 */
export const Config = z.object({
  api_token: setting(z.string().trim().min(1).superRefine(refineWith(tokenProblem)), {
    type: "string",
    title: "API token",
    description:
      "Humaans API access token (Settings > API access in Humaans). Grant public:read or private:read, plus documents:read and compensations:read for those streams.",
    order: 0,
    airbyte_secret: true,
  }),
  initial_sync_days: optionalIntegerSetting({
    title: "Initial sync days",
    description:
      "Optional. Limits the first incremental sync (no state yet) of the dated-event streams (time_away, time_away_adjustments, timesheet_entries, timesheet_submissions, public_holidays) to rows updated in the last N days; a WARN says how many older rows that leaves out. Unset: every stream's first sync reads all history. Entity streams (people, companies, job roles, ...) and full_refresh syncs always read all history.",
    order: 1,
    minimum: 1,
    maximum: 365,
  }),
  max_records_per_page: integerSetting({
    title: "Records per page",
    description: "Page size ($limit) of each API request. Humaans accepts at most 250.",
    order: 2,
    default: 100,
    minimum: 1,
    maximum: 250,
  }),
  request_timeout_seconds: integerSetting({
    title: "Request timeout (seconds)",
    description: "How long one HTTP request may take, body included, before it is retried.",
    order: 3,
    default: 30,
    minimum: 1,
    maximum: 300,
  }),
  retry_attempts: integerSetting({
    title: "Retry attempts",
    description:
      "How many times a failed request (408, 429, 5xx, timeout, dropped connection) is retried.",
    order: 4,
    default: 3,
    minimum: 0,
    maximum: 10,
  }),
  enable_incremental_sync: booleanSetting({
    title: "Enable incremental sync",
    description:
      "Read only rows updated since the last sync. When false, every stream syncs in full.",
    order: 5,
    default: true,
  }),
  concurrency: integerSetting({
    title: "Concurrent requests",
    description:
      "Most API requests in flight at once, across pages and streams; halved on each burst of 429s and grown back slowly.",
    order: 7,
    default: 4,
    minimum: 1,
    maximum: 16,
  }),
  detect_deletes: booleanSetting({
    title: "Detect deleted rows",
    description:
      "In incremental syncs, find rows deleted in Humaans since the last sync and write each as a record with _ab_cdc_deleted_at set, so append-dedup destinations delete it. Costs one extra scan of every id per incremental stream per sync (ids only where the API allows) and keeps those ids in the state (about 24 bytes a row; streams over 100000 rows are not tracked).",
    order: 8,
    default: false,
  }),
  base_url: setting(
    z.string().trim().superRefine(refineWith(baseUrlProblem))
      .transform((url) => url.replace(/\/+$/, "")).default(DEFAULT_BASE_URL),
    {
      type: "string",
      title: "API base URL",
      description:
        "Root of the Humaans API. https only (http is allowed for a loopback test server).",
      order: 6,
      default: DEFAULT_BASE_URL,
      examples: [DEFAULT_BASE_URL],
    },
  ),
  sensitive_data: setting(
    z.preprocess(toWord, z.enum(SENSITIVE_DATA_MODES)).default("keep"),
    {
      type: "string",
      title: "Sensitive data",
      description:
        "What to do with the columns that hold sensitive data of the classes in sensitive_classes (bank, government_id, compensation, personal, health): keep (sync them as they are), hash (replace each value with its HMAC-SHA-256 under hash_key, as lowercase hex: still joinable and comparable, not readable) or drop (leave the columns out of the schema and of every record). With hash or drop, a stream holding such a column also leaves out the API fields it has no column for.",
      order: 9,
      default: "keep",
      enum: [...SENSITIVE_DATA_MODES],
    },
  ),
  sensitive_classes: setting(
    z.preprocess(toList, z.array(z.enum(SENSITIVE_CLASSES)).min(1)).default([
      ...SENSITIVE_CLASSES,
    ]),
    {
      type: "array",
      title: "Sensitive classes",
      description:
        "The classes of sensitive data that sensitive_data hashes or drops (default: all): bank (account numbers, sort codes, IBAN, routing and SWIFT codes, name on account), government_id (tax and identity document numbers), compensation (pay), personal (birthday, personal email and phone, home address, nationality, gender, emergency contacts; also any custom field of a section this connector does not recognise), health.",
      order: 10,
      default: [...SENSITIVE_CLASSES],
      items: { type: "string", enum: [...SENSITIVE_CLASSES] },
      minItems: 1,
      uniqueItems: true,
    },
  ),
  hash_key: setting(z.string().trim().min(1).optional(), {
    type: "string",
    title: "Hash key",
    description:
      `Required when sensitive_data is hash: the secret key of the HMAC-SHA-256 that hashes sensitive values (at least ${MIN_HASH_KEY_LENGTH} characters; keep it the same across syncs so that hashes stay joinable). An unkeyed hash would be reversed by hashing every candidate value.`,
    order: 11,
    airbyte_secret: true,
  }),
});

/** A parsed, valid configuration. */
export type Config = Parsed<typeof Config>;

/** The declared spec of every setting, keyed by name, in order. */
export function settingSpecs(): [string, SettingSpec][] {
  return Object.entries(Config.shape).map(([key, schema]) => {
    const spec = SETTINGS.get(schema);
    if (!spec) throw new Error(`Setting "${key}" has no spec: declare it with setting()`);
    return [key, spec];
  });
}

type JsonSchema = z.core.JSONSchema.BaseSchema;

/**
 * Rewrites, in place, what z.toJSONSchema gives for one setting (zod's keys, then the registry's
 * {@linkcode SettingSpec} over them) into its property in `spec.json`. The differences, each
 * pinned by a test in `tests/config_test.ts`:
 *
 * - `default` and `examples` are put back: zod drops both from the input schema of a schema that
 *   transforms (every setting with either coerces or trims its input), yet they describe the
 *   input: a default is what the user may omit, an example what the user may write.
 * - `minLength: 1` of the token is dropped: the token is trimmed first, so the key would promise
 *   what the parser does not do (a blank token fails); the description says what a token is.
 * - The keys come in the order of the setting's spec: put back after zod's keys, `default` would
 *   come last, where the spec has it after `order`.
 */
function toSpecProperty(json: JsonSchema, spec: SettingSpec): void {
  const { default: value, examples } = spec;
  const generated: JsonSchema = {
    ...json,
    ...(value === undefined ? {} : { default: value }),
    ...(examples === undefined ? {} : { examples }),
  };
  delete generated.minLength;
  for (const key of Object.keys(json)) delete json[key];
  for (const key of Object.keys(spec)) json[key] = generated[key];
  for (const key of Object.keys(generated)) {
    if (!(key in json)) throw new Error(`Setting JSON Schema key "${key}" is not in its spec`);
  }
}

/**
 * The JSON Schema of the configuration, as `spec.json` holds it: zod's input schema of
 * {@linkcode Config} (z.toJSONSchema with the settings registry; its `required` list too), each
 * setting rewritten by {@linkcode toSpecProperty}, and at the root (pinned by tests too):
 *
 * - `title`, which Airbyte shows for the form (no zod schema carries it).
 * - `additionalProperties: true`, which zod leaves out of an input schema: the same meaning, said
 *   as the seed's spec said it (unknown keys are ignored).
 * - The keys come in the order `$schema, title, type, required, additionalProperties, properties`.
 */
export function connectionSpecification(): Record<string, unknown> {
  settingSpecs(); // every setting is declared with setting()
  const generated = z.toJSONSchema(Config, {
    target: "draft-7",
    metadata: SETTINGS,
    io: "input",
    override: ({ zodSchema, jsonSchema }) => {
      const spec = SETTINGS.has(zodSchema) ? SETTINGS.get(zodSchema) : undefined;
      if (spec) toSpecProperty(jsonSchema, spec);
    },
  });
  return {
    $schema: generated.$schema,
    title: "Humaans Source Spec",
    type: generated.type,
    required: generated.required ?? [],
    additionalProperties: true,
    properties: generated.properties,
  };
}

function expected(spec: SettingSpec): string {
  if (spec.enum) return `one of ${spec.enum.join(", ")}`;
  switch (spec.type) {
    case "array":
      return `a list of one or more of ${spec.items?.enum.join(", ")}`;
    case "integer":
      return `an integer from ${spec.minimum} to ${spec.maximum}`;
    case "boolean":
      return "true or false (yes/no, on/off and 1/0 also work)";
    default:
      return "a non-empty string";
  }
}

function describeValue(key: string, value: unknown): string {
  if (SETTINGS.get(Config.shape[key as keyof typeof Config.shape])?.airbyte_secret) {
    return "a secret value";
  }
  return value === undefined ? "nothing" : JSON.stringify(value);
}

/**
 * The values of every setting the spec marks `airbyte_secret` in a raw (not yet valid) config,
 * trimmed: what output must mask from the moment the file is read.
 */
export function secretValues(raw: unknown): string[] {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return [];
  const values: string[] = [];
  for (const [key, spec] of settingSpecs()) {
    const value = (raw as Record<string, unknown>)[key];
    if (spec.airbyte_secret && typeof value === "string" && value.trim()) {
      values.push(value.trim());
    }
  }
  return values;
}

/**
 * The config, if `hash_key` is as `sensitive_data` needs it: set, and long enough, when it is
 * `hash` (a config_error says why otherwise; it never quotes the key).
 */
function withHashKey(config: Config, where: string): Config {
  if (config.sensitive_data !== "hash") return config;
  const key = config.hash_key;
  if (key === undefined) {
    throw configError(
      `Config field "hash_key"${where} is required when sensitive_data is "hash": an unkeyed hash is no protection, since anyone can hash every candidate value and compare (every 8-digit account number takes seconds), so values are hashed with HMAC-SHA-256 under a secret key. Set hash_key to a long random secret, the same in every sync so that hashes stay joinable, or set sensitive_data to "drop"`,
    );
  }
  if (key.length < MIN_HASH_KEY_LENGTH) {
    throw configError(
      `Config field "hash_key"${where} is too short (${key.length} characters, at least ${MIN_HASH_KEY_LENGTH}): a short key can be guessed, and with it every hashed value reversed by trying candidates; use a long random secret`,
    );
  }
  return config;
}

/** Validates and coerces a raw config object; throws a config_error naming the key on failure. */
export function parseConfig(raw: unknown, options: { source?: string } = {}): Config {
  const where = options.source ? ` in "${options.source}"` : "";
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw configError(`Config${where} must be a JSON object with at least "api_token"`);
  }
  const result = Config.safeParse(raw);
  if (result.success) return withHashKey(result.data, where);
  const issue = result.error.issues[0];
  const key = String(issue.path[0]);
  const value = (raw as Record<string, unknown>)[key];
  const custom = issue.code === "custom" ? issue.message : undefined;
  if (key === "api_token" && custom) {
    throw configError(`Config field "api_token"${where} ${custom}`);
  }
  if (key === "base_url" && custom) {
    const quoted = typeof value === "string" && custom.startsWith("must be an https")
      ? `, got ${JSON.stringify(value)}`
      : "";
    throw configError(`Config field "base_url"${where} ${custom}${quoted}`);
  }
  if (key === "api_token") {
    throw configError(
      `Config field "api_token"${where} is ${
        value === undefined ? "missing" : "empty or not a string"
      }: create a token in Humaans (Settings > API access) and set it`,
    );
  }
  if (key === "base_url") {
    throw configError(
      `Config field "base_url"${where} must be an https URL (http only on localhost), got ${
        JSON.stringify(value)
      }`,
    );
  }
  const spec = SETTINGS.get(Config.shape[key as keyof typeof Config.shape]);
  const wanted = spec ? expected(spec) : "a valid value";
  throw configError(
    `Config field "${key}"${where} must be ${wanted}, got ${describeValue(key, value)}`,
  );
}

import { z } from "zod";
import { configError } from "./errors.ts";

/** The default Humaans API root. */
export const DEFAULT_BASE_URL = "https://app.humaans.io/api";

/** What `spec.json` says of one setting; the parser enforces exactly this. */
export interface SettingSpec {
  type: "string" | "integer" | "boolean";
  title: string;
  description: string;
  order: number;
  default?: string | number | boolean;
  minimum?: number;
  maximum?: number;
  airbyte_secret?: boolean;
  examples?: string[];
}

const TRUE_WORDS = new Set(["true", "1", "yes", "on", "y"]);
const FALSE_WORDS = new Set(["false", "0", "no", "off", "n"]);
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

const SETTINGS_REGISTRY = new WeakMap<z.ZodType, SettingSpec>();

function setting<T extends z.ZodType>(schema: T, spec: SettingSpec): T {
  SETTINGS_REGISTRY.set(schema, spec);
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

function booleanSetting(spec: Omit<SettingSpec, "type"> & { default: boolean }) {
  return setting(z.preprocess(toBoolean, z.boolean()).default(spec.default), {
    type: "boolean",
    ...spec,
  });
}

function isAllowedBaseUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol === "https:") return true;
  return url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname);
}

/** The connector's configuration: the single source of truth for `spec.json`. */
export const Config = z.object({
  api_token: setting(z.string().trim().min(1), {
    type: "string",
    title: "API token",
    description:
      "Humaans API access token (Settings > API access in Humaans). Grant public:read or private:read, plus documents:read and compensations:read for those streams.",
    order: 0,
    airbyte_secret: true,
  }),
  initial_sync_days: integerSetting({
    title: "Initial sync days",
    description:
      "How many days of history an incremental stream without state reads (rows updated in that window). A full_refresh sync reads all history.",
    order: 1,
    default: 90,
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
    z.string().trim().refine(isAllowedBaseUrl).transform((url) => url.replace(/\/+$/, ""))
      .default(DEFAULT_BASE_URL),
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
});

/** A parsed, valid configuration. */
export type Config = z.infer<typeof Config>;

/** The declared spec of every setting, keyed by name, in order. */
export function settingSpecs(): [string, SettingSpec][] {
  return Object.entries(Config.shape).map(([key, schema]) => {
    const spec = SETTINGS_REGISTRY.get(schema);
    if (!spec) throw new Error(`Setting "${key}" has no spec: declare it with setting()`);
    return [key, spec];
  });
}

/** The JSON Schema of the configuration, as `spec.json` holds it. */
export function connectionSpecification(): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const [key, spec] of settingSpecs()) properties[key] = { ...spec };
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: "Humaans Source Spec",
    type: "object",
    required: Object.entries(Config.shape)
      .filter(([, schema]) => !schema.safeParse(undefined).success)
      .map(([key]) => key),
    additionalProperties: true,
    properties,
  };
}

function expected(spec: SettingSpec): string {
  switch (spec.type) {
    case "integer":
      return `an integer from ${spec.minimum} to ${spec.maximum}`;
    case "boolean":
      return "true or false (yes/no, on/off and 1/0 also work)";
    default:
      return "a non-empty string";
  }
}

function describeValue(key: string, value: unknown): string {
  if (SETTINGS_REGISTRY.get(Config.shape[key as keyof typeof Config.shape])?.airbyte_secret) {
    return "a secret value";
  }
  return value === undefined ? "nothing" : JSON.stringify(value);
}

/** Validates and coerces a raw config object; throws a config_error naming the key on failure. */
export function parseConfig(raw: unknown, options: { source?: string } = {}): Config {
  const where = options.source ? ` in "${options.source}"` : "";
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw configError(`Config${where} must be a JSON object with at least "api_token"`);
  }
  const result = Config.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const key = String(issue.path[0]);
  const value = (raw as Record<string, unknown>)[key];
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
  const spec = SETTINGS_REGISTRY.get(Config.shape[key as keyof typeof Config.shape]);
  const wanted = spec ? expected(spec) : "a valid value";
  throw configError(
    `Config field "${key}"${where} must be ${wanted}, got ${describeValue(key, value)}`,
  );
}

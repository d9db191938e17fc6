import { z } from "zod";
import type { SensitiveClass } from "../sensitive/classes.ts";

/** How a column's values are typed and normalised. */
export type ColumnKind =
  | "id"
  | "string"
  | "object"
  | "array"
  | "json"
  | "timestamp"
  | "date"
  | "time"
  | "integer"
  | "number"
  | "boolean";

/**
 * What the column registry holds of a column: its kind, and the JSON Schema keys of its property
 * that z.toJSONSchema cannot derive from the zod type.
 */
interface ColumnMeta {
  /** How the column's values are typed and normalised (dropped from the JSON Schema). */
  kind: ColumnKind;
  /** Also zod's own `.description` (the global registry), which other code reads. */
  description?: string;
  /** A format the zod type does not carry: to zod a date or a time is a regex. */
  format?: "date" | "time";
  /** Airbyte's type of the column, a key JSON Schema does not have. */
  airbyte_type?: "timestamp_with_timezone" | "time_without_timezone";
  /** The class of sensitive data the column holds (see {@linkcode sensitive}), if any. */
  sensitive?: SensitiveClass;
}

/** Every column declared with {@linkcode col}, with its metadata. */
const COLUMNS = z.registry<ColumnMeta>();

/** The keys of {@linkcode ColumnMeta} each kind sets beyond its kind. */
const KIND_KEYS: Partial<Record<ColumnKind, Pick<ColumnMeta, "format" | "airbyte_type">>> = {
  timestamp: { airbyte_type: "timestamp_with_timezone" },
  date: { format: "date" },
  time: { format: "time", airbyte_type: "time_without_timezone" },
};

function column<T extends z.ZodType>(kind: ColumnKind, schema: T, description?: string): T {
  const described = description === undefined ? schema : schema.describe(description) as T;
  COLUMNS.add(described, {
    kind,
    ...KIND_KEYS[kind],
    ...(description === undefined ? {} : { description }),
  });
  return described;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** A time of day without a zone, as Airbyte's `time_without_timezone` holds it. */
const ISO_TIME = /^\d{2}:\d{2}:\d{2}(\.\d+)?$/;

/**
 * Column types of a stream's record schema; every column but the id is nullable. The optional
 * `description` goes to the column's JSON Schema (say there when no public source shows the field).
 */
export const col = {
  /** The primary key: a non-empty string. */
  id: (description?: string) => column("id", z.string().min(1), description),
  /** Text; a number or boolean as text (an object or array does not fit). */
  string: (description?: string) => column("string", z.string().nullable(), description),
  /** An object kept whole, as native JSON (a warehouse's JSON type): `{"id": "U01"}`. */
  object: (description?: string) =>
    column("object", z.record(z.string(), z.unknown()).nullable(), description),
  /** An array kept whole, as native JSON: `["GB", "IE"]`. */
  array: (description?: string) => column("array", z.array(z.unknown()).nullable(), description),
  /**
   * JSON text, as the seed defines its `tags`, `requirements`, `responsibilities` and `benefits`
   * columns: a string as sent, a number or boolean as text, an object or array as JSON text.
   * Every other nested value is native JSON (`object`, `array`).
   */
  json: (description?: string) => column("json", z.string().nullable(), description),
  /** A UTC ISO 8601 timestamp with milliseconds. */
  timestamp: (description?: string) =>
    column("timestamp", z.iso.datetime({ offset: false }).nullable(), description),
  /** A calendar date, YYYY-MM-DD. */
  date: (description?: string) =>
    column("date", z.string().regex(ISO_DATE).nullable(), description),
  /** A time of day without a zone, HH:MM:SS (a warehouse's TIME): `09:00:00`. */
  time: (description?: string) =>
    column("time", z.string().regex(ISO_TIME).nullable(), description),
  integer: (description?: string) => column("integer", z.number().int().nullable(), description),
  number: (description?: string) => column("number", z.number().nullable(), description),
  boolean: (description?: string) => column("boolean", z.boolean().nullable(), description),
};

/**
 * A column that holds sensitive data of class `cls`: `sensitive(col.string(), "bank")`. The
 * `sensitive_data` setting can hash or drop it; with either, `discover` names its class.
 *
 * @ignore
 */
export function sensitive<T extends z.ZodType>(column: T, cls: SensitiveClass): T {
  const meta = COLUMNS.get(column);
  if (!meta) throw new Error("sensitive() takes a column declared with col.*()");
  COLUMNS.add(column, { ...meta, sensitive: cls });
  return column;
}

/**
 * The class of sensitive data of a column, if it is declared with {@linkcode sensitive}.
 *
 * @ignore
 */
export function sensitiveClassOf(column: z.ZodType): SensitiveClass | undefined {
  return COLUMNS.has(column) ? COLUMNS.get(column)?.sensitive : undefined;
}

/** The columns of a record schema that hold sensitive data, with their class. */
export function columnClasses(schema: RecordSchema): Map<string, SensitiveClass> {
  const classes = new Map<string, SensitiveClass>();
  for (const [name, field] of Object.entries(schema.shape)) {
    const cls = sensitiveClassOf(field);
    if (cls) classes.set(name, cls);
  }
  return classes;
}

/**
 * The column every stream ends with: the API fields the stream has no column for, so that no
 * field the real API sends is lost because the schema guessed wrong.
 */
export const ADDITIONAL_FIELDS = "additional_fields";

/** The description of {@linkcode ADDITIONAL_FIELDS} in every schema. */
export const ADDITIONAL_FIELDS_DESCRIPTION =
  'The API fields this stream has no column for, and the values that did not fit their column (those columns are null and the record\'s meta.changes lists them), as one JSON object. One rule for its keys: each value sits under its API key as sent (camelCase), nested as in the API object ({"slack":{"id":"U01"}}; of an object whose other fields have columns, only the rest). Null when there are none.';

/** The description of a column the seed schema has and Humaans does not: always null. */
export const SEED_COLUMN =
  "Seed column: Humaans has no such field (no public source shows one); always null.";

/** The description of a column no public source shows: the field is a guess. */
export const GUESSED = "Guessed: no public source shows this field; null if the API lacks it.";

/**
 * A stream's record schema: an object of {@linkcode col} columns.
 *
 * @ignore
 */
export type RecordSchema = z.ZodObject<Record<string, z.ZodType>>;

/** The kind of each column of a record schema. */
export function columnKinds(schema: RecordSchema): Map<string, ColumnKind> {
  const kinds = new Map<string, ColumnKind>();
  for (const [name, field] of Object.entries(schema.shape)) {
    // has(), not only get(): a registry lends a schema its parent's metadata, and a column derived
    // from a col.*() column (say by .describe()) is not declared with col.*() itself.
    const kind = COLUMNS.has(field) ? COLUMNS.get(field)?.kind : undefined;
    if (!kind) throw new Error(`Column "${name}" is not declared with col.*()`);
    kinds.set(name, kind);
  }
  return kinds;
}

type JsonSchema = z.core.JSONSchema.BaseSchema;
type JsonType = Exclude<JsonSchema["type"], unknown[] | undefined>;

/**
 * Rewrites, in place, what z.toJSONSchema gives for one column into the column's property in
 * `schemas/<stream>.json`. The differences, each pinned by a test in `tests/streams/fields_test.ts`:
 *
 * - A nullable column comes as `anyOf: [<type>, {type: "null"}]` whenever the type has a
 *   constraint (zod folds only bare types into a list): it becomes `type: [<type>, "null"]`, the
 *   form Airbyte's type mapping reads.
 * - The constraints zod states are dropped: `minLength: 1` of the id, the `pattern` of a date or
 *   a timestamp (zod's own regexes), the safe-integer `minimum`/`maximum` of an integer. The
 *   mapping already normalises every value; the schema declares types, as Airbyte uses it.
 * - `kind` (registry metadata for the mapping, no JSON Schema key) is dropped.
 * - The keys come in the order `type, format, airbyte_type, description` (zod puts metadata
 *   after the type's keys, and a description before them).
 */
function toAirbyteColumn(json: JsonSchema): void {
  const { anyOf, format, airbyte_type, description } = json;
  const branches = (anyOf ?? []) as JsonSchema[];
  const nullable = branches.length === 2 && branches[1].type === "null";
  if (anyOf && !nullable) throw new Error(`Unexpected column JSON Schema ${JSON.stringify(json)}`);
  const inner = nullable ? branches[0] : json;
  const property: JsonSchema = {
    type: nullable ? [inner.type as JsonType, "null"] : inner.type,
    format: format ?? inner.format,
    airbyte_type,
    description,
  };
  for (const key of Object.keys(json)) delete json[key];
  for (const [key, value] of Object.entries(property)) if (value !== undefined) json[key] = value;
}

/**
 * The draft-07 JSON Schema of a stream's records, as `schemas/<stream>.json` holds it: zod's
 * (z.toJSONSchema with the column registry), each column rewritten by
 * {@linkcode toAirbyteColumn}, and at the root (pinned by tests too):
 *
 * - `additionalProperties: true`, where zod says `false` of an object that strips unknown keys:
 *   a record schema tells destinations what columns there are, and forbids none.
 * - `required` lists the columns that are never null (the id), where zod lists every column
 *   (each is always present): the seed's schemas require only the primary key.
 * - The keys come in the order `$schema, type, additionalProperties, required, properties`.
 */
export function recordJsonSchema(schema: RecordSchema): Record<string, unknown> {
  columnKinds(schema); // every column is declared with col.*()
  const generated = z.toJSONSchema(schema, {
    target: "draft-7",
    metadata: COLUMNS,
    override: ({ zodSchema, jsonSchema }) => {
      if (COLUMNS.has(zodSchema)) toAirbyteColumn(jsonSchema);
    },
  });
  const properties = (generated.properties ?? {}) as Record<string, JsonSchema>;
  const nullable = (name: string) => [properties[name].type].flat().includes("null");
  return {
    $schema: generated.$schema,
    type: generated.type,
    additionalProperties: true,
    required: (generated.required ?? []).filter((name) => !nullable(name)),
    properties,
  };
}

/** Keys already converted: API objects repeat the same few dozen keys on every row. */
const SNAKE_CACHE = new Map<string, string>();
/** Bounds the cache, should an API send ever new keys (ids as keys, say). */
const SNAKE_CACHE_MAX = 10_000;

/** camelCase (or PascalCase) to snake_case: `isTimesheetEnabled` -> `is_timesheet_enabled`. */
export function snakeCase(name: string): string {
  let snake = SNAKE_CACHE.get(name);
  if (snake !== undefined) return snake;
  snake = name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .toLowerCase();
  if (SNAKE_CACHE.size >= SNAKE_CACHE_MAX) SNAKE_CACHE.clear();
  SNAKE_CACHE.set(name, snake);
  return snake;
}

/** A date-time without a zone designator, which Date.parse would read in local time. */
const NAIVE_DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/;

/** Days in each month of a common year. */
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Whether YYYY-MM-DD (digits, as the callers check) names a real day of the proleptic Gregorian
 * calendar: month 01 to 12, day 01 to the month's length (Date.parse would roll 2024-02-30 over
 * to March 1).
 */
function isCalendarDate(text: string): boolean {
  const digit = (i: number) => text.charCodeAt(i) - 48;
  const year = digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3);
  const month = digit(5) * 10 + digit(6);
  const day = digit(8) * 10 + digit(9);
  if (!(month >= 1 && month <= 12 && day >= 1)) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : MONTH_DAYS[month - 1]);
}

/** A timestamp already in the form `utcTimestamp` returns (most API timestamps are). */
const CANONICAL_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

/** 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z, in ms since the epoch. */
const MIN_TIMESTAMP_MS = -62_167_219_200_000;
const MAX_TIMESTAMP_MS = 253_402_300_799_999;

/** A timestamp as UTC ISO 8601 with milliseconds, or undefined when it is not one. */
export function utcTimestamp(value: unknown): string | undefined {
  if (typeof value !== "string" && typeof value !== "number") return undefined;
  let ms: number;
  if (typeof value === "number") {
    ms = value;
  } else {
    // Already UTC with milliseconds, with a real day and time: it is its own normal form.
    if (CANONICAL_TIMESTAMP.test(value)) return isCalendarDate(value) ? value : undefined;
    let text = value.trim();
    if (!/^\d{4}-\d{2}-\d{2}/.test(text) || !isCalendarDate(text.slice(0, 10))) return undefined;
    const naive = NAIVE_DATE_TIME.exec(text);
    if (naive) text = `${naive[1]}T${naive[2]}Z`; // no zone: UTC, whatever the machine's TZ
    ms = Date.parse(text);
  }
  // Years 0000 to 9999 only: others have no ISO 8601 form without a sign (-000001-...).
  if (!(ms >= MIN_TIMESTAMP_MS && ms <= MAX_TIMESTAMP_MS)) return undefined;
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) return undefined;
  // Years before 0000 or after 9999 print as -000001-... or +010000-...: no ISO 8601 timestamp.
  const text = date.toISOString();
  return text.length === 24 ? text : undefined;
}

function toDate(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  if (ISO_DATE.test(text)) return isCalendarDate(text) ? text : undefined;
  return utcTimestamp(text)?.slice(0, 10);
}

/** A time of day as HH:MM:SS (seconds added to HH:MM); undefined when it is not one. */
function toTime(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const match = /^(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?$/.exec(value.trim());
  if (!match) return undefined;
  const [, hours, minutes, seconds = "00", fraction = ""] = match;
  if (Number(hours) > 23 || Number(minutes) > 59 || Number(seconds) > 59) return undefined;
  return `${hours}:${minutes}:${seconds}${fraction}`;
}

function toNumber(value: unknown, integer: boolean): number | undefined {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isFinite(n)) return undefined;
  return integer && !Number.isSafeInteger(n) ? undefined : n;
}

function toBoolean(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (value === "true") return true;
  if (value === "false") return false;
  return undefined;
}

/** Text as it comes; a number or boolean as text. An object or array is no text. */
function toText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

function isObject(value: unknown): boolean {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Each column kind's converter: the value typed as the kind demands, or undefined when it does
 * not fit (the mapping then nulls it and keeps it in `additional_fields`). An id is already one
 * (the mapping sets it by `rowId`).
 */
export const CONVERTERS: Record<ColumnKind, (value: unknown) => unknown> = {
  id: (value) => typeof value === "string" ? value : undefined,
  string: toText,
  object: (value) => isObject(value) ? value : undefined,
  array: (value) => Array.isArray(value) ? value : undefined,
  json: (value) => typeof value === "object" ? JSON.stringify(value) : toText(value),
  timestamp: utcTimestamp,
  date: toDate,
  time: toTime,
  integer: (value) => toNumber(value, true),
  number: (value) => toNumber(value, false),
  boolean: toBoolean,
};

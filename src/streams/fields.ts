import { z } from "zod";

/** How a column's values are typed and normalised. */
export type ColumnKind = "id" | "string" | "timestamp" | "date" | "integer" | "number" | "boolean";

const COLUMN_KINDS = new WeakMap<z.ZodType, ColumnKind>();

function column<T extends z.ZodType>(kind: ColumnKind, schema: T): T {
  COLUMN_KINDS.set(schema, kind);
  return schema;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Column types of a stream's record schema; every column but the id is nullable. */
export const col = {
  /** The primary key: a non-empty string. */
  id: () => column("id", z.string().min(1)),
  string: () => column("string", z.string().nullable()),
  /** A UTC ISO 8601 timestamp with milliseconds. */
  timestamp: () => column("timestamp", z.iso.datetime({ offset: false }).nullable()),
  /** A calendar date, YYYY-MM-DD. */
  date: () => column("date", z.string().regex(ISO_DATE).nullable()),
  integer: () => column("integer", z.number().int().nullable()),
  number: () => column("number", z.number().nullable()),
  boolean: () => column("boolean", z.boolean().nullable()),
};

/** A stream's record schema: an object of {@linkcode col} columns. */
export type RecordSchema = z.ZodObject<Record<string, z.ZodType>>;

/** The kind of each column of a record schema. */
export function columnKinds(schema: RecordSchema): Map<string, ColumnKind> {
  const kinds = new Map<string, ColumnKind>();
  for (const [name, field] of Object.entries(schema.shape)) {
    const kind = COLUMN_KINDS.get(field);
    if (!kind) throw new Error(`Column "${name}" is not declared with col.*()`);
    kinds.set(name, kind);
  }
  return kinds;
}

const JSON_TYPES: Record<ColumnKind, Record<string, unknown>> = {
  id: { type: "string" },
  string: { type: ["string", "null"] },
  timestamp: {
    type: ["string", "null"],
    format: "date-time",
    airbyte_type: "timestamp_with_timezone",
  },
  date: { type: ["string", "null"], format: "date" },
  integer: { type: ["integer", "null"] },
  number: { type: ["number", "null"] },
  boolean: { type: ["boolean", "null"] },
};

/** The draft-07 JSON Schema of a stream's records, as `schemas/<stream>.json` holds it. */
export function recordJsonSchema(schema: RecordSchema): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const [name, kind] of columnKinds(schema)) properties[name] = { ...JSON_TYPES[kind] };
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    type: "object",
    additionalProperties: true,
    required: ["id"],
    properties,
  };
}

/** camelCase (or PascalCase) to snake_case: `isTimesheetEnabled` -> `is_timesheet_enabled`. */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .toLowerCase();
}

/**
 * Flattens an API object: keys to snake_case, nested objects to `parent_child` keys, arrays to
 * JSON strings. Null stays null.
 */
export function flatten(raw: Record<string, unknown>, prefix = ""): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in raw) {
    const value = raw[key];
    const name = prefix + snakeCase(key);
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      Object.assign(out, flatten(value as Record<string, unknown>, name + "_"));
    } else if (Array.isArray(value)) {
      out[name] = JSON.stringify(value);
    } else {
      out[name] = value;
    }
  }
  return out;
}

/** A date-time without a zone designator, which Date.parse would read in local time. */
const NAIVE_DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/;

/** Whether YYYY-MM-DD names a real day (Date.parse rolls 2024-02-30 over to March 1). */
function isCalendarDate(text: string): boolean {
  const ms = Date.parse(`${text}T00:00:00Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().startsWith(text);
}

/** A timestamp as UTC ISO 8601 with milliseconds, or undefined when it is not one. */
export function utcTimestamp(value: unknown): string | undefined {
  if (typeof value !== "string" && typeof value !== "number") return undefined;
  let ms: number;
  if (typeof value === "number") {
    ms = value;
  } else {
    let text = value.trim();
    if (!/^\d{4}-\d{2}-\d{2}/.test(text) || !isCalendarDate(text.slice(0, 10))) return undefined;
    const naive = NAIVE_DATE_TIME.exec(text);
    if (naive) text = `${naive[1]}T${naive[2]}Z`; // no zone: UTC, whatever the machine's TZ
    ms = Date.parse(text);
  }
  if (!Number.isFinite(ms)) return undefined;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function toDate(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  if (ISO_DATE.test(text)) return isCalendarDate(text) ? text : undefined;
  return utcTimestamp(text)?.slice(0, 10);
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

function toText(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "object") return JSON.stringify(value);
  return undefined;
}

const CONVERT: Record<ColumnKind, (value: unknown) => unknown> = {
  id: (value) => {
    const id = typeof value === "number" ? String(value) : value;
    return typeof id === "string" && id.trim() !== "" ? id : undefined;
  },
  string: toText,
  timestamp: utcTimestamp,
  date: toDate,
  integer: (value) => toNumber(value, true),
  number: (value) => toNumber(value, false),
  boolean: toBoolean,
};

/** Called when a value cannot be typed as its column demands (it becomes null). */
export type InvalidValueHandler = (column: string, value: unknown) => void;

/**
 * Builds a record with exactly the schema's columns from flattened values: each value typed as
 * its column demands, missing or mistyped values null (reported through `onInvalid`).
 */
export function project(
  kinds: Map<string, ColumnKind>,
  values: Record<string, unknown>,
  options: { onInvalid?: InvalidValueHandler } = {},
): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const [name, kind] of kinds) {
    const value = values[name];
    if (value === undefined || value === null) {
      record[name] = null;
      continue;
    }
    const converted = CONVERT[kind](value);
    if (converted === undefined) {
      options.onInvalid?.(name, value);
      record[name] = null;
    } else {
      record[name] = converted;
    }
  }
  return record;
}

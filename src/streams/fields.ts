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

/**
 * Flattens an API object: keys to snake_case, nested objects to `parent_child` keys, arrays to
 * JSON strings. Null stays null.
 */
export function flatten(raw: Record<string, unknown>, prefix = ""): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  flattenInto(out, raw, prefix);
  return out;
}

/** {@linkcode flatten} writing into `out` (one object per row, not one per nested object). */
function flattenInto(out: Record<string, unknown>, raw: Record<string, unknown>, prefix: string) {
  for (const key in raw) {
    const value = raw[key];
    const name = prefix === "" ? snakeCase(key) : prefix + snakeCase(key);
    if (value !== null && typeof value === "object") {
      if (Array.isArray(value)) out[name] = JSON.stringify(value);
      else flattenInto(out, value as Record<string, unknown>, name + "_");
    } else {
      out[name] = value;
    }
  }
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

/** What a key of an API object, at one depth of nesting, maps to. */
interface KeyPlan {
  key: string;
  /** The column a scalar or array under this key fills, or -1 for none. */
  slot: number;
  /** The keys of an object under this key (made when first met). */
  nested?: Level;
}

/** The keys met at one depth of nesting under one parent key (the top level has prefix ""). */
interface Level {
  /** What flattened names start with here: "" or e.g. "address_". */
  prefix: string;
  /** Every key met here, by key (bounded like the snake_case cache). */
  byKey: Map<string, KeyPlan>;
  /** The plan of the key last met at each position: rows of one API share an order of keys. */
  at: KeyPlan[];
}

function level(prefix: string): Level {
  return { prefix, byKey: new Map(), at: [] };
}

/**
 * {@linkcode flatten} then {@linkcode project} for one schema, row after row, without building
 * the flattened object: values go straight to their column's slot (fields that are no column
 * are dropped as they are met). Records come out exactly as `project(kinds, flatten(raw))`
 * gives them, but several times faster, which matters on the read path.
 *
 * Two things make it fast. Each key's column is remembered by its position in the row, so a row
 * shaped like the one before (the usual case) finds every column by comparing its keys with the
 * last row's, with no lookup or string building. And records are made by a function built once
 * per schema that returns an object literal of the columns: V8 gives every record the same
 * compact layout, which `JSON.stringify` walks fastest (an object given dozens of properties by
 * computed name instead falls back to a slow dictionary layout).
 */
export class Projection {
  #names: string[];
  #convert: ((value: unknown) => unknown)[];
  /** Whether each column is a `string` one. */
  #text: boolean[];
  #index: Map<string, number>;
  #top = level("");
  /** What `values[name]` reads for a column no field set (undefined but for `toString` & co). */
  #unset: unknown[];
  /** The record of column values in schema order. */
  #build: (values: unknown[]) => Record<string, unknown>;

  constructor(kinds: Map<string, ColumnKind>) {
    this.#names = [...kinds.keys()];
    this.#convert = [...kinds.values()].map((kind) => CONVERT[kind]);
    this.#text = [...kinds.values()].map((kind) => kind === "string");
    this.#index = new Map(this.#names.map((name, i) => [name, i]));
    // `{}[name]`, as `project` reads a flattened object: Object.prototype's members show through.
    const empty: Record<string, unknown> = {};
    this.#unset = this.#names.map((name) => empty[name]);
    // Column names are the schema's (never API data), quoted as JSON; a computed `__proto__` key
    // is an own property where a plain one would set the prototype.
    const properties = this.#names.map((name, i) =>
      `${name === "__proto__" ? '["__proto__"]' : JSON.stringify(name)}: v[${i}]`
    );
    this.#build = new Function("v", `return { ${properties.join(", ")} };`) as (
      values: unknown[],
    ) => Record<string, unknown>;
  }

  /** The column values of a flattened `raw`, by column (see {@linkcode flatten}). */
  flatten(raw: Record<string, unknown>): unknown[] {
    const slots = this.#unset.slice();
    this.#walk(slots, raw, this.#top);
    return slots;
  }

  #walk(slots: unknown[], raw: Record<string, unknown>, here: Level): void {
    let position = 0;
    for (const key in raw) {
      const value = raw[key];
      let plan = here.at[position];
      if (plan === undefined || plan.key !== key) plan = here.at[position] = this.#plan(here, key);
      position++;
      if (value !== null && typeof value === "object" && !Array.isArray(value)) {
        plan.nested ??= level(here.prefix + snakeCase(key) + "_");
        this.#walk(slots, value as Record<string, unknown>, plan.nested);
      } else if (plan.slot >= 0) {
        slots[plan.slot] = Array.isArray(value) ? JSON.stringify(value) : value;
      }
    }
  }

  #plan(here: Level, key: string): KeyPlan {
    let plan = here.byKey.get(key);
    if (plan === undefined) {
      plan = { key, slot: this.#index.get(here.prefix + snakeCase(key)) ?? -1 };
      if (here.byKey.size >= SNAKE_CACHE_MAX) here.byKey.clear();
      here.byKey.set(key, plan);
    }
    return plan;
  }

  /** Sets the columns `values` names, as `Object.assign(flattened, values)` would. */
  assign(slots: unknown[], values: Record<string, unknown>): void {
    for (const name of Object.keys(values)) this.set(slots, name, values[name]);
  }

  /** Sets one column (a name that is no column is ignored). */
  set(slots: unknown[], name: string, value: unknown): void {
    const i = this.#index.get(name);
    if (i !== undefined) slots[i] = value;
  }

  /** The record of `slots` (which it overwrites with the typed values): see {@linkcode project}. */
  record(slots: unknown[], options: { onInvalid?: InvalidValueHandler } = {}): Record<
    string,
    unknown
  > {
    const names = this.#names;
    for (let i = 0; i < names.length; i++) {
      const value = slots[i];
      if (value === undefined || value === null) {
        slots[i] = null;
        continue;
      }
      // Text in a string column is kept as it is: the commonest case, without a call.
      if (typeof value === "string" && this.#text[i]) continue;
      const converted = this.#convert[i](value);
      if (converted === undefined) {
        options.onInvalid?.(names[i], value);
        slots[i] = null;
      } else {
        slots[i] = converted;
      }
    }
    return this.#build(slots);
  }
}

/**
 * Builds a record with exactly the schema's columns from flattened values: each value typed as
 * its column demands, missing or mistyped values null (reported through `onInvalid`).
 */
export function project(
  kinds: Map<string, ColumnKind>,
  values: Record<string, unknown>,
  options: { onInvalid?: InvalidValueHandler } = {},
): Record<string, unknown> {
  return new Projection(kinds).record([...kinds.keys()].map((name) => values[name]), options);
}

import { z } from "zod";
import type { SensitiveClass } from "../sensitive/classes.ts";

/** How a column's values are typed and normalised. */
export type ColumnKind =
  | "id"
  | "string"
  | "json"
  | "timestamp"
  | "date"
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
  /** A format the zod type does not carry: to zod a date is a regex. */
  format?: "date";
  /** Airbyte's type of the column, a key JSON Schema does not have. */
  airbyte_type?: "timestamp_with_timezone";
  /** The class of sensitive data the column holds (see {@linkcode sensitive}), if any. */
  sensitive?: SensitiveClass;
}

/** Every column declared with {@linkcode col}, with its metadata. */
const COLUMNS = z.registry<ColumnMeta>();

/** The keys of {@linkcode ColumnMeta} each kind sets beyond its kind. */
const KIND_KEYS: Partial<Record<ColumnKind, Pick<ColumnMeta, "format" | "airbyte_type">>> = {
  timestamp: { airbyte_type: "timestamp_with_timezone" },
  date: { format: "date" },
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

/**
 * Column types of a stream's record schema; every column but the id is nullable. The optional
 * `description` goes to the column's JSON Schema (say there when no public source shows the field).
 */
export const col = {
  /** The primary key: a non-empty string. */
  id: (description?: string) => column("id", z.string().min(1), description),
  string: (description?: string) => column("string", z.string().nullable(), description),
  /**
   * An API field kept whole as text, for a structure whose keys are undocumented or vary: a
   * string as sent, a number or boolean as text, an object or array as JSON text. Typed like a
   * `string` column (any column keeps a whole object that has no `name_...` columns); the kind
   * says the value is meant whole, so no `derive` is needed to keep it.
   */
  json: (description?: string) => column("json", z.string().nullable(), description),
  /** A UTC ISO 8601 timestamp with milliseconds. */
  timestamp: (description?: string) =>
    column("timestamp", z.iso.datetime({ offset: false }).nullable(), description),
  /** A calendar date, YYYY-MM-DD. */
  date: (description?: string) =>
    column("date", z.string().regex(ISO_DATE).nullable(), description),
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
  "API fields this stream has no column for, as JSON object text with the API's own keys (an object whose other fields have columns keeps only its unmapped fields), plus any value that did not fit its column's type, under the column's snake_case name; null when there are none.";

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
  json: toText,
  timestamp: utcTimestamp,
  date: toDate,
  integer: (value) => toNumber(value, true),
  number: (value) => toNumber(value, false),
  boolean: toBoolean,
};

/** Called when a value cannot be typed as its column demands (it becomes null). */
export type InvalidValueHandler = (column: string, value: unknown) => void;

/** Told of each API field kept in {@linkcode ADDITIONAL_FIELDS}: its dotted path, e.g. `slack.id`. */
export type ExtraFieldHandler = (field: string) => void;

/** What a key of an API object, at one depth of nesting, maps to. */
interface KeyPlan {
  key: string;
  /** The column a scalar or array under this key fills, or -1 for none. */
  slot: number;
  /** Whether some column flattens an object under this key (`key_...` columns exist). */
  descend: boolean;
  /** Left out on purpose (a secret): neither a column nor an additional field. */
  omit: boolean;
  /** The key's dotted API path, as reported for an additional field. */
  path: string;
  /** The keys of an object under this key (made when first met). */
  nested?: Level;
}

/** The keys met at one depth of nesting under one parent key (the top level has prefix ""). */
interface Level {
  /** What flattened names start with here: "" or e.g. "address_". */
  prefix: string;
  /** What dotted API paths start with here: "" or e.g. "address.". */
  path: string;
  /** Every key met here, by key (bounded like the snake_case cache). */
  byKey: Map<string, KeyPlan>;
  /** The plan of the key last met at each position: rows of one API share an order of keys. */
  at: KeyPlan[];
}

function level(prefix: string, path: string): Level {
  return { prefix, path, byKey: new Map(), at: [] };
}

/** Every `a_`, `a_b_` that starts a column name `a_b_c`: the objects a schema flattens. */
function prefixesOf(names: readonly string[]): Set<string> {
  const prefixes = new Set<string>();
  for (const name of names) {
    for (let i = name.indexOf("_"); i > 0; i = name.indexOf("_", i + 1)) {
      prefixes.add(name.slice(0, i + 1));
    }
  }
  return prefixes;
}

/** Options of {@linkcode Projection}. */
export interface ProjectionOptions {
  /** Top-level API fields never synced (secrets): kept neither as a column nor as extra. */
  omit?: readonly string[];
}

/**
 * Maps API objects to records of one schema, row after row, without building a flattened
 * object: keys to snake_case, values straight to their column's slot. An object is flattened
 * into `parent_child` columns when the schema has such columns, else kept whole in its column
 * (as JSON text); arrays become JSON text. Every field that fills no column is kept, with its
 * API key, in the {@linkcode ADDITIONAL_FIELDS} column when the schema has it. The walk goes only
 * as deep as the schema's columns do, so a row nested thousands of levels deep costs no stack:
 * its deep part is one value, kept whole.
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
  /** Every column's slot, by name (for derived values). */
  #index: Map<string, number>;
  /** The slots API fields fill, by flattened name: all but {@linkcode ADDITIONAL_FIELDS}. */
  #fields: Map<string, number>;
  #prefixes: Set<string>;
  #omit: Set<string>;
  /** The slot of {@linkcode ADDITIONAL_FIELDS}, or -1. */
  #extra: number;
  #top = level("", "");
  /** What `values[name]` reads for a column no field set (undefined but for `toString` & co). */
  #unset: unknown[];
  /** The record of column values in schema order. */
  #build: (values: unknown[]) => Record<string, unknown>;

  /** A projection onto the columns `kinds` names, in their order. */
  constructor(kinds: Map<string, ColumnKind>, options: ProjectionOptions = {}) {
    this.#names = [...kinds.keys()];
    this.#convert = [...kinds.values()].map((kind) => CONVERT[kind]);
    this.#text = [...kinds.values()].map((kind) => kind === "string" || kind === "json");
    this.#index = new Map(this.#names.map((name, i) => [name, i]));
    this.#fields = new Map([...this.#index].filter(([name]) => name !== ADDITIONAL_FIELDS));
    this.#prefixes = prefixesOf([...this.#fields.keys()]);
    this.#omit = new Set(options.omit ?? []);
    this.#extra = this.#index.get(ADDITIONAL_FIELDS) ?? -1;
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

  /**
   * The column values of `raw`, by column; the fields no column takes go, as one object, to the
   * {@linkcode ADDITIONAL_FIELDS} slot (each told to `onExtra`).
   */
  flatten(raw: Record<string, unknown>, onExtra?: ExtraFieldHandler): unknown[] {
    const slots = this.#unset.slice();
    const extra = this.#walk(slots, raw, this.#top, onExtra);
    if (extra !== undefined && this.#extra >= 0) slots[this.#extra] = extra;
    return slots;
  }

  /** Fills `slots` from the keys of `raw`; returns the fields no column takes, if any. */
  #walk(
    slots: unknown[],
    raw: Record<string, unknown>,
    here: Level,
    onExtra: ExtraFieldHandler | undefined,
  ): Record<string, unknown> | undefined {
    let extra: Record<string, unknown> | undefined;
    let position = 0;
    for (const key in raw) {
      const value = raw[key];
      let plan = here.at[position];
      if (plan === undefined || plan.key !== key) plan = here.at[position] = this.#plan(here, key);
      position++;
      if (plan.descend && value !== null && typeof value === "object" && !Array.isArray(value)) {
        plan.nested ??= level(here.prefix + snakeCase(key) + "_", plan.path + ".");
        const object = value as Record<string, unknown>;
        if (plan.slot >= 0) {
          // An object with a column of its own is kept whole there: none of it is extra.
          slots[plan.slot] = value;
          this.#walk(slots, object, plan.nested, undefined);
        } else {
          const inner = this.#walk(slots, object, plan.nested, onExtra);
          // A null-prototype object: an API key `__proto__` is a field like any other.
          if (inner !== undefined) {
            (extra ??= Object.create(null) as Record<string, unknown>)[key] = inner;
          }
        }
      } else if (plan.slot >= 0) {
        slots[plan.slot] = Array.isArray(value) ? JSON.stringify(value) : value;
      } else if (!plan.omit && !(value === null && plan.descend)) {
        (extra ??= Object.create(null) as Record<string, unknown>)[key] = value;
        onExtra?.(plan.path);
      }
    }
    return extra;
  }

  #plan(here: Level, key: string): KeyPlan {
    let plan = here.byKey.get(key);
    if (plan === undefined) {
      const name = here.prefix + snakeCase(key);
      plan = {
        key,
        slot: this.#fields.get(name) ?? -1,
        descend: this.#prefixes.has(name + "_"),
        omit: here === this.#top && this.#omit.has(key),
        path: here.path + key,
      };
      if (here.byKey.size >= SNAKE_CACHE_MAX) here.byKey.clear();
      here.byKey.set(key, plan);
    }
    return plan;
  }

  /** Sets the columns `values` names, as `Object.assign(flattened, values)` would. */
  assign(slots: unknown[], values: Record<string, unknown>): void {
    for (const name of Object.keys(values)) {
      const i = this.#index.get(name);
      if (i !== undefined) slots[i] = values[name];
    }
  }

  /** The slot of column `name` (undefined when it is no column), for setting it directly. */
  slotOf(name: string): number | undefined {
    return this.#index.get(name);
  }

  /** The record of `slots` (which it overwrites with the typed values): see {@linkcode project}. */
  record(slots: unknown[], options: { onInvalid?: InvalidValueHandler } = {}): Record<
    string,
    unknown
  > {
    const names = this.#names;
    const extra = this.#extra >= 0 ? slots[this.#extra] : undefined;
    let invalid: Record<string, unknown> | undefined;
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
        // Not lost either: kept in additional_fields under the column's (snake_case) name.
        if (this.#extra >= 0) {
          (invalid ??= Object.create(null) as Record<string, unknown>)[names[i]] = value;
        }
      } else {
        slots[i] = converted;
      }
    }
    if (invalid !== undefined && (extra === undefined || typeof extra === "object")) {
      slots[this.#extra] = JSON.stringify(Object.assign(Object.create(null), extra, invalid));
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

/**
 * The mapping from an API object to a record: flatten (keys to snake_case, nested objects to
 * `parent_child` columns where the schema has them), pick (exactly the schema's columns) and
 * convert (each value typed as its column demands). One plain function, {@linkcode mapRow}, over
 * a {@linkcode RowMapping} of plain data built once per column list (at module load or at
 * discover time alike): no code is generated.
 *
 * @module
 */
import { ADDITIONAL_FIELDS, type ColumnKind, CONVERTERS, snakeCase } from "./fields.ts";
import { rowId } from "./row.ts";

/** A raw API object. */
export type RawObject = Record<string, unknown>;

/**
 * One value of a record nulled because it did not fit its column, as Airbyte's RECORD
 * `meta.changes` lists it (destinations record it in `_airbyte_meta`).
 */
export interface ValueChange {
  /** The record's column. */
  field: string;
  /** What happened to the value: nulled. */
  change: "NULLED";
  /** Why: the source could not type it as its column demands. */
  reason: "SOURCE_SERIALIZATION_ERROR";
}

/** A record and the values nulled in it. */
export interface MappedRow {
  /** Exactly the schema's columns, in schema order. */
  record: Record<string, unknown>;
  /** The values nulled because they did not fit their column (empty when none). */
  changes: ValueChange[];
}

/** Called when a value cannot be typed as its column demands (it becomes null). */
export type InvalidValueHandler = (column: string, value: unknown) => void;

/** Told of each API field kept in `additional_fields`: its dotted path, e.g. `slack.id`. */
export type ExtraFieldHandler = (field: string) => void;

/** What a key of an API object, at one depth of nesting, maps to (a cache of the mapping). */
export interface KeyPlan {
  /** The API key. */
  key: string;
  /** The column a value under this key fills, or -1 for none. */
  slot: number;
  /** Whether some column flattens an object under this key (`key_...` columns exist). */
  descend: boolean;
  /** Left out on purpose (a secret): neither a column nor an additional field. */
  omit: boolean;
  /** The key's API path: the keys from the top of the row down to it. */
  path: string[];
  /** The keys of an object under this key (made when first met). */
  nested?: Level;
}

/** The keys met at one depth of nesting under one parent key (the top level has prefix ""). */
export interface Level {
  /** What flattened names start with here: "" or e.g. "address_". */
  prefix: string;
  /** The API path of the object these keys are in. */
  path: string[];
  /** Every key met here, by key (bounded). */
  byKey: Map<string, KeyPlan>;
  /** The plan of the key last met at each position: rows of one API share an order of keys. */
  at: KeyPlan[];
}

/** Bounds the keys remembered at one level, should an API send ever new keys (ids as keys). */
const MAX_KEYS = 10_000;

function level(prefix: string, path: string[]): Level {
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

/** A stream's mapping, prepared once from its column list; {@linkcode mapRow} uses it. */
export interface RowMapping {
  /** Column names, in schema order. */
  names: string[];
  /** Each column's converter (undefined when the value does not fit). */
  convert: ((value: unknown) => unknown)[];
  /** Whether each column takes text as it comes (a string or JSON text column). */
  text: boolean[];
  /** Every column's slot, by name (for derived values). */
  index: Map<string, number>;
  /** The slots API fields fill, by flattened name. */
  fields: Map<string, number>;
  /** Every `a_`, `a_b_` that starts a column name: the objects the schema flattens. */
  prefixes: Set<string>;
  /** Top-level API fields never synced. */
  omit: Set<string>;
  /** The slot of `id`, or -1. */
  id: number;
  /** The slot of `timestamp` (the sync time), or -1. */
  timestamp: number;
  /** The slot of `additional_fields`, or -1. */
  extra: number;
  /** The keys of the top level of rows. */
  top: Level;
  /** A record of nulls with the columns in schema order, which each record starts as a copy of. */
  template: Record<string, unknown>;
}

/** Options of {@linkcode rowMapping}. */
export interface RowMappingOptions {
  /** Top-level API fields never synced (secrets): kept neither as a column nor as extra. */
  omit?: readonly string[];
}

/**
 * The mapping onto the columns `kinds` names, in their order. `timestamp` (the sync time) and
 * {@linkcode ADDITIONAL_FIELDS} take no API field: an API field of either name is an extra one.
 */
export function rowMapping(
  kinds: Map<string, ColumnKind>,
  options: RowMappingOptions = {},
): RowMapping {
  const names = [...kinds.keys()];
  const index = new Map(names.map((name, i) => [name, i]));
  const fields = new Map(
    [...index].filter(([name]) => name !== ADDITIONAL_FIELDS && name !== "timestamp"),
  );
  return {
    names,
    convert: [...kinds.values()].map((kind) => CONVERTERS[kind]),
    text: [...kinds.values()].map((kind) => kind === "string" || kind === "json"),
    index,
    fields,
    prefixes: prefixesOf([...fields.keys()]),
    omit: new Set(options.omit ?? []),
    id: index.get("id") ?? -1,
    timestamp: index.get("timestamp") ?? -1,
    extra: index.get(ADDITIONAL_FIELDS) ?? -1,
    top: level("", []),
    template: recordTemplate(names),
  };
}

/**
 * A record of nulls with `names` as keys, in order, in V8's compact layout (JSON.parse makes
 * one; an object given its keys one by one is not). A column named `__proto__` is an own key.
 */
function recordTemplate(names: string[]): Record<string, unknown> {
  return JSON.parse(`{${names.map((name) => `${JSON.stringify(name)}:null`).join(",")}}`);
}

/** What {@linkcode mapRow} is given besides the raw object. */
export interface MapRowOptions {
  /** Columns computed from the raw object; they win over its fields. */
  derived?: RawObject;
  /** Sync start, UTC ISO 8601: the `timestamp` column. */
  syncedAt?: string;
  /** Told of each value that does not fit its column's type (the value becomes null). */
  onInvalid?: InvalidValueHandler;
  /** Told of each API field kept in `additional_fields` (its dotted path), once a row. */
  onExtra?: ExtraFieldHandler;
}

/** The walk of one row: its column values, where each came from, and its extra fields. */
interface Walk {
  slots: unknown[];
  /** The API path of the value in each slot (undefined for a derived or unset one). */
  from: (string[] | undefined)[];
  onExtra?: ExtraFieldHandler;
}

/**
 * Maps one API object to a record of the mapping's columns: each value typed as its column
 * demands, missing values null, the id by {@linkcode rowId}. Every API field that fills no
 * column is kept, under its API key, in {@linkcode ADDITIONAL_FIELDS}; so is every value that
 * does not fit its column, which becomes null and is listed in `changes`.
 */
export function mapRow(
  mapping: RowMapping,
  raw: RawObject,
  options: MapRowOptions = {},
): MappedRow {
  const n = mapping.names.length;
  const walk: Walk = { slots: new Array(n), from: new Array(n), onExtra: options.onExtra };
  let extra = walkObject(mapping, walk, raw, mapping.top);
  const { slots, from } = walk;
  if (options.derived !== undefined) {
    for (const name of Object.keys(options.derived)) {
      const i = mapping.index.get(name);
      if (i !== undefined) [slots[i], from[i]] = [options.derived[name], undefined];
    }
  }
  if (mapping.id >= 0) slots[mapping.id] = rowId(raw) ?? null;
  if (mapping.timestamp >= 0) slots[mapping.timestamp] = options.syncedAt ?? null;
  const changes: ValueChange[] = [];
  for (let i = 0; i < n; i++) {
    const value = slots[i];
    if (value === undefined || value === null || i === mapping.extra) continue;
    // Text in a string column is kept as it is: the commonest case, without a call.
    if (typeof value === "string" && mapping.text[i]) continue;
    const converted = mapping.convert[i](value);
    if (converted !== undefined) {
      slots[i] = converted;
      continue;
    }
    const field = mapping.names[i];
    options.onInvalid?.(field, value);
    changes.push({ field, change: "NULLED", reason: "SOURCE_SERIALIZATION_ERROR" });
    slots[i] = null;
    // Not lost: kept in additional_fields under its API key, as an unmapped field is.
    const path = from[i];
    if (path !== undefined) extra = keepAt(extra ?? {}, path, value);
  }
  if (mapping.extra >= 0) slots[mapping.extra] = extra ?? null;
  // A copy of the template keeps its compact layout; adding dozens of keys one by one is slow.
  // Its values are null: only the others are set.
  const record: Record<string, unknown> = { ...mapping.template };
  for (let i = 0; i < n; i++) {
    const value = slots[i];
    if (value !== undefined && value !== null) record[mapping.names[i]] = value;
  }
  return { record, changes };
}

/**
 * Sets `object[key]` as an own property, also for the key `__proto__` (an API key like any
 * other). Extra fields go to plain objects, not null-prototype ones: V8 serialises those several
 * times slower, and every record is serialised.
 */
function put(object: RawObject, key: string, value: unknown): RawObject {
  if (key === "__proto__") {
    Object.defineProperty(object, key, {
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  } else {
    object[key] = value;
  }
  return object;
}

/** Sets `value` at `path` under `extra`, making the objects on the way; returns `extra`. */
function keepAt(extra: RawObject, path: string[], value: unknown): RawObject {
  let at = extra;
  for (let i = 0; i < path.length - 1; i++) {
    const next = Object.hasOwn(at, path[i]) ? at[path[i]] : undefined;
    if (next === null || typeof next !== "object" || Array.isArray(next)) {
      const made = {};
      put(at, path[i], made);
      at = made;
    } else {
      at = next as RawObject;
    }
  }
  put(at, path[path.length - 1], value);
  return extra;
}

/**
 * Fills the walk's slots from the keys of `raw`; returns the fields no column takes, if any.
 * Goes into an object only where the schema flattens it, so never deeper than a column name has
 * parts: a row nested thousands of levels deep costs no stack.
 */
function walkObject(
  mapping: RowMapping,
  walk: Walk,
  raw: RawObject,
  here: Level,
): RawObject | undefined {
  let extra: RawObject | undefined;
  let position = 0;
  for (const key in raw) {
    const value = raw[key];
    let plan = here.at[position];
    if (plan === undefined || plan.key !== key) {
      plan = here.at[position] = planOf(mapping, here, key);
    }
    position++;
    if (plan.descend && value !== null && typeof value === "object" && !Array.isArray(value)) {
      plan.nested ??= level(here.prefix + snakeCase(key) + "_", plan.path);
      // Fields of an object held whole in a column are not told as extra: they are not.
      const inner = walkObject(
        mapping,
        plan.slot >= 0 ? { ...walk, onExtra: undefined } : walk,
        value as RawObject,
        plan.nested,
      );
      if (plan.slot >= 0) {
        // An object with a column of its own is held whole there (kept whole in
        // additional_fields should it not fit): none of it is extra.
        walk.slots[plan.slot] = value;
        walk.from[plan.slot] = plan.path;
      } else if (inner !== undefined) {
        extra = put(extra ?? {}, key, inner);
      }
    } else if (plan.slot >= 0) {
      walk.slots[plan.slot] = value;
      walk.from[plan.slot] = plan.path;
    } else if (!plan.omit && !(value === null && plan.descend)) {
      extra = put(extra ?? {}, key, value);
      walk.onExtra?.(plan.path.join("."));
    }
  }
  return extra;
}

function planOf(mapping: RowMapping, here: Level, key: string): KeyPlan {
  let plan = here.byKey.get(key);
  if (plan === undefined) {
    const name = here.prefix + snakeCase(key);
    plan = {
      key,
      slot: mapping.fields.get(name) ?? -1,
      descend: mapping.prefixes.has(name + "_"),
      omit: here === mapping.top && mapping.omit.has(key),
      path: [...here.path, key],
    };
    if (here.byKey.size >= MAX_KEYS) here.byKey.clear();
    here.byKey.set(key, plan);
  }
  return plan;
}

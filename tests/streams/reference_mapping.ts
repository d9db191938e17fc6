/**
 * The mapping's rules written plainly (slow, recursive, one object per step), for the fast
 * `mapRow` of src/streams/mapping.ts to be checked against: only tests use it.
 *
 * @module
 */
import {
  ADDITIONAL_FIELDS,
  type ColumnKind,
  CONVERTERS,
  snakeCase,
} from "../../src/streams/fields.ts";
import type { MappedRow, ValueChange } from "../../src/streams/mapping.ts";
import { rowId } from "../../src/streams/row.ts";
import type { MapContext, StreamDefinition } from "../../src/streams/define.ts";

type Raw = Record<string, unknown>;

function isObject(value: unknown): value is Raw {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/**
 * Flattens an API object: keys to snake_case, nested objects to `parent_child` keys, arrays
 * kept as they are. Null stays null.
 */
export function flatten(raw: Raw, prefix = ""): Raw {
  const out: Raw = {};
  for (const [key, value] of Object.entries(raw)) {
    const name = prefix + snakeCase(key);
    if (isObject(value)) Object.assign(out, flatten(value, name + "_"));
    else out[name] = value;
  }
  return out;
}

/** Options of {@linkcode project}. */
export interface ProjectOptions {
  /** Told of each value that does not fit its column (it becomes null). */
  onInvalid?: (column: string, value: unknown) => void;
}

/**
 * A record with exactly the columns `kinds` names, from flattened values: each typed as its
 * column demands (the id by `rowId`), missing or mistyped values null.
 */
export function project(
  kinds: Map<string, ColumnKind>,
  values: Raw,
  options: ProjectOptions = {},
): Raw {
  const record: Raw = {};
  for (const [name, kind] of kinds) {
    const value = Object.hasOwn(values, name) ? values[name] : undefined;
    if (value === undefined || value === null) {
      record[name] = null;
      continue;
    }
    const converted = kind === "id" ? rowId({ id: value }) : CONVERTERS[kind](value);
    if (converted === undefined) options.onInvalid?.(name, value);
    record[name] = converted ?? null;
  }
  return record;
}

/**
 * A stream's mapping, by its rules: keys to snake_case; an object is flattened where
 * `parent_` columns exist (and held whole in a column of its own name, if any, none of its
 * fields then extra), else it is a value; every field that fills no column is kept, under its
 * API key, in `additional_fields`; derived values win; every value that does not fit its column
 * is nulled, listed in `changes` and kept under its API key too (a derived one only listed).
 */
export function referenceMap(stream: StreamDefinition, raw: Raw, context: MapContext): MappedRow {
  const names = [...stream.columns.keys()].filter((name) =>
    name !== ADDITIONAL_FIELDS && name !== "timestamp"
  );
  const omit = new Set(stream.omit ?? []);
  // A top-level key "" is no parent of a column that starts with "_" (`_ab_cdc_deleted_at`).
  const flattens = (name: string) =>
    name !== "" && names.some((column) => column.startsWith(name + "_"));
  const values = new Map<string, unknown>();
  const from = new Map<string, string[] | undefined>();
  const walk = (object: Raw, prefix: string, path: string[]) => {
    let extra: Raw | undefined;
    for (const [key, value] of Object.entries(object)) {
      const name = prefix + snakeCase(key);
      if (isObject(value) && flattens(name)) {
        const inner = walk(value, name + "_", [...path, key]);
        if (names.includes(name)) {
          values.set(name, value);
          from.set(name, [...path, key]);
        } else if (inner !== undefined) {
          extra = put(extra ?? {}, key, inner);
        }
      } else if (names.includes(name)) {
        values.set(name, value);
        from.set(name, [...path, key]);
      } else if (!(path.length === 0 && omit.has(key)) && !(value === null && flattens(name))) {
        extra = put(extra ?? {}, key, value);
      }
    }
    return extra;
  };
  let extra = walk(raw, "", []);
  for (const [name, value] of Object.entries(stream.derive?.(raw, context) ?? {})) {
    values.set(name, value);
    from.set(name, undefined);
  }
  const changes: ValueChange[] = [];
  const record: Raw = {};
  for (const [name, kind] of stream.columns) {
    if (name === ADDITIONAL_FIELDS) continue;
    if (name === "id") record.id = rowId(raw) ?? null;
    else if (name === "timestamp") record.timestamp = context.syncedAt;
    else {
      const value = values.get(name);
      const converted = value === undefined || value === null ? null : CONVERTERS[kind](value);
      record[name] = converted ?? null;
      if (converted !== undefined) continue;
      changes.push({ field: name, change: "NULLED", reason: "SOURCE_SERIALIZATION_ERROR" });
      const path = from.get(name);
      if (path !== undefined) extra = keepAt(extra ?? {}, path, value);
    }
  }
  if (stream.columns.has(ADDITIONAL_FIELDS)) record[ADDITIONAL_FIELDS] = extra ?? null;
  const ordered: Raw = {};
  for (const name of stream.columns.keys()) ordered[name] = record[name];
  return { record: ordered, changes };
}

/** Sets an own property, also `__proto__` (an API key like any other). */
function put(object: Raw, key: string, value: unknown): Raw {
  Object.defineProperty(object, key, {
    value,
    writable: true,
    enumerable: true,
    configurable: true,
  });
  return object;
}

function keepAt(extra: Raw, path: string[], value: unknown): Raw {
  let at = extra;
  for (const key of path.slice(0, -1)) {
    const next = Object.hasOwn(at, key) ? at[key] : undefined;
    if (!isObject(next)) put(at, key, {});
    at = Object.getOwnPropertyDescriptor(at, key)!.value as Raw;
  }
  put(at, path[path.length - 1], value);
  return extra;
}

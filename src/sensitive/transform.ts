/**
 * The sensitive-data transform: what a policy does to one stream's columns, records and schema.
 * Pure functions over a record (and its `meta.changes`): the read path calls them on each mapped
 * record, `discover` on each stream's schema.
 *
 * @module
 */
import { ADDITIONAL_FIELDS, snakeCase } from "../streams/fields.ts";
import type { ValueChange } from "../streams/mapping.ts";
import type { SensitiveClass } from "./classes.ts";
import { protects, type SensitivePolicy } from "./policy.ts";

/** A value's text, as it is hashed: a string as is, a number or boolean as text, else JSON. */
export function valueText(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

/** A column's class: declared, or `unknown` (protected whatever the classes chosen). */
export type ColumnClass = SensitiveClass | "unknown";

/** How a policy protects one stream's columns. */
export interface ColumnPlan {
  /** Columns whose values are replaced by their HMAC. */
  hashed: ReadonlySet<string>;
  /** Columns left out of the schema and of every record. */
  dropped: ReadonlySet<string>;
  /**
   * Columns written as null: dropped by the settings but kept in the schema, because the
   * configured catalog still selects them (a stale catalog) or their class varies by row.
   */
  nulled: ReadonlySet<string>;
  /**
   * Whether the stream holds a protected class: its API fields with no column (so no class) are
   * left out of `additional_fields` too.
   */
  strict: boolean;
  /** The stream's columns whose values `additional_fields` may keep (protected ones are not). */
  open: ReadonlySet<string>;
  /** Every column of the stream, in order: a protected record has them but the dropped ones. */
  order: readonly string[];
  /** The policy's mode. */
  mode: "hash" | "drop";
}

/** Options of {@linkcode planColumns}. */
export interface PlanOptions {
  /** Every column of the stream, in order. */
  columns: Iterable<string>;
  /** Columns the configured catalog selects, when it says: a dropped one there is nulled. */
  selected?: ReadonlySet<string>;
  /** Columns that stay in the schema whatever the policy (their class varies by row). */
  fixed?: ReadonlySet<string>;
  /** The stream holds a protected class even if no column says so (its rows vary). */
  strict?: boolean;
}

/** What `policy` does to the columns of a stream whose classes are `classes`. */
export function planColumns(
  classes: ReadonlyMap<string, ColumnClass>,
  policy: SensitivePolicy,
  options: PlanOptions,
): ColumnPlan {
  const hashed = new Set<string>();
  const dropped = new Set<string>();
  const nulled = new Set<string>();
  const open = new Set<string>();
  const order = [...options.columns];
  for (const column of order) {
    const cls = classes.get(column);
    if (cls === undefined || !protects(policy, cls)) {
      if (column !== ADDITIONAL_FIELDS) open.add(column);
    } else if (policy.mode === "hash") {
      hashed.add(column);
    } else if (options.selected?.has(column) || options.fixed?.has(column)) {
      nulled.add(column);
    } else {
      dropped.add(column);
    }
  }
  const strict = options.strict === true || hashed.size + dropped.size + nulled.size > 0;
  return { hashed, dropped, nulled, strict, open, order, mode: policy.mode };
}

/** A protected record, its changes, and the API fields left out of its `additional_fields`. */
export interface ProtectedRecord {
  /** The record. */
  record: Record<string, unknown>;
  /** The changes of the columns the record still has. */
  changes: ValueChange[];
  /** API keys of `additional_fields` left out (no column, so no class): names, never values. */
  left: string[];
}

/** Options of {@linkcode protectRecord}. */
export interface ProtectOptions {
  /** The mapping's `meta.changes` of the record. */
  changes?: readonly ValueChange[];
  /** Hashes a value's text (required when the plan hashes any column). */
  hash?: (text: string) => string;
}

/**
 * `record` as `plan` protects it, with the plan's columns in order: hashed columns hold the HMAC
 * of their value's text (null stays null), dropped columns are left out, nulled ones are null; in a strict stream
 * `additional_fields` keeps only values of unprotected columns (that did not fit their type), and
 * every API field with no column is left out and named in `left`. Changes of columns the
 * record no longer has are left out too.
 */
export function protectRecord(
  record: Record<string, unknown>,
  plan: ColumnPlan,
  options: ProtectOptions = {},
): ProtectedRecord {
  const left: string[] = [];
  const out: Record<string, unknown> = {};
  for (const column of plan.order) {
    if (plan.dropped.has(column)) continue;
    const value = record[column];
    const kept = plan.nulled.has(column)
      ? null
      : plan.hashed.has(column)
      ? hashed(value, options.hash)
      : column === ADDITIONAL_FIELDS && plan.strict
      ? openFields(value, plan, left)
      : value;
    // A column named `__proto__` is a property like any other, never the prototype.
    if (column === "__proto__") {
      Object.defineProperty(out, column, { value: kept, enumerable: true, writable: true });
    } else out[column] = kept;
  }
  const changes = (options.changes ?? []).filter((change) =>
    !plan.dropped.has(change.field) && !plan.nulled.has(change.field)
  );
  return { record: out, changes, left };
}

function hashed(value: unknown, hash: ((text: string) => string) | undefined): unknown {
  if (value === null || value === undefined) return null;
  if (!hash) throw new Error("A column is to be hashed but no hash is given");
  return hash(valueText(value));
}

/**
 * The part of an `additional_fields` value (JSON text, or an object) that a strict stream keeps:
 * the values of open columns, under their name. Every other key is named in `left`.
 */
function openFields(value: unknown, plan: ColumnPlan, left: string[]): unknown {
  if (value === null || value === undefined) return null;
  let object: unknown = value;
  if (typeof value === "string") {
    try {
      object = JSON.parse(value);
    } catch {
      left.push(ADDITIONAL_FIELDS);
      return null;
    }
  }
  if (object === null || typeof object !== "object" || Array.isArray(object)) {
    left.push(ADDITIONAL_FIELDS);
    return null;
  }
  const kept: Record<string, unknown> = Object.create(null);
  let any = false;
  for (const [key, field] of Object.entries(object)) {
    const column = snakeCase(key);
    if (plan.open.has(column)) {
      kept[key] = field;
      any = true;
    } else if (!plan.hashed.has(column) && !plan.dropped.has(column) && !plan.nulled.has(column)) {
      left.push(key);
    }
  }
  if (!any) return null;
  return typeof value === "string" ? JSON.stringify(kept) : { ...kept };
}

/** A JSON Schema object, as `recordJsonSchema` makes one. */
export type JsonObject = Record<string, unknown>;

/** What the description of a column of a class the policy does not touch says. */
export function classNote(cls: ColumnClass): string {
  return `Sensitive data, class ${cls}: kept, as sensitive_classes does not name it.`;
}

/** What the description of a hashed column says. */
export function hashedNote(cls: ColumnClass): string {
  return `Hashed: HMAC-SHA-256 of the value's text under hash_key, as lowercase hex (sensitive data, class ${cls}).`;
}

/**
 * A property whose values may be hashed row by row: its type lets a string through, whatever
 * else it allows.
 */
function withString(property: JsonObject, plan: ColumnPlan): JsonObject {
  const type = property.type;
  if (plan.mode !== "hash" || type === undefined) return property;
  const types = [type].flat() as string[];
  return types.includes("string") ? property : { ...property, type: ["string", ...types] };
}

/** Options of {@linkcode protectSchema}. */
export interface SchemaOptions {
  /** The classes of the stream's columns. */
  classes: ReadonlyMap<string, ColumnClass>;
  /** Columns whose class varies by row: what their description adds. */
  rowNotes?: ReadonlyMap<string, string>;
}

/**
 * A record JSON Schema as `plan` protects it: dropped columns left out, hashed ones strings
 * whose description says they are hashed, nulled ones described as such. The schema given is
 * not changed.
 */
export function protectSchema(
  schema: JsonObject,
  plan: ColumnPlan,
  options: SchemaOptions,
): JsonObject {
  const properties = schema.properties as Record<string, JsonObject>;
  const out: Record<string, JsonObject> = {};
  for (const [column, property] of Object.entries(properties)) {
    if (plan.dropped.has(column)) continue;
    const cls = options.classes.get(column) ?? "unknown";
    const row = options.rowNotes?.get(column);
    if (row !== undefined) {
      const description = [property.description, row].join(" ").trim();
      out[column] = { ...withString(property, plan), description };
    } else if (plan.hashed.has(column)) {
      out[column] = { type: ["string", "null"], description: hashedNote(cls) };
    } else if (plan.nulled.has(column)) {
      out[column] = {
        ...property,
        description: `Dropped (sensitive data, class ${cls}): always null.`,
      };
    } else if (options.classes.has(column)) {
      const description = [property.description, classNote(cls)].filter(Boolean).join(" ");
      out[column] = { ...property, description };
    } else {
      out[column] = property;
    }
  }
  const required = (schema.required as string[] | undefined)?.filter((c) => !plan.dropped.has(c));
  return { ...schema, ...(required ? { required } : {}), properties: out };
}

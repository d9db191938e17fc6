/**
 * A stream as a sensitive-data policy reads it: the stream's definition with its `map` wrapped
 * by the transform and its columns without the dropped ones, so the read loop (and delete
 * detection, which writes a null for every column) need not know of the policy.
 *
 * @module
 */
import { ADDITIONAL_FIELDS, columnClasses } from "../streams/fields.ts";
import type { MapContext, RawObject, StreamDefinition } from "../streams/define.ts";
import { classOfSection, type SensitiveClass } from "./classes.ts";
import { protects, type SensitivePolicy } from "./policy.ts";
import {
  type ColumnClass,
  type ColumnPlan,
  type JsonObject,
  planColumns,
  protectRecord,
  protectSchema,
} from "./transform.ts";

/**
 * The stream whose value columns (`value`, and `value_list` for a list) take their class row by
 * row, from the custom field's section.
 */
export const CUSTOM_VALUES = {
  stream: "custom_values",
  columns: ["value", "value_list"],
  field: "customFieldId",
} as const;

/** The value columns of `custom_values` that `stream` has. */
function valueColumns(stream: StreamDefinition): string[] {
  return CUSTOM_VALUES.columns.filter((column) => stream.columns.has(column));
}

/** How many API field names a stream's INFO line collects, and how many it names. */
const MAX_LEFT = 1000;
const NAMED_LEFT = 20;

/** Options of {@linkcode protectStream}. */
export interface StreamProtection {
  /** What the settings do. */
  policy: SensitivePolicy;
  /**
   * The properties of the stream's schema in the configured catalog, when it has one: a column it
   * selects that the policy drops is written as null (a WARN says so).
   */
  selected?: Readonly<Record<string, unknown>>;
  /** The classes of the stream's columns; default those declared with its columns. */
  classes?: ReadonlyMap<string, ColumnClass>;
  /**
   * Custom fields' sections by field id (`custom_values`): a field not in it, or every field
   * when it is undefined, is of an unknown class and so protected.
   */
  sections?: ReadonlyMap<string, unknown>;
}

/** A stream read under a policy. */
export interface ProtectedStream {
  /** The stream to read: `map` protects each record, `columns` lacks the dropped ones. */
  stream: StreamDefinition;
  /** What the policy does to the stream's columns (for `custom_values`, to its other columns). */
  plan: ColumnPlan;
  /** WARN lines to log before the stream is read: a stale catalog. */
  warnings: string[];
  /** The INFO line to log after the stream is read: the API fields left out, if any. */
  report(): string | undefined;
}

/** Whether the stream's columns take a class by row (`custom_values`). */
function byRow(stream: StreamDefinition): boolean {
  return stream.name === CUSTOM_VALUES.stream;
}

/** The class of a `custom_values` row's value: its field's section's. */
function valueClass(
  raw: RawObject,
  sections: ReadonlyMap<string, unknown> | undefined,
): ColumnClass | null {
  const id = raw[CUSTOM_VALUES.field];
  if (!sections || typeof id !== "string" || !sections.has(id)) return "unknown";
  return classOfSection(sections.get(id));
}

/** The plan of a stream, and of each class its row-classed column may take. */
function plansOf(stream: StreamDefinition, options: StreamProtection) {
  const classes = options.classes ?? columnClasses(stream.record);
  const selected = options.selected ? new Set(Object.keys(options.selected)) : undefined;
  const columns = [...stream.columns.keys()];
  const rows = byRow(stream);
  const fixed = rows ? new Set(valueColumns(stream)) : undefined;
  const plan = planColumns(classes, options.policy, { columns, selected, fixed, strict: rows });
  const cache = new Map<ColumnClass | null, ColumnPlan>();
  const rowPlan = (cls: ColumnClass | null) => {
    let found = cache.get(cls);
    if (!found) {
      const withRow = new Map(classes);
      if (cls !== null) { for (const column of fixed!) withRow.set(column, cls); }
      found = planColumns(withRow, options.policy, { columns, selected, fixed, strict: true });
      cache.set(cls, found);
    }
    return found;
  };
  return { plan, classes, rowPlan: rows ? rowPlan : undefined };
}

/** The WARNs of a stale catalog: selected columns now dropped, or now hashed into strings. */
function staleWarnings(
  name: string,
  plan: ColumnPlan,
  selected: Readonly<Record<string, unknown>> | undefined,
): string[] {
  const warnings: string[] = [];
  const nulled = [...plan.nulled].filter((c) => selected && c in selected);
  if (nulled.length > 0) {
    warnings.push(
      `Stream "${name}": the catalog selects ${
        nulled.join(", ")
      }, which sensitive_data drops: written as null. Refresh the source schema (discover) to leave them out`,
    );
  }
  const retyped = [...plan.hashed].filter((column) => {
    const property = selected?.[column] as { type?: unknown; format?: unknown } | undefined;
    if (!property) return false;
    const types = [property.type].flat();
    return property.format !== undefined || types.some((t) => t !== "string" && t !== "null");
  });
  if (retyped.length > 0) {
    warnings.push(
      `Stream "${name}": the catalog types ${
        retyped.join(", ")
      } as they were before sensitive_data hashed them; they now hold hashes (strings). Refresh the source schema (discover)`,
    );
  }
  return warnings;
}

/**
 * `stream` as `options.policy` reads it: each mapped record protected (see `protectRecord`),
 * the API fields of a strict stream with no column left out and counted for one INFO line.
 * `custom_values` takes its value's class row by row from its field's section.
 */
export function protectStream(
  stream: StreamDefinition,
  options: StreamProtection,
): ProtectedStream {
  const { plan, rowPlan } = plansOf(stream, options);
  const hash = options.policy.hmac && ((text: string) => options.policy.hmac!.hex(text));
  const seen: Seen = { left: new Set(), misfits: new Map() };
  let current = plan;
  let outer: MapContext | undefined;
  let inner: MapContext | undefined;
  const wrap = (context: MapContext): MapContext => ({
    ...context,
    // Named in this stream's own INFO line, not in the read loop's "kept" line: none is kept.
    onExtra: (field) => {
      if (seen.left.size < MAX_LEFT) seen.left.add(field);
    },
    // A misfit of a protected column is not kept in additional_fields: counted here instead.
    onInvalid: (column, value) => {
      if (current.open.has(column) || column === ADDITIONAL_FIELDS) {
        context.onInvalid?.(column, value);
      } else seen.misfits.set(column, (seen.misfits.get(column) ?? 0) + 1);
    },
  });
  const columns = new Map([...stream.columns].filter(([c]) => !plan.dropped.has(c)));
  const protectedStream: StreamDefinition = {
    ...stream,
    columns,
    map(raw: RawObject, context: MapContext) {
      if (context !== outer) [outer, inner] = [context, wrap(context)];
      current = rowPlan ? rowPlan(valueClass(raw, options.sections)) : plan;
      const { record, changes } = stream.map(raw, inner!);
      const out = protectRecord(record, current, { hash, changes });
      return { record: out.record, changes: out.changes };
    },
  };
  return {
    // A stream the policy does not touch is read as it is, at no cost.
    stream: plan.strict ? protectedStream : stream,
    plan,
    warnings: staleWarnings(stream.name, plan, options.selected),
    report: () => seenReport(stream.name, seen),
  };
}

/** A dotted path of identifiers (`slack.email`, `teams[].name`): a field named in a log line. */
const IDENTIFIER_PATH = /^[A-Za-z_][A-Za-z0-9_]*(\[\])?(\.[A-Za-z_][A-Za-z0-9_]*(\[\])?)*$/;

/** What a strict stream left out: API fields with no column, and misfits of protected columns. */
interface Seen {
  /** The API fields (dotted paths), bounded. */
  left: Set<string>;
  /** How many values of each protected column did not fit its type. */
  misfits: Map<string, number>;
}

function seenReport(name: string, seen: Seen): string | undefined {
  const { left, misfits } = seen;
  if (left.size === 0 && misfits.size === 0) return undefined;
  const parts: string[] = [];
  if (left.size > 0) {
    // A key that is no identifier may be a value (an email used as a key): counted, not named.
    const names = [...left].filter((field) => IDENTIFIER_PATH.test(field));
    const shown = names.slice(0, NAMED_LEFT);
    const named = shown.join(", ") || "none named";
    const more = left.size > shown.length ? `, and ${left.size - shown.length} more` : "";
    parts.push(
      `API fields with no column left out, as the stream holds sensitive data that sensitive_data hashes or drops (an unknown field may be sensitive too): ${named}${more}`,
    );
  }
  if (misfits.size > 0) {
    const counts = [...misfits].map(([column, n]) => `${column}: ${n}`).join(", ");
    parts.push(
      `values of sensitive columns that did not fit their type written as null and not kept (${counts})`,
    );
  }
  return `Stream "${name}": ${parts.join("; ")}`;
}

/** The JSON Schema of a stream's records under `policy` (for `discover`). */
export function protectedJsonSchema(
  stream: StreamDefinition,
  options: { policy: SensitivePolicy; schema: Record<string, unknown> },
): Record<string, unknown> {
  const { plan, classes } = plansOf(stream, { policy: options.policy });
  const { policy } = options;
  const note = policy.mode === "hash"
    ? "Hashed (HMAC-SHA-256 under hash_key, lowercase hex) when its custom field's section is of a class sensitive_classes names, or is not recognised."
    : "Null when its custom field's section is of a class sensitive_classes names, or is not recognised (dropped).";
  const rowNotes = byRow(stream)
    ? new Map(valueColumns(stream).map((column) => [column, note]))
    : undefined;
  return protectSchema(options.schema, plan, { classes, rowNotes });
}

/** A column a stream builds at run time from a custom field: its name and its field's section. */
export interface SectionColumn {
  /** The column's name. */
  name: string;
  /** The field's section as the API sends it (null or absent when it sends none). */
  section?: string | null;
}

/** The classes of columns built from custom fields: each its section's (see `classOfSection`). */
export function sectionClasses(columns: readonly SectionColumn[]): Map<string, SensitiveClass> {
  const classes = new Map<string, SensitiveClass>();
  for (const column of columns) {
    const cls = classOfSection(column.section);
    if (cls) classes.set(column.name, cls);
  }
  return classes;
}

/**
 * What a policy does to a stream whose columns are built at run time from custom fields (such as
 * `people_custom_fields`), given the columns with their sections: `schema` protects its JSON
 * Schema at discover, `rows` makes the protection of its records at read (given also the fields
 * with no column, whose values `additional_fields` keeps when their section is not protected),
 * `warnings` the WARNs of a stale catalog, `protects` whether a column's section is protected. A
 * column the configured catalog selects (`selected`) but the policy drops is written as null.
 */
export function sectionProtection(
  policy: SensitivePolicy,
  options: { selected?: Readonly<Record<string, unknown>> } = {},
): {
  schema(schema: JsonObject, columns: readonly SectionColumn[]): JsonObject;
  rows(columns: readonly SectionColumn[]): (record: JsonObject) => JsonObject;
  warnings(stream: string, columns: readonly SectionColumn[]): string[];
  protects(column: SectionColumn): boolean;
} {
  const selected = options.selected ? new Set(Object.keys(options.selected)) : undefined;
  const hash = policy.hmac && ((text: string) => policy.hmac!.hex(text));
  const isProtected = (column: SectionColumn) => {
    const cls = classOfSection(column.section);
    return cls !== null && protects(policy, cls);
  };
  return {
    schema(schema, columns) {
      const classes = sectionClasses(columns);
      const names = Object.keys(schema.properties as JsonObject);
      return protectSchema(schema, planColumns(classes, policy, { columns: names }), { classes });
    },
    rows(columns) {
      const classes = sectionClasses(columns);
      // `additional_fields` keeps the values of the unprotected fields only, columns or not (a
      // field defined since discover, or left out there): the stream is always strict.
      const open = columns.filter((column) => !isProtected(column)).map((c) => c.name);
      let plan: ColumnPlan | undefined;
      return (record) => {
        // The plan follows the records' columns (the same in every record of a read).
        const names = Object.keys(record);
        if (plan?.order.length !== names.length) {
          const made = planColumns(classes, policy, { columns: names, selected, strict: true });
          plan = { ...made, open: new Set([...made.open, ...open]) };
        }
        return protectRecord(record, plan, { hash }).record;
      };
    },
    protects: isProtected,
    warnings(stream, columns) {
      if (!options.selected) return [];
      const names = Object.keys(options.selected);
      const plan = planColumns(sectionClasses(columns), policy, { columns: names, selected });
      return staleWarnings(stream, plan, options.selected);
    },
  };
}

/**
 * The `people_custom_fields` stream: one row per person, one typed column per custom field
 * defined for people. Its columns come from the definitions (`/custom-fields`) at discover;
 * its rows are the values (`/custom-values`) pivoted by person (see
 * `src/sync/people_custom_fields_read.ts`). This module is pure: the column plan, the JSON
 * Schema and the row of one person.
 *
 * @module
 */
import { z } from "zod";
import {
  ADDITIONAL_FIELDS,
  ADDITIONAL_FIELDS_DESCRIPTION,
  col,
  columnKinds,
  recordJsonSchema,
  utcTimestamp,
} from "./fields.ts";
import {
  CURSOR,
  DELETED_AT,
  DELETED_AT_DESCRIPTION,
  type RawObject,
  READ_SCOPES,
  type StreamDefinition,
} from "./define.ts";
import { rowCursor } from "./row.ts";
import type { MappedRow, ValueChange } from "./mapping.ts";

/** The stream's name. */
export const PEOPLE_CUSTOM_FIELDS = "people_custom_fields";
/** Its primary key column. */
export const PERSON_ID = "person_id";
/** The API list of definitions. */
export const DEFINITIONS_PATH = "/custom-fields";
/** The API list of values. */
export const VALUES_PATH = "/custom-values";

/**
 * What a custom field's type makes its column: text (`string`), `number`, yes/no (`boolean`),
 * `date`, a multiple choice (`strings`, an array of strings), or `untyped` (a type this
 * connector does not know: the value as sent).
 */
export type CustomColumnKind = "string" | "number" | "boolean" | "date" | "strings" | "untyped";

/** One custom-field column: what the sensitive-data transform and the README need of it. */
export interface CustomColumn {
  /** The column's name: the field's name in snake_case (a suffix from the id on a collision). */
  name: string;
  /** The custom field's id. */
  fieldId: string;
  /** The field's name as Humaans shows it. */
  fieldName: string;
  /** The field's section as the API sends it (null when it sends none). */
  section: string | null;
  /** The field's type as the API sends it (null when it sends none). */
  type: string | null;
  /** How the column is typed. */
  kind: CustomColumnKind;
}

/** A custom field definition as read from `/custom-fields` (the fields this stream uses). */
export interface CustomFieldDefinition {
  /** The field's id. */
  id: string;
  /** Its name. */
  name: string;
  /** Its section, as sent. */
  section: string | null;
  /** Its type, as sent. */
  type: string | null;
  /** When it was created (orders fields whose names collide). */
  createdAt?: string;
  /** Type-specific settings (a choice's options, `multiple`), as sent. */
  config?: unknown;
}

/** The columns every row has, in order, around the custom ones. */
const LEADING = [PERSON_ID, "company_id"];
const TRAILING = [CURSOR.column, "timestamp", DELETED_AT, ADDITIONAL_FIELDS];
/** The columns every row has, whatever the custom fields. */
export const FIXED_COLUMNS: ReadonlySet<string> = new Set([...LEADING, ...TRAILING]);

/**
 * Type strings by kind, compared lower-case with everything but letters removed (`Long text`,
 * `long_text` and `longText` are one). The API's own strings are not public: the help centre
 * names the types (text, long text, single choice, multiple choices, link, date), one SDK shows
 * `select`; the rest are the usual spellings of the same types.
 */
const TYPE_NAMES: [CustomColumnKind, string[]][] = [
  ["string", [
    "text",
    "string",
    "shorttext",
    "longtext",
    "textarea",
    "multilinetext",
    "paragraph",
    "link",
    "url",
    "select",
    "singleselect",
    "singlechoice",
    "choice",
    "dropdown",
    "radio",
    "email",
    "phone",
  ]],
  ["strings", [
    "multiselect",
    "multipleselect",
    "multiplechoice",
    "multiplechoices",
    "multichoice",
    "checkboxes",
  ]],
  ["date", ["date"]],
  ["number", ["number", "numeric", "integer", "decimal", "float"]],
  ["boolean", ["boolean", "bool", "yesno", "checkbox", "toggle"]],
];
const KIND_OF_TYPE = new Map(
  TYPE_NAMES.flatMap(([kind, names]) => names.map((name) => [name, kind] as const)),
);

/** The column kind of a field's type; a choice whose config says `multiple: true` is `strings`. */
export function kindOfType(type: string | null, config?: unknown): CustomColumnKind {
  const key = (type ?? "").toLowerCase().replace(/[^a-z]/g, "");
  const kind = KIND_OF_TYPE.get(key) ?? "untyped";
  const multiple = config !== null && typeof config === "object" &&
    (config as { multiple?: unknown }).multiple === true;
  return kind === "string" && multiple && /select|choice|dropdown/.test(key) ? "strings" : kind;
}

/** A definition from a raw `/custom-fields` row (a missing name is empty), or undefined without an id. */
export function definitionOf(raw: unknown): CustomFieldDefinition | undefined {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return undefined;
  const row = raw as RawObject;
  const id = typeof row.id === "string" && row.id !== "" ? row.id : undefined;
  if (id === undefined) return undefined;
  // A field without a name still holds values: its column is `field` (a suffix when taken).
  const name = typeof row.name === "string" ? row.name.trim() : "";
  const resource = row.resourceId;
  // Fields on other resources than people (should the API have any) are not this stream's.
  if (typeof resource === "string" && !/^(person|people)$/i.test(resource)) return undefined;
  const text = (value: unknown) => typeof value === "string" ? value : null;
  return {
    id,
    name,
    section: text(row.section),
    type: text(row.type),
    createdAt: rowCursor({ updatedAt: row.createdAt }),
    config: row.config,
  };
}

/** The column name a field's name makes before any collision: `Cost centre` -> `cost_centre`. */
export function baseColumnName(name: string): string {
  // Words as people type them: "LinkedIn" is one word (not camelCase), accents dropped.
  const snake = name.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
  return snake === "" || /^\d/.test(snake) ? `field_${snake}`.replace(/_$/, "") : snake;
}

/** A short suffix from a field id: its last 6 letters and digits, lower case. */
function suffixOf(id: string): string {
  return id.replace(/[^A-Za-z0-9]/g, "").slice(-6).toLowerCase();
}

/**
 * The columns of a set of definitions, in the order the fields were created (then by id).
 * A name is the field's name in snake_case; when it is taken (by a fixed column or by a field
 * created earlier), the field's id gives it a suffix: `cost_centre_x7k2pq`. So a field keeps its
 * column when another field of the same name is added later.
 */
export function columnsOf(definitions: readonly CustomFieldDefinition[]): CustomColumn[] {
  const ordered = [...definitions].sort((a, b) =>
    (a.createdAt ?? "").localeCompare(b.createdAt ?? "") || a.id.localeCompare(b.id)
  );
  const taken = new Set(FIXED_COLUMNS);
  const columns: CustomColumn[] = [];
  const seen = new Set<string>();
  for (const field of ordered) {
    if (seen.has(field.id)) continue;
    seen.add(field.id);
    const base = baseColumnName(field.name);
    let name = base;
    if (taken.has(name)) name = `${base}_${suffixOf(field.id)}`;
    if (taken.has(name)) name = `${base}_${field.id.toLowerCase()}`;
    taken.add(name);
    columns.push({
      name,
      fieldId: field.id,
      fieldName: field.name,
      section: field.section,
      type: field.type,
      kind: kindOfType(field.type, field.config),
    });
  }
  return columns;
}

/** A column's description: the field's name, id, section and type. */
export function columnDescription(column: CustomColumn): string {
  const section = column.section ?? "none";
  const type = column.type ?? "none";
  const untyped = column.kind === "untyped"
    ? "; a type this connector does not know: the value as sent"
    : "";
  return `Custom field "${column.fieldName}" (id ${column.fieldId}, section ${section}, type ${type}${untyped})`;
}

/** The field a column description names (its name and id), if {@linkcode columnDescription} wrote it. */
export function fieldOfDescription(description: unknown): { name: string; id: string } | undefined {
  if (typeof description !== "string") return undefined;
  const match = /^Custom field "(.*)" \(id ([^,\s]+),/.exec(description);
  return match ? { name: match[1], id: match[2] } : undefined;
}

/** The JSON Schema property of a custom column. */
function propertyOf(column: CustomColumn): Record<string, unknown> {
  const description = columnDescription(column);
  switch (column.kind) {
    case "string":
    case "number":
    case "boolean":
      return { type: [column.kind, "null"], description };
    case "date":
      return { type: ["string", "null"], format: "date", description };
    case "strings":
      return { type: ["array", "null"], items: { type: "string" }, description };
    case "untyped":
      return { description };
  }
}

/** The fixed columns' record schema: what `schemas/people_custom_fields.json` holds. */
const FIXED_RECORD = z.object({
  [PERSON_ID]: col.id("The person's id: the primary key."),
  company_id: col.string("The company of the person's custom values."),
  [CURSOR.column]: col.timestamp("The latest updatedAt of the person's custom values: the cursor."),
  timestamp: col.timestamp(),
  [DELETED_AT]: col.timestamp(DELETED_AT_DESCRIPTION),
  [ADDITIONAL_FIELDS]: col.object(ADDITIONAL_FIELDS_DESCRIPTION),
});

/** The stream's JSON Schema with one column per custom field, between the fixed ones. */
export function recordSchemaOf(columns: readonly CustomColumn[]): Record<string, unknown> {
  const fixed = recordJsonSchema(FIXED_RECORD);
  const fixedProperties = fixed.properties as Record<string, unknown>;
  const properties: Record<string, unknown> = {};
  for (const name of LEADING) properties[name] = fixedProperties[name];
  for (const column of columns) properties[column.name] = propertyOf(column);
  for (const name of TRAILING) properties[name] = fixedProperties[name];
  return { ...fixed, properties };
}

/** The stream's description when the definitions were read. */
export const DESCRIPTION =
  "Custom fields of people as typed columns: one row per person, one column per custom field.";

/** The stream's description when the token could not read the definitions. */
export function unreadableDescription(reason: string): string {
  return `${DESCRIPTION} The custom field definitions could not be read (${reason}), so only the fixed columns are listed: give the token a scope that reads /custom-fields (public:read or private:read) and refresh the schema.`;
}

/** The declaration: the fixed columns; discover and read add the custom ones. */
export const peopleCustomFields: StreamDefinition = {
  name: PEOPLE_CUSTOM_FIELDS,
  path: VALUES_PATH,
  description: DESCRIPTION,
  scopes: [...READ_SCOPES],
  evidence: {
    path: "likely",
    fields: "likely",
    source: "the help centre (sections, types, renames), one public SDK (the lists' fields)",
  },
  record: FIXED_RECORD,
  primaryKey: PERSON_ID,
  pivoted: true,
  incremental: true,
  columns: columnKinds(FIXED_RECORD),
  example: {
    id: "Cv1Al2Ue3Ab4Cd5Ef6Gh7Ij8",
    personId: "Pe6Hs2Jd9Kf4Lg1Zx7Cv3Bn8",
    customFieldId: "Cf1Ie2Ld3Ab4Cd5Ef6Gh7Ij8",
    resourceId: "Pe6Hs2Jd9Kf4Lg1Zx7Cv3Bn8",
    value: "CC-104",
    createdAt: "2022-03-01T09:00:00.000Z",
    updatedAt: "2022-03-01T09:00:00.000Z",
  },
  map(raw, context) {
    // One value alone: a row of the fixed columns (the read pivots whole rows instead).
    const plan = planColumns([], { configured: [] });
    return buildRow(plan, {
      personId: String(raw.personId),
      values: [raw],
      syncedAt: context.syncedAt,
    });
  },
};

/** How values become rows in one read: the catalog's columns, checked against the definitions. */
export interface RowPlan {
  /** The columns written, in order (the configured catalog's, else the definitions'). */
  columns: CustomColumn[];
  /**
   * Each written column whose field is defined now, by field id. A column whose field was deleted
   * is written as null (values the API still sends for it go to additional_fields).
   */
  byField: Map<string, CustomColumn>;
  /** Fields defined now that have no column in the catalog, by id: kept in additional_fields. */
  unconfigured: Map<string, CustomColumn>;
}

/**
 * The plan of a read: the catalog's custom columns (`configured`, as {@linkcode columnsOf} made
 * them at discover, with the definitions of then) against the definitions now. A configured
 * column keeps its type; its field is found by the id its description names, else by name.
 */
export function planColumns(
  definitions: readonly CustomFieldDefinition[],
  options: { configured?: CustomColumn[] },
): RowPlan {
  const current = columnsOf(definitions);
  const columns = options.configured ?? current;
  const defined = new Set(definitions.map((d) => d.id));
  const byField = new Map(columns.filter((c) => defined.has(c.fieldId)).map((c) => [c.fieldId, c]));
  const unconfigured = new Map(
    current.filter((c) => !byField.has(c.fieldId)).map((c) => [c.fieldId, c]),
  );
  return { columns, byField, unconfigured };
}

/** A value typed for a column of `kind`, or undefined when it does not fit. */
export function typedValue(kind: CustomColumnKind, value: unknown): unknown {
  switch (kind) {
    case "untyped":
      return value;
    case "string":
      if (typeof value === "string") return value;
      return typeof value === "number" || typeof value === "boolean" ? String(value) : undefined;
    case "number": {
      const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
      return typeof n === "number" && Number.isFinite(n) ? n : undefined;
    }
    case "boolean":
      if (typeof value === "boolean") return value;
      if (typeof value !== "string") return undefined;
      return { true: true, false: false, yes: true, no: false }[value.trim().toLowerCase()];
    case "date":
      return dateOf(value);
    case "strings":
      return stringsOf(value);
  }
}

function dateOf(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const text = value.trim();
  const full = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00.000Z` : text;
  return utcTimestamp(full)?.slice(0, 10);
}

function stringsOf(value: unknown): string[] | undefined {
  let list = value;
  if (typeof value === "string") {
    const text = value.trim();
    if (!text.startsWith("[")) return [value];
    try {
      list = JSON.parse(text);
    } catch {
      return [value];
    }
  }
  if (!Array.isArray(list) || !list.every((item) => typeof item === "string")) return undefined;
  return [...list];
}

/** What one person's row is built from. */
export interface PersonValues {
  /** The person's id. */
  personId: string;
  /** All their current values (raw `/custom-values` rows). */
  values: readonly RawObject[];
  /** The sync's start: the `timestamp` column. */
  syncedAt: string;
}

/**
 * One person's row: each configured column typed from its field's value (null when the person
 * has none, or the value does not fit: then it is kept in additional_fields under the column's
 * name and listed in `changes`); values of fields the catalog has no column for in
 * additional_fields under their would-be column name (or the field id when no definition names
 * it); `updated_at` the latest `updatedAt` of the values.
 */
export function buildRow(
  plan: RowPlan,
  person: PersonValues,
): MappedRow {
  const latest = latestByField(person.values);
  const record: Record<string, unknown> = {
    [PERSON_ID]: person.personId,
    company_id: companyOf(person.values),
  };
  const extra: Record<string, unknown> = Object.create(null);
  const changes: ValueChange[] = [];
  for (const column of plan.columns) {
    const raw = plan.byField.has(column.fieldId) ? latest.get(column.fieldId)?.value : undefined;
    const typed = raw === null || raw === undefined ? null : typedValue(column.kind, raw);
    if (typed === undefined) {
      extra[column.name] = raw;
      changes.push({ field: column.name, change: "NULLED", reason: "SOURCE_SERIALIZATION_ERROR" });
    }
    record[column.name] = typed ?? null;
  }
  let updatedAt: string | undefined;
  for (const [fieldId, value] of latest) {
    const cursor = rowCursor(value);
    if (cursor !== undefined && (updatedAt === undefined || cursor > updatedAt)) updatedAt = cursor;
    if (plan.byField.has(fieldId) || value.value === null || value.value === undefined) continue;
    extra[plan.unconfigured.get(fieldId)?.name ?? fieldId] = value.value;
  }
  record[CURSOR.column] = updatedAt ?? null;
  record.timestamp = person.syncedAt;
  record[DELETED_AT] = null;
  record[ADDITIONAL_FIELDS] = Object.keys(extra).length > 0 ? { ...extra } : null;
  return { record, changes };
}

/** The company the values belong to: the first `companyId` given, else null. */
function companyOf(values: readonly RawObject[]): string | null {
  for (const value of values) if (typeof value.companyId === "string") return value.companyId;
  return null;
}

/** Each field's value of one person: the latest by `updatedAt` should a field have two. */
function latestByField(values: readonly RawObject[]): Map<string, RawObject> {
  const latest = new Map<string, RawObject>();
  for (const value of values) {
    const fieldId = value.customFieldId;
    if (typeof fieldId !== "string") continue;
    const before = latest.get(fieldId);
    if (before === undefined || (rowCursor(value) ?? "") >= (rowCursor(before) ?? "")) {
      latest.set(fieldId, value);
    }
  }
  return latest;
}

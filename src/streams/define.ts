import {
  ADDITIONAL_FIELDS,
  ADDITIONAL_FIELDS_DESCRIPTION,
  col,
  type ColumnKind,
  columnKinds,
  GUESSED,
  type RecordSchema,
  sensitive,
  sensitiveClassOf,
} from "./fields.ts";
import {
  type ExtraFieldHandler,
  type InvalidValueHandler,
  type MappedRow,
  mapRow,
  type RawObject,
  type RowMapping,
  rowMapping,
} from "./mapping.ts";
import { z } from "zod";

export type { MappedRow, RawObject, ValueChange } from "./mapping.ts";

/** What a mapping may know besides the raw object. */
export interface MapContext {
  /** Sync start, UTC ISO 8601: the `timestamp` column. */
  syncedAt: string;
  /**
   * Sync date, YYYY-MM-DD (UTC). No column may be derived from it: a row that incremental syncs
   * do not read again would keep the answer of the day it was read.
   */
  today: string;
  /** Told of each value that does not fit its column's type (the value becomes null). */
  onInvalid?: InvalidValueHandler;
  /** Told of each API field kept in `additional_fields` (its dotted path), once a row. */
  onExtra?: ExtraFieldHandler;
}

/** Computes the columns that are not a plain flattening of the API object (the seed's). */
export type Derive = (raw: RawObject, context: MapContext) => RawObject;

/** Scopes Humaans grants; a stream lists the scopes any one of which lets a token read it. */
export type Scope = "public:read" | "private:read" | "documents:read" | "compensations:read";

/**
 * How sure a stream's path or fields are: `confirmed` (the API's docs, or a live client or
 * recorded response, show it), `likely` (one weak public source), `guessed` (none).
 */
export type Certainty = "confirmed" | "likely" | "guessed";

/** The scopes that read most lists: either one lets a token read them. */
export const READ_SCOPES: readonly Scope[] = ["public:read", "private:read"];

/** What public evidence a stream rests on. */
export interface Evidence {
  /** How sure the list path is. */
  path: Certainty;
  /** How sure the columns are; single columns with no evidence also say so in their schema. */
  fields: Certainty;
  /** The kind of source, e.g. "API docs, live clients, a recorded response". */
  source: string;
}

/**
 * The evidence several streams rest on, by source: `one_sdk` (one public SDK alone, AI-assisted
 * and citing no response), `client_survey` (public clients call the list, no response shows
 * it), `docs_elixir` and `docs_clients` (the API docs, with the Elixir SDK or public clients).
 */
export type SharedSource = "one_sdk" | "client_survey" | "docs_elixir" | "docs_clients";

/** [path, fields, source] of each {@linkcode SharedSource}. */
const SHARED_EVIDENCE: Record<SharedSource, [Certainty, Certainty, string]> = {
  one_sdk: ["likely", "guessed", "one public SDK only, AI-assisted and citing no response"],
  client_survey: [
    "likely",
    "guessed",
    "a survey of public clients: the list exists, no response shown",
  ],
  docs_elixir: ["confirmed", "confirmed", "API docs, the Elixir SDK that copies their examples"],
  docs_clients: ["confirmed", "confirmed", "API docs, CLI and browser-extension clients"],
};

/** The evidence of a {@linkcode SharedSource}. */
export function sharedEvidence(source: SharedSource): Evidence {
  const [path, fields, text] = SHARED_EVIDENCE[source];
  return { path, fields, source: text };
}

/** What a stream is declared with. */
export interface StreamSpec {
  /** Stream name, snake_case. */
  name: string;
  /** API list path; by default the name in kebab-case: "/job-roles" for `job_roles`. */
  path?: string;
  /** One sentence for the catalog and the README. */
  description: string;
  /** Any one of these scopes lets a token read the stream; by default {@linkcode READ_SCOPES}. */
  scopes?: Scope[];
  /**
   * The rows carry no `createdAt`/`updatedAt` (a reference list): the record gets no
   * `created_at`/`updated_at` columns and the stream is full refresh only.
   */
  untimed?: true;
  /**
   * Rows are dated events (an absence, a timesheet day, a holiday), so `initial_sync_days`, when
   * set, bounds the first incremental sync; entity streams always read all history.
   */
  initialWindow?: boolean;
  /** Holds personal or financial data that deserves restricted access downstream. */
  sensitive?: boolean;
  /** What public evidence the path and the fields rest on. */
  evidence: Evidence;
  /**
   * Record columns. The common ones are added: `id` first, `created_at`, `updated_at` (unless
   * `untimed`) and `timestamp` last, then `_ab_cdc_deleted_at` and `additional_fields`; declare a
   * common column only to give it another place (the seed's column order).
   */
  record: RecordSchema;
  /**
   * One realistic row as GET `path` returns it in `data[]`, every field the record knows filled:
   * the stream tests map it, and the sandbox serves rows like it unless it has its own resource.
   */
  example: RawObject;
  /** Top-level API fields never synced, not even in `additional_fields` (secrets). */
  omit?: readonly string[];
  /** Seed columns and other computed values; flattened API fields fill the rest. */
  derive?: Derive;
  /**
   * The rows are no company's (the companies list itself): no `company_id` column. Every other
   * stream has one, where it declares it or before the trailing common columns.
   */
  noCompanyId?: true;
  /** The primary key column, when it is not `id` (a stream whose rows are pivoted). */
  primaryKey?: string;
  /**
   * Rows are built by the stream's own read from the rows of `path` (one row per person from
   * their values, say), not mapped one API row each: `map` and `example` describe one API row
   * only, and the record schema holds the fixed columns (discover adds the rest).
   */
  pivoted?: true;
}

/** A stream: its declaration, with its defaults filled in, plus the mapping built from it. */
export interface StreamDefinition extends StreamSpec {
  /** API list path, e.g. "/job-roles". */
  path: string;
  /** Any one of these scopes lets a token read the stream. */
  scopes: Scope[];
  /** Whether rows carry `updated_at`, so the stream can be read incrementally (not `untimed`). */
  incremental: boolean;
  /** Column kinds, in schema order. */
  columns: Map<string, ColumnKind>;
  /**
   * Raw API object to record with exactly the schema's columns, and the values nulled in it
   * because they did not fit their column (for the RECORD's `meta.changes`).
   */
  map(raw: RawObject, context: MapContext): MappedRow;
}

/** The API field and record column that incremental streams use as cursor. */
export const CURSOR = { api: "updatedAt", column: "updated_at" } as const;

/** The common columns that end a record, in order: the API's timestamps and the sync time. */
const TRAILING_COLUMNS = ["created_at", CURSOR.column, "timestamp"];

/** Columns every row has whatever the stream: the id, the API's timestamps and the sync time. */
const BASE_COLUMNS = new Set(["id", ...TRAILING_COLUMNS]);

/**
 * Refuses a declaration whose common columns cannot be added: `created_at` or `updated_at` in an
 * untimed stream, or a common column declared with another kind than the common column's.
 */
function checkCommonColumns(spec: StreamSpec): void {
  const declared = columnKinds(spec.record);
  if (spec.untimed && (declared.has("created_at") || declared.has(CURSOR.column))) {
    throw new Error(`Stream "${spec.name}" is untimed but declares created_at or updated_at`);
  }
  const trailing = spec.untimed ? ["timestamp"] : TRAILING_COLUMNS;
  for (const name of ["id", ...trailing]) {
    const kind = name === "id" ? "id" : "timestamp";
    const found = declared.get(name);
    if (found !== undefined && found !== kind) {
      throw new Error(`Stream "${spec.name}" declares "${name}" as ${found}: it must be ${kind}`);
    }
  }
}

/**
 * The record schema with the common columns it does not declare: `id` first; `created_at`,
 * `updated_at` (unless the rows are untimed) and `timestamp` last. A declared common column
 * keeps its place ({@linkcode checkCommonColumns} has checked its kind).
 */
function withCommonColumns(spec: StreamSpec): RecordSchema {
  const trailing = spec.untimed ? ["timestamp"] : TRAILING_COLUMNS;
  const shape: Record<string, z.ZodType> = "id" in spec.record.shape
    ? { ...spec.record.shape }
    : { id: col.id(), ...spec.record.shape };
  if (!spec.noCompanyId) shape.company_id ??= col.string();
  for (const name of trailing) shape[name] ??= col.timestamp();
  return z.object(shape);
}

/**
 * The record schema with each column that rests on no public evidence described as a guess:
 * every column but the base ones of a stream whose fields are `guessed` (a column that says
 * something already keeps its description).
 */
function withEvidence(schema: RecordSchema, evidence: Evidence): RecordSchema {
  if (evidence.fields !== "guessed") return schema;
  const kinds = columnKinds(schema);
  const shape: Record<string, z.ZodType> = {};
  for (const [name, field] of Object.entries(schema.shape)) {
    const described = field.description !== undefined || BASE_COLUMNS.has(name);
    const cls = sensitiveClassOf(field);
    const guessed = col[kinds.get(name)!](GUESSED);
    shape[name] = described ? field : cls ? sensitive(guessed, cls) : guessed;
  }
  return z.object(shape);
}

/**
 * The column that marks a deleted row (Airbyte's CDC convention), in every stream's schema:
 * null on every row read, set only on the RECORD of a row found deleted (see `detect_deletes`).
 */
export const DELETED_AT = "_ab_cdc_deleted_at";
/** The schema description of {@linkcode DELETED_AT}. */
export const DELETED_AT_DESCRIPTION =
  "When detect_deletes found the row deleted; null on every row read from the API";

/** What {@linkcode defineStream} builds of a declaration on first use. */
interface Built {
  record: RecordSchema;
  columns: Map<string, ColumnKind>;
  mapping: RowMapping;
}

/**
 * Builds a stream from its declaration: the mapping is shared, only `derive` is the stream's.
 * The declaration is checked at once; the full record schema, its column kinds and the mapping
 * are built on first use (a read uses only the streams it selects, and a stream's zod schemas
 * are most of the memory a declaration takes).
 */
export function defineStream(spec: StreamSpec): StreamDefinition {
  if (ADDITIONAL_FIELDS in spec.record.shape) {
    throw new Error(
      `Stream "${spec.name}" declares "${ADDITIONAL_FIELDS}": it is added to every stream`,
    );
  }
  checkCommonColumns(spec);
  // Every timed stream gets `updated_at` (declared or added), the cursor; an untimed one cannot.
  const incremental = !spec.untimed;
  if (spec.initialWindow && !incremental) {
    throw new Error(`Stream "${spec.name}" has an initial window but no cursor`);
  }
  let built: Built | undefined;
  const build = (): Built => {
    if (built) return built;
    const record = withEvidence(withCommonColumns(spec), spec.evidence).extend({
      [DELETED_AT]: col.timestamp(DELETED_AT_DESCRIPTION),
      [ADDITIONAL_FIELDS]: col.object(ADDITIONAL_FIELDS_DESCRIPTION),
    }) as RecordSchema;
    const columns = columnKinds(record);
    built = { record, columns, mapping: rowMapping(columns, { omit: spec.omit }) };
    return built;
  };
  const derive = spec.derive;
  return {
    ...spec,
    path: spec.path ?? `/${spec.name.replaceAll("_", "-")}`,
    scopes: spec.scopes ?? [...READ_SCOPES],
    get record() {
      return build().record;
    },
    incremental,
    get columns() {
      return build().columns;
    },
    map(raw, context) {
      return mapRow(build().mapping, raw, {
        derived: derive?.(raw, context),
        syncedAt: context.syncedAt,
        onInvalid: context.onInvalid,
        onExtra: context.onExtra,
      });
    },
  };
}

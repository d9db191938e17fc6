import {
  ADDITIONAL_FIELDS,
  ADDITIONAL_FIELDS_DESCRIPTION,
  col,
  type ColumnKind,
  columnKinds,
  type ExtraFieldHandler,
  GUESSED,
  type InvalidValueHandler,
  Projection,
  type RecordSchema,
} from "./fields.ts";
import { z } from "zod";

/** A raw API object. */
export type RawObject = Record<string, unknown>;

/** What a mapping may know besides the raw object. */
export interface MapContext {
  /** Sync start, UTC ISO 8601: the `timestamp` column. */
  syncedAt: string;
  /** Sync date, YYYY-MM-DD (UTC), for effective-dated rows. */
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

/** What public evidence a stream rests on. */
export interface Evidence {
  /** How sure the list path is. */
  path: Certainty;
  /** How sure the columns are; single columns with no evidence also say so in their schema. */
  fields: Certainty;
  /** The kind of source, e.g. "API docs, live clients, a recorded response". */
  source: string;
}

/** What a stream is declared with. */
export interface StreamSpec {
  /** Stream name, snake_case. */
  name: string;
  /** API list path, e.g. "/job-roles". */
  path: string;
  /** One sentence for the catalog and the README. */
  description: string;
  /** Any one of these scopes lets a token read the stream. */
  scopes: Scope[];
  /** Whether rows carry `updatedAt` (incremental) or not (full refresh only). */
  incremental: boolean;
  /**
   * Rows are dated events (an absence, a timesheet day, a holiday), so `initial_sync_days`, when
   * set, bounds the first incremental sync; entity streams always read all history.
   */
  initialWindow?: boolean;
  /** Holds personal or financial data that deserves restricted access downstream. */
  sensitive?: boolean;
  /** What public evidence the path and the fields rest on. */
  evidence: Evidence;
  /** Record columns (`additional_fields` is added after them). */
  record: RecordSchema;
  /** Top-level API fields never synced, not even in `additional_fields` (secrets). */
  omit?: readonly string[];
  /** Seed columns and other computed values; flattened API fields fill the rest. */
  derive?: Derive;
}

/** A stream: its declaration plus the mapping built from it. */
export interface StreamDefinition extends StreamSpec {
  /** Column kinds, in schema order. */
  columns: Map<string, ColumnKind>;
  /** Raw API object to record with exactly the schema's columns. */
  map(raw: RawObject, context: MapContext): Record<string, unknown>;
}

/** The API field and record column that incremental streams use as cursor. */
export const CURSOR = { api: "updatedAt", column: "updated_at" } as const;

/** Columns every row has whatever the stream: the id, the API's timestamps and the sync time. */
const BASE_COLUMNS = new Set(["id", "created_at", "updated_at", "timestamp"]);

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
    shape[name] = described ? field : col[kinds.get(name)!](GUESSED);
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

/** Builds a stream from its declaration: the mapping is shared, only `derive` is the stream's. */
export function defineStream(spec: StreamSpec): StreamDefinition {
  if (ADDITIONAL_FIELDS in spec.record.shape) {
    throw new Error(
      `Stream "${spec.name}" declares "${ADDITIONAL_FIELDS}": it is added to every stream`,
    );
  }
  const record = withEvidence(spec.record, spec.evidence).extend({
    [DELETED_AT]: col.timestamp(DELETED_AT_DESCRIPTION),
    [ADDITIONAL_FIELDS]: col.string(ADDITIONAL_FIELDS_DESCRIPTION),
  }) as RecordSchema;
  const columns = columnKinds(record);
  if (!columns.has("id")) throw new Error(`Stream "${spec.name}" has no "id" column`);
  if (spec.incremental && !columns.has(CURSOR.column)) {
    throw new Error(`Incremental stream "${spec.name}" has no "${CURSOR.column}" column`);
  }
  if (spec.initialWindow && !spec.incremental) {
    throw new Error(`Stream "${spec.name}" has an initial window but no cursor`);
  }
  const derive = spec.derive;
  // project(columns, flatten(raw) + derived + timestamp), in one pass (the read path's hot spot).
  const projection = new Projection(columns, { omit: spec.omit });
  const timestampSlot = projection.slotOf("timestamp");
  return {
    ...spec,
    record,
    columns,
    map(raw, context) {
      const values = projection.flatten(raw, context.onExtra);
      if (derive) projection.assign(values, derive(raw, context));
      if (timestampSlot !== undefined) values[timestampSlot] = context.syncedAt;
      return projection.record(values, { onInvalid: context.onInvalid });
    },
  };
}

import {
  col,
  type ColumnKind,
  columnKinds,
  type InvalidValueHandler,
  Projection,
  type RecordSchema,
} from "./fields.ts";

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
}

/** Computes the columns that are not a plain flattening of the API object (the seed's). */
export type Derive = (raw: RawObject, context: MapContext) => RawObject;

/** Scopes Humaans grants; a stream lists the scopes any one of which lets a token read it. */
export type Scope = "public:read" | "private:read" | "documents:read" | "compensations:read";

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
  /** Holds personal or financial data that deserves restricted access downstream. */
  sensitive?: boolean;
  /** Record columns. */
  record: RecordSchema;
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

/**
 * The column that marks a deleted row (Airbyte's CDC convention), in every stream's schema:
 * null on every row read, set only on the RECORD of a row found deleted (see `detect_deletes`).
 */
export const DELETED_AT = "_ab_cdc_deleted_at";

/** Builds a stream from its declaration: the mapping is shared, only `derive` is the stream's. */
export function defineStream(spec: StreamSpec): StreamDefinition {
  spec = { ...spec, record: spec.record.extend({ [DELETED_AT]: col.timestamp() }) };
  const columns = columnKinds(spec.record);
  if (!columns.has("id")) throw new Error(`Stream "${spec.name}" has no "id" column`);
  if (spec.incremental && !columns.has(CURSOR.column)) {
    throw new Error(`Incremental stream "${spec.name}" has no "${CURSOR.column}" column`);
  }
  const derive = spec.derive;
  // project(columns, flatten(raw) + derived + timestamp), in one pass (the read path's hot spot).
  const projection = new Projection(columns);
  return {
    ...spec,
    columns,
    map(raw, context) {
      const values = projection.flatten(raw);
      if (derive) projection.assign(values, derive(raw, context));
      projection.set(values, "timestamp", context.syncedAt);
      return projection.record(values, { onInvalid: context.onInvalid });
    },
  };
}

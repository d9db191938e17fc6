/**
 * Reading `people_custom_fields`: the definitions, then the values pivoted by person.
 *
 * - A full refresh (or a first sync) reads every value sorted by person and writes one row per
 *   person that has one as the next person's values begin, holding one person's values and a
 *   page; should the API reject or ignore the sort, it holds every value and writes at the end.
 * - An incremental sync reads the values changed since the cursor; they name the people whose
 *   rows are written again, each built whole from all of that person's values, re-read in
 *   batches of {@linkcode PEOPLE_PER_REQUEST} people a request (`personId[$in]`).
 *
 * The STATE comes once, after every row: a sync that stops before it resumes from the cursor
 * it started from, so no change is skipped (rows written twice are whole, and the same).
 *
 * Every list is read by the offset scan (`scanPages`).
 *
 * @module
 */
import { ConnectorError, toConnectorError } from "../errors.ts";
import {
  accessHint,
  HttpError,
  type HumaansClient,
  isRejectedQuery,
  type Query,
} from "../http/client.ts";
import { scanPages } from "../http/paginate.ts";
import type { MessageWriter } from "../protocol/writer.ts";
import { CURSOR, type RawObject, type StreamDefinition } from "../streams/mod.ts";
import {
  buildRow,
  columnsOf,
  type CustomColumn,
  type CustomColumnKind,
  type CustomFieldDefinition,
  definitionOf,
  DEFINITIONS_PATH,
  fieldOfDescription,
  FIXED_COLUMNS,
  planColumns,
  type RowPlan,
  VALUES_PATH,
} from "../streams/people_custom_fields.ts";
import { rowCursor, rowId } from "../streams/row.ts";
import { IDS_AT_CURSOR_CAP } from "./checkpoint.ts";
import { ceilingOf } from "./checkpoint.ts";
import {
  type ReadStreamOptions,
  saneCursor,
  type StreamResult,
  warnNulled,
} from "./read_stream.ts";

/**
 * People whose values one request re-reads. Feathers parses queries with Express's `qs`, which
 * turns a list of more than 20 items into an object by default (`arrayLimit`; indexed items
 * always, `[]` lists too since qs 6.14.1): 20 keeps `$in` a list.
 */
export const PEOPLE_PER_REQUEST = 20;
/** Most pages of definitions read (250 fields a page): discover stays bounded. */
export const MAX_DEFINITION_PAGES = 40;

/**
 * Every custom field defined for people (at most {@linkcode MAX_DEFINITION_PAGES} pages; rows
 * without an id or name are left out). Throws the request's error.
 */
export async function readDefinitions(
  client: HumaansClient,
  options: { pageSize?: number; signal?: AbortSignal } = {},
): Promise<CustomFieldDefinition[]> {
  const definitions: CustomFieldDefinition[] = [];
  let pages = 0;
  const list = scanPages(client, DEFINITIONS_PATH, {
    pageSize: options.pageSize ?? 250,
    signal: options.signal,
  });
  for await (const page of list) {
    for (const raw of page.data) {
      const definition = definitionOf(raw);
      if (definition) definitions.push(definition);
    }
    if (++pages >= MAX_DEFINITION_PAGES) break;
  }
  return definitions;
}

/**
 * Whether an error means the definitions cannot be read with this token (401, 403) or on this
 * account (404: no such list), as opposed to a failure that may pass (network, 5xx, 429).
 */
export function isUnreadable(error: unknown): boolean {
  return error instanceof HttpError &&
    (error.status === 401 || error.status === 403 || error.status === 404);
}

/** The kind of a configured column from its JSON Schema property. */
function kindOfProperty(property: Record<string, unknown>): CustomColumnKind {
  const types = [property.type].flat().filter((t) => t !== "null" && t !== undefined);
  if (types.length === 0) return "untyped";
  if (types.includes("array")) return "strings";
  if (types.includes("string")) return property.format === "date" ? "date" : "string";
  if (types.includes("number") || types.includes("integer")) return "number";
  if (types.includes("boolean")) return "boolean";
  return "untyped";
}

/**
 * The custom columns a configured catalog's JSON Schema holds, each with the field its
 * description names (else the field now named so); undefined without a schema (a hand-written
 * catalog): then the definitions' columns are written.
 */
export function configuredColumns(
  schema: unknown,
  definitions: readonly CustomFieldDefinition[],
): CustomColumn[] | undefined {
  const properties = schema !== null && typeof schema === "object"
    ? (schema as { properties?: unknown }).properties
    : undefined;
  if (properties === null || typeof properties !== "object") return undefined;
  const current = new Map(columnsOf(definitions).map((c) => [c.name, c]));
  const columns: CustomColumn[] = [];
  for (const [name, value] of Object.entries(properties as Record<string, unknown>)) {
    if (FIXED_COLUMNS.has(name) || value === null || typeof value !== "object") continue;
    const property = value as Record<string, unknown>;
    const described = fieldOfDescription(property.description);
    const fieldId = described?.id ?? current.get(name)?.fieldId ?? `(no field: ${name})`;
    const field = definitions.find((d) => d.id === fieldId);
    columns.push({
      name,
      fieldId,
      // The name at discover, as the description has it: a rename shows against the definitions.
      fieldName: described?.name ?? field?.name ?? name,
      section: field?.section ?? null,
      type: field?.type ?? null,
      kind: kindOfProperty(property),
    });
  }
  return columns;
}

/**
 * The WARNs of a read's plan: columns whose field is gone, fields added (but those `leftOut`, a
 * sensitive-data policy's: additional_fields does not keep them), types unknown.
 */
export async function warnAboutPlan(
  writer: MessageWriter,
  options: {
    stream: string;
    plan: RowPlan;
    definitions: readonly CustomFieldDefinition[];
    leftOut?: (column: CustomColumn) => boolean;
  },
): Promise<void> {
  const { stream, plan, definitions, leftOut } = options;
  const defined = new Map(definitions.map((d) => [d.id, d]));
  for (const column of plan.columns) {
    const field = defined.get(column.fieldId);
    if (!field) {
      await writer.log(
        "WARN",
        `Stream "${stream}": column "${column.name}" has no custom field any more (field ${column.fieldId} was deleted, or the catalog was edited): written as null. Refresh the source schema to drop it`,
      );
    } else if (field.name !== column.fieldName) {
      await writer.log(
        "WARN",
        `Stream "${stream}": custom field ${column.fieldId} is now named "${field.name}"; its values stay in column "${column.name}" until the schema is refreshed, which makes it a new column`,
      );
    }
    if (column.kind === "untyped") {
      await writer.log(
        "WARN",
        `Stream "${stream}": custom field "${column.fieldName}" (${column.fieldId}) has type "${column.type}", which this connector does not know: column "${column.name}" holds the value as sent`,
      );
    }
  }
  const kept = [...plan.unconfigured.values()].filter((c) => !leftOut?.(c));
  if (kept.length > 0) {
    const names = kept.map((c) => `"${c.fieldName}" (${c.name})`);
    await writer.log(
      "WARN",
      `Stream "${stream}": custom fields added since the schema was discovered are kept in additional_fields: ${
        names.join(", ")
      }. Refresh the source schema to get them as columns`,
    );
  }
}

/** What one read of the stream shares. */
interface Run {
  stream: StreamDefinition;
  options: CustomFieldsReadOptions;
  plan: RowPlan;
  syncedAt: string;
  records: number;
  pages: number;
  skipped: number;
  unproven: boolean;
  /** Columns nulled because a value did not fit, with counts. */
  nulled: Map<string, number>;
  /** The latest `updatedAt` among the values read. */
  latest?: string;
  /** The ids of the values read at `latest` (up to one more than {@linkcode IDS_AT_CURSOR_CAP}). */
  atLatest: Set<string>;
  /** What `options.protect` made of the plan's columns. */
  protectRow?: (record: Record<string, unknown>) => Record<string, unknown>;
}

/** One page of values: its rows that are objects, and whether the scan reads it again. */
interface ValuesPage {
  rows: RawObject[];
  readAgain: boolean;
}

/** Reads a list, page by page, noting pages and proof (rows that are not objects are skipped). */
async function* pagesOf(run: Run, query: Query): AsyncGenerator<ValuesPage> {
  const { client, config, signal } = run.options;
  const pages = scanPages(client, VALUES_PATH, {
    query,
    pageSize: config.max_records_per_page,
    signal,
  });
  for await (const page of pages) {
    run.pages++;
    if (!page.proven) run.unproven = true;
    const rows: RawObject[] = [];
    for (const raw of page.data) {
      if (raw === null || typeof raw !== "object" || Array.isArray(raw)) run.skipped++;
      else rows.push(raw as RawObject);
    }
    yield { rows, readAgain: page.readAgain };
  }
}

/** Reads a list, page by page, noting pages, proof and the latest value; returns the rows. */
async function* rowsOf(run: Run, query: Query): AsyncGenerator<RawObject> {
  for await (const page of pagesOf(run, query)) {
    for (const row of page.rows) {
      noteLatest(run, row);
      yield row;
    }
  }
}

/** Keeps the latest `updatedAt` read, and the ids of the values at it. */
function noteLatest(run: Run, row: RawObject): void {
  const cursor = rowCursor(row);
  if (cursor === undefined || (run.latest !== undefined && cursor < run.latest)) return;
  if (cursor !== run.latest) {
    run.latest = cursor;
    run.atLatest.clear();
  }
  const id = rowId(row);
  if (id !== undefined && run.atLatest.size <= IDS_AT_CURSOR_CAP) run.atLatest.add(id);
}

/** A value's person, or undefined (the row is skipped). */
function personOf(row: RawObject): string | undefined {
  const id = row.personId;
  return typeof id === "string" && id !== "" ? id : undefined;
}

/** Every value, grouped by person: the full read when the API will not sort by person. */
async function readAllValues(run: Run): Promise<Map<string, RawObject[]>> {
  const people = new Map<string, RawObject[]>();
  for await (const row of rowsOf(run, {})) {
    const person = personOf(row);
    if (person === undefined) {
      run.skipped++;
      continue;
    }
    let values = people.get(person);
    if (!values) people.set(person, values = []);
    // Only what a row is built from: every value of the account is held until the end.
    values.push(valueOf(row));
  }
  return people;
}

/** What a full read keeps of a value: what its row is built from. */
function valueOf(row: RawObject): RawObject {
  return {
    customFieldId: row.customFieldId,
    value: row.value,
    updatedAt: row.updatedAt,
    companyId: row.companyId,
  };
}

/** The full read's query: the values by person, each person's by id. */
export const BY_PERSON: Query = { "$sort[personId]": 1, "$sort[id]": 1 };

/** The person a read by person is at: the values read so far, and their ids. */
interface Held {
  person?: string;
  values: RawObject[];
  ids: Set<string>;
}

/**
 * Where a page's rows, in server order, are not sorted by person (a value of a person below the
 * one before it), or undefined. Rows without a person are passed over.
 */
export function disorderOf(rows: readonly RawObject[]): string | undefined {
  let before: string | undefined;
  for (const row of rows) {
    const person = personOf(row);
    if (person === undefined) continue;
    if (before !== undefined && person < before) {
      return `value ${String(row.id)} of person ${person} came after person ${before}`;
    }
    before = person;
  }
  return undefined;
}

/**
 * Takes one value of a read by person: a person below the one held was written already (a page
 * read again), as was a value id held already; a value of the next person writes the held one.
 */
function take(run: Run, held: Held, row: RawObject): void {
  const person = personOf(row);
  if (person === undefined) {
    run.skipped++;
    return;
  }
  if (held.person !== undefined && person < held.person) return;
  const id = rowId(row);
  if (person === held.person && id !== undefined && held.ids.has(id)) return;
  if (person !== held.person) {
    if (held.person !== undefined) writeRow(run, held.person, held.values);
    held.person = person;
    held.values = [];
    held.ids.clear();
  }
  if (id !== undefined) held.ids.add(id);
  noteLatest(run, row);
  held.values.push(valueOf(row));
}

/** Why a read by person fell back before writing any row, and the level to say it at. */
interface Fallback {
  level: "INFO" | "WARN";
  why: string;
}

/**
 * Writes every person's row from one scan of the values sorted by person ({@linkcode BY_PERSON}),
 * holding only the current person's values and a page. A page read again after rows shifted is
 * passed over (its rows come again). Returns why it could not, before any row was written: the
 * API rejects the sort (400) or is seen not to sort. Seen not to sort after rows were written, it
 * throws a system_error: rows already written may lack values, and no partial row is written.
 */
async function writeByPerson(run: Run): Promise<Fallback | undefined> {
  const held: Held = { values: [], ids: new Set() };
  const path = `${VALUES_PATH} by $sort[personId]`;
  try {
    for await (const page of pagesOf(run, BY_PERSON)) {
      if (page.readAgain) continue;
      const disorder = disorderOf(page.rows);
      if (disorder !== undefined && run.records === 0) {
        return { level: "INFO", why: `the API does not sort ${path} (${disorder})` };
      }
      if (disorder !== undefined) {
        throw new ConnectorError(
          `The API stopped sorting ${path} after ${run.records} rows were written (${disorder}): the rows written may lack values; the stream stops before writing more`,
          { failureType: "system_error" },
        );
      }
      for (const row of page.rows) take(run, held, row);
      await run.options.writer.flush();
    }
  } catch (error) {
    const rejected = isRejectedQuery(error);
    if (rejected === undefined || run.records > 0) throw error;
    return { level: "WARN", why: `the API rejected ${path} (${rejected})` };
  }
  if (held.person !== undefined) writeRow(run, held.person, held.values);
  await run.options.writer.flush();
  return undefined;
}

/**
 * The full read: by person ({@linkcode writeByPerson}), else, said at the level given, every
 * value read and held, and the rows written at the end.
 */
async function writeAll(run: Run): Promise<void> {
  const skipped = run.skipped;
  const fallback = await writeByPerson(run);
  if (fallback === undefined) return;
  run.skipped = skipped;
  await run.options.writer.log(
    fallback.level,
    `Stream "${run.stream.name}": ${fallback.why}; reading every value and writing the rows at the end`,
  );
  await writeRows(run, await readAllValues(run));
}

/** The people with a value changed at or after `cursor` (filtered here too). */
async function changedPeople(run: Run, cursor: string): Promise<Set<string>> {
  const people = new Set<string>();
  const filtered: Query = { [`${CURSOR.api}[$gte]`]: cursor, [`$sort[${CURSOR.api}]`]: 1 };
  // Values at the cursor that the state lists were written by the sync before: unchanged since.
  const { state } = run.options;
  const known = new Set(cursor === state?.cursor ? state?.idsAtCursor ?? [] : []);
  const collect = async (query: Query) => {
    for await (const row of rowsOf(run, query)) {
      const person = personOf(row);
      const changed = rowCursor(row);
      if (changed === cursor && known.has(rowId(row) ?? "")) continue;
      if (person !== undefined && (changed === undefined || changed >= cursor)) people.add(person);
    }
  };
  try {
    await collect(filtered);
  } catch (error) {
    const rejected = isRejectedQuery(error);
    if (rejected === undefined) throw error;
    await run.options.writer.log(
      "WARN",
      `Stream "${run.stream.name}": the API rejected the ${CURSOR.api} filter (${rejected}); reading every value and filtering here`,
    );
    await collect({});
  }
  return people;
}

/** The query for the values of some people. */
export function peopleQuery(people: readonly string[]): Query {
  const query: Query = {};
  people.forEach((id, i) => query[`personId[$in][${i}]`] = id);
  return query;
}

/** Writes the rows of `people` (their values given), then flushes. */
async function writeRows(run: Run, people: Map<string, RawObject[]>): Promise<void> {
  for (const [personId, values] of people) writeRow(run, personId, values);
  await run.options.writer.flush();
}

/** Writes one person's row, built from their values. */
function writeRow(run: Run, personId: string, values: RawObject[]): void {
  const { record, changes } = buildRow(run.plan, { personId, values, syncedAt: run.syncedAt });
  for (const change of changes) {
    run.nulled.set(change.field, (run.nulled.get(change.field) ?? 0) + 1);
  }
  const row = run.protectRow ? run.protectRow(record) : record;
  run.options.writer.record(run.stream.name, row, { changes });
  run.records++;
}

/**
 * The values of `remaining` people that one list sends (`query`: a batch's `personId[$in]`, or
 * none), by person; `foreign` when it sent values of people outside `batch` (the API ignored the
 * filter, so the list held every value).
 */
async function valuesOf(
  run: Run,
  options: { query: Query; batch: Set<string>; remaining: Set<string> },
): Promise<{ people: Map<string, RawObject[]>; foreign: boolean }> {
  const people = new Map<string, RawObject[]>();
  let foreign = false;
  for await (const row of rowsOf(run, options.query)) {
    const person = personOf(row);
    if (person === undefined) continue;
    if (!options.batch.has(person)) foreign = true;
    if (!options.remaining.has(person)) continue;
    let values = people.get(person);
    if (!values) people.set(person, values = []);
    values.push(row);
  }
  return { people, foreign };
}

/**
 * Re-reads the values of the changed people, a batch a request, writing their rows (a person
 * whose values are all gone has none: a full refresh drops it). Should the API ignore
 * `personId[$in]` (a batch brings others' values) or reject it (400), that one list of every
 * value serves every changed person left, with a WARN.
 */
async function writeChanged(run: Run, changed: Set<string>): Promise<void> {
  const ids = [...changed];
  for (let i = 0; i < ids.length; i += PEOPLE_PER_REQUEST) {
    const batch = new Set(ids.slice(i, i + PEOPLE_PER_REQUEST));
    const remaining = new Set(ids.slice(i));
    let read: { people: Map<string, RawObject[]>; foreign: boolean };
    let problem: string | undefined;
    try {
      read = await valuesOf(run, { query: peopleQuery([...batch]), batch, remaining });
      if (read.foreign) problem = "ignored it";
    } catch (error) {
      const rejected = isRejectedQuery(error);
      if (rejected === undefined) throw error;
      problem = `rejected it (${rejected})`;
      read = await valuesOf(run, { query: {}, batch: remaining, remaining });
    }
    if (problem !== undefined) {
      await run.options.writer.log(
        "WARN",
        `Stream "${run.stream.name}": the API ${problem} when asked for the values of some people (personId[$in]); the values of the ${remaining.size} changed people left came from one read of every value`,
      );
      await writeRows(run, read.people);
      return;
    }
    await writeRows(run, read.people);
  }
}

/**
 * The cursor the final STATE claims: the latest value read, never past the sync's start less
 * the clock skew allowance; the cursor started from when a page could not be proven (or nothing
 * was read).
 */
function finalCursor(run: Run, cursor: string | undefined): string | undefined {
  const ceiling = ceilingOf(run.options.syncStartedAt);
  if (run.unproven) return cursor;
  if (run.latest === undefined) return cursor ?? ceiling;
  const claim = run.latest < ceiling ? run.latest : ceiling;
  return cursor !== undefined && cursor > claim ? cursor : claim;
}

/**
 * The final STATE: the cursor, the ids of the values at it that were written (the next sync skips
 * them while they stay unchanged, as every stream does; none listed past
 * {@linkcode IDS_AT_CURSOR_CAP}: then they are read again), and the columns written.
 */
function finalState(run: Run, cursor: string | undefined): Record<string, unknown> {
  const claim = finalCursor(run, cursor);
  if (claim === undefined) return {};
  let ids: string[] | undefined;
  if (claim === run.latest) {
    ids = run.atLatest.size <= IDS_AT_CURSOR_CAP ? [...run.atLatest] : undefined;
  } else if (claim === cursor && cursor === run.options.state?.cursor) {
    const listed = run.options.state?.idsAtCursor;
    ids = listed ? [...listed] : undefined;
  }
  return {
    updated_at: claim,
    ...(ids && ids.length > 0 ? { ids_at_cursor: ids.sort() } : {}),
    [COLUMNS_KEY]: run.plan.columns.map((c) => c.name),
    [COLUMN_FIELDS_KEY]: Object.fromEntries(run.plan.columns.map((c) => [c.name, c.fieldId])),
  };
}

/** The WARNs after the rows: skipped values, nulled values, unproven pages. */
async function warnAfterRows(run: Run): Promise<void> {
  const { writer } = run.options;
  const name = run.stream.name;
  if (run.skipped > 0) {
    await writer.log("WARN", `Stream "${name}": skipped ${run.skipped} values with no person`);
  }
  await warnNulled(writer, { stream: name, counts: run.nulled });
  if (run.unproven) {
    await writer.log(
      "WARN",
      `Stream "${name}": values changed faster than pages could be read, so some may have been missed; the state stays where it was so the next sync reads them again`,
    );
  }
}

/** The read's options: {@linkcode ReadStreamOptions} and the configured catalog's schema. */
export interface CustomFieldsReadOptions extends ReadStreamOptions {
  /** The stream's `json_schema` in the configured catalog, if it has one. */
  configuredSchema?: unknown;
  /** The stream's state object as given (its `columns`: the columns the rows were written with). */
  streamState?: Record<string, unknown>;
  /**
   * A transform of every row, made once the read knows its columns and the fields it keeps in
   * `additional_fields` (each with its field's section and type): where a sensitive-data policy
   * hashes or drops columns, and leaves fields out, by section.
   */
  protect?: {
    /** Given the columns and the fields with none, what to do to each row before it is written. */
    rows: RowTransform;
    /** The WARNs of a catalog made before the policy changed (see `staleWarnings`). */
    warnings(stream: string, columns: readonly CustomColumn[]): string[];
    /** Whether the policy protects a column's section (its values are never kept aside). */
    protects(column: CustomColumn): boolean;
  };
}

/** Given the columns of a read, what to do to each of its rows before it is written. */
export type RowTransform = (
  columns: readonly CustomColumn[],
) => (record: Record<string, unknown>) => Record<string, unknown>;

/** The state key listing the custom columns the rows were last written with. */
export const COLUMNS_KEY = "columns";

/** The state key mapping each of those columns to the id of the field it was written from. */
export const COLUMN_FIELDS_KEY = "column_fields";

/**
 * The columns of the plan that the rows written before do not have (the state lists those it
 * wrote), or had from another field (a field deleted and made again under its name, two fields
 * that swapped names): whose values every row must be written again for. Empty when the state
 * lists none (a state from before this key); by name alone for a state without field ids.
 */
export function newColumns(plan: RowPlan, streamState?: Record<string, unknown>): string[] {
  const written = streamState?.[COLUMNS_KEY];
  if (!Array.isArray(written)) return [];
  const known = new Set(written);
  const fields = streamState?.[COLUMN_FIELDS_KEY];
  const fieldOf = fields !== null && typeof fields === "object" && !Array.isArray(fields)
    ? new Map(Object.entries(fields))
    : undefined;
  return plan.columns.filter((c) =>
    !c.fieldId.startsWith("(") &&
    (!known.has(c.name) || (fieldOf !== undefined && fieldOf.get(c.name) !== c.fieldId))
  ).map((c) => c.name);
}

/** Reads `people_custom_fields`: STARTED, RUNNING, the rows, one STATE, COMPLETE. */
export async function readPeopleCustomFields(
  stream: StreamDefinition,
  options: CustomFieldsReadOptions,
): Promise<StreamResult> {
  const { writer } = options;
  const name = stream.name;
  const run: Run = {
    stream,
    options,
    plan: planColumns([], {}),
    syncedAt: new Date(options.syncStartedAt).toISOString(),
    records: 0,
    pages: 0,
    skipped: 0,
    unproven: false,
    nulled: new Map(),
    atLatest: new Set(),
  };
  await writer.streamStatus(name, "STARTED");
  try {
    const cursor = await readRows(run);
    await warnAfterRows(run);
    const state = finalState(run, cursor);
    writer.queueState(name, state, { recordCount: run.records });
    await writer.flush();
    options.onProgress?.(name, { records: run.records, pages: run.pages, done: true });
    await writer.streamStatus(name, "COMPLETE");
    return { ...resultOf(run), status: "COMPLETE", cursor: state.updated_at as string | undefined };
  } catch (thrown) {
    const error = toConnectorError(thrown);
    await writer.flush();
    await writer.error(`Stream "${name}" failed: ${error.message}${accessHint(error, stream)}`, {
      failureType: error.failureType,
      internalMessage: error.internalMessage,
      stream: name,
    });
    await writer.streamStatus(name, "INCOMPLETE");
    return { ...resultOf(run), status: "INCOMPLETE", error };
  }
}

function resultOf(run: Run): Omit<StreamResult, "status"> {
  return { name: run.stream.name, records: run.records, pages: run.pages, paging: "server" };
}

/**
 * The plan of the read: the catalog's columns against the definitions. A token that may not
 * read the definitions writes the catalog's columns unchecked (fields it has no column for go to
 * additional_fields under their field id), with a WARN.
 */
async function planRun(run: Run): Promise<void> {
  const { options, stream } = run;
  let definitions: CustomFieldDefinition[];
  try {
    definitions = await readDefinitions(options.client, { signal: options.signal });
  } catch (error) {
    if (!isUnreadable(error)) throw error;
    const configured = configuredColumns(options.configuredSchema, []) ?? [];
    run.plan = planColumns([], { configured });
    await options.writer.log(
      "WARN",
      `Stream "${stream.name}": the custom field definitions could not be read (${
        error instanceof Error ? error.message : String(error)
      }): writing the catalog's ${configured.length} custom columns unchecked; values of other fields go to additional_fields under their field id`,
    );
    return;
  }
  run.plan = planColumns(definitions, {
    configured: configuredColumns(options.configuredSchema, definitions),
  });
  await options.writer.log(
    "INFO",
    `Stream "${stream.name}": ${definitions.length} custom fields defined`,
  );
  await warnAboutPlan(options.writer, {
    stream: stream.name,
    plan: run.plan,
    definitions,
    leftOut: options.protect?.protects,
  });
}

/** The definitions and plan, then the rows; returns the cursor read from. */
async function readRows(run: Run): Promise<string | undefined> {
  const { options, stream } = run;
  const { writer } = options;
  await planRun(run);
  const columns = [...run.plan.columns, ...run.plan.unconfigured.values()];
  run.protectRow = options.protect?.rows(columns);
  for (const line of options.protect?.warnings(stream.name, columns) ?? []) {
    await writer.log("WARN", line);
  }
  await writer.streamStatus(stream.name, "RUNNING");
  let cursor = options.syncMode === "incremental"
    ? await saneCursor(run.stream, options)
    : undefined;
  const listed = options.streamState?.[COLUMNS_KEY];
  if (cursor !== undefined && listed !== undefined && !Array.isArray(listed)) {
    await writer.log(
      "WARN",
      `Stream "${stream.name}": the state's "${COLUMNS_KEY}" is not a list of columns, so which columns the rows have is unknown: reading every person's values once`,
    );
    cursor = undefined;
  }
  const added = newColumns(run.plan, options.streamState);
  if (cursor !== undefined && added.length > 0) {
    await writer.log(
      "INFO",
      `Stream "${stream.name}": new columns, or columns now of another field, since the last sync (${
        added.join(", ")
      }): reading every person's values once, so every row has them`,
    );
    cursor = undefined;
  }
  if (cursor === undefined) {
    await writeAll(run);
  } else {
    await writeChanged(run, await changedPeople(run, cursor));
  }
  return cursor;
}

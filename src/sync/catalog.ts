import { z } from "zod";
import { configError } from "../errors.ts";
import {
  AirbyteStream,
  type AirbyteSyncMode,
  ConfiguredAirbyteCatalog,
  ConfiguredAirbyteStream,
} from "../protocol/messages.ts";
import { CURSOR, findStream, type StreamDefinition } from "../streams/mod.ts";

/** One selected stream of a configured catalog. */
export interface SelectedStream {
  /** The stream's definition. */
  stream: StreamDefinition;
  /** The mode to read in: the catalog's, or full_refresh for a stream without a cursor. */
  syncMode: AirbyteSyncMode;
  /** Set when the mode differs from the catalog's: an INFO line saying why. */
  notice?: string;
  /** The stream's `json_schema` in the catalog, if given (a stream with discovered columns reads it). */
  jsonSchema?: unknown;
}

/**
 * The protocol's ConfiguredAirbyteStream as `read` takes it. It differs from the definition in
 * three ways, each pinned by a test in `tests/sync/catalog_test.ts`:
 *
 * - `stream.json_schema` and `stream.supported_sync_modes` may be absent, and
 * - so may `destination_sync_mode`: the definition requires all three, and platforms and
 *   PyAirbyte always send them, but a hand-written catalog (the tests', a user's trying one
 *   stream) often leaves them out, and a source reads none of them (the record schema is its
 *   own; how the destination writes is not its concern). Present, they must be valid.
 * - `cursor_field` may be null, meaning absent, as the parser before the protocol schema allowed.
 */
const ReadConfiguredStream = ConfiguredAirbyteStream.extend({
  stream: AirbyteStream.partial({ json_schema: true, supported_sync_modes: true }),
  destination_sync_mode: ConfiguredAirbyteStream.shape.destination_sync_mode.optional(),
  cursor_field: ConfiguredAirbyteStream.shape.cursor_field.nullable(),
});
type ReadConfiguredStream = z.infer<typeof ReadConfiguredStream>;

/** The protocol's ConfiguredAirbyteCatalog of {@linkcode ReadConfiguredStream}s. */
const ReadConfiguredCatalog = ConfiguredAirbyteCatalog.extend({
  streams: z.array(ReadConfiguredStream),
});

type Fail = (field: string, problem: string) => never;
type Path = readonly PropertyKey[];

const CURSOR_PROBLEM = `must be ["${CURSOR.column}"] (the cursor is source-defined)`;

/** What to say of a field that fails the schema, by its path with indices as `[]`. */
const PROBLEMS: Record<string, string> = {
  "(root)": 'must be a JSON object with a "streams" array',
  "streams": "must be an array of configured streams",
  "streams[]": "must be an object",
  "streams[].stream": "must be an object with a name",
  "streams[].stream.name": "must be a string",
  "streams[].cursor_field": CURSOR_PROBLEM,
};

/** A path as the errors name a field: `streams[0].sync_mode`, or `(root)`. */
function fieldOf(path: Path, options: { indices?: boolean } = {}): string {
  let field = "";
  for (const key of path) {
    if (typeof key === "number") field += options.indices === false ? "[]" : `[${key}]`;
    else field += field === "" ? String(key) : `.${String(key)}`;
  }
  return field === "" ? "(root)" : field;
}

function valueAt(raw: unknown, path: Path): unknown {
  let value = raw;
  for (const key of path) value = (value as Record<PropertyKey, unknown> | undefined)?.[key];
  return value;
}

/** What is wrong with a field the schema rejects, in the errors' words. */
function problemOf(issue: z.core.$ZodIssue, options: { path: Path; value: unknown }): string {
  const { path, value } = options;
  const known = PROBLEMS[fieldOf(path, { indices: false })];
  if (known) return known;
  switch (issue.code) {
    case "invalid_type":
      if (value === undefined) return "is missing";
      return `must be ${/^[aeiou]/.test(issue.expected) ? "an" : "a"} ${issue.expected}`;
    case "invalid_value":
      return `is ${JSON.stringify(value)}; expected one of ${
        issue.values.map((v) => JSON.stringify(v)).join(", ")
      }`;
    case "too_small":
      return "must not be empty";
    default:
      return `is not valid (${issue.message})`;
  }
}

function syncModeProblem(value: unknown, stream: StreamDefinition): string {
  const supported = stream.incremental ? "full_refresh or incremental" : "full_refresh";
  const given = value === undefined ? "is missing" : `is ${JSON.stringify(value)}`;
  return `${given}; stream "${stream.name}" supports ${supported}`;
}

/** The stream an entry names: known to this connector, and not named by an earlier entry. */
function namedStream(
  name: string,
  at: string,
  options: { seen: Set<string>; fail: Fail },
): StreamDefinition {
  const stream = findStream(name);
  if (!stream) {
    return options.fail(
      `${at}.stream.name`,
      `names unknown stream "${name}": run discover for the list`,
    );
  }
  if (options.seen.has(name)) options.fail(`${at}.stream.name`, `repeats stream "${name}"`);
  options.seen.add(name);
  return stream;
}

/** The stream-aware checks of one entry that the schema accepts. */
function selectStream(
  entry: ReadConfiguredStream,
  at: string,
  options: { seen: Set<string>; fail: Fail },
): SelectedStream {
  const stream = namedStream(entry.stream.name, at, options);
  const name = stream.name;
  if (entry.sync_mode === "incremental" && !stream.incremental) {
    // As CDK sources do: a client that asks every stream for incremental (PyAirbyte does)
    // gets the streams without a cursor in full.
    return {
      stream,
      syncMode: "full_refresh",
      jsonSchema: entry.stream.json_schema,
      notice:
        `Stream "${name}" has no cursor: reading it in full (full_refresh), although the catalog asks for incremental`,
    };
  }
  const cursor = entry.cursor_field;
  if (
    entry.sync_mode === "incremental" && cursor &&
    !(cursor.length === 0 || (cursor.length === 1 && cursor[0] === CURSOR.column))
  ) {
    options.fail(`${at}.cursor_field`, CURSOR_PROBLEM);
  }
  return { stream, syncMode: entry.sync_mode, jsonSchema: entry.stream.json_schema };
}

/**
 * Throws the error for the first issue the schema finds, after the stream-aware checks of the
 * entries before it (they are valid) and of the entry's stream name when the issue is in
 * another of its fields: errors come in catalog order, each entry's checks in the order the
 * parser before the protocol schema made them. A bad sync_mode names the modes of the stream.
 */
function failOnIssue(issue: z.core.$ZodIssue, raw: unknown, fail: Fail): never {
  const [streams, index, key] = issue.path;
  if (streams === "streams" && typeof index === "number") {
    const entries = valueAt(raw, ["streams"]) as unknown[];
    const options = { seen: new Set<string>(), fail };
    for (let i = 0; i < index; i++) {
      selectStream(ReadConfiguredStream.parse(entries[i]), `streams[${i}]`, options);
    }
    if (key !== undefined && key !== "stream") {
      const entry = entries[index] as { stream: { name: string }; sync_mode?: unknown };
      const stream = namedStream(entry.stream.name, `streams[${index}]`, options);
      if (key === "sync_mode") {
        fail(`streams[${index}].sync_mode`, syncModeProblem(entry.sync_mode, stream));
      }
    }
  }
  // A cursor_field is named whole, however deep in it the issue is.
  const path = key === "cursor_field" ? issue.path.slice(0, 3) : issue.path;
  return fail(fieldOf(path), problemOf(issue, { path, value: valueAt(raw, issue.path) }));
}

/**
 * Validates a ConfiguredAirbyteCatalog: first against the protocol's schema (as
 * {@linkcode ReadConfiguredStream} relaxes it), then against the streams this connector offers:
 * every stream known and named once, in full_refresh or incremental, with the source-defined
 * cursor. A stream without a cursor asked for incremental is read in full, with a notice to log.
 * Throws a config_error naming the file and the field.
 */
export function parseCatalog(raw: unknown, options: { source?: string } = {}): SelectedStream[] {
  const source = options.source ?? "catalog";
  const fail: Fail = (field, problem) => {
    throw configError(`Catalog file "${source}" field "${field}" ${problem}`);
  };
  const parsed = ReadConfiguredCatalog.safeParse(raw);
  if (!parsed.success) return failOnIssue(parsed.error.issues[0], raw, fail);
  const selectOptions = { seen: new Set<string>(), fail };
  return parsed.data.streams.map((entry, i) => selectStream(entry, `streams[${i}]`, selectOptions));
}

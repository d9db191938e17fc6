/**
 * Raw API objects for the stream tests: one realistic row a stream (the declaration's
 * `example`, as GET <path> returns it in `data[]`). Also which columns no Humaans row fills, and
 * which API fields streams leave out on purpose.
 *
 * @module
 */
import { type RawObject, type StreamDefinition, STREAMS } from "../../src/streams/mod.ts";
import { snakeCase } from "../../src/streams/fields.ts";

/** One raw row a stream, by stream name: each declaration's `example`. */
export const FIXTURES: Record<string, RawObject> = Object.fromEntries(
  STREAMS.map((stream) => [stream.name, stream.example]),
);

/** Columns no Humaans row fills (the seed's columns), or that the fixture leaves null on purpose. */
export const UNFILLED: Record<string, string[]> = {
  companies: [
    "description",
    "website",
    "phone",
    "address_line1",
    "address_line2",
    "address_city",
    "address_state",
    "address_postal_code",
    "address_country",
  ],
  documents: ["description", "file_size", "mime_type", "expiry_date", "tags", "link"],
  job_roles: [
    "description",
    "location",
    "employment_type",
    "salary_range_min",
    "salary_range_max",
    "salary_currency",
    "requirements",
    "responsibilities",
    "benefits",
    "is_active",
    "department_id",
  ],
  custom_values: ["value_list"],
};

/** API fields a stream leaves out on purpose. */
export const LEFT_OUT: Record<string, string[]> = {
  /** A secret that opens the person's calendar feed: not data for a warehouse. */
  people: ["calendarFeedToken"],
};

function isPlainObject(value: unknown): value is RawObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function hasPrefix(stream: StreamDefinition, prefix: string): boolean {
  return [...stream.columns.keys()].some((column) => column.startsWith(prefix));
}

/**
 * The fields of `raw` (dotted paths) that map to no column of `stream`: a field maps when its
 * snake_case name is a column (objects kept whole, arrays, values) or, for an object, when each of
 * its own fields maps under the `parent_` prefix (a null object: when some column has the prefix).
 * Fields in {@linkcode LEFT_OUT} do not count.
 */
export function droppedFields(stream: StreamDefinition, raw: RawObject): string[] {
  const leftOut = new Set(LEFT_OUT[stream.name] ?? []);
  const dropped: string[] = [];
  const walk = (object: RawObject, prefix: string, path: string) => {
    for (const [key, value] of Object.entries(object)) {
      if (path === "" && leftOut.has(key)) continue;
      const name = prefix + snakeCase(key);
      if (stream.columns.has(name)) continue;
      if (isPlainObject(value)) walk(value, `${name}_`, `${path}${key}.`);
      else if (value !== null || !hasPrefix(stream, `${name}_`)) dropped.push(path + key);
    }
  };
  walk(raw, "", "");
  return dropped;
}

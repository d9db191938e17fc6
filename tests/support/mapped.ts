import { snakeCase } from "../../src/streams/fields.ts";
import type { MapContext, RawObject, StreamDefinition } from "../../src/streams/mod.ts";

/**
 * The record `stream` maps `raw` to (`map` returns it with its `changes`).
 */
export function mapRecord(
  stream: StreamDefinition,
  raw: RawObject,
  context: MapContext,
): Record<string, unknown> {
  return stream.map(raw, context).record;
}

/**
 * A record's `additional_fields` as an object, with its keys in snake_case: JSON text or an
 * object, keyed by API key or column name, as the mapping writes it.
 */
export function extraFieldsOf(record: Record<string, unknown>): Record<string, unknown> | null {
  const value = record.additional_fields;
  if (value === null || value === undefined) return null;
  const object = typeof value === "string" ? JSON.parse(value) : value;
  return Object.fromEntries(Object.entries(object).map(([key, v]) => [snakeCase(key), v]));
}

import type { MapContext, RawObject, StreamDefinition } from "../../src/streams/mod.ts";

/**
 * The record `stream` maps `raw` to: the one line the sensitive-data tests change should `map`
 * return more than the record (`{ record, changes }`).
 */
export function mapRecord(
  stream: StreamDefinition,
  raw: RawObject,
  context: MapContext,
): Record<string, unknown> {
  return stream.map(raw, context);
}

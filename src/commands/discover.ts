import type { AirbyteStream } from "../protocol/messages.ts";
import { recordJsonSchema } from "../streams/fields.ts";
import { CURSOR, type StreamDefinition, STREAMS } from "../streams/mod.ts";
import { type CommandContext, loadConfig } from "./context.ts";

/** The AirbyteStream of one stream definition. */
export function airbyteStream(stream: StreamDefinition): AirbyteStream {
  return {
    name: stream.name,
    json_schema: recordJsonSchema(stream.record),
    supported_sync_modes: stream.incremental ? ["full_refresh", "incremental"] : ["full_refresh"],
    source_defined_cursor: stream.incremental,
    ...(stream.incremental ? { default_cursor_field: [CURSOR.column] } : {}),
    source_defined_primary_key: [["id"]],
    // A stream with a cursor resumes from its last checkpoint; one without starts over.
    is_resumable: stream.incremental,
  };
}

/** `discover`: validates the config and prints the catalog of every stream. */
export async function discover(context: CommandContext): Promise<number> {
  await loadConfig(context);
  await context.writer.message({
    type: "CATALOG",
    catalog: { streams: STREAMS.map(airbyteStream) },
  });
  return 0;
}

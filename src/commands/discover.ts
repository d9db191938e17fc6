import type { AirbyteStream } from "../protocol/messages.ts";
import { policyOf, type SensitivePolicy } from "../sensitive/policy.ts";
import { protectedJsonSchema } from "../sensitive/stream.ts";
import { recordJsonSchema } from "../streams/fields.ts";
import { CURSOR, type StreamDefinition, STREAMS } from "../streams/mod.ts";
import { type CommandContext, loadConfig } from "./context.ts";

/**
 * The AirbyteStream of one stream definition; under a sensitive-data `policy`, its schema
 * without the dropped columns and with the hashed ones as strings.
 */
export function airbyteStream(
  stream: StreamDefinition,
  options: { policy?: SensitivePolicy } = {},
): AirbyteStream {
  const schema = recordJsonSchema(stream.record);
  const { policy } = options;
  return {
    name: stream.name,
    json_schema: policy ? protectedJsonSchema(stream, { policy, schema }) : schema,
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
  const policy = policyOf(await loadConfig(context));
  await context.writer.message({
    type: "CATALOG",
    catalog: { streams: STREAMS.map((stream) => airbyteStream(stream, { policy })) },
  });
  return 0;
}

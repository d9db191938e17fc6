import type { Config } from "../config.ts";
import type { AirbyteStream } from "../protocol/messages.ts";
import { policyOf, type SensitivePolicy } from "../sensitive/policy.ts";
import { protectedJsonSchema, sectionProtection } from "../sensitive/stream.ts";
import { recordJsonSchema } from "../streams/fields.ts";
import { CURSOR, type StreamDefinition, STREAMS } from "../streams/mod.ts";
import {
  columnsOf,
  type CustomColumn,
  DESCRIPTION,
  PEOPLE_CUSTOM_FIELDS,
  recordSchemaOf,
  unreadableDescription,
} from "../streams/people_custom_fields.ts";
import { isUnreadable, readDefinitions } from "../sync/people_custom_fields_read.ts";
import { clientFor, type CommandContext, loadConfig } from "./context.ts";

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
    source_defined_primary_key: [[stream.primaryKey ?? "id"]],
    // A stream with a cursor resumes from its last checkpoint; one without starts over.
    is_resumable: stream.incremental,
  };
}

/** Given the custom columns of `people_custom_fields`, what to make of its JSON Schema. */
export type SchemaTransform = (
  schema: Record<string, unknown>,
  columns: readonly CustomColumn[],
) => Record<string, unknown>;

/** Discover's bounds on reading the definitions: few retries, a short timeout. */
const DISCOVER_RETRIES = 2;
const DISCOVER_TIMEOUT_SECONDS = 30;

/**
 * `people_custom_fields` with one column per custom field, from the definitions. A token that
 * may not read them (401, 403, or 404: no such list) gets the fixed columns and a description
 * that says why (and a WARN); any other failure fails discover, since a schema without the
 * columns would drop them downstream.
 */
export async function customFieldsStream(
  stream: StreamDefinition,
  options: {
    config: Config;
    context: CommandContext;
    /** A transform of the schema, given its custom columns (a sensitive-data policy's). */
    protect?: SchemaTransform;
  },
): Promise<AirbyteStream> {
  const { config, context } = options;
  const protect = options.protect ?? ((schema) => schema);
  const client = clientFor({
    ...config,
    retry_attempts: Math.min(config.retry_attempts, DISCOVER_RETRIES),
    request_timeout_seconds: Math.min(config.request_timeout_seconds, DISCOVER_TIMEOUT_SECONDS),
  }, context);
  const base = airbyteStream(stream);
  try {
    const columns = columnsOf(await readDefinitions(client));
    for (const column of columns.filter((c) => c.kind === "untyped")) {
      await context.writer.log(
        "WARN",
        `Stream "${stream.name}": custom field "${column.fieldName}" (${column.fieldId}) has type "${column.type}", which this connector does not know: column "${column.name}" is untyped and holds the value as sent`,
      );
    }
    const schema = protect(recordSchemaOf(columns), columns);
    return { ...base, json_schema: { ...schema, description: DESCRIPTION } };
  } catch (error) {
    if (!isUnreadable(error)) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    const description = unreadableDescription(reason);
    await context.writer.log("WARN", `Stream "${stream.name}": ${description}`);
    return { ...base, json_schema: { ...protect(recordSchemaOf([]), []), description } };
  }
}

/** `discover`: validates the config, reads the custom field definitions, prints the catalog. */
export async function discover(context: CommandContext): Promise<number> {
  const config = await loadConfig(context);
  const policy = await policyOf(config);
  const streams: AirbyteStream[] = [];
  for (const stream of STREAMS) {
    streams.push(
      stream.name === PEOPLE_CUSTOM_FIELDS
        ? await customFieldsStream(stream, {
          config,
          context,
          protect: policy && sectionProtection(policy).schema,
        })
        : airbyteStream(stream, { policy }),
    );
  }
  await context.writer.message({ type: "CATALOG", catalog: { streams } });
  return 0;
}

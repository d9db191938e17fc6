/**
 * Zod schemas of the Airbyte protocol messages (protocol 0.18), written from the official
 * definition. Objects allow additional properties, as the definition does; tests validate every
 * line the connector prints with {@linkcode parseMessageLine}.
 *
 * @module
 */
import { z } from "zod";

const JsonObject = z.record(z.string(), z.unknown());

/** A stream's name and optional namespace. */
export const StreamDescriptor = z.looseObject({
  name: z.string(),
  namespace: z.string().optional(),
});
/** A stream's name and optional namespace. */
export type StreamDescriptor = z.infer<typeof StreamDescriptor>;

/** How a source reads a stream. */
export const SyncMode = z.enum(["full_refresh", "incremental"]);
/** How a source reads a stream. */
export type SyncMode = z.infer<typeof SyncMode>;

/** How a destination writes a stream. */
export const DestinationSyncMode = z.enum([
  "append",
  "overwrite",
  "append_dedup",
  "update",
  "soft_delete",
]);
/** How a destination writes a stream. */
export type DestinationSyncMode = z.infer<typeof DestinationSyncMode>;

/** A change made to a record's field on its way (meta.changes). */
export const AirbyteRecordMessageMetaChange = z.looseObject({
  field: z.string(),
  change: z.enum(["NULLED", "TRUNCATED"]),
  reason: z.string(),
});

/** A RECORD's payload. */
export const AirbyteRecordMessage = z.looseObject({
  namespace: z.string().optional(),
  stream: z.string(),
  data: JsonObject,
  emitted_at: z.number().int(),
  meta: z.looseObject({ changes: z.array(AirbyteRecordMessageMetaChange).optional() }).optional(),
  file_reference: z.looseObject({
    staging_file_url: z.string().optional(),
    source_file_relative_path: z.string().optional(),
    file_size_bytes: z.number().int().optional(),
  }).optional(),
});
/** A RECORD's payload. */
export type AirbyteRecordMessage = z.infer<typeof AirbyteRecordMessage>;

/** Record counts attached to a state. */
export const AirbyteStateStats = z.looseObject({
  recordCount: z.number().optional(),
  rejectedRecordCount: z.number().optional(),
});

/** One stream's state. */
export const AirbyteStreamState = z.looseObject({
  stream_descriptor: StreamDescriptor,
  stream_state: JsonObject.optional(),
});

/** The kind of a state message. */
export const AirbyteStateType = z.enum(["GLOBAL", "STREAM", "LEGACY"]);

/** A STATE's payload. */
export const AirbyteStateMessage = z.looseObject({
  type: AirbyteStateType.optional(),
  stream: AirbyteStreamState.optional(),
  global: z.looseObject({
    shared_state: JsonObject.optional(),
    stream_states: z.array(AirbyteStreamState),
  }).optional(),
  data: JsonObject.optional(),
  sourceStats: AirbyteStateStats.optional(),
  destinationStats: AirbyteStateStats.optional(),
});
/** A STATE's payload. */
export type AirbyteStateMessage = z.infer<typeof AirbyteStateMessage>;

/** A LOG's payload. */
export const AirbyteLogMessage = z.looseObject({
  level: z.enum(["FATAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE"]),
  message: z.string(),
  stack_trace: z.string().optional(),
});
/** A LOG's payload. */
export type AirbyteLogMessage = z.infer<typeof AirbyteLogMessage>;

/** How a platform should treat an error. */
export const FailureType = z.enum(["system_error", "config_error", "transient_error"]);
/** How a platform should treat an error. */
export type FailureType = z.infer<typeof FailureType>;

/** An ERROR trace. */
export const AirbyteErrorTraceMessage = z.looseObject({
  message: z.string(),
  internal_message: z.string().optional(),
  stack_trace: z.string().optional(),
  failure_type: FailureType.optional(),
  stream_descriptor: StreamDescriptor.optional(),
});

/** An ESTIMATE trace. */
export const AirbyteEstimateTraceMessage = z.looseObject({
  name: z.string(),
  type: z.enum(["STREAM", "SYNC"]),
  namespace: z.string().optional(),
  row_estimate: z.number().int().optional(),
  byte_estimate: z.number().int().optional(),
});

/** A stream's status. */
export const AirbyteStreamStatus = z.enum(["STARTED", "RUNNING", "COMPLETE", "INCOMPLETE"]);
/** A stream's status. */
export type AirbyteStreamStatus = z.infer<typeof AirbyteStreamStatus>;

/** A STREAM_STATUS trace. */
export const AirbyteStreamStatusTraceMessage = z.looseObject({
  stream_descriptor: StreamDescriptor,
  status: AirbyteStreamStatus,
  reasons: z.array(z.object({
    type: z.enum(["RATE_LIMITED"]),
    rate_limited: z.object({ quota_reset: z.number().int().optional() }).optional(),
  })).optional(),
});

/** An ANALYTICS trace. */
export const AirbyteAnalyticsTraceMessage = z.looseObject({
  type: z.string(),
  value: z.string().optional(),
});

/** A TRACE's payload. */
export const AirbyteTraceMessage = z.looseObject({
  type: z.enum(["ERROR", "ESTIMATE", "STREAM_STATUS", "ANALYTICS"]),
  emitted_at: z.number(),
  error: AirbyteErrorTraceMessage.optional(),
  estimate: AirbyteEstimateTraceMessage.optional(),
  stream_status: AirbyteStreamStatusTraceMessage.optional(),
  analytics: AirbyteAnalyticsTraceMessage.optional(),
});
/** A TRACE's payload. */
export type AirbyteTraceMessage = z.infer<typeof AirbyteTraceMessage>;

/** A CONTROL's payload. */
export const AirbyteControlMessage = z.looseObject({
  type: z.enum(["CONNECTOR_CONFIG"]),
  emitted_at: z.number(),
  connectorConfig: z.looseObject({ config: JsonObject }).optional(),
});

/** A CONNECTION_STATUS's payload. */
export const AirbyteConnectionStatus = z.looseObject({
  status: z.enum(["SUCCEEDED", "FAILED"]),
  message: z.string().optional(),
});
/** A CONNECTION_STATUS's payload. */
export type AirbyteConnectionStatus = z.infer<typeof AirbyteConnectionStatus>;

/** One stream of a catalog. */
export const AirbyteStream = z.looseObject({
  name: z.string(),
  json_schema: JsonObject,
  supported_sync_modes: z.array(SyncMode).min(1),
  source_defined_cursor: z.boolean().optional(),
  default_cursor_field: z.array(z.string()).optional(),
  source_defined_primary_key: z.array(z.array(z.string())).optional(),
  namespace: z.string().optional(),
  is_resumable: z.boolean().optional(),
  is_file_based: z.boolean().optional(),
});
/** One stream of a catalog. */
export type AirbyteStream = z.infer<typeof AirbyteStream>;

/** A CATALOG's payload. */
export const AirbyteCatalog = z.looseObject({ streams: z.array(AirbyteStream) });
/** A CATALOG's payload. */
export type AirbyteCatalog = z.infer<typeof AirbyteCatalog>;

/** One selected stream of a configured catalog. */
export const ConfiguredAirbyteStream = z.looseObject({
  stream: AirbyteStream,
  sync_mode: SyncMode,
  cursor_field: z.array(z.string()).optional(),
  destination_sync_mode: DestinationSyncMode,
  destination_object_name: z.string().optional(),
  primary_key: z.array(z.array(z.string())).optional(),
  generation_id: z.number().int().optional(),
  minimum_generation_id: z.number().int().optional(),
  sync_id: z.number().int().optional(),
  include_files: z.boolean().optional(),
});

/** The catalog a platform passes to `read`. */
export const ConfiguredAirbyteCatalog = z.looseObject({
  streams: z.array(ConfiguredAirbyteStream),
});
/** The catalog a platform passes to `read`. */
export type ConfiguredAirbyteCatalog = z.infer<typeof ConfiguredAirbyteCatalog>;

/** A SPEC's payload. */
export const ConnectorSpecification = z.looseObject({
  documentationUrl: z.url().optional(),
  changelogUrl: z.url().optional(),
  connectionSpecification: JsonObject,
  supportsIncremental: z.boolean().optional(),
  supportsNormalization: z.boolean().optional(),
  supportsDBT: z.boolean().optional(),
  supported_destination_sync_modes: z.array(DestinationSyncMode).optional(),
  protocol_version: z.string().optional(),
});
/** A SPEC's payload. */
export type ConnectorSpecification = z.infer<typeof ConnectorSpecification>;

/** Any Airbyte message, as the definition states it (sub-messages optional). */
export const AirbyteMessage = z.looseObject({
  type: z.enum([
    "RECORD",
    "STATE",
    "LOG",
    "SPEC",
    "CONNECTION_STATUS",
    "CATALOG",
    "TRACE",
    "CONTROL",
    "DESTINATION_CATALOG",
  ]),
  log: AirbyteLogMessage.optional(),
  spec: ConnectorSpecification.optional(),
  connectionStatus: AirbyteConnectionStatus.optional(),
  catalog: AirbyteCatalog.optional(),
  record: AirbyteRecordMessage.optional(),
  state: AirbyteStateMessage.optional(),
  trace: AirbyteTraceMessage.optional(),
  control: AirbyteControlMessage.optional(),
  destination_catalog: JsonObject.optional(),
});
/** Any Airbyte message. */
export type AirbyteMessage = z.infer<typeof AirbyteMessage>;

const PAYLOAD_OF: Record<string, string> = {
  RECORD: "record",
  STATE: "state",
  LOG: "log",
  SPEC: "spec",
  CONNECTION_STATUS: "connectionStatus",
  CATALOG: "catalog",
  TRACE: "trace",
  CONTROL: "control",
  DESTINATION_CATALOG: "destination_catalog",
};

const TRACE_PAYLOAD_OF: Record<string, string> = {
  ERROR: "error",
  ESTIMATE: "estimate",
  STREAM_STATUS: "stream_status",
  ANALYTICS: "analytics",
};

/**
 * An Airbyte message that also carries the payload its `type` names (a RECORD has `record`, a
 * TRACE of type ERROR has `trace.error`), as platforms require.
 */
export const StrictAirbyteMessage = AirbyteMessage.superRefine((message, context) => {
  const key = PAYLOAD_OF[message.type];
  if ((message as Record<string, unknown>)[key] === undefined) {
    context.addIssue({ code: "custom", path: [key], message: `a ${message.type} needs "${key}"` });
  }
  const trace = message.trace;
  if (message.type === "TRACE" && trace) {
    const traceKey = TRACE_PAYLOAD_OF[trace.type];
    if ((trace as Record<string, unknown>)[traceKey] === undefined) {
      context.addIssue({
        code: "custom",
        path: ["trace", traceKey],
        message: `a ${trace.type} trace needs "${traceKey}"`,
      });
    }
  }
});

/** Parses and validates one stdout line as a {@linkcode StrictAirbyteMessage}. */
export function parseMessageLine(line: string): AirbyteMessage {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new Error(`Line is not JSON (${(error as Error).message}): ${line.slice(0, 200)}`);
  }
  const result = StrictAirbyteMessage.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(
      `Line is not a valid Airbyte message at "${issue.path.join(".")}" (${issue.message}): ${
        line.slice(0, 200)
      }`,
    );
  }
  return result.data;
}

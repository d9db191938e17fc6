/**
 * Zod schemas of the Airbyte protocol messages (protocol 0.18), one per definition of the
 * official protocol definition and named like it.
 *
 * The schemas mirror the definition: the same required fields and enums, and objects keep
 * properties they do not know, as the definition allows. The definition requires only `type` of
 * a message; the tests' strict forms (tests/support/protocol.ts) also require the payload that
 * `type` names, as platforms do, and validate every line the connector prints against them.
 *
 * @module
 */
import { z } from "zod";
import type { Parsed } from "../parsed.ts";

/** A JSON object with any properties (`type: object` in the definition). */
const JsonObject = z.looseObject({});

/**
 * A JSON Schema `integer`: any whole number, not only the safe range that `z.int()` allows
 * (every parsed JSON number beyond that range is whole).
 */
const JsonInteger = z.number().refine(Number.isInteger, "Invalid input: expected an integer");

/** A list of property paths, each a list of property names (primary keys, matching keys). */
const PropertyPaths = z.array(z.array(z.string()));

// ---------------------------------------------------------------------------------------------
// Shared definitions

/** @ignore */
export const StreamDescriptor = z.looseObject({
  name: z.string(),
  namespace: z.string().optional(),
});
/** A stream's name and optional namespace. */
export type StreamDescriptor = Parsed<typeof StreamDescriptor>;

/** @ignore */
export const AirbyteSyncMode = z.enum(["full_refresh", "incremental"]);
/** How a source reads a stream. */
export type AirbyteSyncMode = Parsed<typeof AirbyteSyncMode>;

/** @ignore */
export const DestinationSyncMode = z.enum([
  "append",
  "overwrite",
  "append_dedup",
  "update",
  "soft_delete",
]);
/** How a destination writes a stream. */
export type DestinationSyncMode = Parsed<typeof DestinationSyncMode>;

// ---------------------------------------------------------------------------------------------
// RECORD

/** @ignore */
export const AirbyteRecordMessageMetaChangeType = z.enum(["NULLED", "TRUNCATED"]);
/** What happened to a field of a record during the sync. */
export type AirbyteRecordMessageMetaChangeType = Parsed<typeof AirbyteRecordMessageMetaChangeType>;

/** @ignore */
export const AirbyteRecordMessageMetaChangeReason = z.enum([
  "SOURCE_RECORD_SIZE_LIMITATION",
  "DESTINATION_RECORD_SIZE_LIMITATION",
  "PLATFORM_RECORD_SIZE_LIMITATION",
  "SOURCE_FIELD_SIZE_LIMITATION",
  "DESTINATION_FIELD_SIZE_LIMITATION",
  "PLATFORM_FIELD_SIZE_LIMITATION",
  "SOURCE_SERIALIZATION_ERROR",
  "DESTINATION_SERIALIZATION_ERROR",
  "PLATFORM_SERIALIZATION_ERROR",
  "SOURCE_RETRIEVAL_ERROR",
  "DESTINATION_TYPECAST_ERROR",
]);
/** Why a field of a record changed during the sync. */
export type AirbyteRecordMessageMetaChangeReason = Parsed<
  typeof AirbyteRecordMessageMetaChangeReason
>;

/** @ignore */
export const AirbyteRecordMessageMetaChange = z.looseObject({
  field: z.string(),
  change: AirbyteRecordMessageMetaChangeType,
  reason: AirbyteRecordMessageMetaChangeReason,
});
/** One change made to a field of a record during the sync. */
export type AirbyteRecordMessageMetaChange = Parsed<typeof AirbyteRecordMessageMetaChange>;

/** @ignore */
export const AirbyteRecordMessageMeta = z.looseObject({
  changes: z.array(AirbyteRecordMessageMetaChange).optional(),
});
/** What was added to a record during the sync. */
export type AirbyteRecordMessageMeta = Parsed<typeof AirbyteRecordMessageMeta>;

/** @ignore */
export const AirbyteRecordMessageFileReference = z.looseObject({
  staging_file_url: z.string().optional(),
  source_file_relative_path: z.string().optional(),
  file_size_bytes: JsonInteger.optional(),
});
/** The file a record of a file-based stream describes. */
export type AirbyteRecordMessageFileReference = Parsed<typeof AirbyteRecordMessageFileReference>;

/** @ignore */
export const AirbyteRecordMessage = z.looseObject({
  namespace: z.string().optional(),
  stream: z.string(),
  data: JsonObject,
  /** Milliseconds since the epoch. */
  emitted_at: JsonInteger,
  meta: AirbyteRecordMessageMeta.optional(),
  file_reference: AirbyteRecordMessageFileReference.optional(),
});
/** The payload of a RECORD message: one row of a stream. */
export type AirbyteRecordMessage = Parsed<typeof AirbyteRecordMessage>;

// ---------------------------------------------------------------------------------------------
// STATE

/** @ignore */
export const AirbyteStateType = z.enum(["GLOBAL", "STREAM", "LEGACY"]);
/** Which field of a state message holds the state; an absent type means LEGACY (`data`). */
export type AirbyteStateType = Parsed<typeof AirbyteStateType>;

/** @ignore */
export const AirbyteStateBlob = JsonObject;
/** Opaque state data: a JSON object. */
export type AirbyteStateBlob = Parsed<typeof AirbyteStateBlob>;

/** @ignore */
export const AirbyteStreamState = z.looseObject({
  stream_descriptor: StreamDescriptor,
  stream_state: AirbyteStateBlob.optional(),
});
/** The state of one stream. */
export type AirbyteStreamState = Parsed<typeof AirbyteStreamState>;

/** @ignore */
export const AirbyteGlobalState = z.looseObject({
  shared_state: AirbyteStateBlob.optional(),
  stream_states: z.array(AirbyteStreamState),
});
/** A state shared by all streams, with each stream's own state. */
export type AirbyteGlobalState = Parsed<typeof AirbyteGlobalState>;

/** @ignore */
export const AirbyteStateStats = z.looseObject({
  recordCount: z.number().optional(),
  rejectedRecordCount: z.number().optional(),
});
/** Record counts covered by a state message (numbers, not necessarily integers). */
export type AirbyteStateStats = Parsed<typeof AirbyteStateStats>;

/** @ignore */
export const AirbyteStateMessage = z.looseObject({
  type: AirbyteStateType.optional(),
  stream: AirbyteStreamState.optional(),
  global: AirbyteGlobalState.optional(),
  /** Deprecated: the LEGACY state. */
  data: JsonObject.optional(),
  sourceStats: AirbyteStateStats.optional(),
  destinationStats: AirbyteStateStats.optional(),
});
/** The payload of a STATE message, as the definition states it (every field optional). */
export type AirbyteStateMessage = Parsed<typeof AirbyteStateMessage>;

// ---------------------------------------------------------------------------------------------
// LOG

/** @ignore */
export const AirbyteLogLevel = z.enum(["FATAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE"]);
/** The level of a LOG message. */
export type AirbyteLogLevel = Parsed<typeof AirbyteLogLevel>;

/** @ignore */
export const AirbyteLogMessage = z.looseObject({
  level: AirbyteLogLevel,
  message: z.string(),
  stack_trace: z.string().optional(),
});
/** The payload of a LOG message. */
export type AirbyteLogMessage = Parsed<typeof AirbyteLogMessage>;

// ---------------------------------------------------------------------------------------------
// TRACE

/** @ignore */
export const AirbyteTraceType = z.enum(["ERROR", "ESTIMATE", "STREAM_STATUS", "ANALYTICS"]);
/** The kind of a TRACE message. */
export type AirbyteTraceType = Parsed<typeof AirbyteTraceType>;

/** @ignore */
export const AirbyteFailureType = z.enum(["system_error", "config_error", "transient_error"]);
/** How a platform should treat an error: a bug, a bad configuration or a passing fault. */
export type AirbyteFailureType = Parsed<typeof AirbyteFailureType>;

/** @ignore */
export const AirbyteErrorTraceMessage = z.looseObject({
  /** For the user. */
  message: z.string(),
  internal_message: z.string().optional(),
  stack_trace: z.string().optional(),
  failure_type: AirbyteFailureType.optional(),
  stream_descriptor: StreamDescriptor.optional(),
});
/** The `error` of an ERROR trace. */
export type AirbyteErrorTraceMessage = Parsed<typeof AirbyteErrorTraceMessage>;

/** @ignore */
export const AirbyteEstimateType = z.enum(["STREAM", "SYNC"]);
/** Whether an estimate is for one stream or for the whole sync. */
export type AirbyteEstimateType = Parsed<typeof AirbyteEstimateType>;

/** @ignore */
export const AirbyteEstimateTraceMessage = z.looseObject({
  name: z.string(),
  type: AirbyteEstimateType,
  namespace: z.string().optional(),
  row_estimate: JsonInteger.optional(),
  byte_estimate: JsonInteger.optional(),
});
/** The `estimate` of an ESTIMATE trace. */
export type AirbyteEstimateTraceMessage = Parsed<typeof AirbyteEstimateTraceMessage>;

/** @ignore */
export const AirbyteStreamStatus = z.enum(["STARTED", "RUNNING", "COMPLETE", "INCOMPLETE"]);
/** The status of a stream during a sync. */
export type AirbyteStreamStatus = Parsed<typeof AirbyteStreamStatus>;

/** @ignore */
export const AirbyteStreamStatusReasonType = z.enum(["RATE_LIMITED"]);
/** The kind of reason given with a stream status. */
export type AirbyteStreamStatusReasonType = Parsed<typeof AirbyteStreamStatusReasonType>;

/** @ignore */
export const AirbyteStreamStatusRateLimitedReason = z.looseObject({
  /** When the quota resets, in milliseconds. */
  quota_reset: JsonInteger.optional(),
});
/** Details of a RATE_LIMITED reason. */
export type AirbyteStreamStatusRateLimitedReason = Parsed<
  typeof AirbyteStreamStatusRateLimitedReason
>;

/** @ignore */
export const AirbyteStreamStatusReason = z.looseObject({
  type: AirbyteStreamStatusReasonType,
  rate_limited: AirbyteStreamStatusRateLimitedReason.optional(),
});
/** A reason given with a stream status. */
export type AirbyteStreamStatusReason = Parsed<typeof AirbyteStreamStatusReason>;

/** @ignore */
export const AirbyteStreamStatusTraceMessage = z.looseObject({
  stream_descriptor: StreamDescriptor,
  status: AirbyteStreamStatus,
  reasons: z.array(AirbyteStreamStatusReason).optional(),
});
/** The `stream_status` of a STREAM_STATUS trace. */
export type AirbyteStreamStatusTraceMessage = Parsed<typeof AirbyteStreamStatusTraceMessage>;

/** @ignore */
export const AirbyteAnalyticsTraceMessage = z.looseObject({
  type: z.string(),
  value: z.string().optional(),
});
/** The `analytics` of an ANALYTICS trace: an event type and an optional value. */
export type AirbyteAnalyticsTraceMessage = Parsed<typeof AirbyteAnalyticsTraceMessage>;

/** @ignore */
export const AirbyteTraceMessage = z.looseObject({
  type: AirbyteTraceType,
  /** Milliseconds since the epoch (a number, not necessarily whole). */
  emitted_at: z.number(),
  error: AirbyteErrorTraceMessage.optional(),
  estimate: AirbyteEstimateTraceMessage.optional(),
  stream_status: AirbyteStreamStatusTraceMessage.optional(),
  analytics: AirbyteAnalyticsTraceMessage.optional(),
});
/** The payload of a TRACE message, as the definition states it (sub-payloads optional). */
export type AirbyteTraceMessage = Parsed<typeof AirbyteTraceMessage>;

// ---------------------------------------------------------------------------------------------
// CONTROL

/** @ignore */
export const AirbyteControlType = z.enum(["CONNECTOR_CONFIG"]);
/** The kind of a CONTROL message. */
export type AirbyteControlType = Parsed<typeof AirbyteControlType>;

/** @ignore */
export const AirbyteControlConnectorConfigMessage = z.looseObject({ config: JsonObject });
/** The `connectorConfig` of a CONNECTOR_CONFIG control message: the config to persist. */
export type AirbyteControlConnectorConfigMessage = Parsed<
  typeof AirbyteControlConnectorConfigMessage
>;

/** @ignore */
export const AirbyteControlMessage = z.looseObject({
  type: AirbyteControlType,
  /** Milliseconds since the epoch (a number, not necessarily whole). */
  emitted_at: z.number(),
  connectorConfig: AirbyteControlConnectorConfigMessage.optional(),
});
/** The payload of a CONTROL message, as the definition states it. */
export type AirbyteControlMessage = Parsed<typeof AirbyteControlMessage>;

// ---------------------------------------------------------------------------------------------
// CONNECTION_STATUS

/** @ignore */
export const AirbyteConnectionStatusValue = z.enum(["SUCCEEDED", "FAILED"]);
/** The outcome of `check`. */
export type AirbyteConnectionStatusValue = Parsed<typeof AirbyteConnectionStatusValue>;

/** @ignore */
export const AirbyteConnectionStatus = z.looseObject({
  status: AirbyteConnectionStatusValue,
  message: z.string().optional(),
});
/** The payload of a CONNECTION_STATUS message. */
export type AirbyteConnectionStatus = Parsed<typeof AirbyteConnectionStatus>;

// ---------------------------------------------------------------------------------------------
// CATALOG and the configured catalog

/** @ignore */
export const AirbyteStream = z.looseObject({
  name: z.string(),
  /** The JSON Schema of the stream's records. */
  json_schema: JsonObject,
  supported_sync_modes: z.array(AirbyteSyncMode).min(1),
  source_defined_cursor: z.boolean().optional(),
  default_cursor_field: z.array(z.string()).optional(),
  source_defined_primary_key: PropertyPaths.optional(),
  namespace: z.string().optional(),
  is_resumable: z.boolean().optional(),
  is_file_based: z.boolean().optional(),
});
/** One stream a source offers. */
export type AirbyteStream = Parsed<typeof AirbyteStream>;

/** @ignore */
export const AirbyteCatalog = z.looseObject({ streams: z.array(AirbyteStream) });
/** The payload of a CATALOG message: the streams a source offers. */
export type AirbyteCatalog = Parsed<typeof AirbyteCatalog>;

/** @ignore */
export const ConfiguredAirbyteStream = z.looseObject({
  stream: AirbyteStream,
  sync_mode: AirbyteSyncMode,
  cursor_field: z.array(z.string()).optional(),
  destination_sync_mode: DestinationSyncMode,
  destination_object_name: z.string().optional(),
  primary_key: PropertyPaths.optional(),
  generation_id: JsonInteger.optional(),
  minimum_generation_id: JsonInteger.optional(),
  sync_id: JsonInteger.optional(),
  include_files: z.boolean().optional(),
});
/** One stream selected for a sync, with how to read and write it. */
export type ConfiguredAirbyteStream = Parsed<typeof ConfiguredAirbyteStream>;

/** @ignore */
export const ConfiguredAirbyteCatalog = z.looseObject({
  streams: z.array(ConfiguredAirbyteStream),
});
/** The catalog a platform passes to `read`: the selected streams. */
export type ConfiguredAirbyteCatalog = Parsed<typeof ConfiguredAirbyteCatalog>;

// ---------------------------------------------------------------------------------------------
// DESTINATION_CATALOG

/** @ignore */
export const DestinationOperation = z.looseObject({
  object_name: z.string(),
  sync_mode: DestinationSyncMode,
  json_schema: JsonObject,
  matching_keys: PropertyPaths.optional(),
});
/** One operation a destination can perform on one of its objects. */
export type DestinationOperation = Parsed<typeof DestinationOperation>;

/** @ignore */
export const DestinationCatalog = z.looseObject({ operations: z.array(DestinationOperation) });
/** The payload of a DESTINATION_CATALOG message. */
export type DestinationCatalog = Parsed<typeof DestinationCatalog>;

// ---------------------------------------------------------------------------------------------
// SPEC

/** @ignore */
export const OAuth2Specification = z.looseObject({
  rootObject: z.array(z.union([z.string(), JsonInteger])).optional(),
  oauthFlowInitParameters: PropertyPaths.optional(),
  oauthFlowOutputParameters: PropertyPaths.optional(),
});
/** Deprecated OAuth metadata of a specification (use `advanced_auth`). */
export type OAuth2Specification = Parsed<typeof OAuth2Specification>;

/** The connector's part of an OAuth flow: URL templates and key names. */
const OAuthConnectorInputSpecification = z.looseObject({
  consent_url: z.string(),
  scope: z.string().optional(),
  access_token_url: z.string(),
  access_token_headers: JsonObject.optional(),
  access_token_params: JsonObject.optional(),
  extract_output: z.array(z.string()).optional(),
  state: z.looseObject({ min: JsonInteger.optional(), max: JsonInteger.optional() }).optional(),
  client_id_key: z.string().optional(),
  client_secret_key: z.string().optional(),
  scope_key: z.string().optional(),
  state_key: z.string().optional(),
  auth_code_key: z.string().optional(),
  redirect_uri_key: z.string().optional(),
  token_expiry_key: z.string().optional(),
});

/** @ignore */
export const OAuthConfigSpecification = z.looseObject({
  oauth_user_input_from_connector_config_specification: JsonObject.optional(),
  oauth_connector_input_specification: OAuthConnectorInputSpecification.optional(),
  complete_oauth_output_specification: JsonObject.optional(),
  complete_oauth_server_input_specification: JsonObject.optional(),
  complete_oauth_server_output_specification: JsonObject.optional(),
});
/** How an OAuth flow's inputs and outputs map onto a connector's configuration. */
export type OAuthConfigSpecification = Parsed<typeof OAuthConfigSpecification>;

/** @ignore */
export const ConnectorSpecification = z.looseObject({
  documentationUrl: z.url().optional(),
  changelogUrl: z.url().optional(),
  /** The JSON Schema of the connector's configuration. */
  connectionSpecification: JsonObject,
  supportsIncremental: z.boolean().optional(),
  supportsNormalization: z.boolean().optional(),
  supportsDBT: z.boolean().optional(),
  supported_destination_sync_modes: z.array(DestinationSyncMode).optional(),
  authSpecification: z.looseObject({
    auth_type: z.enum(["oauth2.0"]).optional(),
    oauth2Specification: OAuth2Specification.optional(),
  }).optional(),
  advanced_auth: z.looseObject({
    auth_flow_type: z.enum(["oauth2.0", "oauth1.0"]).optional(),
    predicate_key: z.array(z.string()).optional(),
    predicate_value: z.string().optional(),
    oauth_config_specification: OAuthConfigSpecification.optional(),
  }).optional(),
  protocol_version: z.string().optional(),
});
/** The payload of a SPEC message: what configuration a connector takes. */
export type ConnectorSpecification = Parsed<typeof ConnectorSpecification>;

// ---------------------------------------------------------------------------------------------
// The message

/** @ignore */
export const AirbyteMessageType = z.enum([
  "RECORD",
  "STATE",
  "LOG",
  "SPEC",
  "CONNECTION_STATUS",
  "CATALOG",
  "TRACE",
  "CONTROL",
  "DESTINATION_CATALOG",
]);
/** The kind of an Airbyte message, naming its payload. */
export type AirbyteMessageType = Parsed<typeof AirbyteMessageType>;

/**
 * Any Airbyte message, exactly as the definition states it: only `type` is required, and every
 * payload that is present must be valid, whatever the type.
 *
 * @ignore
 */
export const AirbyteMessage = z.looseObject({
  type: AirbyteMessageType,
  log: AirbyteLogMessage.optional(),
  spec: ConnectorSpecification.optional(),
  connectionStatus: AirbyteConnectionStatus.optional(),
  catalog: AirbyteCatalog.optional(),
  record: AirbyteRecordMessage.optional(),
  state: AirbyteStateMessage.optional(),
  trace: AirbyteTraceMessage.optional(),
  control: AirbyteControlMessage.optional(),
  destination_catalog: DestinationCatalog.optional(),
});
/** Any Airbyte message, exactly as the definition states it. */
export type AirbyteMessage = Parsed<typeof AirbyteMessage>;

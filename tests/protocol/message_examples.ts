/**
 * Valid and invalid Airbyte messages and configured catalogs, shared by the zod tests and the
 * comparison with the official definition. Each invalid example breaks one rule, at one path.
 *
 * @module
 */

/** A path into a JSON value, as zod reports it. */
export type Path = readonly PropertyKey[];

/** Where and how a schema rejects an example: the zod issue path and code. */
export interface Failure {
  path: Path;
  /**
   * The zod issue code: invalid_type (wrong type, or a missing field), invalid_value (a value
   * outside an enum, or a missing enum field), too_small, invalid_union, invalid_format or
   * custom (not an integer).
   */
  code: string;
}

/** One example value and what the schemas make of it. */
export interface Example {
  /** The message type (or "configured catalog") the example is about. */
  kind: string;
  /** What the example shows, or why it is invalid. */
  name: string;
  value: unknown;
  /** Where the definition's schema (AirbyteMessage, ConfiguredAirbyteCatalog) rejects it. */
  fails?: Failure;
  /** Where StrictAirbyteMessage rejects it, when that differs from `fails`. */
  strictFails?: Failure;
  /** Why the official definition accepts a value zod rejects, when it does. */
  officialAccepts?: string;
}

const EMITTED_AT = 1_718_000_000_000;

const PEOPLE_DESCRIPTOR = { name: "people" };

const PEOPLE_JSON_SCHEMA = {
  $schema: "http://json-schema.org/draft-07/schema#",
  type: "object",
  additionalProperties: true,
  properties: {
    id: { type: "string" },
    firstName: { type: ["null", "string"] },
    updatedAt: { type: "string", format: "date-time", airbyte_type: "timestamp_with_timezone" },
  },
};

const PEOPLE_STREAM = {
  name: "people",
  json_schema: PEOPLE_JSON_SCHEMA,
  supported_sync_modes: ["full_refresh", "incremental"],
  source_defined_cursor: true,
  default_cursor_field: ["updatedAt"],
  source_defined_primary_key: [["id"]],
  is_resumable: true,
};

function record(fields: Record<string, unknown>): unknown {
  return {
    type: "RECORD",
    record: {
      stream: "people",
      data: { id: "p1", firstName: "Ada", updatedAt: "2024-06-10T06:13:20.000Z" },
      emitted_at: EMITTED_AT,
      ...fields,
    },
  };
}

function state(fields: Record<string, unknown>): unknown {
  return { type: "STATE", state: fields };
}

function log(fields: Record<string, unknown>): unknown {
  return { type: "LOG", log: { level: "INFO", message: "Reading people", ...fields } };
}

function trace(type: string, fields: Record<string, unknown>): unknown {
  return { type: "TRACE", trace: { type, emitted_at: EMITTED_AT, ...fields } };
}

function streamStatus(fields: Record<string, unknown>): unknown {
  return trace("STREAM_STATUS", {
    stream_status: { stream_descriptor: PEOPLE_DESCRIPTOR, status: "STARTED", ...fields },
  });
}

function error(fields: Record<string, unknown>): unknown {
  return trace("ERROR", { error: { message: "The API token is not valid", ...fields } });
}

function estimate(fields: Record<string, unknown>): unknown {
  return trace("ESTIMATE", { estimate: { name: "people", type: "STREAM", ...fields } });
}

function catalog(stream: Record<string, unknown>): unknown {
  return { type: "CATALOG", catalog: { streams: [{ ...PEOPLE_STREAM, ...stream }] } };
}

function spec(fields: Record<string, unknown>): unknown {
  return {
    type: "SPEC",
    spec: {
      documentationUrl: "https://docs.airbyte.com/integrations/sources/humaans",
      connectionSpecification: {
        $schema: "http://json-schema.org/draft-07/schema#",
        type: "object",
        required: ["api_token"],
        properties: { api_token: { type: "string", airbyte_secret: true } },
      },
      ...fields,
    },
  };
}

const OAUTH_CONNECTOR_INPUT = {
  consent_url: "https://app.example.com/oauth/authorize?{{ client_id_key }}={{ client_id_value }}",
  access_token_url: "https://app.example.com/oauth/token",
  extract_output: ["access_token", "refresh_token"],
  state: { min: 7, max: 128 },
};

/** Whole messages, one group per message type, then message-level cases. */
export const MESSAGE_EXAMPLES: readonly Example[] = [
  // RECORD
  { kind: "RECORD", name: "a record of the people stream", value: record({}) },
  {
    kind: "RECORD",
    name: "a record with namespace, meta changes, a file reference and unknown properties",
    value: record({
      namespace: "hr",
      meta: {
        changes: [{ field: "bio", change: "TRUNCATED", reason: "SOURCE_FIELD_SIZE_LIMITATION" }],
      },
      file_reference: { staging_file_url: "/staging/a.pdf", file_size_bytes: 1024, extra: true },
      extra: { kept: true },
    }),
  },
  {
    kind: "RECORD",
    name: "emitted_at is a string",
    value: record({ emitted_at: String(EMITTED_AT) }),
    fails: { path: ["record", "emitted_at"], code: "invalid_type" },
  },
  {
    kind: "RECORD",
    name: "emitted_at is not whole",
    value: record({ emitted_at: EMITTED_AT + 0.5 }),
    fails: { path: ["record", "emitted_at"], code: "custom" },
  },
  {
    kind: "RECORD",
    name: "data is an array",
    value: record({ data: [{ id: "p1" }] }),
    fails: { path: ["record", "data"], code: "invalid_type" },
  },
  {
    kind: "RECORD",
    name: "stream is missing",
    value: record({ stream: undefined }),
    fails: { path: ["record", "stream"], code: "invalid_type" },
  },
  {
    kind: "RECORD",
    name: "a meta change has an unknown reason",
    value: record({ meta: { changes: [{ field: "bio", change: "NULLED", reason: "TOO_BIG" }] } }),
    fails: { path: ["record", "meta", "changes", 0, "reason"], code: "invalid_value" },
  },
  {
    kind: "RECORD",
    name: "a RECORD without record (the definition allows it, platforms do not)",
    value: { type: "RECORD" },
    strictFails: { path: ["record"], code: "invalid_type" },
  },

  // STATE
  {
    kind: "STATE",
    name: "a STREAM state with a cursor and sourceStats.recordCount",
    value: state({
      type: "STREAM",
      stream: {
        stream_descriptor: PEOPLE_DESCRIPTOR,
        stream_state: { updatedAt: "2024-06-10T06:13:20.000Z" },
      },
      sourceStats: { recordCount: 42 },
    }),
  },
  {
    kind: "STATE",
    name: "a GLOBAL state with shared and per-stream states",
    value: state({
      type: "GLOBAL",
      global: {
        shared_state: { cdc_offset: 12 },
        stream_states: [{ stream_descriptor: { name: "people", namespace: "hr" } }],
      },
      destinationStats: { recordCount: 3, rejectedRecordCount: 0 },
    }),
  },
  {
    kind: "STATE",
    name: "a LEGACY state: data without a type",
    value: state({ data: { people: { updatedAt: "2024-06-10" } } }),
  },
  {
    kind: "STATE",
    name: "type PER_STREAM is not a state type",
    value: state({ type: "PER_STREAM", stream: { stream_descriptor: PEOPLE_DESCRIPTOR } }),
    fails: { path: ["state", "type"], code: "invalid_value" },
    strictFails: { path: ["state", "type"], code: "invalid_union" },
  },
  {
    kind: "STATE",
    name: "a stream state without stream_descriptor",
    value: state({ type: "STREAM", stream: { stream_state: { updatedAt: "2024-06-10" } } }),
    fails: { path: ["state", "stream", "stream_descriptor"], code: "invalid_type" },
  },
  {
    kind: "STATE",
    name: "a stream descriptor without name",
    value: state({ type: "STREAM", stream: { stream_descriptor: { namespace: "hr" } } }),
    fails: { path: ["state", "stream", "stream_descriptor", "name"], code: "invalid_type" },
  },
  {
    kind: "STATE",
    name: "sourceStats.recordCount is a string",
    value: state({
      type: "STREAM",
      stream: { stream_descriptor: PEOPLE_DESCRIPTOR },
      sourceStats: { recordCount: "42" },
    }),
    fails: { path: ["state", "sourceStats", "recordCount"], code: "invalid_type" },
  },
  {
    kind: "STATE",
    name: "a global state without stream_states",
    value: state({ type: "GLOBAL", global: { shared_state: {} } }),
    fails: { path: ["state", "global", "stream_states"], code: "invalid_type" },
  },
  {
    kind: "STATE",
    name: "a STREAM state without stream (the definition allows it, platforms do not)",
    value: state({ type: "STREAM", sourceStats: { recordCount: 1 } }),
    strictFails: { path: ["state", "stream"], code: "invalid_type" },
  },
  {
    kind: "STATE",
    name: "a state without type or data (LEGACY without data)",
    value: state({}),
    strictFails: { path: ["state", "data"], code: "invalid_type" },
  },

  // LOG
  { kind: "LOG", name: "an INFO log", value: log({}) },
  {
    kind: "LOG",
    name: "an ERROR log with a stack trace",
    value: log({ level: "ERROR", message: "Request failed", stack_trace: "Error: ...\n  at x" }),
  },
  {
    kind: "LOG",
    name: "level WARNING is not a log level",
    value: log({ level: "WARNING" }),
    fails: { path: ["log", "level"], code: "invalid_value" },
  },
  {
    kind: "LOG",
    name: "a log without message",
    value: log({ message: undefined }),
    fails: { path: ["log", "message"], code: "invalid_type" },
  },

  // TRACE
  { kind: "TRACE", name: "a STREAM_STATUS STARTED trace", value: streamStatus({}) },
  {
    kind: "TRACE",
    name: "a STREAM_STATUS INCOMPLETE trace with a RATE_LIMITED reason",
    value: streamStatus({
      status: "INCOMPLETE",
      reasons: [{ type: "RATE_LIMITED", rate_limited: { quota_reset: EMITTED_AT + 60_000 } }],
    }),
  },
  {
    kind: "TRACE",
    name: "an ERROR trace with failure_type config_error",
    value: error({
      failure_type: "config_error",
      internal_message: "401 Unauthorized",
      stack_trace: "Error: 401\n  at fetch",
      stream_descriptor: PEOPLE_DESCRIPTOR,
    }),
  },
  {
    kind: "TRACE",
    name: "an ERROR trace with failure_type transient_error and a fractional emitted_at",
    value: {
      type: "TRACE",
      trace: {
        type: "ERROR",
        emitted_at: EMITTED_AT + 0.25,
        error: { message: "Humaans is unavailable", failure_type: "transient_error" },
      },
    },
  },
  {
    kind: "TRACE",
    name: "an ESTIMATE trace of a stream",
    value: estimate({ row_estimate: 1200, byte_estimate: 2_400_000 }),
  },
  {
    kind: "TRACE",
    name: "an ANALYTICS trace",
    value: trace("ANALYTICS", { analytics: { type: "humaans-page-size", value: "250" } }),
  },
  {
    kind: "TRACE",
    name: "failure_type user_error is not a failure type",
    value: error({ failure_type: "user_error" }),
    fails: { path: ["trace", "error", "failure_type"], code: "invalid_value" },
  },
  {
    kind: "TRACE",
    name: "an error without message",
    value: error({ message: undefined, failure_type: "system_error" }),
    fails: { path: ["trace", "error", "message"], code: "invalid_type" },
  },
  {
    kind: "TRACE",
    name: "status FAILED is not a stream status",
    value: streamStatus({ status: "FAILED" }),
    fails: { path: ["trace", "stream_status", "status"], code: "invalid_value" },
  },
  {
    kind: "TRACE",
    name: "a stream status without stream_descriptor",
    value: streamStatus({ stream_descriptor: undefined }),
    fails: { path: ["trace", "stream_status", "stream_descriptor"], code: "invalid_type" },
  },
  {
    kind: "TRACE",
    name: "reason type THROTTLED is not a reason type",
    value: streamStatus({ status: "RUNNING", reasons: [{ type: "THROTTLED" }] }),
    fails: { path: ["trace", "stream_status", "reasons", 0, "type"], code: "invalid_value" },
  },
  {
    kind: "TRACE",
    name: "a trace without emitted_at",
    value: { type: "TRACE", trace: { type: "ANALYTICS", analytics: { type: "x" } } },
    fails: { path: ["trace", "emitted_at"], code: "invalid_type" },
  },
  {
    kind: "TRACE",
    name: "trace type WARNING is not a trace type",
    value: trace("WARNING", {}),
    fails: { path: ["trace", "type"], code: "invalid_value" },
    strictFails: { path: ["trace", "type"], code: "invalid_union" },
  },
  {
    kind: "TRACE",
    name: "estimate type TABLE is not an estimate type",
    value: estimate({ type: "TABLE" }),
    fails: { path: ["trace", "estimate", "type"], code: "invalid_value" },
  },
  {
    kind: "TRACE",
    name: "row_estimate is not whole",
    value: estimate({ row_estimate: 12.5 }),
    fails: { path: ["trace", "estimate", "row_estimate"], code: "custom" },
  },
  {
    kind: "TRACE",
    name: "an analytics trace without type",
    value: trace("ANALYTICS", { analytics: { value: "1" } }),
    fails: { path: ["trace", "analytics", "type"], code: "invalid_type" },
  },
  {
    kind: "TRACE",
    name: "an ERROR trace without error (the definition allows it, platforms do not)",
    value: trace("ERROR", {}),
    strictFails: { path: ["trace", "error"], code: "invalid_type" },
  },
  {
    kind: "TRACE",
    name: "a STREAM_STATUS trace carrying an estimate instead",
    value: trace("STREAM_STATUS", { estimate: { name: "people", type: "STREAM" } }),
    strictFails: { path: ["trace", "stream_status"], code: "invalid_type" },
  },

  // CONTROL
  {
    kind: "CONTROL",
    name: "a CONNECTOR_CONFIG control message",
    value: {
      type: "CONTROL",
      control: {
        type: "CONNECTOR_CONFIG",
        emitted_at: EMITTED_AT,
        connectorConfig: { config: { api_token: "new" } },
      },
    },
  },
  {
    kind: "CONTROL",
    name: "control type CONFIG is not a control type",
    value: {
      type: "CONTROL",
      control: { type: "CONFIG", emitted_at: EMITTED_AT, connectorConfig: { config: {} } },
    },
    fails: { path: ["control", "type"], code: "invalid_value" },
  },
  {
    kind: "CONTROL",
    name: "a connectorConfig without config",
    value: {
      type: "CONTROL",
      control: { type: "CONNECTOR_CONFIG", emitted_at: EMITTED_AT, connectorConfig: {} },
    },
    fails: { path: ["control", "connectorConfig", "config"], code: "invalid_type" },
  },
  {
    kind: "CONTROL",
    name: "a control message without connectorConfig (the definition allows it)",
    value: { type: "CONTROL", control: { type: "CONNECTOR_CONFIG", emitted_at: EMITTED_AT } },
    strictFails: { path: ["control", "connectorConfig"], code: "invalid_type" },
  },

  // CONNECTION_STATUS
  {
    kind: "CONNECTION_STATUS",
    name: "SUCCEEDED",
    value: { type: "CONNECTION_STATUS", connectionStatus: { status: "SUCCEEDED" } },
  },
  {
    kind: "CONNECTION_STATUS",
    name: "FAILED with a message",
    value: {
      type: "CONNECTION_STATUS",
      connectionStatus: {
        status: "FAILED",
        message: "Humaans rejected the API token (401); create a new token with read scopes",
      },
    },
  },
  {
    kind: "CONNECTION_STATUS",
    name: "status FAILURE is not a status",
    value: { type: "CONNECTION_STATUS", connectionStatus: { status: "FAILURE" } },
    fails: { path: ["connectionStatus", "status"], code: "invalid_value" },
  },
  {
    kind: "CONNECTION_STATUS",
    name: "message is not a string",
    value: { type: "CONNECTION_STATUS", connectionStatus: { status: "FAILED", message: 401 } },
    fails: { path: ["connectionStatus", "message"], code: "invalid_type" },
  },

  // CATALOG
  { kind: "CATALOG", name: "a catalog of the people stream with json_schema", value: catalog({}) },
  {
    kind: "CATALOG",
    name: "an empty catalog",
    value: { type: "CATALOG", catalog: { streams: [] } },
  },
  {
    kind: "CATALOG",
    name: "no supported sync modes",
    value: catalog({ supported_sync_modes: [] }),
    fails: { path: ["catalog", "streams", 0, "supported_sync_modes"], code: "too_small" },
  },
  {
    kind: "CATALOG",
    name: "sync mode incremental_append is not a sync mode",
    value: catalog({ supported_sync_modes: ["incremental_append"] }),
    fails: { path: ["catalog", "streams", 0, "supported_sync_modes", 0], code: "invalid_value" },
  },
  {
    kind: "CATALOG",
    name: "a stream without json_schema",
    value: catalog({ json_schema: undefined }),
    fails: { path: ["catalog", "streams", 0, "json_schema"], code: "invalid_type" },
  },
  {
    kind: "CATALOG",
    name: "a primary key that is not a list of paths",
    value: catalog({ source_defined_primary_key: ["id"] }),
    fails: {
      path: ["catalog", "streams", 0, "source_defined_primary_key", 0],
      code: "invalid_type",
    },
  },
  {
    kind: "CATALOG",
    name: "a catalog without streams",
    value: { type: "CATALOG", catalog: {} },
    fails: { path: ["catalog", "streams"], code: "invalid_type" },
  },

  // SPEC
  { kind: "SPEC", name: "a source spec", value: spec({ supportsIncremental: true }) },
  {
    kind: "SPEC",
    name: "a spec with auth specifications and destination sync modes",
    value: spec({
      changelogUrl: "https://example.com/changelog",
      supported_destination_sync_modes: ["append", "overwrite"],
      authSpecification: {
        auth_type: "oauth2.0",
        oauth2Specification: {
          rootObject: ["credentials", 0],
          oauthFlowInitParameters: [["client_id"], ["client_secret"]],
          oauthFlowOutputParameters: [["refresh_token"]],
        },
      },
      advanced_auth: {
        auth_flow_type: "oauth2.0",
        predicate_key: ["credentials", "auth_type"],
        predicate_value: "oauth",
        oauth_config_specification: {
          oauth_connector_input_specification: OAUTH_CONNECTOR_INPUT,
          complete_oauth_output_specification: { refresh_token: { type: "string" } },
        },
      },
      protocol_version: "0.18.0",
    }),
  },
  {
    kind: "SPEC",
    name: "a spec without connectionSpecification",
    value: spec({ connectionSpecification: undefined }),
    fails: { path: ["spec", "connectionSpecification"], code: "invalid_type" },
  },
  {
    kind: "SPEC",
    name: "destination sync mode upsert is not a destination sync mode",
    value: spec({ supported_destination_sync_modes: ["upsert"] }),
    fails: { path: ["spec", "supported_destination_sync_modes", 0], code: "invalid_value" },
  },
  {
    kind: "SPEC",
    name: "a rootObject entry that is neither a string nor an integer",
    value: spec({ authSpecification: { oauth2Specification: { rootObject: [true] } } }),
    fails: {
      path: ["spec", "authSpecification", "oauth2Specification", "rootObject", 0],
      code: "invalid_union",
    },
  },
  {
    kind: "SPEC",
    name: "auth flow type oauth3.0 is not an auth flow type",
    value: spec({ advanced_auth: { auth_flow_type: "oauth3.0" } }),
    fails: { path: ["spec", "advanced_auth", "auth_flow_type"], code: "invalid_value" },
  },
  {
    kind: "SPEC",
    name: "an OAuth connector input without access_token_url",
    value: spec({
      advanced_auth: {
        oauth_config_specification: {
          oauth_connector_input_specification: {
            ...OAUTH_CONNECTOR_INPUT,
            access_token_url: undefined,
          },
        },
      },
    }),
    fails: {
      path: [
        "spec",
        "advanced_auth",
        "oauth_config_specification",
        "oauth_connector_input_specification",
        "access_token_url",
      ],
      code: "invalid_type",
    },
  },
  {
    kind: "SPEC",
    name: "documentationUrl is not a URI",
    value: spec({ documentationUrl: "the docs page" }),
    fails: { path: ["spec", "documentationUrl"], code: "invalid_format" },
    officialAccepts: "draft-07 makes `format` an annotation that validators need not assert",
  },

  // DESTINATION_CATALOG
  {
    kind: "DESTINATION_CATALOG",
    name: "a destination catalog with one operation",
    value: {
      type: "DESTINATION_CATALOG",
      destination_catalog: {
        operations: [{
          object_name: "people",
          sync_mode: "append_dedup",
          json_schema: { type: "object" },
          matching_keys: [["id"]],
        }],
      },
    },
  },
  {
    kind: "DESTINATION_CATALOG",
    name: "operation sync mode merge is not a destination sync mode",
    value: {
      type: "DESTINATION_CATALOG",
      destination_catalog: {
        operations: [{ object_name: "people", sync_mode: "merge", json_schema: {} }],
      },
    },
    fails: { path: ["destination_catalog", "operations", 0, "sync_mode"], code: "invalid_value" },
  },

  // Any message
  {
    kind: "message",
    name: "unknown top-level properties and a second valid payload are allowed",
    value: {
      type: "LOG",
      log: { level: "DEBUG", message: "x" },
      record: { stream: "people", data: {}, emitted_at: EMITTED_AT },
      airbyte_internal: { seen: true },
    },
  },
  {
    kind: "message",
    name: "an invalid second payload fails even though type does not name it",
    value: {
      type: "LOG",
      log: { level: "DEBUG", message: "x" },
      record: { stream: "people", emitted_at: EMITTED_AT },
    },
    fails: { path: ["record", "data"], code: "invalid_type" },
  },
  {
    kind: "message",
    name: "type RECORDS is not a message type",
    value: { type: "RECORDS", record: { stream: "people", data: {}, emitted_at: EMITTED_AT } },
    fails: { path: ["type"], code: "invalid_value" },
    strictFails: { path: ["type"], code: "invalid_union" },
  },
  {
    kind: "message",
    name: "a message without type",
    value: { record: { stream: "people", data: {}, emitted_at: EMITTED_AT } },
    fails: { path: ["type"], code: "invalid_value" },
    strictFails: { path: ["type"], code: "invalid_union" },
  },
  {
    kind: "message",
    name: "a message that is an array",
    value: [{ type: "LOG" }],
    fails: { path: [], code: "invalid_type" },
  },
];

const CONFIGURED_PEOPLE = {
  stream: PEOPLE_STREAM,
  sync_mode: "incremental",
  cursor_field: ["updatedAt"],
  destination_sync_mode: "append_dedup",
  primary_key: [["id"]],
};

function configured(fields: Record<string, unknown>): unknown {
  return { streams: [{ ...CONFIGURED_PEOPLE, ...fields }] };
}

/** Configured catalogs, as a platform passes them to `read`. */
export const CONFIGURED_CATALOG_EXAMPLES: readonly Example[] = [
  { kind: "configured catalog", name: "an incremental stream", value: configured({}) },
  {
    kind: "configured catalog",
    name: "a full refresh stream with generation ids and unknown properties",
    value: configured({
      sync_mode: "full_refresh",
      cursor_field: undefined,
      destination_sync_mode: "overwrite",
      generation_id: 3,
      minimum_generation_id: 3,
      sync_id: 77,
      destination_object_name: "humaans_people",
      include_files: false,
      platform_extra: "kept",
    }),
  },
  {
    kind: "configured catalog",
    name: "a stream without destination_sync_mode",
    value: configured({ destination_sync_mode: undefined }),
    fails: { path: ["streams", 0, "destination_sync_mode"], code: "invalid_value" },
  },
  {
    kind: "configured catalog",
    name: "sync mode incremental_append is not a sync mode",
    value: configured({ sync_mode: "incremental_append" }),
    fails: { path: ["streams", 0, "sync_mode"], code: "invalid_value" },
  },
  {
    kind: "configured catalog",
    name: "generation_id is not whole",
    value: configured({ generation_id: 1.5 }),
    fails: { path: ["streams", 0, "generation_id"], code: "custom" },
  },
  {
    kind: "configured catalog",
    name: "a cursor field that is a string, not a path",
    value: configured({ cursor_field: "updatedAt" }),
    fails: { path: ["streams", 0, "cursor_field"], code: "invalid_type" },
  },
  {
    kind: "configured catalog",
    name: "a stream without supported_sync_modes",
    value: configured({ stream: { ...PEOPLE_STREAM, supported_sync_modes: undefined } }),
    fails: { path: ["streams", 0, "stream", "supported_sync_modes"], code: "invalid_type" },
  },
  {
    kind: "configured catalog",
    name: "streams is an object",
    value: { streams: { people: CONFIGURED_PEOPLE } },
    fails: { path: ["streams"], code: "invalid_type" },
  },
];

/**
 * What only tests need of the Airbyte protocol: the strict message forms (the payload a message's
 * `type` names is required, as platforms require it), each type's payload field, and
 * {@linkcode parseMessageLine}, which validates one line a connector printed. The loose schemas
 * they build on are src/protocol/messages.ts's.
 *
 * @module
 */
import { z } from "zod";
import type { Parsed } from "../../src/parsed.ts";
import {
  AirbyteAnalyticsTraceMessage,
  AirbyteCatalog,
  AirbyteConnectionStatus,
  AirbyteControlConnectorConfigMessage,
  AirbyteControlMessage,
  AirbyteErrorTraceMessage,
  AirbyteEstimateTraceMessage,
  AirbyteGlobalState,
  AirbyteLogMessage,
  AirbyteMessage,
  type AirbyteMessageType,
  AirbyteRecordMessage,
  AirbyteStateMessage,
  AirbyteStreamState,
  AirbyteStreamStatusTraceMessage,
  AirbyteTraceMessage,
  ConnectorSpecification,
  DestinationCatalog,
} from "../../src/protocol/messages.ts";

/**
 * The payload field that each message type names.
 */
export const PAYLOAD_FIELD = {
  RECORD: "record",
  STATE: "state",
  LOG: "log",
  SPEC: "spec",
  CONNECTION_STATUS: "connectionStatus",
  CATALOG: "catalog",
  TRACE: "trace",
  CONTROL: "control",
  DESTINATION_CATALOG: "destination_catalog",
} as const satisfies Record<AirbyteMessageType, keyof AirbyteMessage>;

// ---------------------------------------------------------------------------------------------
// Strict forms: the payload named by a type is required

/**
 * A state message that has the field its type names: `stream` for STREAM, `global` for GLOBAL,
 * `data` for LEGACY or no type.
 */
export const StrictAirbyteStateMessage = z.discriminatedUnion("type", [
  AirbyteStateMessage.extend({ type: z.literal("STREAM"), stream: AirbyteStreamState }),
  AirbyteStateMessage.extend({ type: z.literal("GLOBAL"), global: AirbyteGlobalState }),
  AirbyteStateMessage.extend({ type: z.literal("LEGACY").optional(), data: z.looseObject({}) }),
]);
/** A state message that has the field its type names. */
export type StrictAirbyteStateMessage = Parsed<typeof StrictAirbyteStateMessage>;

/**
 * A trace message that has the field its type names (`error` for ERROR, and so on).
 */
export const StrictAirbyteTraceMessage = z.discriminatedUnion("type", [
  AirbyteTraceMessage.extend({ type: z.literal("ERROR"), error: AirbyteErrorTraceMessage }),
  AirbyteTraceMessage.extend({
    type: z.literal("ESTIMATE"),
    estimate: AirbyteEstimateTraceMessage,
  }),
  AirbyteTraceMessage.extend({
    type: z.literal("STREAM_STATUS"),
    stream_status: AirbyteStreamStatusTraceMessage,
  }),
  AirbyteTraceMessage.extend({
    type: z.literal("ANALYTICS"),
    analytics: AirbyteAnalyticsTraceMessage,
  }),
]);
/** A trace message that has the field its type names. */
export type StrictAirbyteTraceMessage = Parsed<typeof StrictAirbyteTraceMessage>;

export const StrictAirbyteControlMessage = AirbyteControlMessage.extend({
  connectorConfig: AirbyteControlConnectorConfigMessage,
});
/** A CONNECTOR_CONFIG control message that has its `connectorConfig`. */
export type StrictAirbyteControlMessage = Parsed<typeof StrictAirbyteControlMessage>;

/**
 * An Airbyte message that has the payload its type names (a RECORD has `record`), as platforms
 * require, and whose STATE, TRACE or CONTROL payload has the field its own type names. Other
 * payloads may be present too, as in {@linkcode AirbyteMessage}. Narrows on `type`.
 */
export const StrictAirbyteMessage = z.discriminatedUnion("type", [
  AirbyteMessage.extend({ type: z.literal("RECORD"), record: AirbyteRecordMessage }),
  AirbyteMessage.extend({ type: z.literal("STATE"), state: StrictAirbyteStateMessage }),
  AirbyteMessage.extend({ type: z.literal("LOG"), log: AirbyteLogMessage }),
  AirbyteMessage.extend({ type: z.literal("SPEC"), spec: ConnectorSpecification }),
  AirbyteMessage.extend({
    type: z.literal("CONNECTION_STATUS"),
    connectionStatus: AirbyteConnectionStatus,
  }),
  AirbyteMessage.extend({ type: z.literal("CATALOG"), catalog: AirbyteCatalog }),
  AirbyteMessage.extend({ type: z.literal("TRACE"), trace: StrictAirbyteTraceMessage }),
  AirbyteMessage.extend({ type: z.literal("CONTROL"), control: StrictAirbyteControlMessage }),
  AirbyteMessage.extend({
    type: z.literal("DESTINATION_CATALOG"),
    destination_catalog: DestinationCatalog,
  }),
]);
/** An Airbyte message that has the payload its type names; narrows on `type`. */
export type StrictAirbyteMessage = Parsed<typeof StrictAirbyteMessage>;

// ---------------------------------------------------------------------------------------------
// Parsing printed lines

/** Options of {@linkcode parseMessageLine}. */
export interface ParseMessageLineOptions {
  /** The line's 1-based number in the output, named in errors. */
  lineNumber?: number;
  /**
   * Whether to require the payload that `type` names ({@linkcode StrictAirbyteMessage});
   * default true. When false, validates against {@linkcode AirbyteMessage} only.
   */
  strict?: boolean;
}

const PREVIEW_LENGTH = 200;

/** Writes a zod issue path the way it reads in JSON: `catalog.streams[0].name`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const key of path) {
    if (typeof key === "number") text += `[${key}]`;
    else text += text === "" ? String(key) : `.${String(key)}`;
  }
  return text === "" ? "(root)" : text;
}

/**
 * Parses one line a connector printed as JSON and validates it as an Airbyte message.
 *
 * @throws {Error} naming the line and every failing path when the line is not JSON or not a
 * valid message
 */
export function parseMessageLine(
  line: string,
  options: ParseMessageLineOptions = {},
): AirbyteMessage {
  const where = options.lineNumber === undefined ? "Line" : `Line ${options.lineNumber}`;
  const preview = line.length > PREVIEW_LENGTH ? `${line.slice(0, PREVIEW_LENGTH)}…` : line;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new Error(
      `${where} is not JSON (${reason}); print exactly one JSON message per line. The line was: ${preview}`,
      { cause },
    );
  }
  const schema = options.strict === false ? AirbyteMessage : StrictAirbyteMessage;
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues
      .map((issue) => `at ${formatIssuePath(issue.path)}: ${issue.message}`)
      .join("; ");
    throw new Error(
      `${where} is not a valid Airbyte message (${issues}); print only messages the Airbyte protocol defines. The line was: ${preview}`,
      { cause: result.error },
    );
  }
  return result.data;
}

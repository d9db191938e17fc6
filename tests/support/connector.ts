import assert from "node:assert/strict";
import { run } from "../../src/cli.ts";
import type { Clock } from "../../src/clock.ts";
import {
  parseMessageLine,
  type StrictAirbyteMessage,
  type StrictAirbyteTraceMessage,
} from "./protocol.ts";
import { Capture } from "./capture.ts";

/** One parsed stdout line. */
/** One protocol message of a run (`parseMessageLine` validated it, payload included). */
export type Message = StrictAirbyteMessage;
/** The messages of one type. */
export type MessageOf<T extends Message["type"]> = Extract<Message, { type: T }>;
/** A STREAM state: what every STATE this connector writes is. */
export type StreamState = Extract<MessageOf<"STATE">["state"], { type: "STREAM" }>;
/** The traces of one trace type. */
export type TraceOf<T extends StrictAirbyteTraceMessage["type"]> = Extract<
  StrictAirbyteTraceMessage,
  { type: T }
>;
/** What this connector keeps in a stream's state (the protocol leaves it free-form). */
export interface CursorStateValue {
  /** The cursor. */
  updated_at?: string;
  /** Ids written at the cursor. */
  ids_at_cursor?: string[];
  /** The committed id set of `detect_deletes`. */
  id_set?: unknown;
  /** Anything else a test looks for. */
  [key: string]: unknown;
}
/** A JSON Schema object as a test reads it: fails unless it has `properties`. */
export function jsonSchema(value: unknown): JsonSchemaValue {
  assert.ok(
    value !== null && typeof value === "object" && "properties" in value,
    "a JSON Schema with properties expected",
  );
  return value as JsonSchemaValue;
}

/** A JSON Schema as spec and discover print it (the protocol leaves it free-form). */
export interface JsonSchemaValue {
  /** The properties, by name. */
  properties: Record<string, Record<string, unknown>>;
  /** The required properties. */
  required?: string[];
}

/** What one connector run printed. */
export class RunResult {
  constructor(
    readonly code: number,
    readonly stdout: string,
    readonly stderr: string,
    readonly messages: Message[],
  ) {}

  /** Messages of one type. */
  ofType<T extends Message["type"]>(type: T): MessageOf<T>[] {
    return this.messages.filter((m): m is MessageOf<T> => m.type === type);
  }

  /** Record data, optionally of one stream. */
  records(stream?: string): Record<string, unknown>[] {
    return this.ofType("RECORD")
      .filter((m) => stream === undefined || m.record.stream === stream)
      .map((m) => m.record.data);
  }

  /** STATE messages' `state`, optionally of one stream. */
  states(stream?: string): StreamState[] {
    return this.ofType("STATE").map((m) => m.state)
      .filter((s): s is StreamState => s.type === "STREAM")
      .filter((s) => stream === undefined || s.stream.stream_descriptor.name === stream);
  }

  /** The `stream_state` of a stream's last STATE; fails when the run wrote none. */
  lastState(stream: string): CursorStateValue {
    const last = this.states(stream).at(-1);
    assert.ok(last, `no STATE for stream "${stream}"`);
    return (last.stream.stream_state ?? {}) as CursorStateValue;
  }

  /** The one CONNECTION_STATUS of a check run (its message "" when it has none). */
  connectionStatus(): { status: "SUCCEEDED" | "FAILED"; message: string } {
    const [message, ...more] = this.ofType("CONNECTION_STATUS");
    assert.ok(message && more.length === 0, "one CONNECTION_STATUS message expected");
    const { status, message: text } = message.connectionStatus;
    return { status, message: text ?? "" };
  }

  /** The spec of a spec run, its connection specification typed as a JSON Schema. */
  spec(): { connectionSpecification: JsonSchemaValue; [key: string]: unknown } {
    const [message] = this.ofType("SPEC");
    assert.ok(message, "no SPEC message");
    const { connectionSpecification, ...rest } = message.spec;
    return { ...rest, connectionSpecification: jsonSchema(connectionSpecification) };
  }

  /** TRACE messages' `trace` of one trace type. */
  traces<T extends StrictAirbyteTraceMessage["type"]>(type: T): TraceOf<T>[] {
    return this.ofType("TRACE").map((m) => m.trace)
      .filter((t): t is TraceOf<T> => t.type === type);
  }

  /**
   * The STREAM_STATUS sequence of a stream; a status with reasons is written with them, as
   * "RUNNING (RATE_LIMITED)".
   */
  statuses(stream: string): string[] {
    return this.traces("STREAM_STATUS")
      .filter((t) => t.stream_status.stream_descriptor.name === stream)
      .map(({ stream_status: { status, reasons } }) =>
        reasons?.length ? `${status} (${reasons.map((r) => r.type).join(", ")})` : status
      );
  }

  /** The `quota_reset` of each RATE_LIMITED reason a stream gave (undefined when it had none). */
  quotaResets(stream: string): (number | undefined)[] {
    return this.traces("STREAM_STATUS")
      .filter((t) => t.stream_status.stream_descriptor.name === stream)
      .flatMap((t) => t.stream_status.reasons ?? [])
      .filter((reason) => reason.type === "RATE_LIMITED")
      .map((reason) => reason.rate_limited?.quota_reset);
  }
}

/** Options of {@linkcode runConnector}. */
export interface RunConnectorOptions {
  clock?: Clock;
  fetch?: typeof fetch;
  /** Strings that must appear nowhere in stdout or stderr (tokens). */
  secrets?: string[];
}

/** Asserts that no secret appears in `text`. */
export function assertNoSecrets(text: string, secrets: string[], where: string): void {
  for (const secret of secrets) {
    assert.ok(!text.includes(secret), `${where} contains a secret`);
  }
}

/**
 * Runs the connector in-process; validates every stdout line against the protocol schemas and
 * checks that no secret leaked.
 */
export async function runConnector(
  args: string[],
  options: RunConnectorOptions = {},
): Promise<RunResult> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await run(args, { stdout, stderr, clock: options.clock, fetch: options.fetch });
  return parseRun(code, stdout.text(), stderr.text(), options.secrets ?? []);
}

/** Validates a run's output: one protocol message per stdout line, no secrets anywhere. */
export function parseRun(code: number, out: string, err: string, secrets: string[]): RunResult {
  assertNoSecrets(out, secrets, "stdout");
  assertNoSecrets(err, secrets, "stderr");
  assert.ok(out === "" || out.endsWith("\n"), "stdout must end with a newline");
  const lines = out === "" ? [] : out.slice(0, -1).split("\n");
  // Strict (the default): each message has the payload its type names.
  const messages = lines.map((line) => parseMessageLine(line) as StrictAirbyteMessage);
  return new RunResult(code, out, err, messages);
}

/** A temporary folder with JSON files in it. */
export class TempFiles {
  constructor(readonly dir: string) {}

  /** Creates an empty temporary folder. */
  static async create(): Promise<TempFiles> {
    return new TempFiles(await Deno.makeTempDir({ prefix: "source-humaans-test-" }));
  }

  /** Writes `value` as JSON (or a string as is) and returns the file's path. */
  async write(name: string, value: unknown): Promise<string> {
    const path = `${this.dir}/${name}`;
    await Deno.writeTextFile(path, typeof value === "string" ? value : JSON.stringify(value));
    return path;
  }

  /**
   * Writes a config for `api` (its URL and token, plus `options.config`) and a catalog of
   * `options.streams`; returns the `read` command line that uses them.
   */
  async readArgs(
    api: { url: string; token: string },
    options: {
      streams: string[];
      config?: Record<string, unknown>;
      syncMode?: "incremental" | "full_refresh";
    },
  ): Promise<string[]> {
    const config = await this.write("config.json", {
      api_token: api.token,
      base_url: api.url,
      ...options.config,
    });
    const catalog = await this.write("catalog.json", catalogOf(options.streams, options.syncMode));
    return ["read", "--config", config, "--catalog", catalog];
  }

  /** Removes the folder. */
  async [Symbol.asyncDispose](): Promise<void> {
    await Deno.remove(this.dir, { recursive: true });
  }
}

/** A configured catalog selecting `streams` in `syncMode`. */
export function catalogOf(
  streams: string[],
  syncMode: "incremental" | "full_refresh" = "incremental",
): Record<string, unknown> {
  return {
    streams: streams.map((name) => ({
      stream: {
        name,
        json_schema: {},
        supported_sync_modes: ["full_refresh", "incremental"],
      },
      sync_mode: syncMode,
      destination_sync_mode: syncMode === "incremental" ? "append_dedup" : "overwrite",
      ...(syncMode === "incremental" ? { cursor_field: ["updated_at"] } : {}),
      primary_key: [["id"]],
    })),
  };
}

/** The last STATE messages of a run, as a state file's content. */
export function stateFileOf(result: RunResult): unknown[] {
  const last = new Map<string, unknown>();
  for (const state of result.states()) last.set(state.stream.stream_descriptor.name, state);
  return [...last.values()];
}

import assert from "node:assert/strict";
import type { z } from "zod";
import {
  AirbyteFailureType,
  AirbyteMessage,
  AirbyteMessageType,
  AirbyteStreamStatus,
  AirbyteSyncMode,
  AirbyteTraceType,
  ConfiguredAirbyteCatalog,
} from "../../src/protocol/messages.ts";
import {
  formatIssuePath,
  parseMessageLine,
  PAYLOAD_FIELD,
  StrictAirbyteMessage,
} from "../support/protocol.ts";
import {
  CONFIGURED_CATALOG_EXAMPLES,
  type Example,
  type Failure,
  MESSAGE_EXAMPLES,
} from "./message_examples.ts";

/** The example as a printed line would carry it (undefined properties dropped). */
function asJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

/** Every issue of a failed parse, as path and code; empty when the value is valid. */
function failures(schema: z.ZodType, value: unknown): Failure[] {
  const result = schema.safeParse(value);
  if (result.success) return [];
  return result.error.issues.map((issue) => ({ path: issue.path, code: issue.code }));
}

function assertVerdict(schema: z.ZodType, example: Example, expected: Failure | undefined): void {
  const actual = failures(schema, asJson(example.value));
  assert.deepEqual(actual, expected === undefined ? [] : [expected]);
}

Deno.test("AirbyteMessage accepts and rejects what the definition does", async (t) => {
  for (const kind of new Set(MESSAGE_EXAMPLES.map((example) => example.kind))) {
    await t.step(kind, async (t) => {
      for (const example of MESSAGE_EXAMPLES.filter((example) => example.kind === kind)) {
        await t.step(example.name, () => assertVerdict(AirbyteMessage, example, example.fails));
      }
    });
  }
});

Deno.test("StrictAirbyteMessage also requires the payload each type names", async (t) => {
  for (const example of MESSAGE_EXAMPLES) {
    await t.step(`${example.kind}: ${example.name}`, () => {
      assertVerdict(StrictAirbyteMessage, example, example.strictFails ?? example.fails);
    });
  }
});

Deno.test("ConfiguredAirbyteCatalog accepts and rejects what the definition does", async (t) => {
  for (const example of CONFIGURED_CATALOG_EXAMPLES) {
    await t.step(example.name, () => {
      assertVerdict(ConfiguredAirbyteCatalog, example, example.fails);
    });
  }
});

Deno.test("the examples cover every message type and trace type, valid and invalid", () => {
  const validMessages = MESSAGE_EXAMPLES.filter((example) => example.fails === undefined)
    .map((example) => asJson(example.value) as { type: string; trace?: { type: string } });
  const invalidKinds = new Set(
    MESSAGE_EXAMPLES.filter((example) => example.fails !== undefined).map((e) => e.kind),
  );
  for (const type of AirbyteMessageType.options) {
    assert.ok(validMessages.some((message) => message.type === type), `no valid ${type}`);
    assert.ok(invalidKinds.has(type), `no invalid ${type}`);
  }
  for (const type of AirbyteTraceType.options) {
    assert.ok(validMessages.some((message) => message.trace?.type === type), `no ${type} trace`);
  }
});

Deno.test("valid examples keep the properties the schemas do not know", () => {
  for (const example of [...MESSAGE_EXAMPLES, ...CONFIGURED_CATALOG_EXAMPLES]) {
    if (example.fails !== undefined || example.strictFails !== undefined) continue;
    const value = asJson(example.value);
    const schema = example.kind === "configured catalog"
      ? ConfiguredAirbyteCatalog
      : StrictAirbyteMessage;
    assert.deepEqual(schema.parse(value), value, example.name);
  }
});

Deno.test("PAYLOAD_FIELD names the property of every message type", () => {
  assert.deepEqual(Object.keys(PAYLOAD_FIELD).sort(), [...AirbyteMessageType.options].sort());
  for (const field of Object.values(PAYLOAD_FIELD)) {
    assert.ok(field in AirbyteMessage.shape, field);
  }
});

Deno.test("the enums the connector imports hold the protocol's values", () => {
  assert.deepEqual(AirbyteStreamStatus.options, ["STARTED", "RUNNING", "COMPLETE", "INCOMPLETE"]);
  assert.deepEqual(AirbyteFailureType.options, ["system_error", "config_error", "transient_error"]);
  assert.deepEqual(AirbyteSyncMode.options, ["full_refresh", "incremental"]);
});

Deno.test("StrictAirbyteMessage narrows on type", () => {
  const message = StrictAirbyteMessage.parse({
    type: "TRACE",
    trace: {
      type: "STREAM_STATUS",
      emitted_at: 1,
      stream_status: { stream_descriptor: { name: "people" }, status: "COMPLETE" },
    },
  });
  // Type-checks only because the union narrows: `trace` and `stream_status` are required here.
  const status = message.type === "TRACE" && message.trace.type === "STREAM_STATUS"
    ? message.trace.stream_status.status
    : undefined;
  assert.equal(status, "COMPLETE");
});

Deno.test("formatIssuePath writes paths as they read in JSON", () => {
  assert.equal(formatIssuePath([]), "(root)");
  assert.equal(formatIssuePath(["type"]), "type");
  assert.equal(
    formatIssuePath(["catalog", "streams", 0, "supported_sync_modes", 1]),
    "catalog.streams[0].supported_sync_modes[1]",
  );
});

Deno.test("parseMessageLine", async (t) => {
  await t.step("returns a valid message", () => {
    const line = '{"type":"LOG","log":{"level":"INFO","message":"hi"},"extra":1}';
    assert.deepEqual(parseMessageLine(line), JSON.parse(line));
  });

  await t.step("says which line is not JSON", () => {
    assert.throws(
      () => parseMessageLine("Starting sync...", { lineNumber: 4 }),
      (error: Error) => {
        assert.match(error.message, /^Line 4 is not JSON \(/);
        assert.match(error.message, /The line was: Starting sync\.\.\.$/);
        assert.ok(error.cause instanceof SyntaxError);
        return true;
      },
    );
  });

  await t.step("names the line and every failing path", () => {
    const line = JSON.stringify({
      type: "RECORD",
      record: { stream: "people", data: [], emitted_at: "now" },
    });
    assert.throws(
      () => parseMessageLine(line, { lineNumber: 12 }),
      (error: Error) => {
        assert.match(error.message, /^Line 12 is not a valid Airbyte message \(/);
        assert.match(error.message, /at record\.data: Invalid input: expected object/);
        assert.match(error.message, /at record\.emitted_at: Invalid input: expected number/);
        assert.ok(error.message.endsWith(`The line was: ${line}`));
        return true;
      },
    );
  });

  await t.step("names array indices in paths", () => {
    const line = JSON.stringify({
      type: "CATALOG",
      catalog: { streams: [{ name: "people", json_schema: {}, supported_sync_modes: [] }] },
    });
    assert.throws(
      () => parseMessageLine(line),
      /Line is not a valid Airbyte message \(at catalog\.streams\[0\]\.supported_sync_modes: /,
    );
  });

  await t.step("requires the payload that type names unless strict is false", () => {
    const line = '{"type":"TRACE","trace":{"type":"ERROR","emitted_at":1}}';
    assert.throws(() => parseMessageLine(line), /at trace\.error: /);
    assert.deepEqual(parseMessageLine(line, { strict: false }), JSON.parse(line));
  });

  await t.step("validates the root", () => {
    assert.throws(() => parseMessageLine("[]"), /at \(root\): Invalid input: expected object/);
    assert.throws(() => parseMessageLine("null"), /at \(root\): /);
  });

  await t.step("shortens long lines in errors", () => {
    const line = JSON.stringify({ type: "LOG", log: { level: "LOUD", message: "x".repeat(500) } });
    assert.throws(() => parseMessageLine(line), (error: Error) => {
      assert.match(error.message, /at log\.level: /);
      assert.ok(error.message.endsWith(`The line was: ${line.slice(0, 200)}…`));
      return true;
    });
  });

  await t.step("accepts valid examples and names the failing path of invalid ones", () => {
    for (const example of MESSAGE_EXAMPLES) {
      const line = JSON.stringify(example.value);
      if (example.fails === undefined && example.strictFails === undefined) {
        assert.deepEqual(parseMessageLine(line), JSON.parse(line), example.name);
      } else {
        const path = formatIssuePath((example.strictFails ?? example.fails)!.path);
        assert.throws(() => parseMessageLine(line), new RegExp(`at ${RegExp.escape(path)}: `));
      }
    }
  });
});

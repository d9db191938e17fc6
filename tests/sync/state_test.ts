import assert from "node:assert/strict";
import { ConnectorError } from "../../src/errors.ts";
import { cursorOf, idsAtCursorOf, type InputState, parseState } from "../../src/sync/state.ts";

const SOURCE = "state/state.json";

function streamMessage(name: string, streamState: unknown): Record<string, unknown> {
  return {
    type: "STREAM",
    stream: { stream_descriptor: { name }, stream_state: streamState },
  };
}

function plain(state: InputState): { cursors: Record<string, string>; fallback?: string } {
  const out: { cursors: Record<string, string>; fallback?: string } = {
    cursors: Object.fromEntries(state.cursors),
  };
  if (state.fallback !== undefined) out.fallback = state.fallback;
  return out;
}

function stateErrorOf(raw: unknown): ConnectorError {
  try {
    parseState(raw, { source: SOURCE });
  } catch (error) {
    assert.ok(error instanceof ConnectorError, `not a ConnectorError: ${error}`);
    assert.equal(error.failureType, "config_error");
    assert.ok(error.message.includes(`"${SOURCE}"`), `names the file: ${error.message}`);
    return error;
  }
  assert.fail(`parseState accepted ${JSON.stringify(raw)}`);
}

Deno.test("parseState reads every accepted form", async (t) => {
  const rows: [string, unknown, ReturnType<typeof plain>][] = [
    ["undefined (no state file)", undefined, { cursors: {} }],
    ["null", null, { cursors: {} }],
    ["{}", {}, { cursors: {} }],
    ["[]", [], { cursors: {} }],
    [
      "an array of STREAM messages",
      [
        streamMessage("companies", { updated_at: "2026-10-02T16:05:11.381Z" }),
        streamMessage("job_roles", { updated_at: "2026-11-01T00:00:00.000Z" }),
      ],
      {
        cursors: {
          companies: "2026-10-02T16:05:11.381Z",
          job_roles: "2026-11-01T00:00:00.000Z",
        },
      },
    ],
    [
      "a STREAM message with sourceStats (as the connector writes it)",
      [{
        ...streamMessage("documents", { updated_at: "2026-01-15T10:45:12.120Z" }),
        sourceStats: { recordCount: 250 },
      }],
      { cursors: { documents: "2026-01-15T10:45:12.120Z" } },
    ],
    [
      "a STREAM message without type",
      [{
        stream: {
          stream_descriptor: { name: "companies" },
          stream_state: { updated_at: "2026-01-01T00:00:00Z" },
        },
      }],
      { cursors: { companies: "2026-01-01T00:00:00.000Z" } },
    ],
    [
      "one STREAM message, not in an array",
      streamMessage("companies", { updated_at: "2026-01-01T00:00:00Z" }),
      { cursors: { companies: "2026-01-01T00:00:00.000Z" } },
    ],
    [
      "a STREAM message with an empty stream_state (full refresh)",
      [streamMessage("companies", {})],
      { cursors: {} },
    ],
    [
      "a STREAM message with a null stream_state",
      [streamMessage("companies", null)],
      { cursors: {} },
    ],
    [
      "a STREAM message with a namespace",
      [{
        type: "STREAM",
        stream: {
          stream_descriptor: { name: "companies", namespace: "hr" },
          stream_state: { updated_at: "2026-01-01T00:00:00Z" },
        },
      }],
      { cursors: { companies: "2026-01-01T00:00:00.000Z" } },
    ],
    [
      "a GLOBAL message",
      {
        type: "GLOBAL",
        global: {
          shared_state: { anything: true },
          stream_states: [
            {
              stream_descriptor: { name: "companies" },
              stream_state: { updated_at: "2026-02-01T00:00:00Z" },
            },
            { stream_descriptor: { name: "documents" }, stream_state: null },
          ],
        },
      },
      { cursors: { companies: "2026-02-01T00:00:00.000Z" } },
    ],
    [
      "a LEGACY message",
      { type: "LEGACY", data: { job_roles: { updated_at: "2026-03-01T00:00:00Z" } } },
      { cursors: { job_roles: "2026-03-01T00:00:00.000Z" } },
    ],
    [
      "a LEGACY message with the seed's last_sync_time",
      { type: "LEGACY", data: { last_sync_time: "2026-03-01T00:00:00+00:00" } },
      { cursors: {}, fallback: "2026-03-01T00:00:00.000Z" },
    ],
    [
      "a legacy per-stream object",
      {
        companies: { updated_at: "2026-04-01T00:00:00Z" },
        documents: { updated_at: "2026-04-02T00:00:00Z" },
      },
      {
        cursors: {
          companies: "2026-04-01T00:00:00.000Z",
          documents: "2026-04-02T00:00:00.000Z",
        },
      },
    ],
    [
      "a legacy object with last_sync_time per stream",
      { companies: { last_sync_time: "2026-04-01T00:00:00Z" } },
      { cursors: { companies: "2026-04-01T00:00:00.000Z" } },
    ],
    [
      "the seed's final state (Python isoformat, microseconds)",
      { last_sync_time: "2026-11-27T23:59:58.123456+00:00" },
      { cursors: {}, fallback: "2026-11-27T23:59:58.123Z" },
    ],
    [
      "the seed's mid-sync checkpoint (with its page counter)",
      { last_sync_time: "2026-10-02T16:05:11.381Z", last_processed_companies_page: 2 },
      { cursors: {}, fallback: "2026-10-02T16:05:11.381Z" },
    ],
    [
      "the seed's documents checkpoint",
      { last_sync_time: "2026-01-15T10:45:12.120Z", last_processed_documents_page: 7 },
      { cursors: {}, fallback: "2026-01-15T10:45:12.120Z" },
    ],
    [
      "the seed's last_sync_time beside per-stream cursors",
      {
        last_sync_time: "2026-01-01T00:00:00Z",
        companies: { updated_at: "2026-05-01T00:00:00Z" },
      },
      { cursors: { companies: "2026-05-01T00:00:00.000Z" }, fallback: "2026-01-01T00:00:00.000Z" },
    ],
    [
      "a null last_sync_time starts fresh",
      { last_sync_time: null },
      { cursors: {} },
    ],
    [
      "cursors with an offset are normalised to UTC",
      [streamMessage("companies", { updated_at: "2026-05-01T02:00:00+02:00" })],
      { cursors: { companies: "2026-05-01T00:00:00.000Z" } },
    ],
    [
      "a cursor that is only a date",
      [streamMessage("companies", { updated_at: "2026-05-01" })],
      { cursors: { companies: "2026-05-01T00:00:00.000Z" } },
    ],
    [
      "a later message for the same stream wins",
      [
        streamMessage("companies", { updated_at: "2026-01-01T00:00:00Z" }),
        streamMessage("companies", { updated_at: "2026-02-01T00:00:00Z" }),
      ],
      { cursors: { companies: "2026-02-01T00:00:00.000Z" } },
    ],
  ];
  for (const [name, raw, expected] of rows) {
    await t.step(
      name,
      () => assert.deepEqual(plain(parseState(raw, { source: SOURCE })), expected),
    );
  }
});

Deno.test("parseState: an invalid cursor is a config_error naming the file and the field path", async (t) => {
  const rows: [string, unknown, string][] = [
    [
      "garbage in a STREAM message",
      [
        streamMessage("companies", { updated_at: "2026-01-01T00:00:00Z" }),
        streamMessage("documents", { updated_at: "yesterday" }),
      ],
      "[1].stream.stream_state.updated_at",
    ],
    [
      "a number that is not a date string",
      [streamMessage("companies", { updated_at: true })],
      "[0].stream.stream_state.updated_at",
    ],
    [
      "garbage in a GLOBAL message",
      {
        type: "GLOBAL",
        global: {
          stream_states: [{
            stream_descriptor: { name: "companies" },
            stream_state: { updated_at: "x" },
          }],
        },
      },
      "state.global.stream_states[0].stream_state.updated_at",
    ],
    [
      "garbage in a LEGACY message",
      { type: "LEGACY", data: { companies: { updated_at: "nope" } } },
      "state.data.companies.updated_at",
    ],
    [
      "garbage in a legacy object",
      { documents: { updated_at: "2026-13-01" } },
      "documents.updated_at",
    ],
    ["garbage in the seed's last_sync_time", { last_sync_time: "last tuesday" }, "last_sync_time"],
  ];
  for (const [name, raw, field] of rows) {
    await t.step(name, () => {
      const error = stateErrorOf(raw);
      assert.ok(error.message.includes(`field "${field}"`), error.message);
      assert.match(error.message, /not a timestamp/);
      assert.match(error.message, /fix or remove the state/, "says what to do");
    });
  }
});

Deno.test("parseState: wrong types are config_errors naming the field", async (t) => {
  const rows: [string, unknown, string][] = [
    ["a string", "2026-01-01", "(root)"],
    ["a number", 42, "(root)"],
    ["true", true, "(root)"],
    ["an array element that is not an object", [42], "[0]"],
    ["an array element that is null", [null], "[0]"],
    ["an unknown type", [{ type: "SOMETHING" }], "[0].type"],
    ["a wrapped AirbyteMessage", [{ type: "STATE", state: {} }], "[0].type"],
    ["a STREAM message without stream", [{ type: "STREAM" }], "[0].stream"],
    [
      "a STREAM message without descriptor",
      [{ type: "STREAM", stream: {} }],
      "[0].stream.stream_descriptor",
    ],
    [
      "a STREAM message without a name",
      [{ type: "STREAM", stream: { stream_descriptor: {} } }],
      "[0].stream.stream_descriptor.name",
    ],
    [
      "a STREAM message with an empty name",
      [streamMessage("", {})],
      "[0].stream.stream_descriptor.name",
    ],
    [
      "stream_state not an object",
      [streamMessage("companies", "2026-01-01")],
      "[0].stream.stream_state",
    ],
    ["stream_state an array", [streamMessage("companies", [])], "[0].stream.stream_state"],
    ["GLOBAL without stream_states", { type: "GLOBAL", global: {} }, "state.global.stream_states"],
    [
      "GLOBAL with an invalid entry",
      { type: "GLOBAL", global: { stream_states: [1] } },
      "state.global.stream_states[0]",
    ],
    ["LEGACY data not an object", { type: "LEGACY", data: [1] }, "state.data"],
    ["a legacy stream entry not an object", { companies: "2026-01-01" }, "companies"],
  ];
  for (const [name, raw, field] of rows) {
    await t.step(name, () => {
      const error = stateErrorOf(raw);
      assert.ok(error.message.includes(`field "${field}"`), error.message);
    });
  }
});

Deno.test("parseState names the default source when none is given", () => {
  assert.throws(() => parseState(42), /State file "state"/);
});

Deno.test("cursorOf: the stream's own cursor, else the seed's fallback, else undefined", async (t) => {
  await t.step("own cursor", () => {
    const state = parseState({
      last_sync_time: "2026-01-01T00:00:00Z",
      companies: { updated_at: "2026-05-01T00:00:00Z" },
    });
    assert.equal(cursorOf(state, "companies"), "2026-05-01T00:00:00.000Z");
    assert.equal(cursorOf(state, "documents"), "2026-01-01T00:00:00.000Z");
  });
  await t.step("nothing", () => {
    assert.equal(cursorOf(parseState(undefined), "companies"), undefined);
    assert.equal(cursorOf(parseState([]), "job_roles"), undefined);
  });
});

Deno.test("ids_at_cursor: read with the cursor; the old format (no ids) still works", () => {
  const state = parseState([
    streamMessage("job_roles", { updated_at: "2026-11-01T00:00:00Z", ids_at_cursor: ["a", "b"] }),
    streamMessage("documents", { updated_at: "2026-11-02T00:00:00.000Z" }),
  ], { source: SOURCE });
  assert.equal(cursorOf(state, "job_roles"), "2026-11-01T00:00:00.000Z");
  assert.deepEqual(idsAtCursorOf(state, "job_roles"), ["a", "b"]);
  assert.equal(idsAtCursorOf(state, "documents"), undefined);
  assert.equal(cursorOf(state, "documents"), "2026-11-02T00:00:00.000Z");
  // The seed's fallback cursor has no ids.
  const seed = parseState({ last_sync_time: "2026-01-01T00:00:00Z" });
  assert.equal(idsAtCursorOf(seed, "job_roles"), undefined);
  const error = stateErrorOf([
    streamMessage("job_roles", { updated_at: "2026-11-01T00:00:00Z", ids_at_cursor: [1] }),
  ]);
  assert.match(error.message, /field "\[0\]\.stream\.stream_state\.ids_at_cursor" is not an array/);
});

Deno.test("a stream state without updated_at, or with it null: a warning naming what was found", () => {
  const state = parseState([
    streamMessage("job_roles", { cursor: "2026-11-01", page: 3 }),
    streamMessage("companies", {}),
    streamMessage("people", { updated_at: null }),
  ], { source: SOURCE });
  assert.equal(state.cursors.size, 0);
  assert.equal(state.warnings.length, 2);
  assert.match(
    state.warnings[0],
    /field "\[0\]\.stream\.stream_state" has no updated_at \(found "cursor", "page"\): stream "job_roles" starts from scratch/,
  );
  assert.match(
    state.warnings[1],
    /field "\[2\]\.stream\.stream_state\.updated_at" is null: stream "people" starts from scratch/,
  );
  assert.deepEqual([...state.empty], ["companies"]);
});

Deno.test("parseState keeps a stream's id set apart and tolerates keys it does not know", () => {
  const idSet = { format: "sorted-prefix-deflate-base64/1", count: 0, data: "eJwDAAAAAAE=" };
  const state = parseState([
    {
      type: "STREAM",
      stream: {
        stream_descriptor: { name: "job_roles" },
        stream_state: { updated_at: "2026-05-01T00:00:00Z", id_set: idSet, later_key: [1, 2] },
      },
    },
    {
      type: "STREAM",
      stream: {
        stream_descriptor: { name: "documents" },
        stream_state: { updated_at: "2026-05-02T00:00:00Z" },
      },
    },
  ]);
  assert.equal(cursorOf(state, "job_roles"), "2026-05-01T00:00:00.000Z");
  assert.deepEqual(state.idSets.get("job_roles"), idSet);
  assert.equal(state.idSets.has("documents"), false);
});

import assert from "node:assert/strict";
import { ConnectorError } from "../../src/errors.ts";
import { ConfiguredAirbyteCatalog } from "../../src/protocol/messages.ts";
import { parseCatalog } from "../../src/sync/catalog.ts";

const SOURCE = "configured_catalog.json";

function configured(
  name: string,
  syncMode: unknown = "incremental",
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    stream: {
      name,
      json_schema: { type: "object" },
      supported_sync_modes: ["full_refresh", "incremental"],
      source_defined_cursor: true,
      default_cursor_field: ["updated_at"],
    },
    sync_mode: syncMode,
    destination_sync_mode: syncMode === "incremental" ? "append_dedup" : "overwrite",
    cursor_field: ["updated_at"],
    primary_key: [["id"]],
    ...extra,
  };
}

function catalogErrorOf(raw: unknown): ConnectorError {
  try {
    parseCatalog(raw, { source: SOURCE });
  } catch (error) {
    assert.ok(error instanceof ConnectorError, `not a ConnectorError: ${error}`);
    assert.equal(error.failureType, "config_error");
    assert.ok(error.message.startsWith(`Catalog file "${SOURCE}"`), error.message);
    return error;
  }
  assert.fail(`parseCatalog accepted ${JSON.stringify(raw)}`);
}

Deno.test("parseCatalog accepts a valid catalog, in catalog order, each in its mode", () => {
  const selected = parseCatalog({
    streams: [
      configured("job_roles", "incremental"),
      configured("companies", "full_refresh"),
      configured("documents", "incremental"),
    ],
  }, { source: SOURCE });
  assert.deepEqual(
    selected.map(({ stream, syncMode }) => [stream.name, syncMode]),
    [["job_roles", "incremental"], ["companies", "full_refresh"], ["documents", "incremental"]],
  );
  assert.equal(selected[0].stream.path, "/job-roles");
  assert.equal(typeof selected[0].stream.map, "function");
});

Deno.test("parseCatalog accepts partial selections and empty catalogs", async (t) => {
  await t.step("one stream", () => {
    assert.deepEqual(
      parseCatalog({ streams: [configured("documents")] }).map((s) => s.stream.name),
      ["documents"],
    );
  });
  await t.step("no stream", () => assert.deepEqual(parseCatalog({ streams: [] }), []));
});

Deno.test("parseCatalog accepts every form of the source-defined cursor", async (t) => {
  const rows: [string, Record<string, unknown>][] = [
    ['["updated_at"]', { cursor_field: ["updated_at"] }],
    ["[]", { cursor_field: [] }],
    ["null", { cursor_field: null }],
    ["absent", { cursor_field: undefined }],
  ];
  for (const [name, extra] of rows) {
    await t.step(name, () => {
      const [selected] = parseCatalog({ streams: [configured("companies", "incremental", extra)] });
      assert.equal(selected.syncMode, "incremental");
    });
  }
  await t.step("full_refresh ignores cursor_field", () => {
    const [selected] = parseCatalog({
      streams: [configured("companies", "full_refresh", { cursor_field: ["created_at"] })],
    });
    assert.equal(selected.syncMode, "full_refresh");
  });
});

Deno.test("parseCatalog errors name the file and the field path", async (t) => {
  const rows: [string, unknown, string, RegExp][] = [
    ["not an object (array)", [configured("companies")], "(root)", /"streams" array/],
    ["not an object (null)", null, "(root)", /"streams" array/],
    ["not an object (string)", "catalog", "(root)", /"streams" array/],
    ["no streams", {}, "streams", /must be an array/],
    ["streams not an array", { streams: { companies: {} } }, "streams", /must be an array/],
    ["entry not an object", { streams: [configured("companies"), 42] }, "streams[1]", /object/],
    [
      "entry without stream",
      { streams: [{ sync_mode: "incremental" }] },
      "streams[0].stream",
      /object/,
    ],
    [
      "stream name not a string",
      { streams: [{ ...configured("companies"), stream: { name: 7 } }] },
      "streams[0].stream.name",
      /must be a string/,
    ],
    [
      "unknown stream",
      { streams: [configured("companies"), configured("employees")] },
      "streams[1].stream.name",
      /unknown stream "employees".*discover/,
    ],
    [
      "duplicate stream",
      { streams: [configured("documents"), configured("documents", "full_refresh")] },
      "streams[1].stream.name",
      /repeats stream "documents"/,
    ],
    [
      "unknown sync_mode",
      { streams: [configured("companies"), configured("job_roles", "incremental_append")] },
      "streams[1].sync_mode",
      /"incremental_append".*full_refresh or incremental/,
    ],
    [
      "missing sync_mode",
      { streams: [configured("companies", "incremental", { sync_mode: undefined })] },
      "streams[0].sync_mode",
      /full_refresh or incremental/,
    ],
    [
      "incremental with a wrong cursor_field",
      { streams: [configured("companies", "incremental", { cursor_field: ["created_at"] })] },
      "streams[0].cursor_field",
      /\["updated_at"\]/,
    ],
    [
      "incremental with a nested cursor path",
      {
        streams: [
          configured("companies"),
          configured("documents", "incremental", { cursor_field: ["updated_at", "x"] }),
        ],
      },
      "streams[1].cursor_field",
      /source-defined/,
    ],
    [
      "incremental with a string cursor_field",
      { streams: [configured("companies", "incremental", { cursor_field: "updated_at" })] },
      "streams[0].cursor_field",
      /\["updated_at"\]/,
    ],
  ];
  for (const [name, raw, field, problem] of rows) {
    await t.step(name, () => {
      const error = catalogErrorOf(raw);
      assert.ok(error.message.includes(`field "${field}"`), error.message);
      assert.match(error.message, problem);
    });
  }
});

Deno.test("parseCatalog names the default source when none is given", () => {
  assert.throws(() => parseCatalog(null), /Catalog file "catalog"/);
});

Deno.test("parseCatalog reads a stream without a cursor in full when asked for incremental", async (t) => {
  await t.step("incremental becomes full_refresh, with one notice", () => {
    const selected = parseCatalog({
      streams: [
        configured("companies", "incremental"),
        configured("public_holiday_calendars", "incremental", { cursor_field: [] }),
      ],
    });
    assert.deepEqual(
      selected.map(({ stream, syncMode }) => [stream.name, syncMode]),
      [["companies", "incremental"], ["public_holiday_calendars", "full_refresh"]],
    );
    assert.equal(selected[0].notice, undefined, "a stream read as asked has no notice");
    assert.match(
      selected[1].notice ?? "",
      /^Stream "public_holiday_calendars" has no cursor: reading it in full \(full_refresh\)/,
    );
  });
  await t.step("whatever cursor_field the client sends", () => {
    const [selected] = parseCatalog({
      streams: [configured("public_holiday_calendars", "incremental", { cursor_field: ["x"] })],
    });
    assert.equal(selected.syncMode, "full_refresh");
  });
  await t.step("full_refresh as asked has no notice", () => {
    const [selected] = parseCatalog({
      streams: [configured("public_holiday_calendars", "full_refresh")],
    });
    assert.deepEqual([selected.syncMode, selected.notice], ["full_refresh", undefined]);
  });
  await t.step("a bad mode is still an error", () => {
    const error = catalogErrorOf({
      streams: [configured("public_holiday_calendars", "incremental_append")],
    });
    assert.match(error.message, /"streams\[0\].sync_mode".*supports full_refresh$/);
  });
  await t.step("a missing mode is still an error", () => {
    const error = catalogErrorOf({
      streams: [configured("public_holiday_calendars", "incremental", { sync_mode: undefined })],
    });
    assert.match(
      error.message,
      /"streams\[0\].sync_mode" is missing; stream "public_holiday_calendars"/,
    );
  });
});

/** The least a catalog entry needs here: the stream's name and the sync mode. */
function minimal(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { stream: { name }, sync_mode: "full_refresh", ...extra };
}

Deno.test("parseCatalog takes the protocol's schema, relaxed where hand-written catalogs differ", async (t) => {
  await t.step("stream.json_schema, stream.supported_sync_modes, destination_sync_mode", () => {
    // The protocol requires all three; this source reads none of them.
    const raw = { streams: [minimal("companies")] };
    for (const path of ["destination_sync_mode", "stream.json_schema"]) {
      const issues = ConfiguredAirbyteCatalog.safeParse(raw).error?.issues ?? [];
      assert.ok(issues.some((issue) => issue.path.join(".") === `streams.0.${path}`), path);
    }
    const issues = ConfiguredAirbyteCatalog.safeParse(raw).error?.issues ?? [];
    assert.ok(issues.some((i) => i.path.join(".") === "streams.0.stream.supported_sync_modes"));
    assert.deepEqual(parseCatalog(raw).map((s) => [s.stream.name, s.syncMode]), [
      ["companies", "full_refresh"],
    ]);
  });
  await t.step("cursor_field null, as absent", () => {
    const raw = { streams: [configured("companies", "incremental", { cursor_field: null })] };
    assert.ok(!ConfiguredAirbyteCatalog.safeParse(raw).success, "the protocol rejects null");
    assert.equal(parseCatalog(raw)[0].syncMode, "incremental");
  });
  await t.step(
    "what the protocol accepts, parseCatalog accepts (keys it does not know too)",
    () => {
      const raw = {
        streams: [configured("companies", "incremental", { generation_id: 3, surprise: true })],
        also: "kept",
      };
      assert.ok(ConfiguredAirbyteCatalog.safeParse(raw).success);
      assert.equal(parseCatalog(raw).length, 1);
    },
  );
});

Deno.test("parseCatalog rejects what the protocol rejects, naming the field", async (t) => {
  const rows: [string, Record<string, unknown>, string, string][] = [
    [
      "an unknown destination_sync_mode",
      { destination_sync_mode: "sideways" },
      "streams[0].destination_sync_mode",
      'is "sideways"; expected one of "append", "overwrite", "append_dedup", "update", "soft_delete"',
    ],
    [
      "empty supported_sync_modes",
      { stream: { name: "companies", supported_sync_modes: [] } },
      "streams[0].stream.supported_sync_modes",
      "must not be empty",
    ],
    [
      "an unknown supported sync mode",
      { stream: { name: "companies", supported_sync_modes: ["sometimes"] } },
      "streams[0].stream.supported_sync_modes[0]",
      'is "sometimes"; expected one of "full_refresh", "incremental"',
    ],
    [
      "a json_schema that is not an object",
      { stream: { name: "companies", json_schema: "object" } },
      "streams[0].stream.json_schema",
      "must be an object",
    ],
    [
      "a primary_key that is not a list",
      { primary_key: "id" },
      "streams[0].primary_key",
      "must be an array",
    ],
    [
      "a namespace that is not a string",
      { stream: { name: "companies", namespace: 5 } },
      "streams[0].stream.namespace",
      "must be a string",
    ],
    [
      "a generation_id that is not whole",
      { generation_id: 1.5 },
      "streams[0].generation_id",
      "is not valid (Invalid input: expected an integer)",
    ],
    [
      "a cursor_field with a non-string, named whole",
      { cursor_field: ["updated_at", 5] },
      "streams[0].cursor_field",
      'must be ["updated_at"]',
    ],
    [
      "a string cursor_field even in full_refresh (ignored before the protocol schema)",
      { cursor_field: "updated_at" },
      "streams[0].cursor_field",
      'must be ["updated_at"]',
    ],
  ];
  for (const [name, extra, field, problem] of rows) {
    await t.step(name, () => {
      const error = catalogErrorOf({ streams: [minimal("companies", extra)] });
      assert.ok(error.message.includes(`field "${field}" ${problem}`), error.message);
    });
  }
});

Deno.test("parseCatalog reports errors in catalog order, each entry's checks in order", async (t) => {
  const rows: [string, unknown[], string, RegExp][] = [
    [
      "an unknown stream before an entry that is not an object",
      [minimal("employees"), 42],
      "streams[0].stream.name",
      /unknown stream "employees"/,
    ],
    [
      "a wrong cursor before a bad destination_sync_mode",
      [
        configured("companies", "incremental", { cursor_field: ["created_at"] }),
        minimal("documents", { destination_sync_mode: "sideways" }),
      ],
      "streams[0].cursor_field",
      /\["updated_at"\]/,
    ],
    [
      "an unknown stream before its own bad cursor_field",
      [minimal("companies"), minimal("salaries", { cursor_field: "updated_at" })],
      "streams[1].stream.name",
      /unknown stream "salaries"/,
    ],
    [
      "a repeated stream before its own bad sync_mode",
      [minimal("companies"), minimal("companies", { sync_mode: "sometimes" })],
      "streams[1].stream.name",
      /repeats stream "companies"/,
    ],
    [
      "a bad stream object before a bad sync_mode",
      [{ stream: { name: 7 }, sync_mode: "sometimes" }],
      "streams[0].stream.name",
      /must be a string/,
    ],
  ];
  for (const [name, streams, field, problem] of rows) {
    await t.step(name, () => {
      const error = catalogErrorOf({ streams });
      assert.ok(error.message.includes(`field "${field}"`), error.message);
      assert.match(error.message, problem);
    });
  }
});

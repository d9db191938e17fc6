import assert from "node:assert/strict";
import fc from "fast-check";
import { Config, parseConfig } from "../src/config.ts";
import { ConnectorError } from "../src/errors.ts";
import { parseCatalog } from "../src/sync/catalog.ts";
import { parseState } from "../src/sync/state.ts";
import { referenceMap } from "./streams/reference_mapping.ts";
import { STREAMS } from "../src/streams/mod.ts";

const RUNS = { numRuns: 300, seed: 20261128 };

/** Runs `parse`; a failure must be a config_error with a one-line, period-free message. */
function expectResultOrConfigError(parse: () => unknown): unknown {
  try {
    return parse();
  } catch (error) {
    assert.ok(error instanceof ConnectorError, `not a ConnectorError: ${error}`);
    assert.equal(error.failureType, "config_error");
    assert.ok(!error.message.includes("\n"), "one line");
    assert.ok(!error.message.endsWith("."), "no trailing period");
    return undefined;
  }
}

const scalar = fc.oneof(
  fc.string(),
  fc.integer({ min: -1000, max: 1000 }).map(String),
  fc.integer({ min: -1000, max: 1000 }),
  fc.double(),
  fc.boolean(),
  fc.constantFrom("true", "yes", "NO", "on", "1", "0", " 42 ", "", "null"),
  fc.constant(null),
);

Deno.test("any config object parses to a valid config or a config_error naming a key", () => {
  const keys = Object.keys(Config.shape);
  const config = fc.dictionary(fc.constantFrom(...keys, "extra"), scalar);
  fc.assert(
    fc.property(config, fc.string({ minLength: 4 }), (raw, token) => {
      const input = { api_token: token, ...raw };
      const parsed = expectResultOrConfigError(() => parseConfig(input)) as Config | undefined;
      if (parsed) {
        assert.ok(parsed.max_records_per_page >= 1 && parsed.max_records_per_page <= 250);
        assert.equal(typeof parsed.enable_incremental_sync, "boolean");
      }
    }),
    RUNS,
  );
  fc.assert(
    fc.property(fc.jsonValue(), (raw) => void expectResultOrConfigError(() => parseConfig(raw))),
    RUNS,
  );
});

Deno.test("a config error never contains the token", () => {
  fc.assert(
    fc.property(
      fc.string({ minLength: 8 }).filter((s) => s.trim().length >= 8),
      scalar,
      (token, bad) => {
        try {
          parseConfig({ api_token: token, retry_attempts: bad, max_records_per_page: "x" });
        } catch (error) {
          assert.ok(!(error as Error).message.includes(token.trim()));
        }
      },
    ),
    RUNS,
  );
});

const streamState = fc.oneof(
  fc.record({
    updated_at: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), scalar),
  }),
  fc.jsonValue(),
);

Deno.test("any state parses to per-stream cursors or a config_error", () => {
  const names = fc.constantFrom("companies", "documents", "job_roles", "");
  const message = fc.record({
    type: fc.constantFrom("STREAM", "GLOBAL", "LEGACY", "OTHER"),
    stream: fc.record({ stream_descriptor: fc.record({ name: names }), stream_state: streamState }),
  }, { requiredKeys: [] });
  const state = fc.oneof(fc.array(message), fc.dictionary(names, streamState), fc.jsonValue());
  fc.assert(
    fc.property(state, (raw) => {
      const parsed = expectResultOrConfigError(() => parseState(raw, { source: "s.json" })) as
        | ReturnType<typeof parseState>
        | undefined;
      for (const cursor of parsed?.cursors.values() ?? []) {
        assert.match(cursor, /^\d{4,6}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$|^[+-]\d{6}-/);
      }
    }),
    RUNS,
  );
});

Deno.test("any catalog parses to known streams or a config_error", () => {
  const entry = fc.record({
    stream: fc.record({ name: fc.constantFrom(...STREAMS.map((s) => s.name), "salaries") }),
    sync_mode: fc.constantFrom("full_refresh", "incremental", "sometimes"),
    cursor_field: fc.oneof(fc.constant(["updated_at"]), fc.array(fc.string())),
  }, { requiredKeys: ["stream"] });
  fc.assert(
    fc.property(fc.oneof(fc.record({ streams: fc.array(entry) }), fc.jsonValue()), (raw) => {
      const selected = expectResultOrConfigError(() => parseCatalog(raw)) as
        | ReturnType<typeof parseCatalog>
        | undefined;
      for (const { stream, syncMode } of selected ?? []) {
        assert.ok(STREAMS.includes(stream));
        assert.ok(syncMode === "full_refresh" || stream.incremental);
      }
    }),
    RUNS,
  );
});

Deno.test("every stream's mapping turns any object into a schema-valid record, never a crash", async (t) => {
  const context = { syncedAt: "2026-11-28T12:00:00.000Z", today: "2026-11-28" };
  const value = fc.oneof(
    fc.jsonValue(),
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    fc.constantFrom("2026-01-01", "not a date", "70000"),
  );
  // A pivoted stream's rows are built by its own read (tests/sync/people_custom_fields_read_test.ts).
  for (const stream of STREAMS.filter((s) => !s.pivoted)) {
    await t.step(stream.name, () => {
      const apiFields = [...stream.columns.keys()].map((c) =>
        c.replace(/_([a-z])/g, (_, l: string) => l.toUpperCase())
      );
      const raw = fc.dictionary(
        fc.constantFrom(...apiFields, "id", "file", "department", "extra"),
        value,
      );
      fc.assert(
        fc.property(raw, (object) => {
          const { record, changes } = stream.map(object, context);
          assert.deepEqual(Object.keys(record), [...stream.columns.keys()]);
          for (const { field } of changes) assert.equal(record[field], null, field);
          if (typeof record.id === "string") stream.record.parse(record);
          else assert.equal(record.id, null, "no id means null id: the read loop skips the row");
        }),
        { ...RUNS, numRuns: 200 },
      );
    });
  }
});

Deno.test("every stream's fast mapping equals the reference mapping, row after row", async (t) => {
  const context = { syncedAt: "2026-11-28T12:00:00.000Z", today: "2026-11-28" };
  const value = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    fc.constantFrom("2026-01-01", "not a date", "70000", null),
  );
  for (const stream of STREAMS.filter((s) => !s.pivoted)) {
    await t.step(stream.name, () => {
      const columns = [...stream.columns.keys()];
      const camel = columns.map((c) => c.replace(/_([a-z])/g, (_, l: string) => l.toUpperCase()));
      // Parents of nested columns (`owner` of `owner_name`) hold objects whose keys may collide
      // with a top-level key: which value wins depends on the order of keys, as in flatten().
      const parents = [
        "owner",
        ...columns.filter((c) => c.includes("_")).map((c) => c.split("_")[0]),
      ];
      const children = columns.map((c) => c.slice(c.indexOf("_") + 1));
      const key = fc.constantFrom(...camel, ...columns, "id", "extra", "toString", "__proto__");
      const nested = fc.dictionary(fc.constantFrom(...children, "extra"), value, { maxKeys: 4 });
      const row = fc.dictionary(
        fc.oneof(key, fc.constantFrom(...parents)),
        fc.oneof(value, nested),
        { maxKeys: 12 },
      );
      // Runs of rows: each run repeats one shape with other values, as an API page does.
      const rows = fc.array(fc.tuple(row, fc.array(fc.array(value, { maxLength: 12 })))).map(
        (runs) =>
          runs.flatMap(([first, others]) => [
            first,
            ...others.map((values) =>
              Object.fromEntries(Object.keys(first).map((k, i) => [k, values[i] ?? first[k]]))
            ),
          ]),
      );
      fc.assert(
        fc.property(rows, (objects) => {
          for (const object of objects) {
            const raw = JSON.parse(JSON.stringify(object));
            const reference = referenceMap(stream, raw, context);
            assert.deepEqual(stream.map(raw, context), reference);
            assert.equal(JSON.stringify(stream.map(raw, context)), JSON.stringify(reference));
          }
        }),
        { ...RUNS, numRuns: 60 },
      );
    });
  }
});

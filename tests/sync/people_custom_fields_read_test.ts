import assert from "node:assert/strict";
import { type Row, type Sandbox, startSandbox } from "../../sandbox/mod.ts";
import { addField, renameField, SANDBOX_FIELDS } from "../../sandbox/custom_fields.ts";
import {
  baseColumnName,
  type CustomColumn,
  kindOfType,
  peopleCustomFields,
  planColumns,
  typedValue,
} from "../../src/streams/people_custom_fields.ts";
import {
  newColumns,
  PEOPLE_PER_REQUEST,
  peopleQuery,
  readPeopleCustomFields,
} from "../../src/sync/people_custom_fields_read.ts";
import { customFieldsStream } from "../../src/commands/discover.ts";
import { clientFor } from "../../src/commands/context.ts";
import { parseConfig } from "../../src/config.ts";
import { MessageWriter } from "../../src/protocol/writer.ts";
import { Capture } from "../support/capture.ts";
import { testClock } from "../support/clock.ts";
import {
  type CursorStateValue,
  jsonSchema,
  runConnector,
  type RunResult,
  TempFiles,
} from "../support/connector.ts";

const STREAM = "people_custom_fields";
/** The sandbox's "now"; the syncs run after it. */
const NOW = "2026-11-28T12:00:00.000Z";
const FIRST_SYNC = "2026-11-28T13:00:00.000Z";
const CHANGED_AT = "2026-11-28T14:00:00.000Z";
const SECOND_SYNC = "2026-11-28T15:00:00.000Z";
const THIRD_SYNC = "2026-11-28T16:00:00.000Z";

/** A sandbox of 9 people at {@linkcode NOW}, closed when its scope ends. */
async function sandboxAt(
  options: Parameters<typeof startSandbox>[0] = {},
): Promise<Sandbox & AsyncDisposable> {
  const sandbox = await startSandbox({ people: 9, now: () => new Date(NOW), ...options });
  return Object.assign(sandbox, { [Symbol.asyncDispose]: () => sandbox.close() });
}

async function discoverStream(files: TempFiles, config: string, at = FIRST_SYNC) {
  const result = await runConnector(["discover", "--config", config], { clock: testClock(at) });
  assert.equal(result.code, 0, result.stderr);
  const stream = result.ofType("CATALOG")[0].catalog.streams.find((s) => s.name === STREAM);
  assert.ok(stream, "people_custom_fields is listed");
  const catalog = await files.write("catalog.json", {
    streams: [{ stream, sync_mode: "incremental", destination_sync_mode: "append_dedup" }],
  });
  return { result, stream, catalog };
}

async function read(
  config: string,
  options: { catalog: string; at: string; state?: CursorStateValue; files: TempFiles },
): Promise<RunResult> {
  const args = ["read", "--config", config, "--catalog", options.catalog];
  if (options.state) {
    const state = await options.files.write("state.json", {
      type: "STREAM",
      stream: { stream_descriptor: { name: STREAM }, stream_state: options.state },
    });
    args.push("--state", state);
  }
  const result = await runConnector(args, { clock: testClock(options.at) });
  assert.equal(result.code, 0, result.stderr);
  return result;
}

/** The rows a sandbox's lists make, computed here from its definitions and values. */
function expectedRows(definitions: Row[], values: Row[]): Map<string, Record<string, unknown>> {
  const byId = new Map(definitions.map((d) => [d.id as string, d]));
  const rows = new Map<string, Record<string, unknown>>();
  for (const value of values) {
    const definition = byId.get(value.customFieldId as string)!;
    const row = rows.get(value.personId as string) ?? {};
    const kind = kindOfType(definition.type as string, definition.config);
    row[baseColumnName(definition.name as string)] = typedValue(kind, value.value);
    rows.set(value.personId as string, row);
  }
  return rows;
}

Deno.test("discover lists people_custom_fields with one typed column per custom field", async () => {
  await using sandbox = await sandboxAt();
  await using files = await TempFiles.create();
  const config = await files.write("config.json", {
    api_token: sandbox.token,
    base_url: sandbox.url,
  });
  const { result, stream } = await discoverStream(files, config);
  assert.deepEqual(result.ofType("LOG").filter((l) => l.log.level === "WARN"), []);
  assert.deepEqual(stream.source_defined_primary_key, [["person_id"]]);
  assert.deepEqual(stream.default_cursor_field, ["updated_at"]);
  const properties = jsonSchema(stream.json_schema).properties;
  const custom = Object.keys(properties).filter((name) =>
    String(properties[name].description).startsWith("Custom field")
  );
  assert.equal(custom.length, SANDBOX_FIELDS.length);
  const typeOf: Record<string, unknown> = {
    text: ["string", "null"],
    long_text: ["string", "null"],
    select: ["string", "null"],
    link: ["string", "null"],
    multi_select: ["array", "null"],
    date: ["string", "null"],
    number: ["number", "null"],
    boolean: ["boolean", "null"],
  };
  for (const field of SANDBOX_FIELDS) {
    const property = properties[baseColumnName(field.name)];
    assert.ok(property, field.name);
    assert.deepEqual(property.type, typeOf[field.type], field.name);
    assert.match(
      String(property.description),
      new RegExp(`"${field.name}" \\(id \\w+, section ${field.section}, type ${field.type}\\)`),
    );
  }
  assert.equal(properties.bank_details_verified_on.format, "date");
});

Deno.test("a first sync writes one row per person, equal to the sandbox's values", async () => {
  await using sandbox = await sandboxAt();
  await using files = await TempFiles.create();
  const config = await files.write("config.json", {
    api_token: sandbox.token,
    base_url: sandbox.url,
  });
  const { catalog } = await discoverStream(files, config);
  const result = await read(config, { catalog, at: FIRST_SYNC, files });
  const expected = expectedRows(
    sandbox.snapshot("/custom-fields"),
    sandbox.snapshot("/custom-values"),
  );
  const rows = result.records(STREAM);
  assert.equal(rows.length, expected.size);
  assert.equal(expected.size, 9);
  for (const row of rows) {
    const want = expected.get(row.person_id as string);
    assert.ok(want, `row for an unknown person ${row.person_id}`);
    for (const field of SANDBOX_FIELDS) {
      const column = baseColumnName(field.name);
      assert.deepEqual(row[column], want[column] ?? null, `${row.person_id} ${column}`);
    }
    assert.equal(row.additional_fields, null);
  }
  const state = result.lastState(STREAM);
  assert.equal(state.updated_at, NOW, "the latest value, before the clock-skew ceiling");
  const atNow = sandbox.snapshot("/custom-values").filter((v) => v.updatedAt === NOW);
  assert.deepEqual(state.ids_at_cursor, atNow.map((v) => v.id).sort(), "the values at the cursor");
  assert.equal((state.columns as string[]).length, SANDBOX_FIELDS.length);
});

Deno.test("after a value change, a renamed and an added field: read and discover do as the README says", async (t) => {
  await using files = await TempFiles.create();
  let definitions: Row[];
  let values: Row[];
  let state: CursorStateValue;
  let catalog: string;
  {
    await using sandbox = await sandboxAt();
    const config = await files.write("config.json", {
      api_token: sandbox.token,
      base_url: sandbox.url,
    });
    catalog = (await discoverStream(files, config)).catalog;
    state = (await read(config, { catalog, at: FIRST_SYNC, files })).lastState(STREAM);
    definitions = sandbox.snapshot("/custom-fields");
    values = sandbox.snapshot("/custom-values");
  }
  // In Humaans meanwhile: Cost centre renamed, Badge colour added with two values, one Grade changed.
  const people = [...new Set(values.map((v) => v.personId as string))];
  const costCentre = definitions.findIndex((d) => d.name === "Cost centre");
  const grade = definitions.find((d) => d.name === "Grade")!;
  const changed = values.findIndex((v) => v.customFieldId === grade.id && v.personId === people[3]);
  assert.ok(changed >= 0);
  values = values.map((v, i) => i === changed ? { ...v, value: "L9", updatedAt: CHANGED_AT } : v);
  const after = addField(
    {
      definitions: renameField(definitions, {
        index: costCentre,
        name: "Cost center",
        at: CHANGED_AT,
      }),
      values,
    },
    {
      id: "BadgeColourField00000001",
      name: "Badge colour",
      section: "basics",
      type: "select",
      at: CHANGED_AT,
      values: { [people[1]]: "Red", [people[3]]: "Blue" },
    },
  );
  await using sandbox = await sandboxAt({
    data: { "/custom-fields": after.definitions, "/custom-values": after.values },
  });
  const config = await files.write("config.json", {
    api_token: sandbox.token,
    base_url: sandbox.url,
  });

  let second: RunResult;
  await t.step(
    "read before refreshing the schema: changed people only, the new field aside",
    async () => {
      second = await read(config, { catalog, at: SECOND_SYNC, state, files });
      const rows = second.records(STREAM);
      // Values at the cursor the state lists (ids_at_cursor) are not written again.
      assert.ok(values.some((v) => v.updatedAt === state.updated_at && v.personId !== people[3]));
      assert.deepEqual(rows.map((r) => r.person_id).sort(), [people[1], people[3]].sort());
      const three = rows.find((r) => r.person_id === people[3])!;
      assert.equal(three.grade, "L9");
      assert.equal(three.updated_at, CHANGED_AT);
      assert.deepEqual(three.additional_fields, { badge_colour: "Blue" });
      // The renamed field's values stay in the column the catalog has until the schema is refreshed.
      assert.ok("cost_centre" in three && !("cost_center" in three));
      const warns = second.ofType("LOG").filter((l) => l.log.level === "WARN").map((l) =>
        l.log.message
      );
      assert.ok(
        warns.some((w) => /now named "Cost center".*column "cost_centre"/.test(w)),
        warns.join("\n"),
      );
      assert.ok(
        warns.some((w) =>
          /added since the schema was discovered.*"Badge colour" \(badge_colour\).*Refresh/.test(w)
        ),
      );
      const requests = sandbox.requests.filter((r) => r.path === "/custom-values");
      const batched = requests.filter((r) => decodeURIComponent(r.query).includes("personId[$in]"));
      assert.equal(batched.length, 1, "two people: one request");
    },
  );

  await t.step(
    "discover again: the renamed field is a new column, the added field has one",
    async () => {
      const { stream, catalog: refreshed } = await discoverStream(files, config, THIRD_SYNC);
      const properties = jsonSchema(stream.json_schema).properties;
      assert.ok(properties.cost_center && !properties.cost_centre);
      assert.deepEqual(properties.badge_colour.type, ["string", "null"]);
      // The next read fills the new columns on every row: one full read.
      const third = await read(config, {
        catalog: refreshed,
        at: THIRD_SYNC,
        state: second.lastState(STREAM),
        files,
      });
      const rows = third.records(STREAM);
      assert.equal(rows.length, people.length);
      assert.ok(
        third.ofType("LOG").some((l) =>
          /new columns, or columns now of another field, since the last sync \(cost_center, badge_colour\)/
            .test(l.log.message)
        ),
      );
      assert.equal(rows.find((r) => r.person_id === people[1])!.badge_colour, "Red");
      assert.ok(rows.every((r) => !("cost_centre" in r)));
      assert.ok(rows.some((r) => typeof r.cost_center === "string"));
      assert.ok(rows.every((r) => r.additional_fields === null));
    },
  );
});

Deno.test("a field of a type this connector does not know: an untyped column and one WARN", async () => {
  const base = await sandboxAt();
  const definitions = base.snapshot("/custom-fields");
  const values = base.snapshot("/custom-values");
  const person = values[0].personId as string;
  await base.close();
  const after = addField({ definitions, values }, {
    id: "SignatureField0000000001",
    name: "Signature",
    section: "offboarding",
    type: "e_signature",
    at: NOW,
    values: { [person]: { signedAt: "2026-01-01", by: "HR" } },
  });
  await using sandbox = await sandboxAt({
    data: { "/custom-fields": after.definitions, "/custom-values": after.values },
  });
  await using files = await TempFiles.create();
  const config = await files.write("config.json", {
    api_token: sandbox.token,
    base_url: sandbox.url,
  });
  const { result, stream, catalog } = await discoverStream(files, config);
  const warns = result.ofType("LOG").filter((l) => l.log.level === "WARN");
  assert.equal(warns.length, 1);
  assert.match(
    warns[0].log.message,
    /"Signature" \(SignatureField0000000001\) has type "e_signature"/,
  );
  assert.equal("type" in jsonSchema(stream.json_schema).properties.signature, false);
  const rows = (await read(config, { catalog, at: FIRST_SYNC, files })).records(STREAM);
  assert.deepEqual(rows.find((r) => r.person_id === person)!.signature, {
    signedAt: "2026-01-01",
    by: "HR",
  });
});

Deno.test("a token that cannot read the definitions: the fixed columns and a description why", async () => {
  await using sandbox = await sandboxAt({ denied: { "sandbox-token": ["/custom-fields"] } });
  await using files = await TempFiles.create();
  const config = await files.write("config.json", {
    api_token: sandbox.token,
    base_url: sandbox.url,
  });
  const { stream, catalog } = await discoverStream(files, config);
  const schema = stream.json_schema as { properties: Record<string, unknown>; description: string };
  assert.deepEqual(Object.keys(schema.properties), [
    "person_id",
    "company_id",
    "updated_at",
    "timestamp",
    "_ab_cdc_deleted_at",
    "additional_fields",
  ]);
  assert.match(schema.description, /custom field definitions could not be read \(.*403.*\)/);
  assert.match(schema.description, /public:read or private:read/);
  // read still writes a row per person: every value aside, under its field id.
  const result = await read(config, { catalog, at: FIRST_SYNC, files });
  const rows = result.records(STREAM);
  assert.equal(rows.length, 9);
  const fieldIds = new Set(sandbox.snapshot("/custom-fields").map((d) => d.id));
  for (const row of rows) {
    assert.ok(
      Object.keys(row.additional_fields as Record<string, unknown>).every((k) => fieldIds.has(k)),
    );
  }
  assert.ok(
    result.ofType("LOG").some((l) =>
      l.log.level === "WARN" && /definitions could not be read.*unchecked/.test(l.log.message)
    ),
  );
});

Deno.test("peopleQuery: one $in list of at most 20 people (qs's default arrayLimit)", () => {
  assert.equal(PEOPLE_PER_REQUEST, 20);
  assert.deepEqual(peopleQuery(["a", "b"]), { "personId[$in][0]": "a", "personId[$in][1]": "b" });
});

/**
 * A first sync of 60 people's values (in a sandbox closed after it): its catalog, its last
 * STATE, and the values and definitions the sandbox held.
 */
async function firstSyncOf(files: TempFiles): Promise<{
  state: CursorStateValue;
  catalog: string;
  values: Row[];
  definitions: Row[];
}> {
  await using sandbox = await sandboxAt({ people: 60 });
  const config = await files.write("config.json", {
    api_token: sandbox.token,
    base_url: sandbox.url,
  });
  const { catalog } = await discoverStream(files, config);
  const state = (await read(config, { catalog, at: FIRST_SYNC, files })).lastState(STREAM);
  return {
    state,
    catalog,
    values: sandbox.snapshot("/custom-values"),
    definitions: sandbox.snapshot("/custom-fields"),
  };
}

Deno.test("a sync that fails part-way writes no STATE: the next one resumes without a gap", async () => {
  await using files = await TempFiles.create();
  const first = await firstSyncOf(files);
  const { state, catalog, definitions } = first;
  let { values } = first;
  // One value changed for each of 45 people: three batches of re-reads.
  const changed = new Set<string>();
  values = values.map((v) => {
    const person = v.personId as string;
    if (changed.has(person) || changed.size >= 45 || typeof v.value !== "string") return v;
    changed.add(person);
    return { ...v, value: `${v.value} (new)`, updatedAt: CHANGED_AT };
  });
  await using sandbox = await sandboxAt({
    people: 60,
    data: { "/custom-fields": definitions, "/custom-values": values },
  });
  const config = await files.write("config.json", {
    api_token: sandbox.token,
    base_url: sandbox.url,
    retry_attempts: 0,
    max_records_per_page: 250,
  });
  // The changed values and the first batch are served, then a request fails (no retries).
  sandbox.inject("/custom-values", [
    { pass: true },
    { pass: true },
    { pass: true },
    { status: 500 },
  ]);
  const failed = await runConnector(
    ["read", "--config", config, "--catalog", catalog, "--state", await stateFile(files, state)],
    { clock: testClock(SECOND_SYNC) },
  );
  assert.equal(failed.code, 1);
  assert.deepEqual(failed.statuses(STREAM).at(-1), "INCOMPLETE");
  assert.deepEqual(failed.states(STREAM), [], "no STATE: the cursor stays where it was");
  const partial = failed.records(STREAM).length;
  assert.ok(partial > 0 && partial < changed.size, `${partial} rows before the failure`);

  const resumed = await read(config, { catalog, at: THIRD_SYNC, state, files });
  const written = new Set(resumed.records(STREAM).map((r) => r.person_id as string));
  for (const person of changed) assert.ok(written.has(person), `${person} is written`);
  assert.ok(resumed.lastState(STREAM).updated_at! > state.updated_at!);
});

async function stateFile(files: TempFiles, state: CursorStateValue): Promise<string> {
  return await files.write("state.json", {
    type: "STREAM",
    stream: { stream_descriptor: { name: STREAM }, stream_state: state },
  });
}

Deno.test("an API that ignores or rejects personId[$in]: one read of every value serves the rest", async (t) => {
  await using files = await TempFiles.create();
  const first = await firstSyncOf(files);
  const { state, catalog, definitions } = first;
  let { values } = first;
  const text = new Set(definitions.filter((d) => d.type === "text").map((d) => d.id));
  const changed = new Set<string>();
  values = values.map((v) => {
    const person = v.personId as string;
    if (changed.has(person) || changed.size >= 30 || !text.has(v.customFieldId)) return v;
    changed.add(person);
    return { ...v, value: `${v.value} (new)`, updatedAt: CHANGED_AT };
  });
  const expected = [...changed].sort();
  for (const filters of ["ignore", "reject"] as const) {
    await t.step(filters, async () => {
      await using sandbox = await sandboxAt({
        people: 60,
        filters,
        data: { "/custom-fields": definitions, "/custom-values": values },
      });
      const config = await files.write("config.json", {
        api_token: sandbox.token,
        base_url: sandbox.url,
        max_records_per_page: 250,
      });
      const result = await read(config, { catalog, at: SECOND_SYNC, state, files });
      const rows = result.records(STREAM);
      assert.deepEqual(rows.map((r) => r.person_id).sort(), expected);
      for (const row of rows.filter((r) => changed.has(r.person_id as string))) {
        assert.ok(Object.values(row).some((v) => typeof v === "string" && v.endsWith(" (new)")));
      }
      assert.ok(result.ofType("LOG").some((l) => /personId\[\$in\]/.test(l.log.message)));
      const batched = sandbox.requests.filter((r) =>
        r.path === "/custom-values" && decodeURIComponent(r.query).includes("personId[$in]")
      );
      // One batch asked for (its pages), never the next: the rest came from that one list.
      const batches = new Set(
        batched.map((r) => new URLSearchParams(r.query).get("personId[$in][0]")),
      );
      assert.equal(batches.size, 1);
    });
  }
});

Deno.test("discover: no /custom-fields (404) lists the fixed columns; a 5xx fails discover", async () => {
  await using absent = await sandboxAt({ absent: ["/custom-fields"] });
  await using files = await TempFiles.create();
  let config = await files.write("config.json", { api_token: absent.token, base_url: absent.url });
  const { stream } = await discoverStream(files, config);
  const schema = stream.json_schema as { properties: Record<string, unknown>; description: string };
  assert.equal(Object.keys(schema.properties).length, 6);
  assert.match(schema.description, /could not be read \(.*404.*\)/);

  await using failing = await sandboxAt();
  failing.inject("/custom-fields", [{ status: 503 }, { status: 503 }, { status: 503 }]);
  config = await files.write("config.json", {
    api_token: failing.token,
    base_url: failing.url,
    retry_attempts: 1,
  });
  const result = await runConnector(["discover", "--config", config], { clock: testClock(NOW) });
  assert.equal(result.code, 1);
  assert.deepEqual(result.ofType("CATALOG"), []);
  assert.match(result.traces("ERROR")[0].error.message, /custom-fields.*503/);
});

Deno.test("the protect hooks see every column's section: a transform drops the health ones", async () => {
  await using sandbox = await sandboxAt();
  const config = parseConfig({ api_token: sandbox.token, base_url: sandbox.url });
  const stdout = new Capture();
  const writer = new MessageWriter(stdout, { stderr: new Capture() });
  const context = { writer, clock: testClock(FIRST_SYNC), files: {} };
  const health = (columns: readonly CustomColumn[]) =>
    new Set(columns.filter((c) => c.section === "health").map((c) => c.name));
  const discovered = await customFieldsStream(peopleCustomFields, {
    config,
    context,
    protect: (schema, columns) => {
      const drop = health(columns);
      const properties = (schema as { properties: Record<string, unknown> }).properties;
      return {
        ...schema,
        properties: Object.fromEntries(Object.entries(properties).filter(([n]) => !drop.has(n))),
      };
    },
  });
  const properties = jsonSchema(discovered.json_schema).properties;
  assert.ok(properties.cost_centre && !properties.dietary_needs && !properties.allergies);

  const result = await readPeopleCustomFields(peopleCustomFields, {
    client: clientFor(config, context),
    writer,
    config,
    syncMode: "full_refresh",
    syncStartedAt: Date.parse(FIRST_SYNC),
    protect: {
      rows: (columns) => {
        const drop = health(columns);
        assert.deepEqual([...drop].sort(), ["allergies", "dietary_needs", "health_insurance_id"]);
        return (record) => Object.fromEntries(Object.entries(record).filter(([n]) => !drop.has(n)));
      },
      warnings: () => [],
      protects: () => false,
    },
  });
  await writer.flush();
  assert.equal(result.status, "COMPLETE");
  const rows = stdout.text().split("\n").filter((l) => l.startsWith('{"type":"RECORD"'))
    .map((l) => JSON.parse(l).record.data);
  assert.equal(rows.length, 9);
  assert.ok(rows.every((r) => !("dietary_needs" in r) && "cost_centre" in r));
});

/** Rows by person, each as its JSON text (the bytes a destination gets). */
function rowsByPerson(result: RunResult): Map<string, string> {
  return new Map(result.records(STREAM).map((r) => [r.person_id as string, JSON.stringify(r)]));
}

/** The LOG lines of a run that speak of `$sort[personId]`, as `LEVEL: message`. */
function sortLogs(result: RunResult): string[] {
  return result.ofType("LOG").filter((l) => l.log.message.includes("$sort[personId]"))
    .map((l) => `${l.log.level}: ${l.log.message}`);
}

Deno.test("a full read goes by person: the rows of the read that holds every value, byte for byte", async (t) => {
  await using files = await TempFiles.create();
  const runs = new Map<string, RunResult>();
  let catalog: string | undefined;
  let expected: Map<string, Record<string, unknown>> | undefined;
  const modes = {
    "sorted by person": {},
    "the sort ignored (INFO, every value held)": { sortIgnored: true },
    "the sort rejected with a 400 (WARN, every value held)": { filters: "reject" },
  } as const;
  for (const [name, options] of Object.entries(modes)) {
    await t.step(name, async () => {
      await using sandbox = await sandboxAt({ people: 60, ...options });
      const config = await files.write("config.json", {
        api_token: sandbox.token,
        base_url: sandbox.url,
        max_records_per_page: 50,
      });
      catalog ??= (await discoverStream(files, config)).catalog;
      expected ??= expectedRows(
        sandbox.snapshot("/custom-fields"),
        sandbox.snapshot("/custom-values"),
      );
      const result = await read(config, { catalog, at: FIRST_SYNC, files });
      runs.set(name, result);
      const rows = result.records(STREAM);
      assert.equal(rows.length, 60);
      assert.equal(new Set(rows.map((r) => r.person_id)).size, 60, "each person once");
      for (const row of rows) {
        const want: Record<string, unknown> = expected.get(row.person_id as string)!;
        for (const field of SANDBOX_FIELDS) {
          const column = baseColumnName(field.name);
          assert.deepEqual(row[column], want[column] ?? null, `${row.person_id} ${column}`);
        }
      }
      const logs = sortLogs(result);
      if (name === "sorted by person") {
        assert.deepEqual(logs, []);
        const values = sandbox.requests.filter((r) => r.path === "/custom-values");
        assert.ok(values.every((r) => decodeURIComponent(r.query).includes("$sort[personId]=1")));
      } else if ("sortIgnored" in options) {
        assert.equal(logs.length, 1);
        assert.match(
          logs[0],
          /^INFO: .*does not sort \/custom-values by \$sort\[personId\] \(value \w+ of person \w+ came after person \w+\); reading every value/,
        );
      } else {
        assert.equal(logs.length, 1);
        assert.match(
          logs[0],
          /^WARN: .*rejected \/custom-values by \$sort\[personId\] \(.*\); reading every value/,
        );
      }
    });
  }
  await t.step("the same rows and STATE every way", () => {
    const [streamed, ...held] = [...runs.values()];
    for (const other of held) {
      assert.deepEqual(rowsByPerson(other), rowsByPerson(streamed));
      assert.deepEqual(other.lastState(STREAM), streamed.lastState(STREAM));
    }
  });
});

Deno.test("values sorted on the first pages, then not: the read fails loud, with no STATE and no partial person", async () => {
  await using files = await TempFiles.create();
  let values: Row[];
  let definitions: Row[];
  {
    await using sandbox = await sandboxAt({ people: 30 });
    values = sandbox.snapshot("/custom-values");
    definitions = sandbox.snapshot("/custom-fields");
  }
  // In person order but for one value of the first person, served last: the sort is not kept.
  values.sort((a, b) =>
    (a.personId as string) < (b.personId as string) ? -1 : a.personId === b.personId ? 0 : 1
  );
  const first = values.shift()!;
  values.push(first);
  await using sandbox = await sandboxAt({
    people: 30,
    filters: "ignore",
    data: { "/custom-fields": definitions, "/custom-values": values },
  });
  const config = await files.write("config.json", {
    api_token: sandbox.token,
    base_url: sandbox.url,
    max_records_per_page: 50,
  });
  const { catalog } = await discoverStream(files, config);
  const args = ["read", "--config", config, "--catalog", catalog];
  const result = await runConnector(args, { clock: testClock(FIRST_SYNC) });
  assert.notEqual(result.code, 0);
  const error = result.traces("ERROR")[0].error;
  assert.equal(error.failure_type, "system_error");
  assert.match(
    error.message,
    /stopped sorting \/custom-values by \$sort\[personId\] after \d+ rows/,
  );
  assert.deepEqual(result.ofType("STATE"), []);
  const rows = result.records(STREAM);
  assert.ok(rows.length > 0 && rows.length < 30, `${rows.length} rows`);
  // The rows written are of the people before the last page, each whole but the first's.
  const expected = expectedRows(definitions, values);
  for (const row of rows.filter((r) => r.person_id !== first.personId)) {
    const want = expected.get(row.person_id as string)!;
    for (const field of SANDBOX_FIELDS) {
      const column = baseColumnName(field.name);
      assert.deepEqual(row[column], want[column] ?? null, `${row.person_id} ${column}`);
    }
  }
  assert.equal(new Set(rows.map((r) => r.person_id)).size, rows.length);
});

Deno.test("a full read by person while values are updated, inserted and deleted: every person's row whole", async (t) => {
  for (const seed of [1, 2, 3]) {
    await t.step(`seed ${seed}`, async () => {
      await using files = await TempFiles.create();
      await using sandbox = await sandboxAt({ people: 60, seed });
      const config = await files.write("config.json", {
        api_token: sandbox.token,
        base_url: sandbox.url,
        max_records_per_page: 40,
      });
      const { catalog } = await discoverStream(files, config);
      const definitions = sandbox.snapshot("/custom-fields");
      // After each list request, of its path: the definitions, read once first, stay as they are.
      sandbox.setChurn({ updates: 3, inserts: 1, deletes: 2 });
      const before = sandbox.snapshot("/custom-values");
      const result = await read(config, { catalog, at: FIRST_SYNC, files });
      const after = sandbox.snapshot("/custom-values");
      assert.deepEqual(sortLogs(result), []);
      const rows = rowsByPerson(result);
      assert.equal(rows.size, result.records(STREAM).length, "each person once");
      // A value there from start to end, the only one of its person and field, is in the row.
      const afterIds = new Set(after.map((v) => v.id));
      const ofKey = new Map<string, Set<unknown>>();
      for (const v of [...before, ...after]) {
        const key = `${v.personId} ${v.customFieldId}`;
        ofKey.set(key, (ofKey.get(key) ?? new Set()).add(v.id));
      }
      const stayed = before.filter((v) =>
        afterIds.has(v.id) && ofKey.get(`${v.personId} ${v.customFieldId}`)!.size === 1
      );
      assert.ok(stayed.length > 600, `${stayed.length} values stayed`);
      const expected = expectedRows(definitions, stayed);
      for (const [person, want] of expected) {
        const row = JSON.parse(rows.get(person) ?? "null");
        assert.ok(row, `a row for ${person}`);
        for (const [column, value] of Object.entries(want)) {
          assert.deepEqual(row[column], value, `${person} ${column}`);
        }
      }
      const shifted = sandbox.requests.filter((r) => r.path === "/custom-values").length;
      assert.ok(shifted > Math.ceil(before.length / 39), "rows shifted: pages were read again");
    });
  }
});

Deno.test("a full read's rows carry the company of the person's values, as incremental rows do", async () => {
  await using generated = await sandboxAt();
  const values = generated.snapshot("/custom-values").map((v) => ({ ...v, companyId: "Co1" }));
  await using sandbox = await sandboxAt({
    data: { "/custom-values": values, "/custom-fields": generated.snapshot("/custom-fields") },
  });
  await using files = await TempFiles.create();
  const config = await files.write("config.json", {
    api_token: sandbox.token,
    base_url: sandbox.url,
  });
  const { catalog } = await discoverStream(files, config);
  const rows = (await read(config, { catalog, at: FIRST_SYNC, files })).records(STREAM);
  assert.ok(rows.length > 0);
  assert.deepEqual([...new Set(rows.map((row) => row.company_id))], ["Co1"]);
});

Deno.test("newColumns: a column that is new, or now of another field, by the state's field ids", () => {
  const definitions = [
    { id: "fA", name: "Beta", section: "basics", type: "text", createdAt: "2024-01-01T00:00:00Z" },
    { id: "fB", name: "Alpha", section: "basics", type: "text", createdAt: "2024-01-02T00:00:00Z" },
    { id: "fC", name: "Team", section: "basics", type: "text", createdAt: "2024-01-03T00:00:00Z" },
  ];
  const plan = planColumns(definitions, {});
  // The last sync wrote alpha from fA and beta from fB (the two fields swapped names since),
  // team from fC.
  const state = {
    columns: ["alpha", "beta", "team"],
    column_fields: { alpha: "fA", beta: "fB", team: "fC" },
  };
  assert.deepEqual(newColumns(plan, state).sort(), ["alpha", "beta"]);
  // A state from before the field ids: by name alone.
  assert.deepEqual(newColumns(plan, { columns: ["alpha", "beta"] }), ["team"]);
  assert.deepEqual(newColumns(plan, {}), []);
});

Deno.test("a state whose columns are not a list: every person's row written once, with a WARN", async () => {
  await using files = await TempFiles.create();
  await using sandbox = await sandboxAt();
  const config = await files.write("config.json", {
    api_token: sandbox.token,
    base_url: sandbox.url,
  });
  const { catalog } = await discoverStream(files, config);
  const first = await read(config, { catalog, at: FIRST_SYNC, files });
  const people = new Set(first.records(STREAM).map((r) => r.person_id));
  // Nothing changed since: a good state writes no row; a state that lost its columns, every one.
  const state = first.lastState(STREAM);
  assert.equal(
    (await read(config, { catalog, at: SECOND_SYNC, state, files })).records().length,
    0,
  );
  const broken = { ...state, columns: "garbage" } as CursorStateValue;
  const second = await read(config, { catalog, at: SECOND_SYNC, state: broken, files });
  assert.equal(second.records(STREAM).length, people.size);
  assert.ok(
    second.ofType("LOG").some((l) =>
      l.log.level === "WARN" && /"columns" is not a list of columns/.test(l.log.message)
    ),
  );
});

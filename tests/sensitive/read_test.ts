import assert from "node:assert/strict";
import { mapRecord } from "../support/mapped.ts";
import { createHmac } from "node:crypto";
import { type Sandbox, sandboxRows, startSandbox } from "../../sandbox/mod.ts";
import { classOfSection } from "../../src/sensitive/classes.ts";
import { parseConfig } from "../../src/config.ts";
import { MessageWriter } from "../../src/protocol/writer.ts";
import { valueText } from "../../src/sensitive/transform.ts";
import { sensitiveReading } from "../../src/sensitive/read.ts";
import { CUSTOM_VALUES } from "../../src/sensitive/stream.ts";
import { columnClasses } from "../../src/streams/fields.ts";
import { STREAMS } from "../../src/streams/mod.ts";
import { Capture } from "../support/capture.ts";
import { testClock } from "../support/clock.ts";
import {
  catalogOf,
  runConnector,
  type RunResult,
  stateFileOf,
  TempFiles,
} from "../support/connector.ts";

const NOW = "2026-11-28T12:00:00.000Z";
const now = () => new Date(Date.parse(NOW) - 5 * 60_000);
const PEOPLE = 12;
const KEY = "sandbox-hash-key-0123456789";
const hmac = (text: string) => createHmac("sha256", KEY).update(text).digest("hex");
const CONTEXT = { syncedAt: NOW, today: NOW.slice(0, 10) };

/** One sensitive value the sandbox serves: where, and its text in clear. */
interface Raw {
  stream: string;
  id: string;
  column: string;
  cls: string;
  text: string;
}

/** The leaf texts of a value, looking into JSON text. */
function leaves(value: unknown, out: Set<string>): void {
  if (value === null || value === undefined) return;
  if (typeof value === "string") {
    out.add(value);
    if (/^[[{]/.test(value)) {
      try {
        leaves(JSON.parse(value), out);
      } catch { /* text */ }
    }
  } else if (typeof value === "object") {
    for (const item of Object.values(value)) leaves(item, out);
  } else {
    out.add(String(value));
  }
}

/**
 * Every sensitive value of the sandbox's data (each declared sensitive column of each row, and
 * each custom value, whose sandbox fields are all of sections this connector does not
 * recognise: personal), and every text of the columns that are not sensitive.
 */
function sandboxValues(): { raw: Raw[]; clear: Set<string> } {
  const raw: Raw[] = [];
  const clear = new Set<string>();
  const sections = new Map(
    [...sandboxRows("/custom-fields", { people: PEOPLE, now })].map((f) => [f.id, f.section]),
  );
  for (const stream of STREAMS) {
    for (const row of sandboxRows(stream.path, { people: PEOPLE, now })) {
      const classes = columnClasses(stream.record);
      const section = classOfSection(sections.get(row[CUSTOM_VALUES.field] as string));
      if (stream.name === CUSTOM_VALUES.stream && section) {
        for (const column of CUSTOM_VALUES.columns) classes.set(column, section);
      }
      const record = mapRecord(stream, row, CONTEXT);
      for (const [column, value] of Object.entries(record)) {
        if (!classes.has(column)) leaves(value, clear);
        else if (value !== null) {
          raw.push({
            stream: stream.name,
            id: record.id as string,
            column,
            cls: classes.get(column)!,
            text: valueText(value),
          });
        }
      }
    }
  }
  return { raw, clear };
}

/** The forms in which a value's text would show in output, by how sure a find would be. */
function formsOf(text: string, clear: Set<string>): string[] {
  const quoted = JSON.stringify(text);
  const forms = [quoted, JSON.stringify(quoted).slice(1, -1)];
  if (/^-?\d+(\.\d+)?$/.test(text)) forms.push(`:${text},`, `:${text}}`);
  // Bare, where it cannot be part of a value that is not sensitive.
  if (text.length >= 8 && ![...clear].some((other) => other.includes(text))) {
    forms.push(text, JSON.stringify(text).slice(1, -1));
  }
  return forms;
}

async function runAll(
  sandbox: Sandbox,
  config: Record<string, unknown>,
  options: { catalog?: unknown } = {},
): Promise<Record<string, RunResult>> {
  await using files = await TempFiles.create();
  const configPath = await files.write("config.json", {
    api_token: sandbox.token,
    base_url: sandbox.url,
    ...config,
  });
  const catalog = await files.write(
    "catalog.json",
    options.catalog ?? catalogOf(STREAMS.map((s) => s.name), "full_refresh"),
  );
  const results: Record<string, RunResult> = {};
  const commands: [string, string[]][] = [
    ["spec", ["spec"]],
    ["check", ["check", "--config", configPath]],
    ["discover", ["discover", "--config", configPath]],
    ["read", ["read", "--config", configPath, "--catalog", catalog]],
  ];
  for (const [name, args] of commands) {
    results[name] = await runConnector(args, {
      clock: testClock(NOW),
      secrets: [sandbox.token, KEY],
    });
  }
  return results;
}

function properties(result: RunResult, stream: string): Record<string, { description?: string }> {
  const found = result.ofType("CATALOG")[0].catalog.streams.find((s) => s.name === stream)!;
  return (found.json_schema as { properties: Record<string, { description?: string }> })
    .properties;
}

/** A configured catalog of `stream` alone, full_refresh, with the schema `discovered` gave. */
function catalogFrom(discovered: RunResult, stream: string): Record<string, unknown> {
  const found = discovered.ofType("CATALOG")[0].catalog.streams.find((s) => s.name === stream)!;
  const catalog = catalogOf([stream], "full_refresh") as {
    streams: { stream: Record<string, unknown> }[];
  };
  catalog.streams[0].stream.json_schema = found.json_schema;
  return catalog;
}

async function withSandbox(test: (sandbox: Sandbox) => Promise<void>): Promise<void> {
  const sandbox = await startSandbox({ people: PEOPLE, now });
  try {
    await test(sandbox);
  } finally {
    await sandbox.close();
  }
}

Deno.test("hash: no sensitive value of the sandbox shows anywhere, and each is its HMAC", async () => {
  await withSandbox(async (sandbox) => {
    const results = await runAll(sandbox, { sensitive_data: "hash", hash_key: KEY });
    assert.equal(results.read.code, 0, results.read.stderr);
    const { raw, clear } = sandboxValues();
    const searched = raw.filter((value) => !clear.has(value.text));
    // A value that also fills a column that is not sensitive (a country code, a city) shows there.
    assert.ok(searched.length > raw.length / 2, `${searched.length} of ${raw.length} searched`);
    for (const stream of ["bank_accounts", "people", "identity_documents", "emergency_contacts"]) {
      assert.ok(searched.some((v) => v.stream === stream), `values of ${stream} searched`);
    }
    for (const [command, result] of Object.entries(results)) {
      const output = (result.stdout + result.stderr).replace(/"emitted_at":\d+/g, "");
      for (const value of searched) {
        for (const form of formsOf(value.text, clear)) {
          assert.ok(
            !output.includes(form),
            `${command} shows ${value.stream}.${value.column} of ${value.id} in clear`,
          );
        }
      }
    }
    const records = new Map(
      results.read.ofType("RECORD").map((m) => [`${m.record.stream}/${m.record.data.id}`, m]),
    );
    for (const value of raw) {
      const record = records.get(`${value.stream}/${value.id}`)!.record.data;
      assert.equal(record[value.column], hmac(value.text), `${value.stream}.${value.column}`);
    }
    assert.match(
      results.check.ofType("CONNECTION_STATUS")[0].connectionStatus.message!,
      /Sensitive data hashed \(HMAC-SHA-256 under hash_key\): bank, government_id, compensation, personal, health\.$/,
    );
    assert.match(
      properties(results.discover, "bank_accounts").account_number.description!,
      /^Hashed/,
    );
    // A stream built at run time from custom fields: each column its discover says is hashed.
    const custom = properties(results.discover, "people_custom_fields");
    const hashed = Object.keys(custom).filter((c) => /^Hashed/.test(custom[c].description ?? ""));
    assert.ok(hashed.length > 0, "people_custom_fields hashes the columns of sensitive sections");
    for (const record of results.read.records("people_custom_fields")) {
      for (const column of hashed) {
        assert.match(String(record[column] ?? "0".repeat(64)), /^[0-9a-f]{64}$/, column);
      }
    }
    const logs = results.read.ofType("LOG").map((m) => m.log.message);
    assert.ok(
      logs.some((line) =>
        /^Stream "people": API fields with no column left out.*: isWorkingRemotely$/.test(line)
      ),
    );
  });
});

Deno.test("drop: the columns are absent from discover and from every record", async () => {
  await withSandbox(async (sandbox) => {
    const results = await runAll(sandbox, {
      sensitive_data: "drop",
      sensitive_classes: "bank, personal",
    });
    assert.equal(results.read.code, 0, results.read.stderr);
    assert.match(
      results.check.ofType("CONNECTION_STATUS")[0].connectionStatus.message!,
      /Sensitive data dropped: bank, personal\.$/,
    );
    for (const stream of STREAMS) {
      const classes = columnClasses(stream.record);
      const schema = properties(results.discover, stream.name);
      const records = results.read.records(stream.name);
      for (const [column, cls] of classes) {
        const kept = cls !== "bank" && cls !== "personal";
        assert.equal(column in schema, kept, `${stream.name}.${column} in discover`);
        for (const record of records) assert.equal(column in record, kept, column);
      }
    }
    assert.ok(results.read.records("people").every((r) => "tax_id" in r), "government_id kept");
    assert.match(
      properties(results.discover, "people").tax_id.description!,
      /^Sensitive data, class government_id: kept/,
    );
    const dropped = new Set(
      sandboxValues().raw.filter((v) =>
        v.stream === CUSTOM_VALUES.stream && (v.cls === "bank" || v.cls === "personal")
      ).map((v) => v.id),
    );
    const values = results.read.records("custom_values");
    assert.ok(dropped.size > 0, "the sandbox has custom values of sections not recognised");
    for (const record of values) {
      if (dropped.has(record.id as string)) assert.equal(record.value, null);
    }
  });
});

Deno.test("drop, with the catalog discover gave: people_custom_fields keeps no protected value in additional_fields", async () => {
  await withSandbox(async (sandbox) => {
    // Discover with `drop` (every class) leaves the custom columns of sensitive sections out, so
    // the read meets their fields as fields the catalog has no column for, whose values
    // additional_fields keeps when they are not protected: here none is.
    const config = { sensitive_data: "drop" };
    const discovered = await runAll(sandbox, config);
    const catalog = catalogFrom(discovered.discover, "people_custom_fields");
    const results = await runAll(sandbox, config, { catalog });
    assert.equal(results.read.code, 0, results.read.stderr);
    const records = results.read.records("people_custom_fields");
    assert.ok(records.length > 0);
    const columns = Object.keys(properties(discovered.discover, "people_custom_fields"));
    for (const record of records) {
      assert.equal(record.additional_fields, null, record.id as string);
      assert.deepEqual(Object.keys(record).filter((c) => !columns.includes(c)), []);
    }
    // Fields discover left out are not "added since": no WARN tells to refresh the schema.
    assert.doesNotMatch(results.read.stdout, /added since the schema was discovered/);
  });
});

Deno.test("keep: the output is the same as without the settings", async () => {
  await withSandbox(async (sandbox) => {
    // One stream at a time, so that two runs write their lines in the same order.
    const before = await runAll(sandbox, { concurrency: 1 });
    const keep = await runAll(sandbox, {
      concurrency: 1,
      sensitive_data: "keep",
      sensitive_classes: ["bank"],
      hash_key: KEY,
    });
    for (const command of ["check", "discover", "read"]) {
      assert.equal(keep[command].stdout, before[command].stdout, command);
      assert.equal(keep[command].stderr, before[command].stderr, command);
    }
    assert.ok(!before.discover.stdout.includes("Sensitive data"), "discover as it was");
    const bank = before.read.records("bank_accounts");
    assert.ok(bank.length > 0 && bank.every((r) => /^\d{8}$/.test(r.account_number as string)));
  });
});

Deno.test("a stale catalog: a selected column now dropped is null, with one WARN", async () => {
  await withSandbox(async (sandbox) => {
    const keep = await runAll(sandbox, {});
    const catalog = catalogFrom(keep.discover, "people");
    const results = await runAll(sandbox, { sensitive_data: "drop" }, { catalog });
    const records = results.read.records("people");
    assert.ok(records.length > 0);
    for (const record of records) {
      assert.equal(record.birthday, null);
      assert.equal(record.nationality, null);
      assert.ok("birthday" in record);
    }
    const warns = results.read.ofType("LOG").filter((m) =>
      m.log.level === "WARN" && /sensitive_data drops/.test(m.log.message)
    );
    assert.equal(warns.length, 1);
    assert.match(warns[0].log.message, /^Stream "people": the catalog selects personal_email, /);
  });
});

Deno.test("a stale catalog of people_custom_fields: hashed columns it types otherwise get the WARN", async () => {
  await withSandbox(async (sandbox) => {
    const keep = await runAll(sandbox, {});
    const catalog = catalogFrom(keep.discover, "people_custom_fields");
    const results = await runAll(sandbox, { sensitive_data: "hash", hash_key: KEY }, { catalog });
    assert.equal(results.read.code, 0, results.read.stderr);
    const warns = results.read.ofType("LOG").filter((m) =>
      m.log.level === "WARN" && /before sensitive_data hashed them/.test(m.log.message)
    );
    assert.equal(warns.length, 1);
    assert.match(warns[0].log.message, /^Stream "people_custom_fields": the catalog types \w/);
  });
});

Deno.test("hash without hash_key: a config error that names hash_key and says why", async () => {
  await withSandbox(async (sandbox) => {
    const results = await runAll(sandbox, { sensitive_data: "hash" });
    const message = results.check.ofType("CONNECTION_STATUS")[0].connectionStatus.message!;
    assert.match(message, /"hash_key"/);
    assert.match(message, /unkeyed hash/);
    assert.notEqual(results.read.code, 0);
    assert.match(results.read.stdout, /hash_key/);
    assert.equal(results.read.records().length, 0);
  });
});

Deno.test("drop with detect_deletes: a delete record has no dropped column either", async () => {
  await withSandbox(async (sandbox) => {
    await using files = await TempFiles.create();
    const args = await files.readArgs(sandbox, {
      streams: ["bank_accounts"],
      config: { detect_deletes: true, sensitive_data: "drop", sensitive_classes: ["bank"] },
    });
    const run = async (at: string, state?: unknown) => {
      const extra = state === undefined ? [] : ["--state", await files.write("state.json", state)];
      const result = await runConnector([...args, ...extra], {
        clock: testClock(at),
        secrets: [sandbox.token],
      });
      assert.equal(result.code, 0, result.stderr);
      return result;
    };
    const first = await run(NOW);
    sandbox.change("/bank-accounts", { deletes: 2 });
    const second = await run("2026-11-28T13:00:00.000Z", stateFileOf(first));
    const deleted = second.records("bank_accounts").filter((r) => r._ab_cdc_deleted_at !== null);
    assert.equal(deleted.length, 2);
    for (const record of [...first.records("bank_accounts"), ...deleted]) {
      for (const column of ["account_number", "sort_code", "name_on_account"]) {
        assert.ok(!(column in record), column);
      }
      assert.ok("bank_name" in record);
    }
  });
});

Deno.test("custom_values when /custom-fields cannot be read: every value protected, one WARN", async () => {
  await withSandbox(async (sandbox) => {
    await using files = await TempFiles.create();
    const args = await files.readArgs(sandbox, {
      streams: ["custom_values"],
      syncMode: "full_refresh",
      config: {
        sensitive_data: "hash",
        sensitive_classes: ["bank"],
        hash_key: KEY,
        retry_attempts: 0,
      },
    });
    const forbidden: typeof fetch = (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.pathname.endsWith("/custom-fields")) {
        return Promise.resolve(new Response('{"message":"Forbidden"}', { status: 403 }));
      }
      return fetch(input, init);
    };
    const result = await runConnector(args, {
      clock: testClock(NOW),
      fetch: forbidden,
      secrets: [sandbox.token, KEY],
    });
    assert.equal(result.code, 0, result.stderr);
    const served = [...sandboxRows("/custom-values", { people: PEOPLE, now })];
    const records = result.records("custom_values");
    assert.equal(records.length, served.length);
    for (const record of records) {
      const raw = served.find((row) => row.id === record.id)!;
      // A list goes to value_list (value is then null); either is hashed.
      const column = Array.isArray(raw.value) ? "value_list" : "value";
      assert.equal(record[column], hmac(valueText(raw.value)), column);
    }
    const warns = result.ofType("LOG").filter((m) => m.log.level === "WARN");
    assert.equal(warns.length, 1);
    assert.match(warns[0].log.message, /could not read \/custom-fields.*every value is treated/);
  });
});

Deno.test("sensitiveReading: keep leaves the streams be; drop wraps them and serves section transforms", async () => {
  const stdout = new Capture();
  const writer = new MessageWriter(stdout, { now: () => 0 });
  const noClient = () => assert.fail("no list is read without custom_values") as never;
  const people = STREAMS.find((s) => s.name === "people")!;
  const jobRoles = STREAMS.find((s) => s.name === "job_roles")!;
  const selected = [
    { stream: people, syncMode: "full_refresh" as const },
    { stream: jobRoles, syncMode: "full_refresh" as const },
  ];
  const base = { api_token: "test-token-0123456789" };
  const keep = await sensitiveReading(selected, {
    config: parseConfig(base),
    client: noClient,
    writer,
  });
  assert.equal(keep.selected, selected);
  assert.equal(keep.sectionsOf(selected[0]), undefined);
  const drop = await sensitiveReading(selected, {
    config: parseConfig({ ...base, sensitive_data: "drop", sensitive_classes: ["health"] }),
    client: noClient,
    writer,
  });
  assert.notEqual(drop.selected[0].stream, people, "people holds a health column: wrapped");
  assert.equal(drop.selected[1].stream, jobRoles, "job_roles holds none: as it is");
  const custom = { name: "allergy", section: "Profile > Health" };
  const stale = { ...selected[0], jsonSchema: { properties: { id: {}, allergy: {} } } };
  const rows = drop.sectionsOf(stale)!.rows([custom]);
  assert.deepEqual(rows({ id: "p1", allergy: "peanuts" }), { id: "p1", allergy: null });
  assert.deepEqual(drop.sectionsOf(selected[0])!.rows([custom])({ id: "p1", allergy: "x" }), {
    id: "p1",
  });
  assert.deepEqual(drop.reports(), []);
});

import assert from "node:assert/strict";
import { type Row, sandboxRows, startSandbox } from "../sandbox/mod.ts";
import { catalogOf, runConnector, type RunResult, TempFiles } from "./support/connector.ts";
import { testClock } from "./support/clock.ts";

const NOW = "2026-11-28T12:00:00.000Z";
const now = () => new Date(Date.parse(NOW) - 5 * 60_000);

async function readWith(
  sandboxOptions: Parameters<typeof startSandbox>[0],
  streams: string[],
  syncMode: "incremental" | "full_refresh" = "full_refresh",
): Promise<RunResult> {
  const sandbox = await startSandbox({ people: 12, now, ...sandboxOptions });
  await using files = await TempFiles.create();
  try {
    const config = await files.write("config.json", {
      api_token: sandbox.token,
      base_url: sandbox.url,
      max_records_per_page: 10,
      retry_attempts: 0,
    });
    const catalog = await files.write("catalog.json", catalogOf(streams, syncMode));
    return await runConnector(["read", "--config", config, "--catalog", catalog], {
      clock: testClock(NOW),
      secrets: [sandbox.token],
    });
  } finally {
    await sandbox.close();
  }
}

function logs(result: RunResult): string[] {
  return result.ofType("LOG").map((m) => m.log.message as string);
}

Deno.test("read: an API field the schema lacks arrives in additional_fields, counted in the last line", async () => {
  const result = await readWith({}, ["people", "companies"]);
  assert.equal(result.code, 0);
  const people = result.records("people");
  const served = [...sandboxRows("/people", { people: 12, now })];
  assert.equal(people.length, served.length);
  for (const record of people) {
    const raw = served.find((row) => row.id === record.id)!;
    // The sandbox sends `isWorkingRemotely`, a field no source shows the real API has.
    assert.deepEqual(record.additional_fields, { isWorkingRemotely: raw.isWorkingRemotely });
    assert.equal(record.pronouns, raw.pronouns);
    assert.equal(record.space_id, raw.spaceId);
  }
  for (const record of result.records("companies")) assert.equal(record.additional_fields, null);
  const last = logs(result).at(-1)!;
  assert.match(
    last,
    /^Sync finished: people 12 records\/\d+ pages \(server count 12; 1 field kept in additional_fields\), companies 1 records\/\d+ pages \(server count 1\)$/,
  );
  assert.ok(
    logs(result).includes(
      'Stream "people": API fields with no column, kept in additional_fields: isWorkingRemotely',
    ),
  );
  assert.ok(!logs(result).some((line) => line.includes("dropped")), "no per-row field log");
});

Deno.test("read: a stream that answers 403 or 404 ends INCOMPLETE, the others finish, exit 1", async () => {
  const result = await readWith(
    {
      denied: { "sandbox-token": ["/compensations"] },
      absent: ["/spaces"],
    },
    ["companies", "compensations", "spaces", "equipment_types"],
  );
  assert.equal(result.code, 1);
  assert.deepEqual(result.statuses("companies").at(-1), "COMPLETE");
  assert.deepEqual(result.statuses("equipment_types").at(-1), "COMPLETE");
  assert.equal(result.records("equipment_types").length, 3);
  assert.deepEqual(result.statuses("compensations").at(-1), "INCOMPLETE");
  assert.deepEqual(result.statuses("spaces").at(-1), "INCOMPLETE");
  const errors = result.traces("ERROR").map((t) => t.error.message as string);
  assert.ok(
    errors.some((m) =>
      /^Stream "compensations" failed: .*403.*; the token needs the compensations:read scope for this stream \(or its creator's role lacks this list\)$/
        .test(m)
    ),
    errors.join("\n"),
  );
  assert.ok(
    errors.some((m) =>
      /^Stream "spaces" failed: .*404.*; the API has no \/spaces list for this account: deselect the stream \(if every stream says so, check base_url\)$/
        .test(m)
    ),
    errors.join("\n"),
  );
  assert.equal(result.states("spaces").length, 0, "no state for a stream that read nothing");
  assert.match(
    result.stderr,
    /The sync is partial: 2 of 4 streams failed \(compensations, spaces\); the others finished/,
  );
});

Deno.test("read: a row nested 5000 objects deep is one row like the others", async () => {
  let deep: unknown = { leaf: "bottom" };
  for (let i = 0; i < 5000; i++) deep = { child: deep };
  let deepArray: unknown = ["bottom"];
  for (let i = 0; i < 5000; i++) deepArray = [deepArray];
  const rows: Row[] = Array.from({ length: 50 }, (_, i) => ({
    id: `Eq${String(i).padStart(22, "0")}`,
    name: `Type ${i}`,
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-02T00:00:00.000Z",
  }));
  rows[17] = { ...rows[17], settings: deep, name: deep, tags: deepArray };
  const result = await readWith({ data: { "/equipment-types": rows } }, ["equipment_types"]);
  assert.equal(result.code, 0, result.stderr);
  const records = result.records("equipment_types");
  assert.equal(records.length, 50);
  const record = records.find((r) => r.id === rows[17].id)!;
  assert.equal(record.name, null, "an object does not fit a string column");
  // Compared as text: node:assert's deepEqual itself recurses too deep for these.
  assert.equal(
    JSON.stringify(record.additional_fields),
    `{"settings":${JSON.stringify(deep)},"tags":${JSON.stringify(deepArray)},"name":${
      JSON.stringify(deep)
    }}`,
  );
  const meta = result.ofType("RECORD").map((m) => m.record.meta).filter((m) => m !== undefined);
  assert.deepEqual(meta, [{
    changes: [{ field: "name", change: "NULLED", reason: "SOURCE_SERIALIZATION_ERROR" }],
  }]);
});

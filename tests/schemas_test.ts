import { DELETED_AT_DESCRIPTION } from "../src/streams/define.ts";
import assert from "node:assert/strict";
import { Ajv } from "ajv";
import { STREAMS } from "../src/streams/mod.ts";
import { generatedFiles } from "./tools/write_schemas.ts";

const ROOT = new URL("../", import.meta.url);

Deno.test("spec.json and schemas/ match the code (run `deno task schemas` after a change)", async (t) => {
  const files = generatedFiles();
  const onDisk = new Set<string>();
  for await (const entry of Deno.readDir(new URL("schemas/", ROOT))) {
    onDisk.add(`schemas/${entry.name}`);
  }
  assert.deepEqual(
    onDisk,
    new Set([...files.keys()].filter((p) => p.startsWith("schemas/"))),
    "one schema file a stream, no strays",
  );
  for (const [path, text] of files) {
    await t.step(path, async () => {
      const actual = JSON.parse(await Deno.readTextFile(new URL(path, ROOT)));
      assert.deepEqual(actual, JSON.parse(text));
    });
  }
});

Deno.test("stream schemas follow Airbyte's rules", async (t) => {
  for (const stream of STREAMS) {
    await t.step(stream.name, () => {
      const schema = JSON.parse(generatedFiles().get(`schemas/${stream.name}.json`)!);
      assert.equal(schema.$schema, "http://json-schema.org/draft-07/schema#");
      const key = schema.properties[stream.primaryKey ?? "id"];
      assert.deepEqual(key.type, "string", "primary key: a plain string");
      if (stream.incremental) assert.ok(schema.properties.updated_at, "cursor in properties");
      for (const [name, property] of Object.entries(schema.properties)) {
        // snake_case, or the one Airbyte meta column every stream declares
        assert.match(name, /^(?:[a-z][a-z0-9_]*|_ab_cdc_deleted_at)$/, "snake_case column");
        const type = (property as { type: string | string[] }).type;
        assert.ok(typeof type === "string" || (type.length === 2 && type[1] === "null"), name);
      }
      assert.ok(schema.properties.timestamp, "the seed's timestamp column");
      assert.deepEqual(schema.properties._ab_cdc_deleted_at, {
        type: ["string", "null"],
        format: "date-time",
        airbyte_type: "timestamp_with_timezone",
        description: DELETED_AT_DESCRIPTION,
      }, "the deleted-row marker of detect_deletes");
    });
  }
});

Deno.test("mapped records validate against the JSON Schema files", async (t) => {
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat("date-time", /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  ajv.addFormat("date", /^\d{4}-\d{2}-\d{2}$/);
  const context = { syncedAt: "2026-11-28T12:00:00.000Z", today: "2026-11-28" };
  const raw = {
    id: "abcdefghijklmnopqrstuvwx",
    companyId: "companyidcompanyidcompan",
    personId: "personidpersonidpersonid",
    name: "Example",
    jobTitle: "Engineer",
    department: { name: "Engineering" },
    effectiveDate: "2025-01-01",
    endDate: null,
    file: { id: "f1", filename: "contract.pdf", url: "https://example.com/f1" },
    domains: ["example.com"],
    nextEmployeeId: 12,
    createdAt: "2024-01-02T03:04:05.000Z",
    updatedAt: "2026-11-01T00:00:00+01:00",
    unexpectedNewField: { nested: true },
  };
  for (const stream of STREAMS) {
    await t.step(stream.name, async () => {
      const schema = JSON.parse(
        await Deno.readTextFile(new URL(`schemas/${stream.name}.json`, ROOT)),
      );
      const { record } = stream.map(raw, context);
      assert.ok(ajv.validate(schema, record), ajv.errorsText());
      assert.deepEqual(Object.keys(record), Object.keys(schema.properties), "exactly the columns");
      stream.record.parse(record);
    });
  }
});

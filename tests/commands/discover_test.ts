import assert from "node:assert/strict";
import { airbyteStream, discover } from "../../src/commands/discover.ts";
import { MessageWriter } from "../../src/protocol/writer.ts";
import { CURSOR, STREAMS } from "../../src/streams/mod.ts";
import { Capture } from "../support/capture.ts";
import { testClock } from "../support/clock.ts";

Deno.test("airbyteStream: a stream with a cursor offers incremental and is resumable", () => {
  for (const stream of STREAMS) {
    const airbyte = airbyteStream(stream);
    assert.equal(airbyte.name, stream.name);
    assert.deepEqual(airbyte.source_defined_primary_key, [[stream.primaryKey ?? "id"]]);
    if (stream.incremental) {
      assert.deepEqual(airbyte.supported_sync_modes, ["full_refresh", "incremental"]);
      assert.deepEqual(airbyte.default_cursor_field, [CURSOR.column]);
      assert.equal(airbyte.is_resumable, true);
    } else {
      assert.deepEqual(airbyte.supported_sync_modes, ["full_refresh"]);
      assert.equal("default_cursor_field" in airbyte, false);
      assert.equal(airbyte.is_resumable, false);
    }
  }
});

Deno.test("discover validates the config before it prints the catalog", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const config = `${dir}/config.json`;
    await Deno.writeTextFile(config, JSON.stringify({ api_token: "discover-test-token" }));
    const sink = new Capture();
    const writer = new MessageWriter(sink);
    // discover reads the custom field definitions: an API with none.
    const fetch = () => Promise.resolve(Response.json({ total: 0, limit: 250, skip: 0, data: [] }));
    assert.equal(await discover({ writer, clock: testClock(), fetch, files: { config } }), 0);
    await writer.flush();
    const message = JSON.parse(sink.text().trim());
    assert.equal(message.type, "CATALOG");
    assert.equal(message.catalog.streams.length, STREAMS.length);

    await Deno.writeTextFile(config, JSON.stringify({}));
    await assert.rejects(
      discover({ writer, clock: testClock(), files: { config } }),
      /api_token/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

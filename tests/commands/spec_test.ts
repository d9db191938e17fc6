import assert from "node:assert/strict";
import { connectorSpecification, DOCUMENTATION_URL, spec } from "../../src/commands/spec.ts";
import { connectionSpecification } from "../../src/config.ts";
import { MessageWriter } from "../../src/protocol/writer.ts";
import { VERSION } from "../../src/version.ts";
import { Capture } from "../support/capture.ts";
import { testClock } from "../support/clock.ts";

Deno.test("spec writes one SPEC message with the config schema and the version, and exits 0", async () => {
  const sink = new Capture();
  const writer = new MessageWriter(sink);
  const code = await spec({ writer, clock: testClock(), files: {} });
  await writer.flush();
  assert.equal(code, 0);
  const lines = sink.text().trim().split("\n");
  assert.equal(lines.length, 1);
  const message = JSON.parse(lines[0]);
  assert.equal(message.type, "SPEC");
  assert.deepEqual(message.spec.connectionSpecification, connectionSpecification());
  assert.equal(message.spec.connectorVersion, VERSION);
  assert.equal(message.spec.documentationUrl, DOCUMENTATION_URL);
});

Deno.test("connectorSpecification offers incremental and the three destination modes", () => {
  const specification = connectorSpecification();
  assert.equal(specification.supportsIncremental, true);
  assert.deepEqual(specification.supported_destination_sync_modes, [
    "overwrite",
    "append",
    "append_dedup",
  ]);
});

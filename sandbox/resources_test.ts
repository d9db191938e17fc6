import assert from "node:assert/strict";
import { z } from "zod";
import { defineStream } from "../src/streams/define.ts";
import { col } from "../src/streams/fields.ts";
import { STREAMS } from "../src/streams/mod.ts";
import { exampleResource, RESOURCES, resourcesFor, type RowContext } from "./resources.ts";

/** A stream the connector does not have: what a newly declared one looks like to the sandbox. */
function gadgets(untimed?: true) {
  return defineStream({
    name: "test_gadgets",
    path: "/test-gadgets",
    description: "Gadgets.",
    scopes: ["public:read"],
    evidence: { path: "guessed", fields: "guessed", source: "tests" },
    record: z.object({ name: col.string(), specs: col.json() }),
    example: {
      id: "Ga1",
      name: "Widget",
      specs: { volts: 5 },
      createdAt: "2024-01-01T00:00:00.000Z",
      updatedAt: "2024-02-01T00:00:00.000Z",
    },
    untimed,
  });
}

const CONTEXT = { index: 0 } as RowContext;

Deno.test("resourcesFor: every stream of the connector has a resource", () => {
  for (const stream of STREAMS) assert.ok(RESOURCES[stream.path], stream.path);
});

Deno.test("resourcesFor: a stream without a hand-made resource gets rows like its example", () => {
  const stream = gadgets();
  const resources = resourcesFor([...STREAMS, stream]);
  assert.deepEqual(Object.keys(resources), [...Object.keys(RESOURCES), "/test-gadgets"]);
  for (const path of Object.keys(RESOURCES)) {
    assert.deepEqual(resources[path].shape, RESOURCES[path].shape, path);
  }
  const resource = resources["/test-gadgets"];
  assert.deepEqual(resource.shape, { fixed: 3 });
  assert.equal(resource.untimed, undefined, "rows with updatedAt are timed");
  const first = resource.fields(CONTEXT);
  assert.deepEqual(
    first,
    { name: "Widget", specs: { volts: 5 } },
    "id and timestamps are the row's",
  );
  assert.notEqual(resource.fields(CONTEXT).specs, first.specs, "each row has its own copy");
  assert.equal(exampleResource(gadgets(true)).untimed, true, "untimed streams get untimed rows");
});

Deno.test("resourcesFor: a hand-made resource wins over the example", () => {
  const stream = { ...gadgets(), path: "/people" };
  assert.equal(resourcesFor([stream])["/people"], RESOURCES["/people"]);
});

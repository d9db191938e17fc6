import assert from "node:assert/strict";
import { sandboxRows } from "../../sandbox/mod.ts";
import { type MapContext, STREAMS } from "../../src/streams/mod.ts";
import { droppedFields } from "./fixtures.ts";

const NOW = new Date("2026-11-28T12:00:00.000Z");
const CONTEXT: MapContext = { syncedAt: NOW.toISOString(), today: "2026-11-28" };

/**
 * Fields the sandbox sends that the Humaans API is not known to have, so no stream has a column
 * for them (they arrive in `additional_fields`). When the sandbox stops sending one, remove it.
 */
const SANDBOX_ONLY: Record<string, string[]> = {
  "/people": ["isWorkingRemotely"],
};

Deno.test("every stream's sandbox rows map with no API field dropped", async (t) => {
  for (const stream of STREAMS.filter((s) => !s.pivoted)) {
    await t.step(stream.name, () => {
      const rows = [...sandboxRows(stream.path, { people: 20, now: () => NOW })];
      assert.ok(rows.length > 0, `the sandbox serves no rows at ${stream.path}`);
      const dropped = new Set<string>();
      const invalid: string[] = [];
      for (const row of rows) {
        for (const field of droppedFields(stream, row)) dropped.add(field);
        const { record } = stream.map(row, {
          ...CONTEXT,
          onInvalid: (column, value) => invalid.push(`${column}: ${JSON.stringify(value)}`),
        });
        stream.record.parse(record);
      }
      assert.deepEqual(
        [...dropped].sort(),
        SANDBOX_ONLY[stream.path] ?? [],
        `fields of ${stream.path} that map to no column of ${stream.name}`,
      );
      assert.deepEqual(invalid, [], "sandbox values that do not fit their column's type");
    });
  }
});

import assert from "node:assert/strict";
import { compensations } from "../../src/streams/compensations.ts";
import { MISFIT_ROWS } from "./misfit_sandbox.ts";

Deno.test("the misfit sandbox's rows map to one record with a change, one without", () => {
  const context = { syncedAt: "2026-11-28T12:00:00.000Z", today: "2026-11-28" };
  const mapped = MISFIT_ROWS.map((row) => compensations.map(row, context));
  assert.deepEqual(mapped.map((m) => m.record.amount), [70000.5, null]);
  assert.deepEqual(mapped.map((m) => m.changes.map((c) => c.field)), [[], ["amount"]]);
});

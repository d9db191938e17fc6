import assert from "node:assert/strict";
import { startSandbox } from "../../sandbox/mod.ts";
import { STREAMS } from "../../src/streams/mod.ts";
import { applyChanges, totalsOf } from "./sandbox_helper.ts";

Deno.test("the interop helper counts every stream and names the rows it changes", async () => {
  await using sandbox = await startSandbox({ people: 20 }).then((s) => ({
    ...s,
    [Symbol.asyncDispose]: () => s.close(),
  }));
  const before = totalsOf(sandbox);
  assert.deepEqual(Object.keys(before), STREAMS.map((s) => s.name));
  assert.equal(before.people, 20);
  const changed = applyChanges(sandbox, {
    job_roles: { updates: 4 },
    people: { inserts: 2 },
    public_holiday_calendars: { updates: 1 },
  });
  assert.equal(Object.keys(changed.job_roles).length, 4);
  assert.equal(Object.keys(changed.people).length, 2);
  assert.deepEqual(changed.public_holiday_calendars, {}, "rows without updatedAt do not change");
  const after = totalsOf(sandbox);
  assert.deepEqual(after, { ...before, people: 22 });
  for (const [name, path] of [["people", "/people"], ["job_roles", "/job-roles"]]) {
    const served = new Map(sandbox.snapshot(path).map((r) => [r.id, r.updatedAt]));
    for (const [id, updatedAt] of Object.entries(changed[name])) {
      assert.equal(served.get(id), updatedAt, `${name} ${id} is served with its new updatedAt`);
    }
  }
  assert.throws(() => applyChanges(sandbox, { employees: { updates: 1 } }), /Unknown stream/);
});

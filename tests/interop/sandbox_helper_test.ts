import assert from "node:assert/strict";
import { startSandbox } from "../../sandbox/mod.ts";
import { STREAMS } from "../../src/streams/mod.ts";
import { applyChanges, deletedSince, idsOf, totalsOf } from "./sandbox_helper.ts";

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
  const ids = idsOf(sandbox);
  assert.deepEqual(deletedSince(sandbox, ids), {}, "nothing deleted yet");
  applyChanges(sandbox, { time_away: { deletes: 3 } });
  const deleted = deletedSince(sandbox, ids);
  assert.deepEqual(Object.keys(deleted), ["time_away"]);
  assert.equal(deleted.time_away.length, 3);
  const served = new Set(sandbox.snapshot("/time-away").map((r) => r.id));
  assert.ok(deleted.time_away.every((id) => ids.time_away.includes(id) && !served.has(id)));
  assert.equal(totalsOf(sandbox).time_away, before.time_away - 3);
});

Deno.test("the interop helper names a pivoted stream's rows by person: counts, changes, deletes", async () => {
  await using sandbox = await startSandbox({ people: 20 }).then((s) => ({
    ...s,
    [Symbol.asyncDispose]: () => s.close(),
  }));
  const values = () => sandbox.snapshot("/custom-values");
  const people = (rows: Record<string, unknown>[]) => new Set(rows.map((r) => r.personId));
  const before = totalsOf(sandbox);
  assert.equal(before.people_custom_fields, people(values()).size);
  assert.ok(before.people_custom_fields < before.custom_values, "a row per person, not per value");
  const ids = idsOf(sandbox);
  assert.deepEqual(new Set(ids.people_custom_fields), people(values()));

  const changed = applyChanges(sandbox, { people_custom_fields: { updates: 3 } });
  const rows = Object.entries(changed.people_custom_fields);
  assert.ok(rows.length >= 1 && rows.length <= 3, `${rows.length} people changed`);
  for (const [personId, updatedAt] of rows) {
    assert.ok(ids.people_custom_fields.includes(personId), `${personId} is a person with values`);
    const latest = values().filter((r) => r.personId === personId)
      .map((r) => new Date(r.updatedAt as string).toISOString()).sort().at(-1);
    assert.equal(updatedAt, latest, "the person's row takes the latest of their values'");
  }
  assert.deepEqual(totalsOf(sandbox), before, "an update adds no row");

  // Every value of one person deleted: that person's row is deleted.
  const gone = ids.people_custom_fields[0];
  const theirs = values().filter((r) => r.personId === gone).length;
  for (let i = 0; i < 200 && people(values()).has(gone); i++) {
    applyChanges(sandbox, { custom_values: { deletes: theirs } });
  }
  assert.ok(!people(values()).has(gone), "the person has no value left");
  const deleted = deletedSince(sandbox, ids);
  assert.ok(deleted.people_custom_fields.includes(gone));
  assert.deepEqual(
    new Set(deleted.people_custom_fields),
    new Set(
      ids.people_custom_fields.filter((id) => !people(values()).has(id)),
    ),
  );
  assert.equal(totalsOf(sandbox).people_custom_fields, people(values()).size);
});

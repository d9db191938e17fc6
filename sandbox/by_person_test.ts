import assert from "node:assert/strict";
import { indicesOfPeople } from "./by_person.ts";
import { startSandbox } from "./mod.ts";

Deno.test("indicesOfPeople: a person's rows are consecutive, after the rows of those before", () => {
  // Rows a person: 2, 0, 3, 2, 0, 3, ...
  assert.deepEqual(indicesOfPeople([2, 0, 3], [0]), [0, 1]);
  assert.deepEqual(indicesOfPeople([2, 0, 3], [1]), []);
  assert.deepEqual(indicesOfPeople([2, 0, 3], [2, 3, 3]), [2, 3, 4, 5, 6]);
});

Deno.test("personId[$in] serves what a scan of every row would, through changes", async () => {
  const sandbox = await startSandbox({ people: 40, now: () => new Date("2026-11-28T12:00:00Z") });
  try {
    const people = [...new Set(sandbox.snapshot("/custom-values").map((r) => r.personId))]
      .filter((_, i) => i % 7 === 3) as string[];
    const list = async () => {
      const url = new URL(`${sandbox.url}/custom-values`);
      people.forEach((id, i) => url.searchParams.append(`personId[$in][${i}]`, id));
      url.searchParams.set("$limit", "250");
      url.searchParams.set("$sort[updatedAt]", "1");
      const response = await fetch(url, { headers: { authorization: `Bearer ${sandbox.token}` } });
      return await response.json();
    };
    const scanned = () =>
      sandbox.snapshot("/custom-values").filter((r) => people.includes(r.personId as string))
        .map((r) => r.id).sort();
    for (const step of ["as generated", "after changes"]) {
      const body = await list();
      assert.deepEqual(body.data.map((r: { id: string }) => r.id).sort(), scanned(), step);
      assert.equal(body.total, scanned().length, step);
      const stamps = body.data.map((r: { updatedAt: string }) => r.updatedAt);
      assert.deepEqual(stamps, stamps.toSorted(), `${step}: sorted`);
      sandbox.change("/custom-values", { updates: 30, deletes: 20, inserts: 40 });
    }
  } finally {
    await sandbox.close();
  }
});

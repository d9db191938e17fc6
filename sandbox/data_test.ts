import assert from "node:assert/strict";
import {
  dataOptions,
  idOf,
  indexOfId,
  isTimed,
  resourcePaths,
  type Row,
  rowAt,
  rowCount,
  sandboxRows,
  updatedAtMs,
} from "./data.ts";

const NOW = new Date("2026-11-28T12:00:00.000Z");
const now = () => NOW;
const DAY = 86_400_000;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const ID = /^[A-Za-z0-9]{24}$/;

function rows(path: string, people = 50, seed = 1): Row[] {
  return [...sandboxRows(path, { people, seed, now })];
}

function groupBy(list: Row[], field: string): Map<unknown, Row[]> {
  const groups = new Map<unknown, Row[]>();
  for (const row of list) groups.set(row[field], [...(groups.get(row[field]) ?? []), row]);
  return groups;
}

Deno.test("the same seed gives the same rows; another seed other ids", () => {
  for (const path of resourcePaths()) {
    assert.deepEqual(rows(path, 30, 7), rows(path, 30, 7), path);
  }
  const ids = (seed: number) => new Set(rows("/people", 30, seed).map((r) => r.id));
  const shared = [...ids(1)].filter((id) => ids(2).has(id));
  assert.deepEqual(shared, []);
});

Deno.test("ids are 24 alphanumerics, unique per resource, and decode to their row", () => {
  const data = dataOptions({ people: 20_000, now });
  for (const path of ["/people", "/job-roles", "/timesheet-entries"]) {
    const count = rowCount(path, data);
    const seen = new Set<string>();
    for (let i = 0; i < count; i++) {
      const id = idOf(path, i, data.seed);
      assert.match(id, ID);
      seen.add(id);
    }
    assert.equal(seen.size, count, `${path}: ${count - seen.size} duplicate ids`);
    for (const i of [0, 1, count - 1]) {
      assert.equal(indexOfId(path, idOf(path, i, data.seed), data), i);
    }
  }
  const id = idOf("/people", 5, data.seed);
  assert.equal(indexOfId("/people", id.replace(/^./, id[0] === "a" ? "b" : "a"), data), undefined);
  assert.equal(indexOfId("/people", "GB", data), undefined);
  assert.equal(indexOfId("/job-roles", id, data), undefined, "an id of another resource");
  assert.equal(indexOfId("/people", idOf("/people", 20_000, data.seed), data), undefined);
});

Deno.test("every resource has well-formed ids, timestamps and dates", () => {
  for (const path of resourcePaths()) {
    const list = rows(path);
    assert.ok(list.length > 0, `${path} has rows`);
    for (const row of list) {
      assert.equal(typeof row.id, "string", path);
      for (const [field, value] of Object.entries(row)) {
        if (/At$/.test(field) && value !== null) assert.match(String(value), TIMESTAMP, field);
        if (/Date$|^date$|^birthday$/.test(field) && value !== null) {
          assert.match(String(value), DATE, `${path} ${field}`);
        }
      }
      if (!isTimed(path)) {
        assert.equal(row.createdAt, undefined);
        assert.equal(row.updatedAt, undefined);
      }
      if (path !== "/public-holiday-calendars") assert.match(row.id as string, ID);
      if (isTimed(path)) {
        assert.ok(row.createdAt! <= row.updatedAt!, `${path} createdAt after updatedAt`);
      }
    }
  }
  assert.equal(isTimed("/public-holiday-calendars"), false);
  assert.equal(isTimed("/time-away-periods"), false);
  assert.equal(isTimed("/people"), true);
  assert.deepEqual(rows("/public-holiday-calendars").map((r) => r.id), ["GB", "ES-MD", "US"]);
});

Deno.test("updatedAt never decreases with the index and spans two years up to now", () => {
  const data = dataOptions({ people: 1000, now });
  for (const path of resourcePaths().filter(isTimed)) {
    const count = rowCount(path, data);
    let previous = -Infinity;
    for (let i = 0; i < count; i++) {
      const at = updatedAtMs(i, count, data.now);
      assert.ok(at >= previous, `${path} row ${i} is older than row ${i - 1}`);
      previous = at;
    }
  }
  const list = rows("/people", 1000);
  const ages = list.map((r) => (NOW.getTime() - Date.parse(r.updatedAt as string)) / DAY);
  assert.ok(Math.min(...ages) >= 0, "no row is updated after now");
  assert.ok(Math.max(...ages) > 700 && Math.max(...ages) <= 731, `oldest ${Math.max(...ages)}`);
  const recent = ages.filter((age) => age <= 90).length / ages.length;
  assert.ok(recent > 0.25 && recent < 0.5, `${recent} updated in the last 90 days`);
  assert.equal(list.at(-1)!.updatedAt, NOW.toISOString());
});

Deno.test("row counts: one company, N people, 1-3 job roles and 0-3 documents each", () => {
  const people = 37;
  assert.equal(rows("/companies", people).length, 1);
  assert.equal(rows("/people", people).length, people);
  const personIds = new Set(rows("/people", people).map((r) => r.id));
  const perPerson = (path: string) => {
    const counts = new Map<unknown, number>([...personIds].map((id) => [id, 0]));
    for (const row of rows(path, people)) counts.set(row.personId, counts.get(row.personId)! + 1);
    assert.equal(counts.size, people, `${path} rows belong to the people`);
    return new Set(counts.values());
  };
  assert.deepEqual(perPerson("/job-roles"), new Set([1, 2, 3]));
  assert.deepEqual(perPerson("/documents"), new Set([0, 1, 2, 3]));
  assert.equal(rows("/people", 0).length, 0);
  assert.equal(rows("/job-roles", 0).length, 0);
});

Deno.test("job roles form each person's history: one current role, dated in order", () => {
  const people = new Set(rows("/people", 60).map((r) => r.id));
  const roles = rows("/job-roles", 60);
  for (const [personId, history] of groupBy(roles, "personId")) {
    const current = history.filter((r) => r.endDate === null);
    assert.equal(current.length, 1, `${personId} has one current role`);
    assert.equal(current[0], history.at(-1));
    for (let i = 1; i < history.length; i++) {
      const ended = new Date(Date.parse(history[i].effectiveDate as string) - DAY);
      assert.equal(history[i - 1].endDate, ended.toISOString().slice(0, 10));
    }
    for (const role of history) {
      assert.ok(people.has(role.reportingTo as string), "reports to a person");
      assert.notEqual(role.reportingTo, personId, "nobody reports to themselves");
    }
  }
  const departments = roles.map((r) => r.department);
  assert.ok(departments.some((d) => typeof d === "string"));
  assert.ok(departments.some((d) => typeof d === "object" && d !== null && "name" in d));
});

Deno.test("a document is either a link or a file", () => {
  const documents = rows("/documents", 100);
  for (const doc of documents) {
    const isLink = typeof doc.link === "string";
    assert.equal(isLink, doc.file === null, doc.id as string);
    if (!isLink) {
      const file = doc.file as Record<string, unknown>;
      assert.deepEqual(Object.keys(file), ["id", "filename", "url"]);
    }
  }
  assert.ok(documents.some((d) => d.link !== null) && documents.some((d) => d.file !== null));
});

Deno.test("references point at rows that exist; money amounts are strings", () => {
  const idsOf = (path: string) => new Set(rows(path).map((r) => r.id));
  const references: [string, string, string][] = [
    ["/people", "locationId", "/locations"],
    ["/people", "companyId", "/companies"],
    ["/time-away", "timeAwayTypeId", "/time-away-types"],
    ["/documents", "documentTypeId", "/document-types"],
    ["/compensations", "compensationTypeId", "/compensation-types"],
    ["/public-holidays", "publicHolidayCalendarId", "/public-holiday-calendars"],
    ["/custom-values", "customFieldId", "/custom-fields"],
    ["/job-roles", "reportingTo", "/people"],
    ["/job-roles", "personId", "/people"],
    ["/people", "spaceId", "/spaces"],
    ["/people", "invitedBy", "/people"],
    ["/time-away-periods", "personId", "/people"],
    ["/time-away-periods", "timeAwayPolicyId", "/time-away-policies"],
    ["/time-away-periods", "timeAwayAllocationId", "/time-away-allocations"],
    ["/equipment", "equipmentTypeId", "/equipment-types"],
    ["/equipment", "equipmentNameId", "/equipment-names"],
    ["/equipment-names", "equipmentTypeId", "/equipment-types"],
    ["/working-pattern-allocations", "workingPatternId", "/working-patterns"],
    ["/working-pattern-allocations", "personId", "/people"],
  ];
  for (const [path, field, target] of references) {
    const targets = idsOf(target);
    const values = rows(path).map((row) => row[field]);
    assert.ok(values.some((value) => value !== null), `${path}.${field} is set somewhere`);
    for (const value of values) {
      // Only a manager may be missing: the person at the top reports to nobody (and was
      // invited by nobody); remote workers' location is the literal "remote".
      if (value === null && (field === "reportingTo" || field === "invitedBy")) continue;
      if (value === "remote" && field === "locationId") continue;
      assert.ok(targets.has(value as string), `${path}.${field} ${value}`);
    }
  }
  for (const row of rows("/compensations")) assert.match(row.amount as string, /^\d+$/);
  const people = rows("/people");
  assert.ok(people.some((p) => p.locationId === "remote") && people.some((p) => p.remoteCity));
  for (const person of people) {
    for (const id of person.directReports as string[]) assert.ok(idsOf("/people").has(id));
  }
  // An equipment row's name belongs to its type.
  const names = new Map(rows("/equipment-names").map((r) => [r.id, r.equipmentTypeId]));
  for (const row of rows("/equipment")) {
    assert.equal(names.get(row.equipmentNameId), row.equipmentTypeId);
  }
  // A period's allocation is its person's.
  const allocations = new Map(rows("/time-away-allocations").map((r) => [r.id, r.personId]));
  for (const row of rows("/time-away-periods")) {
    assert.equal(allocations.get(row.timeAwayAllocationId), row.personId);
  }
  for (const row of rows("/time-away")) {
    for (const day of row.breakdown as Record<string, unknown>[]) {
      assert.match(day.period as string, /^(full|am|pm)$/);
      assert.match(day.date as string, DATE);
    }
  }
  for (const row of rows("/timesheet-entries")) {
    assert.deepEqual(Object.keys(row.duration as object), ["hours", "minutes"]);
  }
});

Deno.test("a million people cost nothing until a row is read", () => {
  const data = dataOptions({ people: 1_000_000, now });
  assert.equal(rowCount("/people", data), 1_000_000);
  const last = rowAt("/people", 999_999, data);
  assert.equal(last.updatedAt, NOW.toISOString());
  assert.equal(indexOfId("/people", last.id as string, data), 999_999);
  // The iterable is lazy: taking two rows reads two rows.
  const iterator = sandboxRows("/job-roles", { people: 1_000_000, now })[Symbol.iterator]();
  const first = [iterator.next().value, iterator.next().value];
  assert.deepEqual(first, [rowAt("/job-roles", 0, data), rowAt("/job-roles", 1, data)]);
});

Deno.test("bad input is refused with a message saying what to fix", () => {
  assert.throws(() => sandboxRows("/nope"), /Unknown sandbox resource \/nope/);
  assert.throws(() => rowAt("/people", 10, dataOptions({ people: 10 })), /has 10 rows/);
  assert.throws(() => dataOptions({ people: -1 }), /people must be an integer/);
  assert.throws(() => dataOptions({ seed: 1.5 }), /seed must be an integer/);
});

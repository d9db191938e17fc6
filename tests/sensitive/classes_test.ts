import assert from "node:assert/strict";
import { classOfSection, SENSITIVE_CLASSES } from "../../src/sensitive/classes.ts";

Deno.test("classOfSection: Humaans sections, matched loosely", async (t) => {
  const rows: [unknown, string | null][] = [
    ["Profile > Banking", "bank"],
    ["profile>banking", "bank"],
    ["Banking", "bank"],
    ["Profile > Bank details", "bank"],
    ["Profile > Health", "health"],
    ["HEALTH", "health"],
    ["Profile > Medical information", "health"],
    ["Employment > Compensation > Salary", "compensation"],
    ["Employment > Compensation > Bonus", "compensation"],
    ["Employment > Compensation", "compensation"],
    ["employment_compensation_equity", "compensation"],
    ["Profile > Identity documents", "government_id"],
    ["Profile > Tax", "government_id"],
    ["Social security number", "government_id"],
    ["Profile > Emergency contacts", "personal"],
    ["Profile > Personal", "personal"],
    ["Profile > Address", "personal"],
    ["Profile > Basics", null],
    ["Equipment", null],
    ["Social", null],
    ["Employment > Details", null],
    ["Role", null],
    ["Offboarding", null],
    ["Employment > Role", null],
    // A word of a clear section does not make a section clear: its other words decide.
    ["Social insurance", "government_id"],
    ["Work permit", "government_id"],
    ["Driver licence details", "government_id"],
    ["Driving license", "government_id"],
    ["Taxes", "government_id"],
    ["Passports", "government_id"],
    ["Compensations", "compensation"],
    ["Banks", "bank"],
    ["Pension", "compensation"],
    ["Remuneration", "compensation"],
    ["Wages", "compensation"],
    ["Payslips", "compensation"],
    ["Stock options", "compensation"],
    ["NI number", "government_id"],
    ["Right to work", "government_id"],
    ["Immigration", "government_id"],
    ["Sick notes", "health"],
    ["Social media handles", "personal"],
    ["Work phone", "personal"],
    ["Profile", "personal"],
    ["Employment", "personal"],
    // Not recognised: personal, so an unknown section is never sent in clear.
    ["personal", "personal"],
    ["Profile > Hobbies", "personal"],
    ["Something new", "personal"],
    ["", "personal"],
    ["  > >  ", "personal"],
    [null, "personal"],
    [undefined, "personal"],
    [42, "personal"],
  ];
  for (const [section, expected] of rows) {
    await t.step(`${JSON.stringify(section)} -> ${expected}`, () => {
      assert.equal(classOfSection(section), expected);
    });
  }
});

Deno.test("every class is one the settings name", () => {
  assert.deepEqual([...SENSITIVE_CLASSES], [
    "bank",
    "government_id",
    "compensation",
    "personal",
    "health",
  ]);
});

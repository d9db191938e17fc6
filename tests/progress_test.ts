import assert from "node:assert/strict";
import { ProgressLine } from "../src/progress.ts";
import { Capture } from "./support/capture.ts";

Deno.test("ProgressLine renders each stream's counts, with the server's total when known", () => {
  const sink = new Capture();
  const line = new ProgressLine(sink, { now: () => 0 });
  line.update("people", { records: 10, pages: 1, total: 300 });
  line.update("companies", { records: 1, pages: 1, done: true });
  assert.equal(line.render(), "people 10/300 records, 1 pages | companies 1 records, 1 pages ✓");
});

Deno.test("ProgressLine redraws at most once an interval, but always when a stream is done", () => {
  const sink = new Capture();
  let now = 0;
  const line = new ProgressLine(sink, { now: () => now, intervalMs: 200 });
  line.update("people", { records: 1, pages: 1 });
  now = 100;
  line.update("people", { records: 2, pages: 2 });
  assert.equal(
    sink.text().split("\r").length - 1,
    1,
    "the second update within 200 ms is not drawn",
  );
  line.update("people", { records: 3, pages: 3, done: true });
  now = 350;
  line.update("jobs", { records: 1, pages: 1 });
  const draws = sink.text().split("\r").filter(Boolean);
  assert.equal(draws.length, 3);
  assert.match(draws[1], /people 3 records, 3 pages ✓/);
  line.end();
  assert.ok(sink.text().endsWith("\n"), "end() finishes the line");
});

Deno.test("ProgressLine.end writes nothing when nothing was shown", () => {
  const sink = new Capture();
  new ProgressLine(sink).end();
  assert.equal(sink.text(), "");
});

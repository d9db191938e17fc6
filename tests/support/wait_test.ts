import assert from "node:assert/strict";
import { until } from "./wait.ts";

Deno.test("until resolves once the condition holds", async () => {
  let n = 0;
  const timer = setInterval(() => n++, 0);
  try {
    await until(() => n >= 3, { what: "three ticks" });
    assert.ok(n >= 3);
  } finally {
    clearInterval(timer);
  }
});

Deno.test("until fails instead of hanging when the condition never holds", async () => {
  await assert.rejects(
    until(() => false, { turns: 5, what: "nothing" }),
    /Gave up after 5 event-loop turns waiting for nothing/,
  );
});

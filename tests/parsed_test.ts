import assert from "node:assert/strict";
import { z } from "zod";
import type { Parsed } from "../src/parsed.ts";

const Widget = z.object({ id: z.string(), size: z.number().optional() });

Deno.test("Parsed is the type a schema parses to", () => {
  const widget: Parsed<typeof Widget> = Widget.parse({ id: "w1", size: 2 });
  // @ts-expect-error: a wrong field type is a type error, as with z.infer
  const wrong: Parsed<typeof Widget> = { id: 1 };
  const same: z.infer<typeof Widget> = widget;
  assert.deepEqual(same, { id: "w1", size: 2 });
  assert.ok(wrong);
});

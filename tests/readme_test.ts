import assert from "node:assert/strict";
import { readmeTables, TABLE_FILES } from "./tools/readme_tables.ts";

/** Table cells, row by row, ignoring alignment padding and separator rows (deno fmt pads). */
function cells(markdown: string): string[][] {
  return markdown.split("\n")
    .filter((line) => line.startsWith("|") && !/^\|[\s|:-]+\|$/.test(line))
    .map((line) => line.slice(1, -1).split("|").map((cell) => cell.trim()));
}

const README = new URL("../README.md", import.meta.url);

Deno.test("the settings and streams tables match the code (`deno task readme`)", async (t) => {
  for (const file of TABLE_FILES) {
    const text = await Deno.readTextFile(new URL(`../${file}`, import.meta.url));
    for (const [name, table] of readmeTables()) {
      await t.step(`${file}: ${name}`, () => {
        const match = text.match(
          new RegExp(`<!-- ${name}:start -->([\\s\\S]*?)<!-- ${name}:end -->`),
        );
        assert.ok(match, `${file} has <!-- ${name}:start --> and <!-- ${name}:end --> markers`);
        assert.deepEqual(cells(match[1]), cells(table));
      });
    }
  }
});

Deno.test("the README shows the demo and test commands near the top", async () => {
  const top = (await Deno.readTextFile(README)).split("\n").slice(0, 40).join("\n");
  assert.match(top, /deno task demo/);
  assert.match(top, /deno task test/);
});

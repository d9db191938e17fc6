import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url);

Deno.test("deno task warehouse without Python: one skip line, exit 0 (what .ci/run counts as neither)", async () => {
  const output = await new Deno.Command("bash", {
    args: ["tests/warehouse/run.sh"],
    cwd: ROOT,
    env: { PYTHON: "/nonexistent/python3" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout);
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  assert.equal(stdout, "warehouse: skipped (/nonexistent/python3 not found)\n");
  // .ci/run tells a skip from a failure by this line.
  assert.match(stdout, /^warehouse: skipped/m);
  const ci = await Deno.readTextFile(new URL(".ci/run", ROOT));
  assert.match(ci, /grep -q '\^warehouse: skipped'/);
  assert.match(ci, /^deno task warehouse 2>&1/m);
});

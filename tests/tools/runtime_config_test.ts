import assert from "node:assert/strict";
import { type DenoLock, runtimeConfig } from "./runtime_config.ts";

const ROOT = new URL("../../", import.meta.url);

function lock(npm: DenoLock["npm"], specifiers: Record<string, string>): DenoLock {
  return {
    version: "5",
    specifiers,
    npm,
    workspace: { dependencies: Object.keys(specifiers) },
  };
}

Deno.test("runtimeConfig keeps the named imports and the packages they need, as locked", () => {
  const input = lock({
    "a@1.0.0": { integrity: "sha512-a", dependencies: ["b", "@s/c@2.0.0"] },
    "b@1.1.0": { integrity: "sha512-b", optionalDependencies: ["d"] },
    "@s/c@2.0.0": { integrity: "sha512-c" },
    "@s/c@3.0.0": { integrity: "sha512-c3" },
    "d@4.0.0": { integrity: "sha512-d" },
    "t@9.0.0": { integrity: "sha512-t", dependencies: ["u"] },
    "u@1.0.0": { integrity: "sha512-u" },
  }, { "npm:a@1.0.0": "1.0.0", "npm:t@9.0.0": "9.0.0", "npm:@s/c@3.0.0": "3.0.0" });
  const config = {
    imports: { a: "npm:a@1.0.0", t: "npm:t@9.0.0", c: "npm:@s/c@3.0.0" },
    tasks: { test: "deno test" },
    fmt: { lineWidth: 100 },
  };
  const narrowed = runtimeConfig(config, input, { keep: ["a"] });
  assert.deepEqual(narrowed.config, { imports: { a: "npm:a@1.0.0" }, fmt: { lineWidth: 100 } });
  assert.deepEqual(narrowed.lock.specifiers, { "npm:a@1.0.0": "1.0.0" });
  assert.deepEqual(Object.keys(narrowed.lock.npm ?? {}), [
    "@s/c@2.0.0",
    "a@1.0.0",
    "b@1.1.0",
    "d@4.0.0",
  ]);
  for (const [key, entry] of Object.entries(narrowed.lock.npm ?? {})) {
    assert.deepEqual(entry, input.npm?.[key], `${key} is kept as locked`);
  }
  assert.deepEqual(narrowed.lock.workspace, { dependencies: ["npm:a@1.0.0"] });
});

Deno.test("runtimeConfig fails, naming what is missing, rather than guess", () => {
  const input = lock({ "a@1.0.0": { integrity: "x", dependencies: ["b"] } }, {
    "npm:a@1.0.0": "1.0.0",
  });
  assert.throws(
    () => runtimeConfig({ imports: { a: "npm:a@1.0.0" } }, input, { keep: ["zod"] }),
    /deno\.json has no import "zod"/,
  );
  assert.throws(
    () => runtimeConfig({ imports: { a: "npm:a@1.0.1" } }, input, { keep: ["a"] }),
    /deno\.lock has no entry for npm:a@1\.0\.1: run deno install/,
  );
  assert.throws(
    () => runtimeConfig({ imports: { a: "npm:a@1.0.0" } }, input, { keep: ["a"] }),
    /dependency "b" matches 0 locked packages/,
  );
  assert.throws(
    () => runtimeConfig({}, { ...input, version: "4" }, { keep: ["a"] }),
    /version 4 is not supported/,
  );
});

Deno.test("runtimeConfig narrows this project's deno.json and deno.lock to zod", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  const committed = JSON.parse(await Deno.readTextFile(new URL("deno.lock", ROOT)));
  const narrowed = runtimeConfig(config, committed, { keep: ["zod"] });
  assert.deepEqual(narrowed.config.imports, { zod: config.imports.zod });
  assert.equal(narrowed.config.tasks, undefined);
  const packages = Object.keys(narrowed.lock.npm ?? {});
  assert.ok(packages.every((key) => key.startsWith("zod@")), packages.join(", "));
  for (const key of packages) assert.deepEqual(narrowed.lock.npm?.[key], committed.npm[key]);
});

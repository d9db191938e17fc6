import assert from "node:assert/strict";
import { startSandbox } from "../sandbox/mod.ts";
import { catalogOf, parseRun, type RunResult, TempFiles } from "./support/connector.ts";

const ROOT = new URL("../", import.meta.url);

/** The `connector` task's command line (what users and the image run), with this Deno. */
async function connectorCommand(): Promise<string[]> {
  const denoJson = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  const [deno, ...args] = (denoJson.tasks.connector as string).split(/\s+/);
  assert.equal(deno, "deno");
  return args;
}

async function runMain(args: string[], secrets: string[] = []): Promise<RunResult> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [...await connectorCommand(), ...args],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const decoder = new TextDecoder();
  return parseRun(
    output.code,
    decoder.decode(output.stdout),
    decoder.decode(output.stderr),
    secrets,
  );
}

Deno.test("main.ts runs every command as a subprocess, stdout holding only messages", async (t) => {
  const sandbox = await startSandbox({ people: 15 });
  await using files = await TempFiles.create();
  const secrets = [sandbox.token];
  try {
    const config = await files.write("config.json", {
      api_token: sandbox.token,
      base_url: sandbox.url,
      initial_sync_days: "365",
      max_records_per_page: "10",
      enable_incremental_sync: "yes",
    });
    await t.step("spec", async () => {
      const result = await runMain(["spec"]);
      assert.equal(result.code, 0);
      assert.deepEqual(result.messages.map((m) => m.type), ["SPEC"]);
    });
    await t.step("check", async () => {
      const result = await runMain(["check", "--config", config], secrets);
      assert.equal(result.code, 0);
      assert.equal(result.messages[0].connectionStatus.status, "SUCCEEDED");
    });
    await t.step("discover", async () => {
      const result = await runMain(["discover", "--config", config], secrets);
      assert.equal(result.code, 0);
      assert.deepEqual(result.messages.map((m) => m.type), ["CATALOG"]);
    });
    await t.step("read, then read again from the state", async () => {
      const catalog = await files.write("catalog.json", catalogOf(["companies", "job_roles"]));
      const first = await runMain(["read", "--config", config, "--catalog", catalog], secrets);
      assert.equal(first.code, 0, first.stderr);
      assert.ok(first.records("job_roles").length > 10, "more than one page");
      const state = await files.write("state.json", first.states().slice(-1));
      const second = await runMain(
        ["read", "--config", config, "--catalog", catalog, "--state", state],
        secrets,
      );
      assert.equal(second.code, 0, second.stderr);
      assert.ok(second.records("job_roles").length < first.records("job_roles").length);
    });
    await t.step("a failure exits non-zero after a TRACE ERROR", async () => {
      const result = await runMain(["read", "--config", config], secrets);
      assert.equal(result.code, 1);
      assert.equal(result.messages.at(-1).trace.error.failure_type, "config_error");
      assert.match(result.stderr, /needs --catalog/);
    });
  } finally {
    await sandbox.close();
  }
});

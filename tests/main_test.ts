import assert from "node:assert/strict";
import { startSandbox } from "../sandbox/mod.ts";
import {
  catalogOf,
  parseRun,
  type RunResult,
  stateFileOf,
  TempFiles,
} from "./support/connector.ts";

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
      assert.equal(result.connectionStatus().status, "SUCCEEDED");
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
      const state = await files.write("state.json", stateFileOf(first));
      const second = await runMain(
        ["read", "--config", config, "--catalog", catalog, "--state", state],
        secrets,
      );
      assert.equal(second.code, 0, second.stderr);
      assert.ok(second.records("job_roles").length < first.records("job_roles").length);
    });
    await t.step("a failure exits non-zero after a TRACE ERROR", async () => {
      const result = await runMain(["read", "--config", config], secrets);
      assert.equal(result.code, 2); // a bad command line
      assert.equal(result.traces("ERROR").at(-1)?.error.failure_type, "config_error");
      assert.match(result.stderr, /needs --catalog/);
    });
  } finally {
    await sandbox.close();
  }
});

/** `promise`, or a failure after `ms` (then `onTimeout` runs, e.g. to kill the child). */
async function within<T>(promise: Promise<T>, ms: number, what: string, onTimeout: () => void) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new Error(`${what} took more than ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Reads a child's stdout as text, calling `onLine` with each whole line count so far. */
async function readOutput(
  stream: ReadableStream<Uint8Array>,
  onLines: (count: number) => boolean | void,
): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  let lines = 0;
  const reader = stream.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      const chunk = decoder.decode(value, { stream: true });
      text += chunk;
      for (let at = chunk.indexOf("\n"); at >= 0; at = chunk.indexOf("\n", at + 1)) lines++;
      if (onLines(lines) === true) {
        await reader.cancel(); // the reader goes away, as `head` does
        break;
      }
    }
  } finally {
    reader.releaseLock();
  }
  return text;
}

/** A sandbox and the files of a full_refresh read of `people` (pages of 250 rows, ~250 KB). */
async function bigRead(files: TempFiles, sandbox: { url: string; token: string }) {
  return await files.readArgs(sandbox, {
    streams: ["people"],
    syncMode: "full_refresh",
    config: { max_records_per_page: 250 },
  });
}

Deno.test("read | head -n 5: a closed stdout ends the run with one stderr line and exit 141", async () => {
  const sandbox = await startSandbox({ people: 20_000, latencyMs: 2 });
  await using files = await TempFiles.create();
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: [...await connectorCommand(), ...await bigRead(files, sandbox)],
      cwd: ROOT,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    const kill = () => child.kill("SIGKILL");
    const [out, err, status] = await within(
      Promise.all([
        readOutput(child.stdout, (lines) => lines >= 5),
        new Response(child.stderr).text(),
        child.status,
      ]),
      30_000,
      "the run after its reader went away",
      kill,
    );
    assert.ok(out.split("\n").length > 5, "five lines were read");
    assert.equal(status.code, 141, err);
    const lines = err.trim().split("\n");
    assert.deepEqual(lines.length, 1, err);
    assert.match(lines[0], /^source-humaans: stdout was closed by its reader \(broken pipe\)/);
    assert.doesNotMatch(err, /Uncaught|BrokenPipe|\bat /);
    assert.ok(!out.includes(sandbox.token) && !err.includes(sandbox.token));
  } finally {
    await sandbox.close();
  }
});

Deno.test("SIGTERM and SIGINT mid-read: whole lines only, then death by that signal promptly", async (t) => {
  const sandbox = await startSandbox({ people: 20_000, latencyMs: 2 });
  await using files = await TempFiles.create();
  const args = [...await connectorCommand(), ...await bigRead(files, sandbox)];
  try {
    const cases = [
      ["SIGTERM", 143, 300],
      ["SIGTERM", 143, 1_250],
      ["SIGTERM", 143, 3_100],
      ["SIGINT", 130, 700],
      ["SIGINT", 130, 2_600],
    ] as const;
    for (const [signal, code, afterLines] of cases) {
      await t.step(`${signal} after ${afterLines} lines`, async () => {
        const child = new Deno.Command(Deno.execPath(), {
          args,
          cwd: ROOT,
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
          env: { NO_COLOR: "1" },
        }).spawn();
        let signalledAt = 0;
        const [out, err, status] = await within(
          Promise.all([
            readOutput(child.stdout, (lines) => {
              if (lines >= afterLines && signalledAt === 0) {
                signalledAt = performance.now();
                child.kill(signal);
              }
            }),
            new Response(child.stderr).text(),
            child.status,
          ]),
          30_000,
          `the run after ${signal}`,
          () => child.kill("SIGKILL"),
        );
        const stoppedMs = performance.now() - signalledAt;
        assert.ok(signalledAt > 0, "the signal was sent mid-read");
        // Killed by the signal itself (Python's subprocess sees -15 or -2), not an exit code: a
        // parent other than a shell reads exit code 143 as a failure.
        assert.equal(status.signal, signal, `exit ${status.code}, signal ${status.signal}: ${err}`);
        assert.equal(status.code, code, err); // 128 + n, as Deno and shells report it
        assert.ok(stoppedMs < 5_000, `stopped ${stoppedMs} ms after the signal`);
        // Every line whole and a protocol message; the last STATE one of them.
        const result = parseRun(status.code, out, err, [sandbox.token]);
        assert.ok(result.records().length < 20_000, "stopped before the end");
        assert.ok(result.states().length >= 1, "a STATE was written before the signal");
        assert.match(err, new RegExp(`${signal}: finishing the line being written, then stopping`));
        assert.doesNotMatch(err, /Uncaught|\bat /);
      });
    }
  } finally {
    await sandbox.close();
  }
});

Deno.test("a second SIGTERM while the last line waits for a stalled reader: death by SIGTERM at once", async () => {
  const sandbox = await startSandbox({ people: 20_000, latencyMs: 2 });
  await using files = await TempFiles.create();
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: [...await connectorCommand(), ...await bigRead(files, sandbox)],
      cwd: ROOT,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).spawn();
    // Read 300 lines, then stop reading without closing: the pipe fills and a write stalls.
    const reader = child.stdout.getReader();
    let lines = 0;
    while (lines < 300) {
      const { value, done } = await reader.read();
      if (done) break;
      for (const byte of value) if (byte === 10) lines++;
    }
    const signalledAt = performance.now();
    child.kill("SIGTERM");
    // The second signal once the first is being handled (two at once could merge into one).
    const readErr = async () => {
      let text = "";
      let sent = false;
      for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
        text += chunk;
        if (!sent && text.includes("finishing the line being written")) {
          sent = true;
          child.kill("SIGTERM");
        }
      }
      return text;
    };
    const [err, status] = await within(
      Promise.all([readErr(), child.status]),
      30_000,
      "the run after two SIGTERMs",
      () => child.kill("SIGKILL"),
    );
    const stoppedMs = performance.now() - signalledAt;
    await reader.cancel();
    assert.equal(status.signal, "SIGTERM", `exit ${status.code}, signal ${status.signal}: ${err}`);
    // Well before the 5 s the first signal would wait for the stalled line.
    assert.ok(stoppedMs < 4_000, `stopped ${stoppedMs} ms after the signals`);
    assert.doesNotMatch(err, /Uncaught|\bat /);
  } finally {
    await sandbox.close();
  }
});

Deno.test("spec and discover stopped by SIGTERM after their message (as PyAirbyte does): exit 0 or death by SIGTERM, never exit 143", async (t) => {
  const sandbox = await startSandbox({ people: 5 });
  await using files = await TempFiles.create();
  const config = await files.write("config.json", {
    api_token: sandbox.token,
    base_url: sandbox.url,
  });
  try {
    for (const args of [["spec"], ["discover", "--config", config]]) {
      await t.step(args[0], async () => {
        const child = new Deno.Command(Deno.execPath(), {
          args: [...await connectorCommand(), ...args],
          cwd: ROOT,
          stdin: "null",
          stdout: "piped",
          stderr: "piped",
          env: { NO_COLOR: "1" },
        }).spawn();
        const [out, err, status] = await within(
          Promise.all([
            // PyAirbyte stops reading at the message it needs and terminates the process if it
            // is still running: here at once, while the connector is still exiting.
            readOutput(child.stdout, (lines) => {
              if (lines < 1) return;
              try {
                child.kill("SIGTERM");
              } catch { /* it has exited already */ }
              return true;
            }),
            new Response(child.stderr).text(),
            child.status,
          ]),
          30_000,
          `${args[0]} after SIGTERM`,
          () => child.kill("SIGKILL"),
        );
        assert.match(out, /^\{"type":"(SPEC|CATALOG)"/);
        assert.ok(
          status.success || status.signal === "SIGTERM",
          `exit ${status.code}, signal ${status.signal}: ${err}`,
        );
        assert.doesNotMatch(err, /Uncaught|\bat /);
      });
    }
  } finally {
    await sandbox.close();
  }
});

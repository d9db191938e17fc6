/**
 * A hostile server and a careless user, end to end (the connector in-process against the
 * sandbox): the token in no encoding in any output, messages and bodies bounded.
 *
 * @module
 */
import assert from "node:assert/strict";
import { type Fault, startSandbox } from "../sandbox/mod.ts";
import { catalogOf, runConnector, type RunResult, TempFiles } from "./support/connector.ts";
import { testClock } from "./support/clock.ts";

const NOW = "2026-11-28T12:00:00.000Z";
const TOKEN = "hostile-test-token-Zx81Qp0Lm4";
const encoder = new TextEncoder();

function base64(text: string): string {
  return btoa(String.fromCharCode(...encoder.encode(text)));
}

/** 8-character windows of the base64 characters that encode the token alone, after `before`. */
function base64Windows(before: string): string[] {
  const k = encoder.encode(before).length;
  const encoded = base64(before + TOKEN);
  const part = encoded.slice(Math.ceil((8 * k) / 6), Math.floor((8 * (k + TOKEN.length)) / 6));
  return Array.from({ length: part.length - 7 }, (_, i) => part.slice(i, i + 8));
}

/** Every trace of the token a server could echo: raw, URL-encoded, and base64 in any wrapper. */
const LEAKS = [
  TOKEN,
  encodeURIComponent(TOKEN),
  ...base64Windows(""),
  ...base64Windows("Bearer "),
  ...base64Windows(":"),
  ...base64Windows("x:"),
];

function assertNoLeak(result: RunResult): void {
  for (const [where, text] of [["stdout", result.stdout], ["stderr", result.stderr]]) {
    for (const leak of LEAKS) assert.ok(!text.includes(leak), `${where} holds ${leak}`);
  }
}

async function run(
  command: "read" | "check",
  options: { faults: [string, Fault[]][]; config?: Record<string, unknown>; streams?: string[] },
): Promise<RunResult> {
  const sandbox = await startSandbox({ people: 5, tokens: { [TOKEN]: ["public:read"] } });
  await using files = await TempFiles.create();
  try {
    for (const [path, faults] of options.faults) sandbox.inject(path, faults);
    const config = await files.write("config.json", {
      api_token: TOKEN,
      base_url: sandbox.url,
      retry_attempts: 1,
      ...options.config,
    });
    const catalog = await files.write("catalog.json", catalogOf(options.streams ?? ["companies"]));
    const args = command === "read"
      ? ["read", "--config", config, "--catalog", catalog]
      : ["check", "--config", config];
    return await runConnector(args, {
      clock: testClock(NOW),
      secrets: [TOKEN],
    });
  } finally {
    await sandbox.close();
  }
}

Deno.test("a server echoing the Authorization header leaks the token in no encoding", async (t) => {
  for (const status of [400, 500]) {
    await t.step(`read, ${status} (TRACE, LOG and stderr)`, async () => {
      const fault: Fault = { echoAuthorization: true, status };
      const result = await run("read", {
        // Four: the count and the first page are asked at once, two attempts each.
        faults: [["/companies", Array(4).fill(fault)]],
        config: { enable_incremental_sync: false },
      });
      assert.equal(result.code, 1);
      const error = result.traces("ERROR")[0].error;
      assert.match(error.message, new RegExp(`GET /companies failed with ${status}`));
      assert.match(error.message, /Rejected request with Authorization Bearer \*\*\*\* \| /);
      if (status === 500) assert.ok(result.ofType("LOG").length > 0, "a retry was logged");
      assert.match(result.stderr, /Rejected request/);
      assertNoLeak(result);
    });
  }
  await t.step("check (CONNECTION_STATUS)", async () => {
    const result = await run("check", {
      // /token-info answering 401 falls back to /me: both echo the header.
      faults: [["*", Array(3).fill({ echoAuthorization: true, status: 401 })]],
    });
    const status = result.connectionStatus();
    assert.equal(status.status, "FAILED");
    assert.match(status.message, /Rejected request with Authorization Bearer \*\*\*\* \| /);
    assertNoLeak(result);
  });
});

Deno.test("a 503 with a 5 MB message gives a short TRACE", async () => {
  const fault: Fault = {
    status: 503,
    body: JSON.stringify({ code: 503, name: "Unavailable", message: "z".repeat(5_000_000) }),
  };
  // Four: the count and the first page are asked at once, two attempts each.
  const result = await run("read", { faults: [["/companies", Array(4).fill(fault)]] });
  assert.equal(result.code, 1);
  const longest = Math.max(...result.stdout.split("\n").map((line) => line.length));
  assert.ok(longest < 2_000, `a ${longest}-character line`);
  assert.ok(result.stderr.length < 4_000, `${result.stderr.length} characters on stderr`);
  assert.match(result.traces("ERROR")[0].error.message, /z{500}\.\.\. \(4999500 more characters\)/);
});

Deno.test("a 200 whose body never ends fails the stream after the 64 MiB cap, retried", async () => {
  const fault: Fault = { endlessBody: true };
  // Four: the count and the first page are asked at once, two attempts each.
  const result = await run("read", {
    faults: [["/companies", Array(4).fill(fault)]],
    config: { enable_incremental_sync: false },
  });
  assert.equal(result.code, 1);
  assert.deepEqual(result.statuses("companies"), ["STARTED", "INCOMPLETE"]);
  const error = result.traces("ERROR")[0].error;
  assert.equal(error.failure_type, "transient_error");
  assert.match(
    error.message,
    /GET \/companies failed with 200 response body is larger than 64 MiB, the most the connector reads after 2 attempts/,
  );
});

Deno.test("a careless config: an unquoted, short or broken token is a config_error, never printed", async (t) => {
  await using files = await TempFiles.create();
  const catalog = await files.write("catalog.json", catalogOf(["companies"]));
  const cases: [string, string, RegExp][] = [
    [
      "an unquoted token",
      `{"api_token": ${TOKEN}, "base_url": "http://127.0.0.1:9/api"}`,
      /config file ".*config\.json": not valid JSON at line 1, column 15/,
    ],
    ["a 3-character token", `{"api_token": "abc"}`, /"api_token" .* is too short \(3 characters/],
    [
      "a token with a line break",
      JSON.stringify({ api_token: `${TOKEN.slice(0, 10)}\n${TOKEN.slice(10)}` }),
      /"api_token" .* holds a space, line break or control character \(at character 11\)/,
    ],
    [
      "a token with a NUL",
      JSON.stringify({ api_token: `${TOKEN}\u0000` }),
      /"api_token" .* control character \(at character 30\)/,
    ],
    [
      "base_url with a password",
      JSON.stringify({ api_token: TOKEN, base_url: "https://me:pw-secret-1@app.humaans.io/api" }),
      /"base_url" .* must not hold a user name or password/,
    ],
  ];
  for (const [name, text, pattern] of cases) {
    await t.step(name, async () => {
      const config = await files.write("config.json", text);
      for (const args of [["read", "--catalog", catalog], ["discover"]]) {
        const result = await runConnector([args[0], "--config", config, ...args.slice(1)], {
          clock: testClock(NOW),
          secrets: [TOKEN, "pw-secret-1"],
        });
        assert.equal(result.code, 1);
        const error = result.traces("ERROR")[0].error;
        assert.equal(error.failure_type, "config_error");
        assert.match(error.message, pattern);
        for (let i = 0; i + 8 <= TOKEN.length; i++) {
          const part = TOKEN.slice(i, i + 8);
          assert.ok(!result.stdout.includes(part), `stdout holds "${part}" of the token`);
        }
      }
    });
  }
});

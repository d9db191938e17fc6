import assert from "node:assert/strict";
import { ALL_SCOPES, startSandbox } from "../../sandbox/mod.ts";
import { CHECK_DEADLINE_MS } from "../../src/commands/check.ts";
import { STREAMS } from "../../src/streams/mod.ts";
import { testClock } from "../support/clock.ts";
import { runConnector, TempFiles } from "../support/connector.ts";

/** The stream names a check message lists as readable, and the reasons of the others. */
function parse(message: string): { readable: string[]; unreadable: Map<string, string> } {
  const readable = message.match(/Readable streams: ([^.]*)\./)?.[1].split(", ") ?? [];
  const unreadable = new Map<string, string>();
  const rest = message.match(/Not readable: (.*)\.$/)?.[1] ?? "";
  for (const match of rest.matchAll(/(\w+) \(((?:[^()]|\([^()]*\))*)\)/g)) {
    unreadable.set(match[1], match[2]);
  }
  return { readable, unreadable };
}

Deno.test("check asks every stream for one row and reports what the token can read", async (t) => {
  const sandbox = await startSandbox({
    people: 5,
    tokens: { "role-token-1": ALL_SCOPES, "public-token-2": ["public:read"] },
    // The token's creator may not see compensations, whatever the token's scopes say.
    denied: { "role-token-1": ["/compensations", "/bank-accounts"] },
    absent: ["/spaces"],
  });
  await using files = await TempFiles.create();
  const check = async (token: string, clock = testClock()) => {
    const config = await files.write("config.json", {
      api_token: token,
      base_url: sandbox.url,
      retry_attempts: 0,
    });
    const result = await runConnector(["check", "--config", config], {
      clock,
      secrets: [token],
    });
    assert.equal(result.code, 0);
    assert.equal(result.messages.length, 1);
    return result.connectionStatus();
  };
  try {
    await t.step("a list the role hides: 403 names the scope the token already has", async () => {
      const before = sandbox.requests.length;
      const status = await check("role-token-1");
      assert.equal(status.status, "SUCCEEDED");
      const { readable, unreadable } = parse(status.message);
      assert.deepEqual(
        [...unreadable.keys()].sort(),
        ["bank_accounts", "compensations", "spaces"],
      );
      assert.match(
        unreadable.get("compensations")!,
        /^403 You do not have permission.*; the token has compensations:read, so the role of the person who created it lacks this list/,
      );
      assert.equal(unreadable.get("spaces"), "404: the endpoint does not exist for this account");
      assert.deepEqual(
        readable.sort(),
        STREAMS.map((s) => s.name).filter((n) => !unreadable.has(n)).sort(),
      );
      // One real request a stream, each for one row.
      const probes = sandbox.requests.slice(before).filter((r) =>
        STREAMS.some((s) => s.path === r.path)
      );
      assert.equal(probes.length, STREAMS.length);
      for (const probe of probes) assert.equal(new URLSearchParams(probe.query).get("$limit"), "1");
    });
    await t.step("a missing scope: 403 says which scope to grant", async () => {
      const status = await check("public-token-2");
      const { unreadable } = parse(status.message);
      assert.match(
        unreadable.get("documents")!,
        /^403 Missing scope documents:read; grant documents:read$/,
      );
      assert.match(unreadable.get("compensations")!, /grant compensations:read$/);
    });
    for (const code of [401, 403, 404]) {
      await t.step(`a ${code} on /token-info falls back to /me`, async () => {
        sandbox.inject("/token-info", [{ status: code, body: `{"code":${code}}` }]);
        const before = sandbox.requests.length;
        const status = await check("role-token-1");
        assert.equal(status.status, "SUCCEEDED");
        assert.doesNotMatch(status.message, /with scopes/);
        assert.ok(sandbox.requests.slice(before).some((r) => r.path === "/me"));
        const { unreadable } = parse(status.message);
        assert.match(unreadable.get("compensations")!, /^403 .*; grant compensations:read$/);
      });
    }
    await t.step("a base_url that is not the API's: FAILED, naming base_url", async () => {
      const config = await files.write("config.json", {
        api_token: "role-token-1",
        base_url: sandbox.url.replace(/\/api$/, "/v1"),
        retry_attempts: 0,
      });
      const result = await runConnector(["check", "--config", config], {
        clock: testClock(),
        secrets: ["role-token-1"],
      });
      assert.equal(result.code, 0);
      const status = result.connectionStatus();
      assert.equal(status.status, "FAILED");
      assert.match(status.message, /404.*\/token-info and \/me answered 404 too: check base_url/);
    });
    await t.step("the deadline ends every request not yet answered", async () => {
      const deadline = new AbortController();
      deadline.abort(new DOMException("deadline", "TimeoutError"));
      const clock = testClock(undefined, {
        timeout: (ms) => ms === CHECK_DEADLINE_MS ? deadline.signal : AbortSignal.timeout(10_000),
      });
      const status = await check("role-token-1", clock);
      assert.equal(status.status, "FAILED");
      const { readable, unreadable } = parse(status.message);
      assert.deepEqual(readable, ["none"]);
      assert.equal(unreadable.size, STREAMS.length);
      for (const reason of unreadable.values()) {
        assert.equal(reason, "no answer within 5 s; run check again");
      }
    });
    await t.step("a list that stalls is reported, and check still ends", async () => {
      sandbox.inject("/equipment", [{ stallMs: 60_000 }]);
      const status = await check("role-token-1", testClock(undefined, { timeoutMs: 300 }));
      assert.equal(status.status, "SUCCEEDED");
      const { unreadable } = parse(status.message);
      assert.match(
        unreadable.get("equipment")!,
        /^(no answer within 5 s|could not tell: .*timed out)/,
      );
    });
  } finally {
    await sandbox.close();
  }
});

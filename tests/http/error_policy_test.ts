import assert from "node:assert/strict";
import {
  ERROR_POLICY,
  type FailureKind,
  kindOfStatus,
  streamHint,
} from "../../src/http/error_policy.ts";

Deno.test("the table: every kind's action and failure type", async (t) => {
  const expected: Record<FailureKind, [string, string]> = {
    timeout: ["retry", "transient_error"],
    network: ["retry", "transient_error"],
    body_too_large: ["retry", "transient_error"],
    not_json: ["retry", "transient_error"],
    unexpected_body: ["retry", "system_error"],
    rejected_query: ["fail", "system_error"],
    unauthorized: ["fail", "config_error"],
    forbidden: ["fail", "config_error"],
    not_found: ["fail", "system_error"],
    client_error: ["fail", "system_error"],
    request_timeout: ["retry", "transient_error"],
    rate_limited: ["rate_limited", "transient_error"],
    server_error: ["retry", "transient_error"],
  };
  assert.deepEqual(Object.keys(ERROR_POLICY).sort(), Object.keys(expected).sort());
  for (const [kind, resolution] of Object.entries(ERROR_POLICY)) {
    await t.step(kind, () => {
      const [action, failureType] = expected[kind as FailureKind];
      assert.equal(resolution.action, action);
      assert.equal(resolution.failureType, failureType);
      // Hints follow the house style of errors: no capital, no trailing period.
      for (const text of [resolution.hint, resolution.advice?.action]) {
        if (text) assert.ok(!text.endsWith(".") && text[0] === text[0].toLowerCase(), text);
      }
    });
  }
});

Deno.test("statuses: their kind, whether retried, and the failure type", async (t) => {
  const rows: [number, FailureKind, boolean, string][] = [
    [400, "rejected_query", false, "system_error"],
    [401, "unauthorized", false, "config_error"],
    [403, "forbidden", false, "config_error"],
    [404, "not_found", false, "system_error"],
    [408, "request_timeout", true, "transient_error"],
    [409, "client_error", false, "system_error"],
    [422, "client_error", false, "system_error"],
    [429, "rate_limited", true, "transient_error"],
    [500, "server_error", true, "transient_error"],
    [502, "server_error", true, "transient_error"],
    [503, "server_error", true, "transient_error"],
    [504, "server_error", true, "transient_error"],
  ];
  for (const [status, kind, retried, failureType] of rows) {
    await t.step(String(status), () => {
      assert.equal(kindOfStatus(status), kind);
      const resolution = ERROR_POLICY[kindOfStatus(status)];
      assert.equal(resolution.action !== "fail", retried);
      assert.equal(resolution.failureType, failureType);
    });
  }
});

Deno.test("streamHint: the scope for forbidden, deselecting for not_found, else nothing", () => {
  const stream = { scopes: ["private:read", "public:read"], path: "/people" };
  assert.match(streamHint("forbidden", stream), /needs the private:read or public:read scope/);
  assert.match(streamHint("not_found", stream), /no \/people list .*deselect the stream/);
  assert.equal(streamHint("server_error", stream), "");
  assert.equal(streamHint(undefined, stream), "");
});

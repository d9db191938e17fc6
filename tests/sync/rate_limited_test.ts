import assert from "node:assert/strict";
import type { Clock } from "../../src/clock.ts";
import { HumaansClient } from "../../src/http/client.ts";
import { MessageWriter } from "../../src/protocol/writer.ts";
import { rateLimitedStatus, reportingRateLimits } from "../../src/sync/rate_limited.ts";
import { Capture } from "../support/capture.ts";
import { testClock } from "../support/clock.ts";
import { StrictAirbyteMessage } from "../support/protocol.ts";

const START = Date.parse("2026-11-28T12:00:00.000Z");

function setup() {
  const out = new Capture();
  const clock = testClock(START);
  const writer = new MessageWriter(out, { now: clock.now });
  const statuses = () =>
    out.text().trim().split("\n").filter(Boolean).map((line) => {
      const message = StrictAirbyteMessage.parse(JSON.parse(line));
      assert.ok(message.type === "TRACE" && message.trace.type === "STREAM_STATUS", line);
      return message.trace.stream_status;
    });
  return { clock, writer, statuses };
}

/** A client whose requests get `replies`, in turn. */
function clientReplying(clock: Clock, replies: Response[]): HumaansClient {
  return new HumaansClient({
    baseUrl: "https://app.humaans.io/api",
    token: "hms_live_token_for_tests_only",
    timeoutMs: 30_000,
    retryAttempts: 3,
    clock,
    fetch: () => Promise.resolve(replies.shift()!),
  });
}

Deno.test("a 429 with Retry-After: the stream reports RUNNING, RATE_LIMITED, quota_reset, then reads on", async () => {
  const { clock, writer, statuses } = setup();
  const replies = [
    new Response("{}", { status: 429, headers: { "retry-after": "30" } }),
    Response.json({ ok: true }),
  ];
  const client = clientReplying(clock, replies);
  const onRateLimited = rateLimitedStatus(writer, "people", { now: clock.now });
  assert.deepEqual(await client.get("/people", {}, { onRateLimited }), { ok: true });
  assert.deepEqual(statuses(), [{
    stream_descriptor: { name: "people" },
    status: "RUNNING",
    reasons: [{ type: "RATE_LIMITED", rate_limited: { quota_reset: START + 30_000 } }],
  }]);
  assert.deepEqual(clock.sleeps, [30_000], "and it waited for the reset");
});

Deno.test("rateLimitedStatus: once per wait; a later wait, or one without a reset, is reported again", async () => {
  const { clock, writer, statuses } = setup();
  const report = rateLimitedStatus(writer, "people", { now: clock.now });
  await report({ quotaReset: START + 10_000, delayMs: 10_000 });
  await report({ quotaReset: START + 10_000, delayMs: 9_000 }); // another request, same pause
  await report({ quotaReset: START + 5_000, delayMs: 5_000 }); // ends within the one reported
  clock.advance(10_000);
  await report({ delayMs: 2_000 }); // a backoff, no reset known
  await report({ quotaReset: START + 60_000, delayMs: 48_000 });
  assert.deepEqual(statuses().map((status) => status.reasons), [
    [{ type: "RATE_LIMITED", rate_limited: { quota_reset: START + 10_000 } }],
    [{ type: "RATE_LIMITED" }],
    [{ type: "RATE_LIMITED", rate_limited: { quota_reset: START + 60_000 } }],
  ]);
  assert.ok(statuses().every((status) => status.status === "RUNNING"));
  assert.ok(statuses().every((status) => status.stream_descriptor.name === "people"));
});

Deno.test("reportingRateLimits: the options with a client whose every request reports for the stream", async () => {
  const { clock, writer, statuses } = setup();
  const replies = [
    new Response("{}", { status: 429, headers: { "retry-after": "5" } }),
    Response.json({ ok: true }),
  ];
  const client = clientReplying(clock, replies);
  const options = { client, writer, now: clock.now, other: 1 };
  const reporting = reportingRateLimits(options, "documents");
  assert.equal(reporting.other, 1);
  assert.equal(reporting.writer, writer);
  assert.notEqual(reporting.client, client);
  assert.equal(reporting.client.limit, client.limit);
  await reporting.client.get("/documents");
  assert.deepEqual(statuses().map((s) => [s.stream_descriptor.name, s.reasons]), [
    ["documents", [{ type: "RATE_LIMITED", rate_limited: { quota_reset: START + 5_000 } }]],
  ]);
});

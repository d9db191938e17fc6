import assert from "node:assert/strict";
import { clientFor, type CommandContext, loadConfig } from "../../src/commands/context.ts";
import { MessageWriter } from "../../src/protocol/writer.ts";
import { Capture } from "../support/capture.ts";
import { testClock } from "../support/clock.ts";
import { TempFiles } from "../support/connector.ts";

const TOKEN = "hms_ctx_Q7r2Lp9Zx4";

function context(files: CommandContext["files"], fetch?: typeof globalThis.fetch) {
  const stdout = new Capture();
  const writer = new MessageWriter(stdout, { stderr: new Capture(), now: () => 0 });
  return { stdout, writer, context: { writer, clock: testClock(), files, fetch } };
}

Deno.test("loadConfig: the seed's strings coerced, and the token masked before any message", async () => {
  await using files = await TempFiles.create();
  const config = await files.write("config.json", {
    api_token: TOKEN,
    base_url: "http://127.0.0.1:9/api",
    retry_attempts: "2",
  });
  const { stdout, writer, context: ctx } = context({ config });
  const parsed = await loadConfig(ctx);
  assert.equal(parsed.retry_attempts, 2);
  await writer.log("INFO", `token ${TOKEN}`);
  await writer.flush();
  assert.ok(!stdout.text().includes(TOKEN), "the token is registered as a secret");
});

Deno.test("loadConfig: a bad value fails naming the file and the field, without the token", async () => {
  await using files = await TempFiles.create();
  const config = await files.write("config.json", { api_token: TOKEN, retry_attempts: "many" });
  const { context: ctx } = context({ config });
  const error = await loadConfig(ctx).then(() => undefined, (e: Error) => e);
  assert.ok(error instanceof Error);
  assert.match(error.message, /retry_attempts/);
  assert.ok(error.message.includes(config), "the message names the file");
  assert.ok(!error.message.includes(TOKEN));
});

Deno.test("clientFor: each retry is a WARN naming the request, the reason and the wait", async () => {
  await using files = await TempFiles.create();
  const config = await files.write("config.json", {
    api_token: TOKEN,
    base_url: "http://127.0.0.1:9/api",
    retry_attempts: 1,
  });
  let calls = 0;
  const fetch = (() => {
    calls++;
    const status = calls === 1 ? 503 : 200;
    const body = JSON.stringify({ total: 0, limit: 1, skip: 0, data: [] });
    return Promise.resolve(new Response(body, { status }));
  }) as typeof globalThis.fetch;
  const { stdout, writer, context: ctx } = context({ config }, fetch);
  const client = clientFor(await loadConfig(ctx), ctx);
  await client.get("/people", { $limit: 1 });
  await writer.flush();
  const logs = stdout.text().trim().split("\n").map((line) => JSON.parse(line).log);
  assert.equal(calls, 2);
  assert.equal(logs.length, 1);
  assert.equal(logs[0].level, "WARN");
  assert.match(
    logs[0].message,
    /^GET \/people attempt 1 failed \(.*503.*\); retrying in \d+\.\d s/,
  );
});

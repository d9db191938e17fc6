import assert from "node:assert/strict";
import { serverTotal } from "../../src/sync/server_total.ts";
import { HumaansClient } from "../../src/http/client.ts";
import { startSandbox } from "../../sandbox/mod.ts";

Deno.test("serverTotal reads the unfiltered total with one one-row request", async () => {
  const sandbox = await startSandbox({ people: 7 });
  try {
    const client = new HumaansClient({
      baseUrl: sandbox.url,
      token: sandbox.token,
      timeoutMs: 5_000,
      retryAttempts: 0,
    });
    const total = await serverTotal(client, "/people");
    assert.equal(total, 7);
  } finally {
    await sandbox.close();
  }
});

import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { parseConfig } from "../../src/config.ts";
import { policyOf, policySummary, protects } from "../../src/sensitive/policy.ts";

const TOKEN = "test-token-0123456789";
const KEY = "0123456789abcdef0123";

Deno.test("keep is no policy, and check says nothing of it", async () => {
  const policy = await policyOf(parseConfig({ api_token: TOKEN }));
  assert.equal(policy, undefined);
  assert.equal(policySummary(policy), "");
});

Deno.test("hash: every class by default, keyed with hash_key", async () => {
  const policy = (await policyOf(
    parseConfig({ api_token: TOKEN, sensitive_data: "hash", hash_key: KEY }),
  ))!;
  assert.equal(policy.mode, "hash");
  assert.deepEqual([...policy.classes], [
    "bank",
    "government_id",
    "compensation",
    "personal",
    "health",
  ]);
  assert.equal(policy.hmac!.hex("x"), createHmac("sha256", KEY).update("x").digest("hex"));
  assert.equal(
    policySummary(policy),
    "Sensitive data hashed (HMAC-SHA-256 under hash_key): bank, government_id, compensation, personal, health.",
  );
});

Deno.test("drop of the classes chosen; an unknown class is always protected", async () => {
  const policy = (await policyOf(
    parseConfig({
      api_token: TOKEN,
      sensitive_data: "drop",
      sensitive_classes: ["health", "bank"],
    }),
  ))!;
  assert.equal(policy.hmac, undefined);
  assert.equal(policySummary(policy), "Sensitive data dropped: bank, health.");
  assert.ok(protects(policy, "bank"));
  assert.ok(!protects(policy, "personal"));
  assert.ok(protects(policy, "unknown"));
});

Deno.test("policyOf refuses hash without a key (a config made without parseConfig)", async () => {
  await assert.rejects(
    () => policyOf({ sensitive_data: "hash", sensitive_classes: ["bank"], hash_key: undefined }),
    /hash_key/,
  );
});

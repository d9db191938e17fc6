import assert from "node:assert/strict";
import { configError, ConnectorError, toConnectorError } from "../src/errors.ts";

Deno.test("configError builds a config_error with its cause", () => {
  const cause = new Error("root");
  const error = configError('Config field "x" is wrong', { cause });
  assert.ok(error instanceof ConnectorError);
  assert.equal(error.failureType, "config_error");
  assert.equal(error.message, 'Config field "x" is wrong');
  assert.equal(error.cause, cause);
  assert.equal(error.name, "ConnectorError");
});

Deno.test("toConnectorError", async (t) => {
  await t.step("a ConnectorError passes through unchanged", () => {
    const error = new ConnectorError("Retries exhausted", { failureType: "transient_error" });
    assert.equal(toConnectorError(error), error);
  });
  await t.step("an Error becomes a system_error keeping the stack for operators", () => {
    const cause = new TypeError("x is undefined");
    const error = toConnectorError(cause);
    assert.equal(error.failureType, "system_error");
    assert.equal(error.message, "Unexpected error: x is undefined");
    assert.equal(error.internalMessage, cause.stack);
    assert.equal(error.cause, cause);
  });
  await t.step("anything else is stringified", () => {
    const error = toConnectorError("plain string");
    assert.equal(error.failureType, "system_error");
    assert.equal(error.message, "Unexpected error: plain string");
    assert.equal(error.internalMessage, undefined);
  });
});

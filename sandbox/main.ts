/**
 * `deno task sandbox`: serves the Humaans sandbox on 127.0.0.1 until interrupted.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { startSandbox } from "./mod.ts";

const USAGE = `Usage: deno task sandbox [--port P] [--people N] [--seed S] [--latency-ms L]
                         [--rate-limit R] [--error-rate X] [--churn K] [--filters honour|ignore|reject]`;

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      port: { type: "string", default: "8787" },
      people: { type: "string", default: "200" },
      seed: { type: "string", default: "1" },
      "latency-ms": { type: "string", default: "0" },
      "rate-limit": { type: "string" },
      "error-rate": { type: "string", default: "0" },
      churn: { type: "string", default: "0" },
      filters: { type: "string", default: "honour" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    console.error(USAGE);
    Deno.exit(0);
  }
  const number = (name: keyof typeof values) => {
    const n = Number(values[name]);
    if (!Number.isFinite(n) || n < 0) {
      console.error(`--${name} must be a non-negative number, got "${values[name]}"\n${USAGE}`);
      Deno.exit(2);
    }
    return n;
  };
  const sandbox = await startSandbox({
    port: number("port"),
    people: number("people"),
    seed: number("seed"),
    latencyMs: number("latency-ms"),
    rateLimit: values["rate-limit"] === undefined ? undefined : number("rate-limit"),
    errorRate: number("error-rate"),
    churn: number("churn"),
    filters: values.filters as "honour" | "ignore" | "reject",
  });
  console.error(`sandbox listening on ${sandbox.url} token=${sandbox.token}`);
  const stop = async () => {
    await sandbox.close();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
}

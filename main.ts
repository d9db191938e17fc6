/**
 * source-humaans: an Airbyte source for the Humaans HR API.
 *
 * `deno run --allow-read --allow-net main.ts spec | check | discover | read ...`
 *
 * @module
 */
import { run } from "./src/cli.ts";

if (import.meta.main) {
  const code = await run(Deno.args, {
    stdout: Deno.stdout,
    stderr: { write: (bytes) => Deno.stderr.writeSync(bytes) },
    progress: Deno.stderr.isTerminal(),
  });
  Deno.exit(code);
}

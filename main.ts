/**
 * source-humaans: an Airbyte source for the Humaans HR API.
 *
 * `deno run --allow-read --allow-net main.ts spec | check | discover | read ...`
 *
 * Exit codes: 0 success, 1 a failure (after a TRACE ERROR), 2 a bad command line, 141 stdout
 * closed by its reader (a broken pipe), 143 SIGTERM, 130 SIGINT.
 *
 * @module
 */
import { EXIT_CODES, run } from "./src/cli.ts";
import { OutputGate } from "./src/protocol/writer.ts";

/** Longest wait for the line being written when a signal arrives, in ms. */
const STOP_WAIT_MS = 5_000;

if (import.meta.main) {
  const encoder = new TextEncoder();
  // A closed stderr must not crash the run either.
  const stderr = {
    write(bytes: Uint8Array): number {
      try {
        return Deno.stderr.writeSync(bytes);
      } catch {
        return bytes.length;
      }
    },
  };
  const say = (text: string) => stderr.write(encoder.encode(`source-humaans: ${text}\n`));
  const stdout = new OutputGate(Deno.stdout, {
    onClosed() {
      say(
        `stdout was closed by its reader (broken pipe): stopped, exit ${EXIT_CODES.outputClosed}`,
      );
      Deno.exit(EXIT_CODES.outputClosed);
    },
  });
  const signals = [["SIGTERM", EXIT_CODES.sigterm], ["SIGINT", EXIT_CODES.sigint]] as const;
  let stopping = false;
  for (const [signal, code] of signals) {
    Deno.addSignalListener(signal, () => {
      if (stopping) Deno.exit(code); // a second signal: at once
      stopping = true;
      say(`${signal}: finishing the line being written, then stopping (exit ${code})`);
      const timer = setTimeout(() => Deno.exit(code), STOP_WAIT_MS);
      stdout.stop().then(() => {
        clearTimeout(timer);
        Deno.exit(code);
      });
    });
  }
  const code = await run(Deno.args, {
    stdout,
    stderr,
    progress: Deno.stderr.isTerminal(),
  });
  Deno.exit(code);
}

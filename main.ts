/**
 * source-humaans: an Airbyte source for the Humaans HR API.
 *
 * `deno run --allow-read --allow-net main.ts spec | check | discover | read ...`
 *
 * Exit codes: 0 success, 1 a failure (after a TRACE ERROR), 2 a bad command line, 141 stdout
 * closed by its reader (a broken pipe). Stopped by SIGTERM or SIGINT, it finishes the line being
 * written and then dies by that signal (a shell reports 143 or 130; Python's subprocess -15 or -2).
 *
 * @module
 */
import { EXIT_CODES, run } from "./src/cli.ts";
import { OutputGate } from "./src/protocol/writer.ts";

/** Longest wait for the line being written when a signal arrives, in ms. */
const STOP_WAIT_MS = 5_000;
/** Longest wait for a raised signal to end the process before exiting with its code, in ms. */
const RAISE_WAIT_MS = 1_000;

/**
 * Ends the process by `signal`: its listener removed (the default action back), the signal raised
 * again, so a parent sees death by the signal, not an exit code. Where the signal cannot end it
 * (PID 1 of a container ignores signals with the default action), exits with `code` (128 + n).
 */
function dieBy(signal: Deno.Signal, code: number, listener: () => void): void {
  Deno.removeSignalListener(signal, listener);
  if (Deno.pid === 1) Deno.exit(code);
  try {
    Deno.kill(Deno.pid, signal);
  } catch {
    Deno.exit(code);
  }
  setTimeout(() => Deno.exit(code), RAISE_WAIT_MS);
}

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
    const listener = () => {
      if (stopping) return dieBy(signal, code, listener); // a second signal: at once
      stopping = true;
      say(`${signal}: finishing the line being written, then stopping by ${signal}`);
      const timer = setTimeout(() => dieBy(signal, code, listener), STOP_WAIT_MS);
      stdout.stop().then(() => {
        clearTimeout(timer);
        dieBy(signal, code, listener);
      });
    };
    Deno.addSignalListener(signal, listener);
  }
  const code = await run(Deno.args, {
    stdout,
    stderr,
    progress: Deno.stderr.isTerminal(),
  });
  // Once a signal came, the process ends by it (the run may finish while the line is ended).
  if (!stopping) Deno.exit(code);
}

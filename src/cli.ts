import { parseCommandLine, type ParsedCommandLine } from "./cli_args.ts";
import { type Clock, systemClock } from "./clock.ts";
import { toConnectorError } from "./errors.ts";
import { ProgressLine } from "./progress.ts";
import { type ByteSink, MessageWriter } from "./protocol/writer.ts";
import { check } from "./commands/check.ts";
import type { CommandContext } from "./commands/context.ts";
import { discover } from "./commands/discover.ts";
import { read } from "./commands/read.ts";
import { spec } from "./commands/spec.ts";
import { VERSION } from "./version.ts";

/** Usage text, printed to stderr for --help and for a bad command line. */
export const USAGE = `source-humaans ${VERSION}: an Airbyte source for the Humaans API

Usage: source-humaans <command> [options]

Commands:
  spec                                          print the configuration schema
  check    --config FILE                        test the config and the API token
  discover --config FILE                        print the catalog of streams
  read     --config FILE --catalog FILE [--state FILE]   sync records

Options:
  --debug     also print DEBUG log messages
  --version   print the connector's version (to stderr: stdout is for protocol messages)
  --help      show this text`;

/** The process exit codes. */
export const EXIT_CODES = {
  ok: 0,
  /** A failure, after a TRACE ERROR (a stream INCOMPLETE, a bad file, ...). */
  failed: 1,
  /** A bad command line. */
  usage: 2,
  /** Stdout closed by its reader (a broken pipe, e.g. `read ... | head`): 128 + SIGPIPE. */
  outputClosed: 141,
  /**
   * Stopped by SIGINT: 128 + 2, what a shell reports. main.ts ends the process by the signal
   * itself (a parent sees death by SIGINT); it exits with this code only where the signal cannot
   * end it (PID 1 of a container).
   */
  sigint: 130,
  /** Stopped by SIGTERM: 128 + 15, what a shell reports (as for {@linkcode EXIT_CODES.sigint}). */
  sigterm: 143,
} as const;

const COMMANDS = {
  spec: { run: spec, needs: [] },
  check: { run: check, needs: ["config"] },
  discover: { run: discover, needs: ["config"] },
  read: { run: read, needs: ["config", "catalog"] },
} as const;

/** Where a run's output goes, and what it runs with (tests inject their own). */
export interface RunOptions {
  /** Where protocol messages go. */
  stdout: ByteSink;
  /** Where diagnostics, usage text and progress go. */
  stderr?: ByteSink;
  /** The clock (the system clock unless a test injects one). */
  clock?: Clock;
  /** The fetch the HTTP client uses (the global one unless a test injects one). */
  fetch?: typeof fetch;
  /** Show read progress on stderr (main.ts turns it on when stderr is a terminal). */
  progress?: boolean;
}

const FLAGS = {
  config: { type: "string" },
  catalog: { type: "string" },
  state: { type: "string" },
  debug: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean" },
} as const;

type ParsedArgs = ParsedCommandLine<typeof FLAGS>;

function writeLine(sink: ByteSink | undefined, text: string): void {
  sink?.write(new TextEncoder().encode(text + "\n"));
}

/** Runs the connector with command-line `args`; resolves to the exit code. */
export async function run(args: string[], options: RunOptions): Promise<number> {
  const clock = options.clock ?? systemClock;
  let parsed: ParsedArgs;
  try {
    parsed = parseCommandLine(args, FLAGS);
  } catch (error) {
    return await badCommandLine((error as Error).message, { clock, run: options });
  }
  const name = parsed.positionals[0];
  if (parsed.values.version) {
    writeLine(options.stderr, `source-humaans ${VERSION}`);
    return 0;
  }
  if (parsed.values.help || name === "help") {
    writeLine(options.stderr, USAGE);
    return EXIT_CODES.ok;
  }
  const problem = commandProblem(parsed);
  if (problem !== undefined) return await badCommandLine(problem, { clock, run: options });
  return await runCommand(name, { parsed, clock, run: options });
}

/** What is wrong with a parsed command line's command and its files, or undefined. */
function commandProblem(parsed: ParsedArgs): string | undefined {
  const [name, ...extra] = parsed.positionals;
  if (name === undefined) return "no command: use spec, check, discover or read";
  if (!(name in COMMANDS)) return `unknown command "${name}": use spec, check, discover or read`;
  if (extra.length > 0) return `unexpected argument "${extra[0]}"`;
  const missing = COMMANDS[name as keyof typeof COMMANDS].needs.find((f) => !parsed.values[f]);
  return missing === undefined ? undefined : `the ${name} command needs --${missing} FILE`;
}

/** A bad command line: the usage on stderr, a config_error TRACE, exit code 2. */
async function badCommandLine(
  problem: string,
  options: { clock: Clock; run: RunOptions },
): Promise<number> {
  const { clock, run } = options;
  const writer = new MessageWriter(run.stdout, { stderr: run.stderr, now: clock.now });
  writeLine(run.stderr, USAGE);
  await writer.error(`Invalid command line: ${problem}`, { failureType: "config_error" });
  await writer.flush();
  return EXIT_CODES.usage;
}

/** Runs one named command; a failure becomes a TRACE ERROR and exit code 1. */
async function runCommand(
  name: string,
  options: { parsed: ParsedArgs; clock: Clock; run: RunOptions },
): Promise<number> {
  const { parsed, clock, run } = options;
  const writer = new MessageWriter(run.stdout, {
    stderr: run.stderr,
    now: clock.now,
    logLevel: parsed.values.debug ? "DEBUG" : "INFO",
  });
  const context: CommandContext = {
    writer,
    clock,
    fetch: run.fetch,
    files: parsed.values,
    progress: run.progress && run.stderr
      ? new ProgressLine(run.stderr, { now: clock.now })
      : undefined,
  };
  try {
    return await COMMANDS[name as keyof typeof COMMANDS].run(context);
  } catch (thrown) {
    const error = toConnectorError(thrown);
    await writer.flush();
    await writer.error(error.message, {
      failureType: error.failureType,
      internalMessage: error.internalMessage,
    });
    return EXIT_CODES.failed;
  } finally {
    await writer.flush();
  }
}

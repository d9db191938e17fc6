/**
 * The connector as a real subprocess, run with the exact `deno task connector` command, for tests
 * that kill it (SIGKILL) after some STATE message and resume from what it printed.
 *
 * @module
 */

const ROOT = new URL("../../", import.meta.url);

/** One parsed stdout line. */
// deno-lint-ignore no-explicit-any
export type ProcessMessage = Record<string, any>;

/** What one subprocess run printed, and how it ended. */
export interface ProcessRun {
  /** Stdout lines, in order (up to the kill). */
  lines: string[];
  /** The same lines, parsed. */
  messages: ProcessMessage[];
  /** Whether it was killed before it ended. */
  killed: boolean;
  code: number;
}

async function connectorArgs(): Promise<string[]> {
  const denoJson = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  return (denoJson.tasks.connector as string).split(/\s+/).slice(1);
}

/** Runs the connector; with `killAfterStates`, kills it (SIGKILL) after that many STATE lines. */
export async function runConnectorProcess(
  args: string[],
  options: { killAfterStates?: number } = {},
): Promise<ProcessRun> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [...await connectorArgs(), ...args],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "null",
    env: { NO_COLOR: "1" },
  }).spawn();
  const lines: string[] = [];
  const messages: ProcessMessage[] = [];
  let states = 0;
  let killed = false;
  let rest = "";
  for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop()!;
    for (const line of parts) {
      if (killed) break;
      const message = JSON.parse(line);
      lines.push(line);
      messages.push(message);
      if (message.type === "STATE" && ++states === options.killAfterStates) {
        // After the last STATE the process may have ended on its own: the same cut.
        try {
          child.kill("SIGKILL");
        } catch (error) {
          if (!(error instanceof TypeError)) throw error;
        }
        killed = true;
      }
    }
  }
  const { code } = await child.status;
  return { lines, messages, killed, code };
}

/** The last STATE message of each stream among `messages`, as a state file holds them. */
export function lastStates(messages: ProcessMessage[]): unknown[] {
  const last = new Map<string, unknown>();
  for (const m of messages) {
    if (m.type === "STATE") last.set(m.state.stream.stream_descriptor.name, m.state);
  }
  return [...last.values()];
}

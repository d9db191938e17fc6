/**
 * What the benchmarks and the demo need of the connector as a process: its command line (the
 * `connector` task of deno.json), a process's CPU time and peak RSS read from /proc, and this
 * process's own CPU time.
 *
 * @module
 */
import process from "node:process";

const ROOT = new URL("../", import.meta.url);
/** USER_HZ: the unit of utime and stime in /proc/<pid>/stat. */
const TICKS_PER_SECOND = 100;

/** The connector's command line from the `connector` task in deno.json. */
export async function connectorArgs(): Promise<string[]> {
  const denoJson = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  return (denoJson.tasks.connector as string).split(/\s+/).slice(1);
}

/** A process's CPU time (seconds) and peak RSS so far (bytes); zeros once it has exited. */
async function usageOf(pid: number): Promise<{ cpu: number; rss: number }> {
  try {
    const [status, stat] = await Promise.all([
      Deno.readTextFile(`/proc/${pid}/status`),
      Deno.readTextFile(`/proc/${pid}/stat`),
    ]);
    const hwm = status.match(/VmHWM:\s+(\d+) kB/);
    // Fields after the parenthesised command name: state is field 3, utime 14 and stime 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return {
      cpu: Number.isFinite(ticks) ? ticks / TICKS_PER_SECOND : 0,
      rss: hwm ? Number(hwm[1]) * 1024 : 0,
    };
  } catch {
    return { cpu: 0, rss: 0 };
  }
}

/** This process's user + system CPU seconds so far. */
export function ownCpu(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** What {@linkcode runConnector} measured of one run. */
export interface ConnectorRun {
  /** The connector's exit code. */
  code: number;
  /** Wall time, seconds. */
  seconds: number;
  /** The connector's CPU seconds and peak RSS (bytes), as last sampled (every 20 ms). */
  cpu: number;
  rss: number;
  /** This process's CPU seconds meanwhile (the sandbox is served from it). */
  sandboxCpu: number;
  /** The last lines the connector wrote to stderr. */
  stderr: string[];
}

/** How often the child's peak RSS and CPU time are read while it runs. */
const SAMPLE_MS = 20;

/**
 * Runs the connector (the `connector` task's command line) with `args`, its stdout to the file
 * `out` (through `sh -c 'exec ...'`, so that the child's pid is the connector's own), sampling
 * its CPU and peak RSS while it runs and once more when it closes stderr. With `name`, throws,
 * naming it and the stderr, on a non-zero exit.
 */
export async function runConnector(
  args: string[],
  options: { out: string; cwd: URL; name?: string },
): Promise<ConnectorRun> {
  const started = performance.now();
  const sandboxBefore = ownCpu();
  const command = [Deno.execPath(), ...await connectorArgs(), ...args];
  const child = new Deno.Command("sh", {
    args: ["-c", 'out=$1; shift; exec "$@" >"$out"', "sh", options.out, ...command],
    cwd: options.cwd,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let cpu = 0;
  let rss = 0;
  let sampling = false;
  const sample = async () => {
    if (sampling) return;
    sampling = true;
    const usage = await usageOf(child.pid);
    cpu = Math.max(cpu, usage.cpu);
    rss = Math.max(rss, usage.rss);
    sampling = false;
  };
  const sampler = setInterval(sample, SAMPLE_MS);
  let text = "";
  try {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) {
      text = (text + decoder.decode(chunk, { stream: true })).slice(-8192);
    }
    // Stderr is closed: the child is exiting. One more sample before it is reaped.
    sampling = false;
    await sample();
  } finally {
    clearInterval(sampler);
  }
  const { code } = await child.status;
  const seconds = (performance.now() - started) / 1000;
  const sandboxCpu = ownCpu() - sandboxBefore;
  if (code !== 0 && options.name !== undefined) {
    throw new Error(`${options.name}: the connector exited ${code}: ${text}`);
  }
  const stderr = text.split("\n").filter((line) => line.trim()).slice(-12);
  return { code, seconds, cpu, rss, sandboxCpu, stderr };
}

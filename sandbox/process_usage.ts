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
export async function usageOf(pid: number): Promise<{ cpu: number; rss: number }> {
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
  /** Wall time, seconds. */
  seconds: number;
  /** The connector's CPU seconds and peak RSS (bytes), as last sampled (every 20 ms). */
  cpu: number;
  rss: number;
  /** This process's CPU seconds meanwhile (the sandbox is served from it). */
  sandboxCpu: number;
}

/**
 * Runs the connector (the `connector` task's command line) with `args`, its stdout to the file
 * `out`, sampling its CPU and peak RSS; throws, naming `name` and its stderr, on a non-zero exit.
 */
export async function runConnector(
  args: string[],
  options: { out: string; name: string; cwd: URL },
): Promise<ConnectorRun> {
  const started = performance.now();
  const sandboxBefore = ownCpu();
  const child = new Deno.Command("sh", {
    args: [
      "-c",
      'out=$1; shift; exec "$@" >"$out"',
      "sh",
      options.out,
      Deno.execPath(),
      ...await connectorArgs(),
      ...args,
    ],
    cwd: options.cwd,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  // `sh` execs the connector: the child's pid is the connector's own.
  let cpu = 0;
  let rss = 0;
  const sampler = setInterval(async () => {
    const usage = await usageOf(child.pid);
    cpu = Math.max(cpu, usage.cpu);
    rss = Math.max(rss, usage.rss);
  }, 20);
  const { code, stderr } = await child.output();
  clearInterval(sampler);
  const seconds = (performance.now() - started) / 1000;
  const sandboxCpu = ownCpu() - sandboxBefore;
  if (code !== 0) {
    throw new Error(
      `${options.name}: the connector exited ${code}: ${new TextDecoder().decode(stderr)}`,
    );
  }
  return { seconds, cpu, rss, sandboxCpu };
}

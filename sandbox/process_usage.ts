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

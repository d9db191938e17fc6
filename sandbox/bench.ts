/**
 * `deno task bench [--smoke] [--only NAME]`: runs the connector (the `connector` task's command
 * line, as a subprocess) against the sandbox (served from this process) and prints one markdown
 * table to stdout: per case the records, pages, wall time, records/s, the connector's peak RSS,
 * and the ratio to the case's bound, measured in the same run; then a `machine:` line. Progress
 * goes to stderr.
 *
 * Every case reads the `people` stream in full_refresh (every row, whatever its age) with
 * `max_records_per_page` 250 and `concurrency` 4. The bench exits 1 when a read exits non-zero or
 * writes another number of records than the sandbox holds; a missed aim is reported, not fatal.
 * `--smoke` runs small cases (for CI) whose ratios are reported only: start-up dominates them.
 *
 * Peak RSS is the child's `VmHWM` from `/proc/<pid>/status`, sampled every 20 ms while it runs
 * and once more when it closes stderr. Deno lets only `--allow-all` read another process's `/proc`
 * entries, hence the task's `-A`.
 *
 * @module
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { deletesBench } from "./bench_deletes.ts";
import { type Sandbox, startSandbox } from "./mod.ts";

const ROOT = new URL("../", import.meta.url);
const WORK = new URL(".bench/", ROOT);
const STREAM = { name: "people", path: "/people" };
const PAGE_SIZE = 250;
const CONCURRENCY = 4;
/** Rows each page re-reads of the page before (the paginator's default for 250-row pages). */
const OVERLAP = Math.floor(PAGE_SIZE / 25);
/** How often the child's peak RSS and CPU time are read while it runs. */
const SAMPLE_MS = 20;
/** Clock ticks per second in `/proc/<pid>/stat` (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;
const MB = 1024 * 1024;
/** Requests of a full refresh beside the window's pages (see the README's "Sync modes and state"). */
const EXTRA_REQUESTS = 5;

/** What a case's ratio compares with. */
type Bound =
  /** Records/s over a bare fetch loop's over the same URLs (higher is better). */
  | { kind: "bare"; aim: number; repeats: number }
  /** Wall time over requests x latency / concurrency (lower is better). */
  | { kind: "latency"; latencyMs: number; aim: number }
  /** Wall time over requests / rate (lower is better). */
  | { kind: "rate"; rate: number; aim: number }
  /** Peak RSS over a ceiling (lower is better), and its growth over a smaller case. */
  | { kind: "memory"; ceilingMb: number; baseline?: string }
  /**
   * A 429 every `every` requests, or to a `random` share of them, whatever the pace, with
   * Retry-After `retryAfterS`: wall time over a read of the same sandbox without them (pages /
   * achievable rate) + 429s x Retry-After.
   */
  | {
    kind: "every429";
    every?: number;
    random?: number;
    retryAfterS: number;
    latencyMs: number;
    aim: number;
  };

interface Case {
  name: string;
  rows: number;
  bound: Bound;
  /** Reported without judging the aim (smoke cases). */
  reportOnly?: boolean;
}

/** One line of the table. */
interface Row {
  name: string;
  records: number;
  pages: number;
  seconds: number;
  rss: number;
  ratio: string;
  aim: string;
  notes: string;
  failed: boolean;
}

/** What one run of the connector came to. */
interface Run {
  code: number;
  records: number;
  seconds: number;
  /** Peak RSS in bytes; 0 when it could not be read. */
  rss: number;
  /** User + system CPU seconds of the connector (as last sampled). */
  cpu: number;
  /** User + system CPU seconds of this process (the sandbox) meanwhile. */
  sandboxCpu: number;
  /** The last lines the child wrote to stderr. */
  stderr: string[];
}

/** The connector's command line from the `connector` task in deno.json. */
async function connectorArgs(): Promise<string[]> {
  const denoJson = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  return (denoJson.tasks.connector as string).split(/\s+/).slice(1);
}

/** A process's peak RSS so far (bytes) and CPU time (seconds); zeros once it has exited. */
async function sampleProcess(pid: number): Promise<{ rss: number; cpu: number }> {
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
      rss: hwm ? Number(hwm[1]) * 1024 : 0,
      cpu: Number.isFinite(ticks) ? ticks / TICKS_PER_SECOND : 0,
    };
  } catch {
    return { rss: 0, cpu: 0 };
  }
}

/** This process's user + system CPU seconds so far. */
function ownCpu(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** Counts lines that start with `marker` in a byte stream, whatever the chunk boundaries. */
class LineCounter {
  count = 0;
  #marker: Uint8Array;
  #head: Uint8Array;
  #headLength = 0;

  constructor(marker: string) {
    this.#marker = new TextEncoder().encode(marker);
    this.#head = new Uint8Array(this.#marker.length);
  }

  push(chunk: Uint8Array): void {
    for (let at = 0; at < chunk.length;) {
      const newline = chunk.indexOf(10, at);
      const end = newline < 0 ? chunk.length : newline;
      const take = Math.min(this.#head.length - this.#headLength, end - at);
      if (take > 0) {
        this.#head.set(chunk.subarray(at, at + take), this.#headLength);
        this.#headLength += take;
      }
      if (newline < 0) return;
      if (
        this.#headLength === this.#marker.length &&
        this.#head.every((byte, i) => byte === this.#marker[i])
      ) {
        this.count++;
      }
      this.#headLength = 0;
      at = newline + 1;
    }
  }
}

/** Counts the lines of a file that start with `marker`. */
async function countLines(path: string, marker: string): Promise<number> {
  const counter = new LineCounter(marker);
  using file = await Deno.open(path);
  for await (const chunk of file.readable) counter.push(chunk);
  return counter.count;
}

/**
 * Runs the connector with `args`, sampling its peak RSS and CPU time until it exits, then
 * counts the RECORD lines it wrote. Its stdout goes to a file, through `sh -c 'exec ...'` so that
 * the child's pid is the connector's own: the file stands for an ideal destination, where
 * reading a pipe here would take CPU from the sandbox, which shares this process. Stderr is
 * kept (its last lines) for when the run fails.
 */
async function runConnector(args: string[]): Promise<Run> {
  const out = new URL("stdout.jsonl", WORK).pathname;
  const command = [Deno.execPath(), ...await connectorArgs(), ...args];
  const started = performance.now();
  const cpuBefore = ownCpu();
  const child = new Deno.Command("sh", {
    args: ["-c", 'out=$1; shift; exec "$@" >"$out"', "sh", out, ...command],
    cwd: ROOT,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let rss = 0;
  let cpu = 0;
  let sampling = false;
  const sample = async () => {
    if (sampling) return;
    sampling = true;
    const now = await sampleProcess(child.pid);
    rss = Math.max(rss, now.rss);
    cpu = Math.max(cpu, now.cpu);
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
  const sandboxCpu = ownCpu() - cpuBefore;
  const records = await countLines(out, '{"type":"RECORD"');
  await Deno.remove(out);
  const stderr = text.split("\n").filter((line) => line.trim()).slice(-12);
  return { code, records, seconds, rss, cpu, sandboxCpu, stderr };
}

/** Writes the config and the configured catalog of a full_refresh read of the stream. */
async function writeInputs(sandbox: Sandbox): Promise<string[]> {
  const config = new URL("config.json", WORK).pathname;
  const catalog = new URL("catalog.json", WORK).pathname;
  await Deno.writeTextFile(
    config,
    JSON.stringify({
      api_token: sandbox.token,
      base_url: sandbox.url,
      max_records_per_page: PAGE_SIZE,
      concurrency: CONCURRENCY,
      retry_attempts: 10,
    }),
  );
  await Deno.writeTextFile(
    catalog,
    JSON.stringify({
      streams: [{
        stream: {
          name: STREAM.name,
          json_schema: {},
          supported_sync_modes: ["full_refresh", "incremental"],
        },
        sync_mode: "full_refresh",
        destination_sync_mode: "overwrite",
      }],
    }),
  );
  return ["read", "--config", config, "--catalog", catalog];
}

/** Seconds the connector takes to start and exit: the median of three `spec` runs. */
async function startupSeconds(): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const run = await runConnector(["spec"]);
    if (run.code !== 0) throw new Error(`spec exited with ${run.code}: ${run.stderr.join(" / ")}`);
    runs.push(run.seconds);
  }
  return runs.sort((a, b) => a - b)[1];
}

/** What the bare loop reads: the connector's own requests, in order. */
interface BareInput {
  urls: string[];
  token: string;
  concurrency: number;
}

/**
 * The bare loop (run in a subprocess, as the connector is): GETs `urls` with `concurrency`
 * requests in flight and writes each body to /dev/null, parsing nothing. Prints the seconds from
 * the first request to the last body written.
 */
async function bareLoop(input: BareInput): Promise<void> {
  using sink = await Deno.open("/dev/null", { write: true });
  const headers = { authorization: `Bearer ${input.token}`, accept: "application/json" };
  let next = 0;
  let bytes = 0;
  let writing = Promise.resolve();
  const started = performance.now();
  const worker = async () => {
    while (next < input.urls.length) {
      const url = input.urls[next++];
      const response = await fetch(url, { headers });
      if (!response.ok) throw new Error(`Bare loop: ${url} answered ${response.status}`);
      const body = await response.bytes();
      bytes += body.length;
      writing = writing.then(async () => {
        for (let at = 0; at < body.length;) at += await sink.write(body.subarray(at));
      });
    }
  };
  await Promise.all(Array.from({ length: input.concurrency }, worker));
  await writing;
  const seconds = (performance.now() - started) / 1000;
  console.log(JSON.stringify({ seconds, bytes }));
}

/** Runs {@linkcode bareLoop} in a subprocess. */
async function runBareLoop(input: BareInput): Promise<{ seconds: number; bytes: number }> {
  const file = new URL("bare.json", WORK).pathname;
  await Deno.writeTextFile(file, JSON.stringify(input));
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--frozen",
      "--cached-only",
      "--allow-read",
      "--allow-write=/dev/null",
      "--allow-net",
      new URL(import.meta.url).pathname,
      "--bare-loop",
      file,
    ],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!output.success) {
    const stderr = new TextDecoder().decode(output.stderr).trim();
    throw new Error(`Bare loop exited with ${output.code}: ${stderr}`);
  }
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

const fixed = (n: number, digits = 2) => n.toFixed(digits);

/** One read of a case, with what the sandbox saw of it. */
interface Measured extends Run {
  /** List requests to the stream answered with 200: the filter probe, then the pages. */
  pages: number;
  /** List requests to the stream answered with 429. */
  throttled: number;
  /** Seconds the bare loop took over the same URLs, when the case runs it. */
  bare?: number;
  /** Bytes of bodies the bare loop read. */
  bareBytes?: number;
}

/** Runs the connector once against `sandbox` (and the bare loop after it, if `bare`). */
async function measure(sandbox: Sandbox, args: string[], bare: boolean): Promise<Measured> {
  const from = sandbox.requests.length;
  const run = await runConnector(args);
  const sent = sandbox.requests.slice(from).filter((r) => r.path === STREAM.path);
  const answered = sent.filter((r) => r.status === 200);
  const measured: Measured = {
    ...run,
    pages: answered.length,
    throttled: sent.filter((r) => r.status === 429).length,
  };
  if (bare) {
    const result = await runBareLoop({
      urls: answered.map((r) => `${sandbox.url}${r.path}?${r.query}`),
      token: sandbox.token,
      concurrency: CONCURRENCY,
    });
    measured.bare = result.seconds;
    measured.bareBytes = result.bytes;
  }
  return measured;
}

/** Runs an `every429` case: a read without the 429s (the achievable rate), then one with them. */
async function runEvery429Case(
  benchCase: Case & { bound: { kind: "every429" } },
  context: Context,
): Promise<Row> {
  const { bound } = benchCase;
  const clean = await startSandbox({ people: benchCase.rows, latencyMs: bound.latencyMs });
  let achievable: Measured;
  try {
    achievable = await measure(clean, await writeInputs(clean), false);
  } finally {
    await clean.close();
  }
  const sandbox = await startSandbox({
    people: benchCase.rows,
    latencyMs: bound.latencyMs,
    every429: bound.every,
    random429: bound.random,
    every429RetryAfter: String(bound.retryAfterS),
  });
  try {
    const run = await measure(sandbox, await writeInputs(sandbox), false);
    return summarize(benchCase, context, [{ ...run, bare: achievable.seconds }]);
  } finally {
    await sandbox.close();
  }
}

async function runCase(benchCase: Case, context: Context): Promise<Row> {
  const { bound } = benchCase;
  if (bound.kind === "every429") {
    return await runEvery429Case(benchCase as Case & { bound: typeof bound }, context);
  }
  const sandbox = await startSandbox({
    people: benchCase.rows,
    latencyMs: bound.kind === "latency" ? bound.latencyMs : undefined,
    rateLimit: bound.kind === "rate" ? bound.rate : undefined,
  });
  try {
    const args = await writeInputs(sandbox);
    const runs: Measured[] = [];
    const repeats = bound.kind === "bare" ? bound.repeats : 1;
    for (let i = 0; i < repeats; i++) {
      runs.push(await measure(sandbox, args, bound.kind === "bare" || bound.kind === "latency"));
    }
    return summarize(benchCase, context, runs);
  } finally {
    await sandbox.close();
  }
}

/** What every case is measured with. */
interface Context {
  /** The connector's start-up and exit, in seconds. */
  startup: number;
  /** The rows of the cases before. */
  rows: Row[];
}

/** One line of the table from a case's runs: the fastest one's, but for the CPU ratio (the median pair). */
function summarize(benchCase: Case, context: Context, runs: Measured[]): Row {
  const { bound, rows } = benchCase;
  const best = runs.reduce((a, b) => b.seconds < a.seconds ? b : a);
  const rss = Math.max(...runs.map((run) => run.rss));
  const { pages, throttled } = best;
  // The window's pages, and the requests a full refresh makes beside them: the filter probe, the
  // sort probe, two counts (all rows, dated rows) and one page after the window.
  const expected = Math.ceil(rows / (PAGE_SIZE - OVERLAP)) + EXTRA_REQUESTS;
  const notes: string[] = [];
  const failed = runs.filter((run) => run.code !== 0 || run.records !== rows);
  for (const run of failed) {
    if (run.code !== 0) notes.push(`CONNECTOR EXITED ${run.code}`);
    if (run.records !== rows) notes.push(`RECORDS MISSING: ${run.records} of ${rows}`);
    console.error(`${benchCase.name} failed; the connector's last stderr lines:`);
    for (const line of run.stderr) console.error(`  ${line}`);
  }
  const cores = navigator.hardwareConcurrency;
  const cpu = `CPU: connector ${fixed(best.cpu, 1)} s, bench + sandbox ${
    fixed(best.sandboxCpu, 1)
  } s in ${fixed(best.seconds, 1)} s wall on ${cores} cores`;
  let ratio = Number.NaN;
  let aim = "";
  let met = false;
  if (bound.kind === "bare") {
    // Each run's connector read is paired with the bare loop run right after it, and the ratio is
    // the median of the pairs: this VM's speed drifts by 20 % over seconds (steal time), which
    // comparing runs made at different moments would add to the ratio.
    const pairs = runs.map((run) => run.bare! / (run.seconds - context.startup)).sort((a, b) =>
      a - b
    );
    const median = pairs[Math.floor(pairs.length / 2)];
    const at = runs.find((run) => run.bare! / (run.seconds - context.startup) === median)!;
    const net = at.seconds - context.startup;
    ratio = median;
    aim = `>= ${fixed(bound.aim)}`;
    met = ratio >= bound.aim;
    notes.push(
      `median of ${runs.length} pair${
        runs.length === 1 ? "" : "s"
      } (each a connector read, then the bare loop at once; ratios ${
        pairs.map((pair) => fixed(pair)).join(", ")
      }); the median pair: connector ${Math.round(rows / net)} rec/s (wall less ${
        fixed(context.startup)
      } s start-up, the median of 3 \`spec\` runs) vs bare loop ${
        Math.round(rows / at.bare!)
      } rows/s (${fixed(at.bare!)} s: the same ${pages} URLs, ${CONCURRENCY} in flight, ${
        fixed(best.bareBytes! / MB, 0)
      } MB of bodies to /dev/null unparsed, timed in its process)`,
      cpu,
    );
  } else if (bound.kind === "latency") {
    const seconds = (pages * bound.latencyMs) / 1000 / CONCURRENCY;
    ratio = best.seconds / seconds;
    aim = `<= ${fixed(bound.aim)}`;
    met = ratio <= bound.aim;
    notes.push(
      `bound ${
        fixed(seconds)
      } s = ${pages} requests (probes, counts + pages) x ${bound.latencyMs} ms / ` +
        `${CONCURRENCY}; wall includes start-up; the bare loop (same URLs, ${CONCURRENCY} in ` +
        `flight) took ${fixed(best.bare!)} s = ${fixed(best.bare! / seconds)} x bound`,
    );
  } else if (bound.kind === "rate") {
    const seconds = pages / bound.rate;
    ratio = best.seconds / seconds;
    aim = `<= ${fixed(bound.aim)}, few 429s`;
    met = ratio <= bound.aim;
    notes.push(
      `bound ${fixed(seconds)} s = ${pages} requests answered / ${bound.rate} per s (the ` +
        `bucket starts full: ${bound.rate} free); ${throttled} 429s (${
          fixed((100 * throttled) / (pages + throttled), 0)
        } % of requests); wall includes start-up`,
    );
  } else if (bound.kind === "every429") {
    // `bare` holds the wall time of the same read without the 429s.
    const seconds = best.bare! + throttled * bound.retryAfterS;
    ratio = best.seconds / seconds;
    aim = `<= ${fixed(bound.aim)}`;
    met = ratio <= bound.aim;
    notes.push(
      `bound ${fixed(seconds)} s = ${fixed(best.bare!)} s (the same read without 429s: pages / ` +
        `achievable rate) + ${throttled} 429s x ${bound.retryAfterS} s Retry-After; a 429 ${
          bound.every
            ? `every ${bound.every} requests`
            : `to ${fixed(100 * bound.random!, 0)} % of requests`
        } whatever the pace, ${bound.latencyMs} ms latency; wall includes start-up`,
    );
  } else {
    ratio = rss / (bound.ceilingMb * MB);
    aim = `< ${bound.ceilingMb} MB, flat`;
    met = rss > 0 && ratio < 1;
    notes.push(`ratio = peak RSS / ${bound.ceilingMb} MB`);
    const base = context.rows.find((row) => row.name === bound.baseline);
    if (base && base.rss > 0 && rss > 0) {
      const growth = rss - base.rss;
      const flat = growth < 0.1 * base.rss;
      met &&= flat;
      notes.push(
        `${growth >= 0 ? "+" : ""}${fixed(growth / MB, 0)} MB over ${base.name} (${
          flat ? "flat" : "NOT flat"
        }: < 10 % aimed)`,
      );
    }
    notes.push(cpu);
  }
  if (bound.kind !== "rate" && bound.kind !== "every429" && throttled > 0) {
    notes.push(`${throttled} 429s`);
  }
  if (pages !== expected) {
    notes.push(
      `${pages} requests, ${expected} expected (${EXTRA_REQUESTS} + ceil(rows / ${
        PAGE_SIZE - OVERLAP
      }))`,
    );
  }
  return {
    name: benchCase.name,
    records: best.records,
    pages,
    seconds: best.seconds,
    rss,
    ratio: Number.isFinite(ratio) ? fixed(ratio, 3) : "n/a",
    aim: benchCase.reportOnly ? "report only (smoke)" : `${aim} ${met ? "(met)" : "(MISSED)"}`,
    notes: notes.join("; "),
    failed: failed.length > 0,
  };
}

/** The markdown table. */
function table(rows: Row[]): string {
  const header = [
    "case",
    "records",
    "pages",
    "wall s",
    "records/s",
    "peak RSS MB",
    "ratio",
    "aim",
    "notes",
  ];
  const lines = [header, header.map(() => "---")];
  for (const row of rows) {
    lines.push([
      row.name,
      String(row.records),
      String(row.pages),
      fixed(row.seconds),
      String(Math.round(row.records / row.seconds)),
      row.rss > 0 ? fixed(row.rss / MB, 0) : "n/a",
      row.ratio,
      row.aim,
      row.notes,
    ]);
  }
  return lines.map((cells) => `| ${cells.join(" | ")} |`).join("\n");
}

/** The `machine:` line: CPU, cores, memory, OS, Deno, and what every case shares. */
async function machine(): Promise<string> {
  const read = (path: string) => Deno.readTextFile(path).catch(() => "");
  const cpu = (await read("/proc/cpuinfo")).match(/^model name\s*:\s*(.+)$/m)?.[1] ?? "CPU unknown";
  const memKb = Number((await read("/proc/meminfo")).match(/^MemTotal:\s+(\d+)/m)?.[1] ?? 0);
  return [
    `machine: ${cpu.trim()}, ${navigator.hardwareConcurrency} cores`,
    memKb ? `${fixed(memKb / MB, 0)} GB RAM` : "RAM unknown",
    `${Deno.build.target} (kernel ${Deno.osRelease()})`,
    `deno ${Deno.version.deno}, V8 ${Deno.version.v8}`,
    `every case: full_refresh of \`${STREAM.name}\`, max_records_per_page ${PAGE_SIZE}, ` +
    `concurrency ${CONCURRENCY}, sandbox in the bench process`,
  ].join("; ");
}

const SMOKE: Case[] = [
  { name: "cpu bound (smoke)", rows: 5_000, bound: { kind: "bare", aim: 0.7, repeats: 1 } },
  {
    name: "latency bound (smoke)",
    rows: 5_000,
    bound: { kind: "latency", latencyMs: 20, aim: 1.25 },
  },
  { name: "rate-limit bound (smoke)", rows: 6_000, bound: { kind: "rate", rate: 10, aim: 1.15 } },
  { name: "memory (smoke)", rows: 20_000, bound: { kind: "memory", ceilingMb: 150 } },
  {
    name: "429 every 11th (smoke)",
    rows: 6_000,
    bound: { kind: "every429", every: 11, retryAfterS: 1, latencyMs: 20, aim: 1.2 },
  },
].map((c) => ({ ...c, reportOnly: true }) as Case);

const FULL: Case[] = [
  { name: "cpu bound", rows: 100_000, bound: { kind: "bare", aim: 0.7, repeats: 5 } },
  {
    name: "latency bound",
    rows: 100_000,
    bound: { kind: "latency", latencyMs: 100, aim: 1.25 },
  },
  { name: "rate-limit bound", rows: 50_000, bound: { kind: "rate", rate: 20, aim: 1.15 } },
  {
    name: "429 every 11th",
    rows: 30_000,
    bound: { kind: "every429", every: 11, retryAfterS: 1, latencyMs: 20, aim: 1.2 },
  },
  {
    name: "429 at random",
    rows: 30_000,
    bound: { kind: "every429", random: 1 / 11, retryAfterS: 1, latencyMs: 20, aim: 1.2 },
  },
  { name: "memory 100k", rows: 100_000, bound: { kind: "memory", ceilingMb: 150 } },
  {
    name: "memory 1M",
    rows: 1_000_000,
    bound: { kind: "memory", ceilingMb: 150, baseline: "memory 100k" },
  },
];

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      smoke: { type: "boolean" },
      only: { type: "string" },
      "bare-loop": { type: "string" },
    },
  });
  if (values["bare-loop"]) {
    await bareLoop(JSON.parse(await Deno.readTextFile(values["bare-loop"])));
    Deno.exit(0);
  }
  await Deno.mkdir(WORK, { recursive: true });
  const cases = (values.smoke ? SMOKE : FULL).filter((c) => c.name.includes(values.only ?? ""));
  const startup = await startupSeconds();
  console.error(`connector start-up (spec): ${fixed(startup)} s`);
  const rows: Row[] = [];
  for (const benchCase of cases) {
    console.error(`running ${benchCase.name} (${benchCase.rows} rows)...`);
    const row = await runCase(benchCase, { startup, rows });
    console.error(`  ${fixed(row.seconds)} s, ${row.records} records, ratio ${row.ratio}`);
    rows.push(row);
  }
  console.log(table(rows));
  // What detect_deletes adds to incremental syncs (see bench_deletes.ts).
  if ("deletes".includes(values.only ?? "")) {
    console.log("\n" + await deletesBench(values.smoke ? 10_000 : 100_000));
  }
  console.log(await machine());
  if (rows.some((row) => row.failed)) {
    console.error("bench FAILED: a read exited non-zero or wrote another number of records");
    Deno.exitCode = 1;
  }
}

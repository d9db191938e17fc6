/**
 * `deno task bench [--smoke] [--only NAME]`: measures the connector against issue 23's targets
 * and prints one markdown table: per target the figure, its bound, whether it is met, and the
 * command that produced it (`deno task bench --only NAME`, NAME a case's name; `--only` runs the
 * cases whose name holds NAME). Notes on each case follow the table, then a `machine:` line and
 * the delete-detection table (`bench_deletes.ts`) and the people_custom_fields one
 * (`bench_custom_fields.ts`). Progress goes to stderr.
 *
 * The connector runs as a subprocess (the `connector` task's command line) against the sandbox,
 * served from this process, with `max_records_per_page` 250 and `concurrency` 4. Requests are
 * counted at the sandbox. The bench exits 1 when a read exits non-zero or writes another number
 * of records than the sandbox holds; a missed bound is reported, not fatal. `--smoke` runs small
 * cases (for CI), reported only: start-up dominates them.
 *
 * Peak RSS is the child's `VmHWM` from `/proc/<pid>/status`, sampled every 20 ms while it runs
 * and once more when it closes stderr. Deno lets only `--allow-all` read another process's `/proc`
 * entries, hence the task's `-A`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { STREAMS } from "../src/streams/mod.ts";
import { customFieldsBench } from "./bench_custom_fields.ts";
import { deletesBench } from "./bench_deletes.ts";
import { type LoggedRequest, type Sandbox, type SandboxOptions, startSandbox } from "./mod.ts";
import { dataOptions, rowCount } from "./data.ts";
import { type ConnectorRun, ownCpu, runConnector as runMeasured } from "./process_usage.ts";

const ROOT = new URL("../", import.meta.url);
const WORK = new URL(".bench/", ROOT);
const PAGE_SIZE = 250;
const CONCURRENCY = 4;
const MB = 1024 * 1024;
/** The streams of the latency and memory cases (issue 23 measured these). */
const TWO_STREAMS = ["documents", "job_roles"];

/** What a case measures, and its bound. */
type Bound =
  /** A first incremental sync of every stream, then one with nothing changed: requests. */
  | { kind: "requests"; perStream: number; extraPerStream: number }
  /** Records/s over a bare fetch loop's over the same URLs (higher is better). */
  | { kind: "bare"; aim: number; repeats: number }
  /** Wall time less start-up over pages x latency / concurrency (lower is better). */
  | { kind: "latency"; latencyMs: number; aim: number }
  /** Wall time over requests answered / rate (lower is better). */
  | { kind: "rate"; rate: number; aim: number }
  /**
   * Peak RSS at most `ceilingMb`; with the `baseline` case (its target) run before, also at most
   * `growth` over its peak.
   */
  | { kind: "memory"; ceilingMb: number; baseline?: string; growth?: number }
  /**
   * A 429 every `every` requests, or to a `random` share of them, whatever the pace, with
   * Retry-After `retryAfterS`: wall time over a read of the same sandbox without them +
   * 429s x Retry-After.
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
  /** What `--only` matches; the command printed is `deno task bench --only <name>`. */
  name: string;
  /** Issue 23's target this case measures. */
  target: string;
  /** Streams read (full_refresh), by name. */
  streams: string[];
  /** People in the sandbox (other lists scale with it). */
  people: number;
  bound: Bound;
  /** Reported without judging the bound (smoke cases). */
  reportOnly?: boolean;
  /** The `--only` value of the command printed, when not `name` (a case that needs another). */
  only?: string;
}

/** One line of the table, and the notes on it. */
interface Row {
  /** The `--only` value that reproduces the line. */
  name: string;
  target: string;
  figure: string;
  bound: string;
  verdict: string;
  notes: string[];
  failed: boolean;
  /** Peak RSS in bytes, for the memory cases that compare with it. */
  rss: number;
}

/** What one run of the connector came to: the measures, and the RECORD lines it wrote. */
interface Run extends ConnectorRun {
  records: number;
}

const fixed = (n: number, digits = 2) => n.toFixed(digits);

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
 * Runs the connector with `args` (see `process_usage.ts`), its stdout to a file: the file stands
 * for an ideal destination, where reading a pipe here would take CPU from the sandbox, which
 * shares this process. Counts the RECORD lines it wrote (and hands its output to `inspect`).
 */
async function runConnector(
  args: string[],
  inspect?: (out: string) => Promise<void>,
): Promise<Run> {
  const out = new URL("stdout.jsonl", WORK).pathname;
  const run = await runMeasured(args, { out, cwd: ROOT });
  const records = await countLines(out, '{"type":"RECORD"');
  await inspect?.(out);
  await Deno.remove(out);
  return { ...run, records };
}

/** A stream by name, with its list path and whether it can be read incrementally. */
function streamNamed(name: string): { name: string; path: string; incremental: boolean } {
  const stream = STREAMS.find((s) => s.name === name);
  if (!stream) throw new Error(`Bench: no stream "${name}"`);
  return stream;
}

/** Rows the sandbox holds for the streams of a case. */
function rowsOf(streams: string[], people: number): number {
  let rows = 0;
  for (const name of streams) {
    rows += rowCount(streamNamed(name).path, dataOptions({ people, seed: 1 }));
  }
  return rows;
}

/** The fewest pages that hold the streams' rows: one at least per stream. */
function pagesOf(streams: string[], people: number): number {
  let pages = 0;
  for (const name of streams) {
    pages += Math.max(
      1,
      Math.ceil(rowCount(streamNamed(name).path, dataOptions({ people, seed: 1 })) / PAGE_SIZE),
    );
  }
  return pages;
}

/**
 * Writes the config and the configured catalog of a read of `streams`: full_refresh, or
 * incremental for each stream that can be; returns the `read` arguments.
 */
async function writeInputs(
  sandbox: Sandbox,
  streams: string[],
  options: { incremental?: boolean; state?: unknown[] } = {},
): Promise<string[]> {
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
      streams: streams.map((name) => {
        const incremental = options.incremental && streamNamed(name).incremental;
        return {
          stream: { name, json_schema: {}, supported_sync_modes: ["full_refresh", "incremental"] },
          sync_mode: incremental ? "incremental" : "full_refresh",
          destination_sync_mode: incremental ? "append_dedup" : "overwrite",
          ...(incremental ? { cursor_field: ["updated_at"] } : {}),
          primary_key: [["id"]],
        };
      }),
    }),
  );
  const args = ["read", "--config", config, "--catalog", catalog];
  if (options.state) {
    const state = new URL("state.json", WORK).pathname;
    await Deno.writeTextFile(state, JSON.stringify(options.state));
    args.push("--state", state);
  }
  return args;
}

/** The connector's start-up and exit: the medians of three `spec` runs' wall and CPU seconds. */
async function startupCost(): Promise<{ seconds: number; cpu: number }> {
  const runs: Run[] = [];
  for (let i = 0; i < 3; i++) {
    const run = await runConnector(["spec"]);
    if (run.code !== 0) throw new Error(`spec exited with ${run.code}: ${run.stderr.join(" / ")}`);
    runs.push(run);
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[1];
  return { seconds: median(runs.map((r) => r.seconds)), cpu: median(runs.map((r) => r.cpu)) };
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
 * the first request to the last body written, and the CPU seconds it took meanwhile.
 */
async function bareLoop(input: BareInput): Promise<void> {
  using sink = await Deno.open("/dev/null", { write: true });
  const headers = { authorization: `Bearer ${input.token}`, accept: "application/json" };
  let next = 0;
  let bytes = 0;
  let writing = Promise.resolve();
  const started = performance.now();
  const cpuBefore = ownCpu();
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
  console.log(JSON.stringify({ seconds, bytes, cpu: ownCpu() - cpuBefore }));
}

/** Runs {@linkcode bareLoop} in a subprocess. */
async function runBareLoop(
  input: BareInput,
): Promise<{ seconds: number; bytes: number; cpu: number }> {
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

/** One read of a case, with what the sandbox saw of it. */
interface Measured extends Run {
  /** Requests the sandbox answered during the read, and of them those with 200 and 429. */
  requests: number;
  answered: number;
  throttled: number;
  /**
   * Bounded time slices the read asked for: distinct `updatedAt[$lt]` bounds per list (the
   * keyset read path's slices; the offset path sends none).
   */
  slices: number;
  /** Seconds the bare loop took over the same URLs, when the case runs it. */
  bare?: number;
  /** Bytes of bodies the bare loop read. */
  bareBytes?: number;
  /** CPU seconds the bare loop took. */
  bareCpu?: number;
}

/** Distinct `updatedAt[$lt]` bounds per list among `requests`: the bounded slices read. */
function slicesOf(requests: LoggedRequest[]): number {
  const bounds = new Set<string>();
  for (const request of requests) {
    const bound = new URLSearchParams(request.query).get("updatedAt[$lt]");
    if (bound !== null) bounds.add(`${request.path} ${bound}`);
  }
  return bounds.size;
}

/** Runs the connector once against `sandbox` (and the bare loop after it, if `bare`). */
async function measure(
  sandbox: Sandbox,
  args: string[],
  options: { bare?: boolean; inspect?: (out: string) => Promise<void> } = {},
): Promise<Measured> {
  const from = sandbox.requests.length;
  const run = await runConnector(args, options.inspect);
  const sent = sandbox.requests.slice(from);
  const answered = sent.filter((r) => r.status === 200);
  const measured: Measured = {
    ...run,
    requests: sent.length,
    answered: answered.length,
    throttled: sent.filter((r) => r.status === 429).length,
    slices: slicesOf(sent),
  };
  if (options.bare) {
    const result = await runBareLoop({
      urls: answered.map((r) => `${sandbox.url}${r.path}?${r.query}`),
      token: sandbox.token,
      concurrency: CONCURRENCY,
    });
    measured.bare = result.seconds;
    measured.bareBytes = result.bytes;
    measured.bareCpu = result.cpu;
  }
  return measured;
}

/** Records per stream and the last STATE of each stream in a read's output. */
async function readOutput(
  out: string,
): Promise<{ records: Map<string, number>; state: unknown[] }> {
  const records = new Map<string, number>();
  const states = new Map<string, unknown>();
  for (const line of (await Deno.readTextFile(out)).split("\n")) {
    if (line.startsWith('{"type":"RECORD"')) {
      const stream = JSON.parse(line).record.stream as string;
      records.set(stream, (records.get(stream) ?? 0) + 1);
    } else if (line.startsWith('{"type":"STATE"')) {
      const { state } = JSON.parse(line);
      states.set(state.stream.stream_descriptor.name, state);
    }
  }
  return { records, state: [...states.values()] };
}

/** Whether a run failed (exit code, or records other than `expected`); notes why. */
function failures(runs: Run[], expected: number | undefined, notes: string[]): boolean {
  let failed = false;
  for (const run of runs) {
    const missing = expected !== undefined && run.records !== expected;
    if (run.code === 0 && !missing) continue;
    failed = true;
    if (run.code !== 0) notes.push(`CONNECTOR EXITED ${run.code}`);
    if (missing) notes.push(`RECORDS MISSING: ${run.records} of ${expected}`);
    console.error("a read failed; the connector's last stderr lines:");
    for (const line of run.stderr) console.error(`  ${line}`);
  }
  return failed;
}

function verdict(benchCase: Case, met: boolean, failed: boolean): string {
  if (failed) return "FAILED";
  if (benchCase.reportOnly) return "report only (smoke)";
  return met ? "met" : "MISSED";
}

function cpuNote(run: Run): string {
  return `CPU: connector ${fixed(run.cpu, 1)} s, bench + sandbox ${fixed(run.sandboxCpu, 1)} s in ${
    fixed(run.seconds, 1)
  } s wall on ${navigator.hardwareConcurrency} cores`;
}

/**
 * The requests case: a first sync of the streams (incremental where a stream can be, no state),
 * then, with nothing changed, one from its final state. Two rows: each sync's requests against
 * its bound.
 */
async function runRequestsCase(
  benchCase: Case & { bound: { kind: "requests" } },
): Promise<Row[]> {
  const { bound, streams, people } = benchCase;
  const sandbox = await startSandbox({ people, seed: 1 });
  try {
    let output = { records: new Map<string, number>(), state: [] as unknown[] };
    const inspect = async (out: string) => {
      output = await readOutput(out);
    };
    const first = await measure(
      sandbox,
      await writeInputs(sandbox, streams, { incremental: true }),
      { inspect },
    );
    const firstOutput = output;
    const next = await measure(
      sandbox,
      await writeInputs(sandbox, streams, { incremental: true, state: firstOutput.state }),
      { inspect },
    );
    let pages = 0;
    for (const name of streams) {
      pages += Math.max(1, Math.ceil((firstOutput.records.get(name) ?? 0) / PAGE_SIZE));
    }
    const slices = first.slices;
    const firstBound = pages + bound.extraPerStream * streams.length + slices;
    const nextBound = bound.perStream * streams.length;
    const common = `${streams.length} streams, ${people} people, seed 1`;
    const firstNotes = [
      `${common}: ${first.records} records; bound = ${pages} pages (each stream's records / ${PAGE_SIZE}, ` +
      `at least 1) + ${bound.extraPerStream} x ${streams.length} streams + ${slices} slices (distinct \`updatedAt[$lt]\` bounds asked)`,
      cpuNote(first),
    ];
    const nextNotes = [
      `${common}: ${next.records} records; bound = ${bound.perStream} x ${streams.length} streams ` +
      `(no delete scan: detect_deletes off)`,
    ];
    const firstFailed = failures([first], undefined, firstNotes);
    const nextFailed = failures([next], undefined, nextNotes);
    return [
      {
        name: benchCase.name,
        target: `${benchCase.target}: first sync`,
        figure: `${first.requests} requests`,
        bound: `<= ${firstBound}`,
        verdict: verdict(benchCase, first.requests <= firstBound, firstFailed),
        notes: firstNotes,
        failed: firstFailed,
        rss: first.rss,
      },
      {
        name: benchCase.name,
        target: `${benchCase.target}: next sync, nothing changed`,
        figure: `${next.requests} requests`,
        bound: `<= ${nextBound}`,
        verdict: verdict(benchCase, next.requests <= nextBound, nextFailed),
        notes: nextNotes,
        failed: nextFailed,
        rss: next.rss,
      },
    ];
  } finally {
    await sandbox.close();
  }
}

/** Runs an `every429` case: a read without the 429s (the achievable rate), then one with them. */
async function runEvery429Case(
  benchCase: Case & { bound: { kind: "every429" } },
): Promise<Row> {
  const { bound, streams, people } = benchCase;
  const clean = await startSandbox({ people, seed: 1, latencyMs: bound.latencyMs });
  let achievable: Measured;
  try {
    achievable = await measure(clean, await writeInputs(clean, streams));
  } finally {
    await clean.close();
  }
  const sandbox = await startSandbox({
    people,
    seed: 1,
    latencyMs: bound.latencyMs,
    every429: bound.every,
    random429: bound.random,
    every429RetryAfter: String(bound.retryAfterS),
  });
  try {
    const run = await measure(sandbox, await writeInputs(sandbox, streams));
    const seconds = achievable.seconds + run.throttled * bound.retryAfterS;
    const ratio = run.seconds / seconds;
    const notes = [
      `bound ${fixed(seconds)} s = ${fixed(achievable.seconds)} s (the same read without 429s) + ` +
      `${run.throttled} 429s x ${bound.retryAfterS} s Retry-After; a 429 ${
        bound.every
          ? `every ${bound.every} requests`
          : `to ${fixed(100 * bound.random!, 0)} % of requests`
      } whatever the pace, ${bound.latencyMs} ms latency; both walls include start-up`,
    ];
    const failed = failures([run, achievable], rowsOf(streams, people), notes);
    return {
      name: benchCase.name,
      target: benchCase.target,
      figure: `${fixed(run.seconds)} s (${fixed(ratio, 3)} x)`,
      bound: `<= ${fixed(bound.aim)} x ${fixed(seconds)} s`,
      verdict: verdict(benchCase, ratio <= bound.aim, failed),
      notes,
      failed,
      rss: run.rss,
    };
  } finally {
    await sandbox.close();
  }
}

/** Runs a case that reads one sandbox (`repeats` times for the CPU case). */
async function runCase(benchCase: Case, context: Context): Promise<Row[]> {
  const { bound } = benchCase;
  if (bound.kind === "requests") {
    return await runRequestsCase(benchCase as Case & { bound: typeof bound });
  }
  if (bound.kind === "every429") {
    return [await runEvery429Case(benchCase as Case & { bound: typeof bound })];
  }
  const options: SandboxOptions = {
    people: benchCase.people,
    seed: 1,
    latencyMs: bound.kind === "latency" ? bound.latencyMs : undefined,
    rateLimit: bound.kind === "rate" ? bound.rate : undefined,
  };
  const sandbox = await startSandbox(options);
  try {
    const args = await writeInputs(sandbox, benchCase.streams);
    const runs: Measured[] = [];
    const repeats = bound.kind === "bare" ? bound.repeats : 1;
    for (let i = 0; i < repeats; i++) {
      runs.push(await measure(sandbox, args, { bare: bound.kind === "bare" }));
    }
    return [summarize(benchCase, context, runs)];
  } finally {
    await sandbox.close();
  }
}

/** What every case is measured with. */
interface Context {
  /** The connector's start-up and exit, in seconds. */
  startup: number;
  /** The CPU seconds of its start-up and exit. */
  startupCpu: number;
  /** The rows of the cases before. */
  rows: Row[];
}

/**
 * The CPU case's figure: records/s of the connector (wall less its start-up) over those of a
 * bare fetch loop over the same URLs, the median of the runs' pairs (a connector read, then the
 * bare loop at once: this VM's speed drifts by 20 % over seconds, which comparing runs made at
 * different moments would add). Both are CPU-bound here, on the cores the sandbox shares; the
 * CPU seconds of each are noted too.
 */
function bareFigure(runs: Measured[], context: Context): { ratio: number; notes: string[] } {
  const ratioOf = (run: Measured) => run.bare! / (run.seconds - context.startup);
  const sorted = [...runs].sort((a, b) => ratioOf(a) - ratioOf(b));
  const at = sorted[Math.floor(sorted.length / 2)];
  const net = at.seconds - context.startup;
  return {
    ratio: ratioOf(at),
    notes: [
      `median of ${runs.length} pairs (each a connector read, then the bare loop at once; ` +
      `ratios ${sorted.map((run) => fixed(ratioOf(run))).join(", ")})`,
      `the median pair: connector ${Math.round(at.records / net)} records/s (wall less ${
        fixed(context.startup)
      } s start-up, the median of 3 \`spec\` runs; ${fixed(at.cpu - context.startupCpu)} CPU-s) ` +
      `vs bare loop ${Math.round(at.records / at.bare!)} rows/s (${fixed(at.bare!)} s, ${
        fixed(at.bareCpu!)
      } CPU-s: the same ${at.answered} URLs, ${CONCURRENCY} in flight, ${
        fixed(at.bareBytes! / MB, 0)
      } MB of bodies to /dev/null unparsed, timed in its process)`,
      cpuNote(at),
    ],
  };
}

/** One line of the table from a case's runs (the fastest one's, but for the CPU case). */
function summarize(benchCase: Case, context: Context, runs: Measured[]): Row {
  const { bound } = benchCase;
  const best = runs.reduce((a, b) => b.seconds < a.seconds ? b : a);
  const rss = Math.max(...runs.map((run) => run.rss));
  const notes: string[] = [];
  const failed = failures(runs, rowsOf(benchCase.streams, benchCase.people), notes);
  const pages = pagesOf(benchCase.streams, benchCase.people);
  const name = benchCase.only ?? benchCase.name;
  const line = { name, target: benchCase.target, notes, failed, rss };
  if (bound.kind === "bare") {
    const { ratio, notes: more } = bareFigure(runs, context);
    notes.push(...more);
    return {
      ...line,
      figure: `${fixed(ratio)} of the bare loop's records/s`,
      bound: `>= ${fixed(bound.aim)}`,
      verdict: verdict(benchCase, ratio >= bound.aim, failed),
    };
  }
  if (bound.kind === "latency") {
    const seconds = (pages * bound.latencyMs) / 1000 / CONCURRENCY;
    const net = best.seconds - context.startup;
    const ratio = net / seconds;
    notes.push(
      `bound ${
        fixed(seconds)
      } s = ${pages} pages (the rows / ${PAGE_SIZE}) x ${bound.latencyMs} ms / ` +
        `${CONCURRENCY} in flight; the read made ${best.requests} requests in ${
          fixed(best.seconds)
        } s, less ${fixed(context.startup)} s start-up`,
    );
    return {
      ...line,
      figure: `${fixed(net)} s (${fixed(ratio, 3)} x)`,
      bound: `<= ${fixed(bound.aim)} x ${fixed(seconds)} s`,
      verdict: verdict(benchCase, ratio <= bound.aim, failed),
    };
  }
  if (bound.kind === "rate") {
    const seconds = best.answered / bound.rate;
    const ratio = best.seconds / seconds;
    notes.push(
      `bound ${fixed(seconds)} s = ${best.answered} requests answered / ${bound.rate} per s (the ` +
        `bucket starts full: ${bound.rate} free); ${best.throttled} 429s; wall includes start-up`,
    );
    return {
      ...line,
      figure: `${fixed(best.seconds)} s (${fixed(ratio, 3)} x), ${best.throttled} 429s`,
      bound: `<= ${fixed(bound.aim)} x ${fixed(seconds)} s`,
      verdict: verdict(benchCase, ratio <= bound.aim, failed),
    };
  }
  return memoryRow(benchCase, context, { line, rss, best });
}

/** The memory cases' line: peak RSS against the ceiling, and against a smaller case's. */
function memoryRow(
  benchCase: Case,
  context: Context,
  options: { line: Omit<Row, "figure" | "bound" | "verdict">; rss: number; best: Measured },
): Row {
  const bound = benchCase.bound as Bound & { kind: "memory" };
  const { line, rss, best } = options;
  const base = context.rows.find((row) => row.target === bound.baseline);
  let met = rss > 0 && rss <= bound.ceilingMb * MB;
  let limit = `<= ${bound.ceilingMb} MB`;
  if (base && base.rss > 0 && bound.growth !== undefined) {
    const flat = base.rss * (1 + bound.growth);
    met &&= rss <= flat;
    limit += ` and <= ${fixed(flat / MB, 0)} MB (${bound.baseline} + ${
      fixed(100 * bound.growth, 0)
    } %)`;
  }
  line.notes.push(
    `${rowsOf(benchCase.streams, benchCase.people)} rows of ${benchCase.streams.join(" and ")}, ` +
      `full_refresh, in ${fixed(best.seconds)} s`,
    cpuNote(best),
  );
  return {
    ...line,
    figure: rss > 0 ? `${fixed(rss / MB, 0)} MB peak RSS` : "n/a",
    bound: limit,
    verdict: verdict(benchCase, met, line.failed),
  };
}

/** The command that runs a case. */
function commandOf(row: Row, smoke: boolean): string {
  return `\`deno task bench${smoke ? " --smoke" : ""} --only ${row.name}\``;
}

/** The markdown table, then the notes on each line. */
function table(rows: Row[], smoke: boolean): string {
  const header = ["target", "figure", "bound", "verdict", "command"];
  const lines = [header, header.map(() => "---")];
  for (const row of rows) {
    lines.push([row.target, row.figure, row.bound, row.verdict, commandOf(row, smoke)]);
  }
  const notes = rows.map((row) => `- ${row.target}: ${row.notes.join("; ")}`);
  return [...lines.map((cells) => `| ${cells.join(" | ")} |`), "", ...notes].join("\n");
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
    `every case: max_records_per_page ${PAGE_SIZE}, concurrency ${CONCURRENCY}, the sandbox in ` +
    `the bench process, the connector as \`deno task connector\` runs it`,
  ].join("; ");
}

/** Issue 23's targets; `--smoke` runs the same kinds, small. */
const FULL: Case[] = [
  {
    name: "requests",
    target: "requests",
    streams: STREAMS.map((s) => s.name),
    people: 300,
    bound: { kind: "requests", perStream: 2, extraPerStream: 2 },
  },
  {
    name: "latency",
    target: "latency: 2 streams, 4 in flight",
    streams: TWO_STREAMS,
    people: 11_400,
    bound: { kind: "latency", latencyMs: 50, aim: 1.25 },
  },
  {
    name: "cpu",
    target: "CPU: records/s vs a bare fetch loop",
    streams: ["people"],
    people: 100_000,
    bound: { kind: "bare", aim: 0.8, repeats: 5 },
  },
  {
    name: "memory-100k",
    target: "peak RSS, 100k rows",
    streams: TWO_STREAMS,
    people: 28_572,
    bound: { kind: "memory", ceilingMb: 80 },
  },
  {
    name: "memory-1m",
    target: "peak RSS, 1M rows",
    streams: TWO_STREAMS,
    people: 285_715,
    bound: { kind: "memory", ceilingMb: 88, baseline: "peak RSS, 100k rows", growth: 0.1 },
    only: "memory",
  },
  {
    name: "429-every-11th",
    target: "a 429 every 11th request",
    streams: ["people"],
    people: 30_000,
    bound: { kind: "every429", every: 11, retryAfterS: 1, latencyMs: 20, aim: 1.2 },
  },
  {
    name: "429-random",
    target: "429s at random (1 in 11)",
    streams: ["people"],
    people: 30_000,
    bound: { kind: "every429", random: 1 / 11, retryAfterS: 1, latencyMs: 20, aim: 1.2 },
  },
  {
    name: "rate-limit",
    target: "a token bucket of 20 a second",
    streams: ["people"],
    people: 50_000,
    bound: { kind: "rate", rate: 20, aim: 1.15 },
  },
];

const SMOKE: Case[] = [
  { ...FULL[0], streams: ["companies", "people", "job_roles", "documents"], people: 200 },
  { ...FULL[1], people: 1_000, bound: { kind: "latency", latencyMs: 20, aim: 1.25 } },
  { ...FULL[2], people: 5_000, bound: { kind: "bare", aim: 0.8, repeats: 1 } },
  { ...FULL[3], target: "peak RSS, 10k rows", people: 3_000 },
  { ...FULL[5], people: 3_000 },
].map((c) => ({ ...c, target: `${c.target} (smoke)`, reportOnly: true }) as Case);

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
  const smoke = values.smoke ?? false;
  const cases = (smoke ? SMOKE : FULL).filter((c) => c.name.includes(values.only ?? ""));
  const { seconds: startup, cpu: startupCpu } = await startupCost();
  console.error(`connector start-up (spec): ${fixed(startup)} s, ${fixed(startupCpu)} CPU-s`);
  const rows: Row[] = [];
  for (const benchCase of cases) {
    console.error(`running ${benchCase.name} (${benchCase.people} people)...`);
    for (const row of await runCase(benchCase, { startup, startupCpu, rows })) {
      console.error(`  ${row.target}: ${row.figure} (${row.bound}: ${row.verdict})`);
      rows.push(row);
    }
  }
  if (rows.length > 0) console.log(table(rows, smoke) + "\n");
  console.log(await machine());
  // What detect_deletes adds to incremental syncs (see bench_deletes.ts).
  if ("deletes".includes(values.only ?? "")) {
    console.log("\n" + await deletesBench(smoke ? 10_000 : 100_000));
  }
  // What people_custom_fields costs, full and incremental (see bench_custom_fields.ts).
  if ("custom".includes(values.only ?? "")) {
    console.log("\n" + await customFieldsBench(smoke ? 1_000 : 10_000));
  }
  if (rows.some((row) => row.failed)) {
    console.error("bench FAILED: a read exited non-zero or wrote another number of records");
    Deno.exitCode = 1;
  }
}

/**
 * `deno task bench [--smoke]`: runs the connector (the real command line, as a subprocess)
 * against the sandbox and prints one table: per case the records, pages, wall time, records/s,
 * peak RSS, and the ratio to its bound, measured in the same run.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { startSandbox } from "./mod.ts";

const ROOT = new URL("../", import.meta.url);
const WORK = new URL(".bench/", ROOT);
const STREAM = { name: "people", path: "/people" };

interface Case {
  name: string;
  rows: number;
  latencyMs?: number;
  rateLimit?: number;
  concurrency?: number;
  /** What the ratio compares against, computed from the case's own measurements. */
  bound: "bare" | "latency" | "rate" | "none";
  aim: string;
}

interface Row {
  name: string;
  records: number;
  pages: number;
  seconds: number;
  rss: number;
  ratio: string;
  aim: string;
  note: string;
}

async function connectorArgs(): Promise<string[]> {
  const denoJson = JSON.parse(await Deno.readTextFile(new URL("deno.json", ROOT)));
  return (denoJson.tasks.connector as string).split(/\s+/).slice(1);
}

async function peakRss(pid: number): Promise<number> {
  try {
    const status = await Deno.readTextFile(`/proc/${pid}/status`);
    const match = status.match(/VmHWM:\s+(\d+) kB/);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Runs a read, counting records from stdout as it streams, and sampling peak RSS. */
async function runRead(
  config: Record<string, unknown>,
): Promise<{ records: number; seconds: number; rss: number; code: number }> {
  const configPath = new URL("config.json", WORK).pathname;
  const catalogPath = new URL("catalog.json", WORK).pathname;
  await Deno.writeTextFile(configPath, JSON.stringify(config));
  await Deno.writeTextFile(
    catalogPath,
    JSON.stringify({
      streams: [{
        stream: { name: STREAM.name, json_schema: {}, supported_sync_modes: ["full_refresh"] },
        sync_mode: "full_refresh",
        destination_sync_mode: "overwrite",
      }],
    }),
  );
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: [...await connectorArgs(), "read", "--config", configPath, "--catalog", catalogPath],
    cwd: ROOT,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  let rss = 0;
  const sampler = setInterval(async () => {
    rss = Math.max(rss, await peakRss(child.pid));
  }, 25);
  let records = 0;
  const marker = new TextEncoder().encode('{"type":"RECORD"');
  let carry = new Uint8Array(0);
  for await (const chunk of child.stdout) {
    const bytes = carry.length ? new Uint8Array([...carry, ...chunk]) : chunk;
    let lineStart = 0;
    for (let i = 0; i < bytes.length; i++) {
      if (bytes[i] !== 10) continue;
      if (i - lineStart >= marker.length && marker.every((b, j) => bytes[lineStart + j] === b)) {
        records++;
      }
      lineStart = i + 1;
    }
    carry = bytes.slice(lineStart);
    rss = Math.max(rss, await peakRss(child.pid));
  }
  const { code } = await child.status;
  clearInterval(sampler);
  return { records, seconds: (performance.now() - started) / 1000, rss, code };
}

/** The bare loop: the same pages, fetched one after another, bodies thrown away. */
async function bareLoop(url: string, token: string, pageSize: number): Promise<number> {
  const started = performance.now();
  const sink = await Deno.open("/dev/null", { write: true });
  try {
    for (let skip = 0;;) {
      const response = await fetch(`${url}${STREAM.path}?$limit=${pageSize}&$skip=${skip}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const body = new Uint8Array(await response.arrayBuffer());
      await sink.write(body);
      const { total, data } = JSON.parse(new TextDecoder().decode(body));
      skip += data.length;
      if (data.length === 0 || skip >= total) break;
    }
  } finally {
    sink.close();
  }
  return (performance.now() - started) / 1000;
}

async function runCase(benchCase: Case): Promise<Row> {
  const sandbox = await startSandbox({
    people: benchCase.rows,
    latencyMs: benchCase.latencyMs,
    rateLimit: benchCase.rateLimit,
  });
  try {
    const pageSize = 250;
    const concurrency = benchCase.concurrency ?? 4;
    const result = await runRead({
      api_token: sandbox.token,
      base_url: sandbox.url,
      max_records_per_page: pageSize,
      concurrency,
      retry_attempts: 10,
    });
    const listRequests = sandbox.requests.filter((r) => r.path === STREAM.path);
    const pages = listRequests.filter((r) => r.status === 200).length;
    const throttled = listRequests.filter((r) => r.status === 429).length;
    let ratio = "";
    let note = `${pages} requests answered, ${throttled} 429s`;
    const minimalPages = Math.ceil(benchCase.rows / pageSize);
    if (benchCase.bound === "bare") {
      const bare = await bareLoop(sandbox.url, sandbox.token, pageSize);
      ratio = ((benchCase.rows / result.seconds) / (benchCase.rows / bare)).toFixed(2);
      note = `bare loop ${Math.round(benchCase.rows / bare)} rows/s; ${note}`;
    } else if (benchCase.bound === "latency") {
      const bound = (minimalPages * benchCase.latencyMs! / 1000) / concurrency;
      ratio = (result.seconds / bound).toFixed(2);
      note = `bound ${
        bound.toFixed(1)
      } s = ${minimalPages} pages x ${benchCase.latencyMs} ms / ${concurrency}; ${note}`;
    } else if (benchCase.bound === "rate") {
      const bound = minimalPages / benchCase.rateLimit!;
      ratio = (result.seconds / bound).toFixed(2);
      note = `bound ${
        bound.toFixed(1)
      } s = ${minimalPages} pages / ${benchCase.rateLimit} per s; ${note}`;
    }
    if (result.code !== 0) note = `EXIT ${result.code}; ${note}`;
    if (result.records !== benchCase.rows) {
      note = `RECORDS ${result.records} != ${benchCase.rows}; ${note}`;
    }
    return {
      name: benchCase.name,
      records: result.records,
      pages,
      seconds: result.seconds,
      rss: result.rss,
      ratio,
      aim: benchCase.aim,
      note,
    };
  } finally {
    await sandbox.close();
  }
}

function print(rows: Row[]): void {
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
      row.seconds.toFixed(2),
      String(Math.round(row.records / row.seconds)),
      (row.rss / 1024 / 1024).toFixed(0),
      row.ratio,
      row.aim,
      row.note,
    ]);
  }
  console.log(lines.map((cells) => `| ${cells.join(" | ")} |`).join("\n"));
}

if (import.meta.main) {
  const { values } = parseArgs({ args: Deno.args, options: { smoke: { type: "boolean" } } });
  await Deno.mkdir(WORK, { recursive: true });
  const cases: Case[] = values.smoke
    ? [
      { name: "cpu (smoke)", rows: 2_000, bound: "bare", aim: "report only" },
      { name: "latency (smoke)", rows: 2_000, latencyMs: 20, bound: "latency", aim: "report only" },
    ]
    : [
      { name: "cpu bound", rows: 100_000, bound: "bare", aim: ">= 0.7 of bare loop" },
      {
        name: "latency bound",
        rows: 100_000,
        latencyMs: 100,
        bound: "latency",
        aim: "<= 1.25 x bound",
      },
      {
        name: "rate-limit bound",
        rows: 50_000,
        rateLimit: 20,
        bound: "rate",
        aim: "<= 1.15 x bound",
      },
      { name: "memory 1M", rows: 1_000_000, bound: "none", aim: "< 150 MB, flat" },
    ];
  const rows: Row[] = [];
  for (const benchCase of cases) {
    console.error(`running ${benchCase.name} (${benchCase.rows} rows)...`);
    rows.push(await runCase(benchCase));
  }
  console.error(
    `machine: ${Deno.build.target}, ${navigator.hardwareConcurrency} cores, deno ${Deno.version.deno}`,
  );
  print(rows);
  if (rows.some((row) => row.note.startsWith("EXIT") || row.note.startsWith("RECORDS"))) {
    Deno.exitCode = 1;
  }
}

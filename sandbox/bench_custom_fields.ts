/**
 * What `people_custom_fields` costs (`deno task bench --only custom` runs it alone; a full
 * `deno task bench` runs it after the main table): syncs of the stream against a sandbox of
 * `people` people with the sandbox's twenty custom fields (most people have a value for most),
 * as a subprocess. First a sync without state (every value), then, after 1 % of the people had
 * one value changed, the next sync from its state. Prints one markdown table: requests (of the
 * definitions, the changed values and the batched re-reads), wall time, CPU and records.
 *
 * @module
 */
import { type Sandbox, startSandbox } from "./mod.ts";
import { connectorArgs, runConnector } from "./process_usage.ts";

const ROOT = new URL("../", import.meta.url);
const WORK = new URL(".bench/", ROOT);
const STREAM = "people_custom_fields";

interface Measured {
  seconds: number;
  cpu: number;
  sandboxCpu: number;
  rss: number;
  /** Requests by kind: definitions, values listed, values re-read by person. */
  requests: { definitions: number; values: number; batched: number };
  records: number;
  state: unknown[];
}

/** The configured catalog: the stream as discover lists it. */
async function catalogFile(sandbox: Sandbox, config: string): Promise<string> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [...await connectorArgs(), "discover", "--config", config],
    cwd: ROOT,
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const catalog = JSON.parse(new TextDecoder().decode(output.stdout).trim()).catalog;
  const stream = catalog.streams.find((s: { name: string }) => s.name === STREAM);
  const path = new URL("custom-catalog.json", WORK).pathname;
  await Deno.writeTextFile(
    path,
    JSON.stringify({
      streams: [{ stream, sync_mode: "incremental", destination_sync_mode: "append_dedup" }],
    }),
  );
  sandbox.requests.length = 0;
  return path;
}

/** One sync, stdout to a file; the requests it made, its time, CPU and records. */
async function sync(
  sandbox: Sandbox,
  files: { config: string; catalog: string; name: string },
  state?: unknown[],
): Promise<Measured> {
  const args = ["read", "--config", files.config, "--catalog", files.catalog];
  if (state) {
    const path = new URL(`custom-${files.name}.state.json`, WORK).pathname;
    await Deno.writeTextFile(path, JSON.stringify(state));
    args.push("--state", path);
  }
  const out = new URL(`custom-${files.name}.jsonl`, WORK).pathname;
  const from = sandbox.requests.length;
  const { seconds, cpu, rss, sandboxCpu } = await runConnector(args, {
    out,
    name: files.name,
    cwd: ROOT,
  });
  let records = 0;
  let last: unknown;
  for (const line of (await Deno.readTextFile(out)).split("\n")) {
    if (line.startsWith('{"type":"RECORD"')) records++;
    else if (line.startsWith('{"type":"STATE"')) last = JSON.parse(line).state;
  }
  await Deno.remove(out);
  const sent = sandbox.requests.slice(from);
  const values = sent.filter((r) => r.path === "/custom-values");
  const batched = values.filter((r) => decodeURIComponent(r.query).includes("personId[$in]"));
  const requests = {
    definitions: sent.filter((r) => r.path === "/custom-fields").length,
    values: values.length - batched.length,
    batched: batched.length,
  };
  return { seconds, cpu, sandboxCpu, rss, requests, records, state: last ? [last] : [] };
}

/** Runs the custom-fields cases on a sandbox of `people` people; returns the markdown table. */
export async function customFieldsBench(people: number): Promise<string> {
  await Deno.mkdir(WORK, { recursive: true });
  const lines = [
    `| people_custom_fields, ${people} people, 20 fields | requests (definitions + values + batched re-reads) | wall s | connector CPU s | sandbox CPU s | peak RSS MB | records |`,
    "| --- | --: | --: | --: | --: | --: | --: |",
  ];
  // The sandbox's clock runs five minutes behind, as the demo's: no value falls in the minute
  // before a sync that the next sync reads again (the clock-skew allowance), so the next sync's
  // rows are the changed people's alone.
  const sandbox = await startSandbox({
    people,
    seed: 1,
    now: () => new Date(Date.now() - 5 * 60_000),
  });
  try {
    const config = new URL("custom-config.json", WORK).pathname;
    await Deno.writeTextFile(
      config,
      JSON.stringify({
        api_token: sandbox.token,
        base_url: sandbox.url,
        max_records_per_page: 250,
        concurrency: 4,
      }),
    );
    const catalog = await catalogFile(sandbox, config);
    console.error(`running people_custom_fields (${people} people)...`);
    const first = await sync(sandbox, { config, catalog, name: "first" });
    const changed = sandbox.touch("/custom-values", Math.ceil(people / 100));
    // Changes are stamped from now on: let the clock pass them, so the next sync's window has them.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const next = await sync(sandbox, { config, catalog, name: "next" }, first.state);
    const rows: [string, Measured][] = [
      ["first sync (every value)", first],
      [`next sync (${changed} values changed, 1 % of people)`, next],
    ];
    for (const [what, m] of rows) {
      const { definitions, values, batched } = m.requests;
      lines.push(
        `| ${what} | ${
          definitions + values + batched
        } (${definitions} + ${values} + ${batched}) | ${m.seconds.toFixed(2)} | ${
          m.cpu.toFixed(2)
        } | ${m.sandboxCpu.toFixed(2)} | ${(m.rss / 1024 / 1024).toFixed(0)} | ${m.records} |`,
      );
    }
  } finally {
    await sandbox.close();
  }
  return lines.join("\n");
}

/**
 * What `detect_deletes` costs (`deno task bench` runs it after the main table; `--only deletes`
 * runs it alone): incremental syncs of the `people` stream with `rows` rows, as a subprocess
 * against the sandbox, with the setting off and on. First a sync without state, then, after
 * 1 % of the rows changed and 0.1 % were deleted, the next sync from its state. Prints one
 * markdown table: requests, wall time, records, delete records and the state's size.
 *
 * @module
 */
import { type Sandbox, startSandbox } from "./mod.ts";
import { runConnector } from "./process_usage.ts";

const ROOT = new URL("../", import.meta.url);
const WORK = new URL(".bench/", ROOT);
const STREAM = { name: "people", path: "/people" };

interface Measured {
  seconds: number;
  /** CPU seconds of the connector (last sampled, every 20 ms) and of the sandbox meanwhile. */
  cpu: number;
  sandboxCpu: number;
  /** The connector's peak RSS, bytes (as last sampled). */
  rss: number;
  requests: number;
  records: number;
  deletes: number;
  stateBytes: number;
  state: unknown[];
}

/** One sync: stdout to a file (read afterwards), so the pipe costs the sandbox nothing. */
async function sync(
  sandbox: Sandbox,
  name: string,
  options: { detect: boolean; state?: unknown[] },
): Promise<Measured> {
  const file = (suffix: string) => new URL(`deletes-${name}.${suffix}`, WORK).pathname;
  await Deno.writeTextFile(
    file("config.json"),
    JSON.stringify({
      api_token: sandbox.token,
      base_url: sandbox.url,
      max_records_per_page: 250,
      concurrency: 4,
      initial_sync_days: 365,
      detect_deletes: options.detect,
    }),
  );
  await Deno.writeTextFile(
    file("catalog.json"),
    JSON.stringify({
      streams: [{
        stream: { name: STREAM.name, json_schema: {}, supported_sync_modes: ["incremental"] },
        sync_mode: "incremental",
        destination_sync_mode: "append_dedup",
        cursor_field: ["updated_at"],
        primary_key: [["id"]],
      }],
    }),
  );
  const args = ["read", "--config", file("config.json"), "--catalog", file("catalog.json")];
  if (options.state) {
    await Deno.writeTextFile(file("state.json"), JSON.stringify(options.state));
    args.push("--state", file("state.json"));
  }
  const out = file("jsonl");
  const from = sandbox.requests.length;
  const { seconds, cpu, rss, sandboxCpu } = await runConnector(args, {
    out,
    name: name,
    cwd: ROOT,
  });
  let records = 0;
  let deletes = 0;
  let last: unknown;
  for (const line of (await Deno.readTextFile(out)).split("\n")) {
    if (line.startsWith('{"type":"RECORD"')) {
      records++;
      if (!line.includes('"_ab_cdc_deleted_at":null')) deletes++;
    } else if (line.startsWith('{"type":"STATE"')) {
      last = JSON.parse(line).state;
    }
  }
  await Deno.remove(out);
  const requests = sandbox.requests.slice(from).filter((r) => r.path === STREAM.path).length;
  const state = last ? [last] : [];
  const stateBytes = JSON.stringify(state).length;
  return { seconds, cpu, sandboxCpu, rss, requests, records, deletes, stateBytes, state };
}

/** Runs the delete-detection cases on a sandbox of `rows` people; returns the markdown table. */
export async function deletesBench(rows: number): Promise<string> {
  await Deno.mkdir(WORK, { recursive: true });
  const lines = [
    "| delete detection | requests | wall s | connector CPU s | sandbox CPU s | peak RSS MB | records | deletes | state |",
    "| --- | --: | --: | --: | --: | --: | --: | --: | --: |",
  ];
  for (const detect of [false, true]) {
    // A fresh sandbox per setting, with the same seed: the same rows and the same changes.
    const sandbox = await startSandbox({ people: rows, seed: 1 });
    try {
      const label = detect ? "on" : "off";
      console.error(`running delete detection ${label} (${rows} rows)...`);
      const first = await sync(sandbox, `${label}-first`, { detect });
      sandbox.change(STREAM.path, {
        updates: Math.ceil(rows / 100),
        deletes: Math.ceil(rows / 1000),
      });
      // The sandbox stamps a burst of changes 1 ms apart from now on: let the clock pass the
      // last, so the next sync's window (up to its start) holds every changed row.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const next = await sync(sandbox, `${label}-next`, { detect, state: first.state });
      for (const [what, m] of [["first incremental sync", first], ["next sync", next]] as const) {
        lines.push(
          `| ${label}: ${what} | ${m.requests} | ${m.seconds.toFixed(2)} | ${m.cpu.toFixed(2)} | ${
            m.sandboxCpu.toFixed(2)
          } | ${(m.rss / 1024 / 1024).toFixed(0)} | ${m.records} | ${m.deletes} | ${
            (m.stateBytes / 1024).toFixed(1)
          } KB |`,
        );
      }
    } finally {
      await sandbox.close();
    }
  }
  return lines.join("\n");
}

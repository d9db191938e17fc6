/**
 * `deno task demo`: starts the sandbox, then runs spec, check, discover, a first read and an
 * incremental second read (after some rows changed and two time-away rows were deleted) through
 * the real command line, and reports what happened on stderr, the deleted rows included (the demo
 * turns `detect_deletes` on). Message logs and the state are kept in `.demo/`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { startSandbox } from "./mod.ts";
import { connectorArgs } from "./process_usage.ts";

const ROOT = new URL("../", import.meta.url);
const OUT = new URL(".demo/", ROOT);

interface Message {
  type: string;
  // deno-lint-ignore no-explicit-any
  [key: string]: any;
}

async function connector(
  args: string[],
  log: string,
): Promise<{ code: number; messages: Message[]; seconds: number }> {
  const started = performance.now();
  const output = await new Deno.Command(Deno.execPath(), {
    args: [...await connectorArgs(), ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const seconds = (performance.now() - started) / 1000;
  const text = new TextDecoder().decode(output.stdout);
  await Deno.writeTextFile(new URL(log, OUT), text);
  const messages = text.split("\n").filter((line) => line).map((line) => JSON.parse(line));
  return { code: output.code, messages, seconds };
}

function say(text = ""): void {
  console.error(text);
}

function table(rows: string[][]): void {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  for (const row of rows) {
    say(
      "  " +
        row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(
          "  ",
        ),
    );
  }
}

function readReport(
  label: string,
  result: { messages: Message[]; seconds: number },
  pagesOf: (stream: string) => [pages: number, scan: number],
  log: string,
): void {
  const records = new Map<string, number>();
  for (const m of result.messages) {
    if (m.type === "RECORD") records.set(m.record.stream, (records.get(m.record.stream) ?? 0) + 1);
  }
  const streams = result.messages
    .filter((m) =>
      m.type === "TRACE" && m.trace.type === "STREAM_STATUS" &&
      m.trace.stream_status.status === "STARTED"
    )
    .map((m) => m.trace.stream_status.stream_descriptor.name as string);
  const rows = [["stream", "records", "pages", "id scan"]];
  let total = 0;
  for (const stream of streams) {
    const n = records.get(stream) ?? 0;
    total += n;
    rows.push([stream, String(n), ...pagesOf(stream).map(String)]);
  }
  say(
    `${label}: ${total} records from ${streams.length} streams in ${result.seconds.toFixed(2)} s (${
      Math.round(total / result.seconds)
    } records/s)`,
  );
  table(rows);
  say(`  messages: ${new URL(log, OUT).pathname}`);
}

/** Prints up to two `people_custom_fields` rows of a read, and how many it wrote. */
function customFieldRows(label: string, result: { messages: Message[] }): void {
  const rows = result.messages
    .filter((m) => m.type === "RECORD" && m.record.stream === "people_custom_fields")
    .map((m) => m.record.data);
  say(`  ${label} (${rows.length} rows written):`);
  for (const row of rows.slice(0, 2)) say(`    ${JSON.stringify(row)}`);
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { people: { type: "string", default: "200" }, seed: { type: "string", default: "1" } },
  });
  await Deno.mkdir(OUT, { recursive: true });
  // The sandbox's clock runs five minutes behind: its newest rows are older than the minute
  // before a sync that the next sync reads again (the clock-skew allowance).
  const sandbox = await startSandbox({
    people: Number(values.people),
    seed: Number(values.seed),
    now: () => new Date(Date.now() - 5 * 60_000),
  });
  try {
    say(
      `source-humaans demo: sandbox Humaans API at ${sandbox.url} (${values.people} people, seed ${values.seed})`,
    );
    const configPath = new URL("config.json", OUT).pathname;
    await Deno.writeTextFile(
      configPath,
      JSON.stringify(
        {
          api_token: sandbox.token,
          base_url: sandbox.url,
          initial_sync_days: "365",
          max_records_per_page: "100",
          detect_deletes: true,
        },
        null,
        2,
      ),
    );

    const spec = await connector(["spec"], "spec.jsonl");
    const settings = Object.keys(spec.messages[0].spec.connectionSpecification.properties);
    say(`spec: ${settings.length} settings (${settings.join(", ")})`);

    const check = await connector(["check", "--config", configPath], "check.jsonl");
    const status = check.messages[0].connectionStatus;
    say(`check: ${status.status}: ${status.message}`);

    const discover = await connector(["discover", "--config", configPath], "discover.jsonl");
    const streams = discover.messages[0].catalog.streams;
    say(`discover: ${streams.length} streams`);
    const catalogPath = new URL("catalog.json", OUT).pathname;
    await Deno.writeTextFile(
      catalogPath,
      JSON.stringify(
        {
          streams: streams.map((stream: Message) => {
            const incremental = stream.supported_sync_modes.includes("incremental");
            return {
              stream,
              sync_mode: incremental ? "incremental" : "full_refresh",
              destination_sync_mode: incremental ? "append_dedup" : "overwrite",
              ...(incremental ? { cursor_field: ["updated_at"] } : {}),
              primary_key: stream.source_defined_primary_key,
            };
          }),
        },
        null,
        2,
      ),
    );

    // Pages read (they send $skip; the probes and counts do not), and requests of the id scan of
    // detect_deletes (those with a `$select`).
    const pagesSince = (from: number) => (stream: string): [number, number] => {
      const sent = sandbox.requests.slice(from).filter((r) =>
        r.path.replaceAll("-", "_") === `/${stream}` && new URLSearchParams(r.query).has("$skip")
      );
      const scan = sent.filter((r) => decodeURIComponent(r.query).includes("$select"));
      return [sent.length - scan.length, scan.length];
    };
    say();
    let mark = sandbox.requests.length;
    const first = await connector(
      ["read", "--config", configPath, "--catalog", catalogPath],
      "read-1.jsonl",
    );
    readReport(
      "read #1 (no state: all history; dated-event streams the last 365 days)",
      first,
      pagesSince(mark),
      "read-1.jsonl",
    );
    const statePath = new URL("state.json", OUT).pathname;
    const lastStates = new Map<string, Message>();
    for (const m of first.messages) {
      if (m.type === "STATE") lastStates.set(m.state.stream.stream_descriptor.name, m.state);
    }
    await Deno.writeTextFile(statePath, JSON.stringify([...lastStates.values()], null, 2));
    say(`  state: ${statePath} (${lastStates.size} streams)`);
    customFieldRows("people_custom_fields (custom fields as columns), two rows of read #1", first);

    const touched = sandbox.touch("/job-roles", 12) + sandbox.touch("/documents", 5);
    const customValues = sandbox.touch("/custom-values", 6);
    const timeAway = new Set(sandbox.snapshot("/time-away").map((row) => row.id));
    sandbox.change("/time-away", { deletes: 2 });
    const kept = new Set(sandbox.snapshot("/time-away").map((row) => row.id));
    const removed = [...timeAway].filter((id) => !kept.has(id));
    say();
    say(
      `changed ${touched} rows in the sandbox (12 job roles, 5 documents) and ${customValues} custom values, and deleted ${removed.length} time-away rows (${
        removed.join(", ")
      })`,
    );
    mark = sandbox.requests.length;
    const second = await connector(
      ["read", "--config", configPath, "--catalog", catalogPath, "--state", statePath],
      "read-2.jsonl",
    );
    readReport("read #2 (incremental, from the state)", second, pagesSince(mark), "read-2.jsonl");
    customFieldRows("people_custom_fields rows of read #2 (people whose values changed)", second);
    const deleted = second.messages.filter((m) =>
      m.type === "RECORD" && m.record.data._ab_cdc_deleted_at !== null
    );
    say(`  deleted rows found (detect_deletes): ${deleted.length}`);
    for (const m of deleted) {
      const data = m.record.data;
      say(
        `    ${m.record.stream} ${data.id}: _ab_cdc_deleted_at ${data._ab_cdc_deleted_at}, updated_at ${data.updated_at}, ${
          Object.values(data).filter((v) => v === null).length
        } other columns null`,
      );
    }
    if (deleted.length !== removed.length) {
      say(`expected ${removed.length} deleted rows, found ${deleted.length}`);
      Deno.exitCode = 1;
    }
    if (first.code !== 0 || second.code !== 0) {
      say("a read failed: see the messages above");
      Deno.exitCode = 1;
    }
  } finally {
    await sandbox.close();
  }
}

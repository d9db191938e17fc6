import assert from "node:assert/strict";
import { parseConfig } from "../../src/config.ts";
import { HumaansClient } from "../../src/http/client.ts";
import { MessageWriter } from "../../src/protocol/writer.ts";
import { findStream } from "../../src/streams/mod.ts";
import { CLOCK_SKEW_MS, readStream, saneCursor } from "../../src/sync/read_stream.ts";
import { Capture } from "../support/capture.ts";
import { testClock } from "../support/clock.ts";

const NOW = "2026-11-28T12:00:00.000Z";
const START = Date.parse(NOW);
const STREAM = findStream("job_roles")!;

type Row = { id: string; updatedAt: string | null; name?: string };

/**
 * An in-memory list server: answers every list request with `answer(query)`, and records the
 * queries it was asked.
 */
function stubServer(answer: (query: URLSearchParams) => { total: number; data: unknown[] }) {
  const queries: URLSearchParams[] = [];
  const fetch: typeof globalThis.fetch = (input) => {
    const url = new URL(String(input));
    queries.push(url.searchParams);
    const { total, data } = answer(url.searchParams);
    return Promise.resolve(Response.json({ total, limit: 25, skip: 0, data }));
  };
  const client = new HumaansClient({
    baseUrl: "http://127.0.0.1:1/api",
    token: "read-stream-test-token",
    timeoutMs: 1_000,
    retryAttempts: 0,
    clock: testClock(NOW),
    fetch,
  });
  return { client, queries };
}

/** A server that filters and sorts `rows` as the query asks (a small Feathers). */
function honouring(rows: Row[], options: { sort?: boolean } = {}) {
  return (query: URLSearchParams) => {
    let selected = rows.filter((row) => {
      const at = row.updatedAt;
      for (const [key, value] of query) {
        const op = key.match(/^updatedAt\[(\$\w+)\]$/)?.[1];
        if (!op) continue;
        if (at === null) return false;
        if (op === "$gte" && !(at >= value)) return false;
        if (op === "$gt" && !(at > value)) return false;
        if (op === "$lte" && !(at <= value)) return false;
        if (op === "$lt" && !(at < value)) return false;
      }
      return true;
    });
    const direction = Number(query.get("$sort[updatedAt]") ?? 0);
    if (direction && options.sort !== false) {
      selected = selected.toSorted((a, b) =>
        a.updatedAt === b.updatedAt
          ? (a.id < b.id ? -1 : 1)
          : direction * (a.updatedAt! < b.updatedAt! ? -1 : 1)
      );
    }
    const skip = Number(query.get("$skip") ?? 0);
    const limit = Number(query.get("$limit") ?? 100);
    return { total: selected.length, data: selected.slice(skip, skip + limit) };
  };
}

function rowsAt(minutes: number[]): Row[] {
  return minutes.map((m, i) => ({
    id: `role${String(i).padStart(3, "0")}`,
    name: `Role ${i}`,
    updatedAt: new Date(START - 86_400_000 + m * 60_000).toISOString(),
  }));
}

function writerOf() {
  const stdout = new Capture();
  const writer = new MessageWriter(stdout, { stderr: new Capture(), now: () => START });
  const messages = () =>
    stdout.text().trimEnd().split("\n").filter(Boolean).map((l) => JSON.parse(l));
  return { writer, messages };
}

const config = parseConfig({
  api_token: "read-stream-test-token",
  max_records_per_page: 5,
  concurrency: 1,
});

Deno.test("saneCursor: a cursor after the sync's start becomes the start less the skew, with a WARN", async () => {
  const { writer, messages } = writerOf();
  const base = { syncMode: "incremental" as const, syncStartedAt: START, writer };
  const past = "2026-11-01T00:00:00.000Z";
  assert.equal(await saneCursor(STREAM, { ...base, state: { cursor: past } }), past);
  assert.equal(await saneCursor(STREAM, { ...base, state: {} }), undefined);
  assert.equal(messages().length, 0);
  const ceiling = new Date(START - CLOCK_SKEW_MS).toISOString();
  assert.equal(
    await saneCursor(STREAM, { ...base, state: { cursor: "9999-12-31T00:00:00.000Z" } }),
    ceiling,
  );
  const [warn] = messages();
  assert.equal(warn.log.level, "WARN");
  assert.match(
    warn.log.message,
    /^Stream "job_roles": the state's cursor 9999-12-31T00:00:00.000Z is later than this sync's start/,
  );
});

Deno.test("readStream: a page's STATE goes out once the next page's count proves it, after its records", async () => {
  const rows = rowsAt([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  const { client, queries } = stubServer(honouring(rows));
  const { writer, messages } = writerOf();
  const result = await readStream(STREAM, {
    client,
    writer,
    config,
    syncMode: "full_refresh",
    syncStartedAt: START,
  });
  assert.equal(result.status, "COMPLETE");
  assert.equal(result.records, 12);
  assert.equal(result.serverTotal, 12);
  const kinds = messages().filter((m) => m.type === "RECORD" || m.type === "STATE")
    .map((
      m,
    ) => (m.type === "STATE" ? `S${m.state.stream.stream_state.updated_at.slice(14, 16)}` : "R"));
  // Keyset pages of 5 from the last key: rows 1-5, then 5 (skipped: read) and 6-9, then 9 and
  // 10-12. Page 1's claim (05) waits for page 2's count; the last page ends the stream.
  assert.deepEqual(kinds.join(""), "RRRRRRRRRS05RRRS12");
  const kindOf = (q: URLSearchParams) => {
    if (q.get("$sort[id]") === "1") return "page";
    return q.has("updatedAt[$gte]") ? "dated" : "count";
  };
  assert.deepEqual(queries.map(kindOf), ["count", "page", "page", "page"]);
});

Deno.test("readStream: a server that ignores $sort is caught by the counts; a scan reads every row, one STATE at the end", async () => {
  // In server order the first page looks sorted; the row at minute 0 comes later.
  const rows = rowsAt([1, 2, 3, 4, 5, 6, 7, 8, 0, 9, 10, 11]);
  const { client } = stubServer(honouring(rows, { sort: false }));
  const { writer, messages } = writerOf();
  const result = await readStream(STREAM, {
    client,
    writer,
    config,
    syncMode: "full_refresh",
    syncStartedAt: START,
  });
  assert.equal(result.status, "COMPLETE");
  assert.equal(result.paging, "client");
  const records = messages().filter((m) => m.type === "RECORD");
  assert.deepEqual(
    new Set(records.map((m) => m.record.data.id)),
    new Set(rows.map((row) => row.id)),
  );
  const states = messages().filter((m) => m.type === "STATE");
  assert.equal(states.length, 1);
  assert.equal(states[0].state.sourceStats.recordCount, records.length);
});

Deno.test("readStream: undated rows are read by an unfiltered pass when the counts say they exist", async () => {
  const rows: Row[] = [...rowsAt([1, 2, 3]), { id: "undated1", updatedAt: null, name: "x" }];
  const { client, queries } = stubServer(honouring(rows));
  const { writer, messages } = writerOf();
  const result = await readStream(STREAM, {
    client,
    writer,
    config,
    syncMode: "full_refresh",
    syncStartedAt: START,
  });
  assert.equal(result.status, "COMPLETE");
  const ids = messages().filter((m) => m.type === "RECORD").map((m) => m.record.data.id);
  assert.deepEqual(ids.sort(), ["role000", "role001", "role002", "undated1"]);
  // The undated pass comes first (before any STATE), unfiltered.
  const pages = queries.filter((q) => q.has("$skip") && !q.has("$sort[id]"));
  assert.ok(![...pages[0].keys()].some((k) => k.startsWith("updatedAt")), "unfiltered");
  const all = messages();
  const firstState = all.findIndex((m) => m.type === "STATE");
  const undated = all.findIndex((m) => m.type === "RECORD" && m.record.data.id === "undated1");
  assert.ok(undated >= 0 && undated < firstState, "the undated row before any STATE");
});

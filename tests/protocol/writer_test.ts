import assert from "node:assert/strict";
import type { AirbyteLogLevel } from "../../src/protocol/messages.ts";
import {
  type ByteSink,
  MessageWriter,
  OutputGate,
  rateLimitedReason,
} from "../../src/protocol/writer.ts";
import { StrictAirbyteMessage } from "../support/protocol.ts";
import { until } from "../support/wait.ts";

const NOW = Date.parse("2026-11-28T12:00:00.000Z");
const TOKEN = "hms_live_Zx81Qp0Lm4Rt7Yb2";
const decoder = new TextDecoder();

/** A sink that keeps every chunk it is given. */
class Sink implements ByteSink {
  chunks: string[] = [];
  write(bytes: Uint8Array): number {
    this.chunks.push(decoder.decode(bytes));
    return bytes.length;
  }
  get text(): string {
    return this.chunks.join("");
  }
  // deno-lint-ignore no-explicit-any
  messages(): any[] {
    return this.text === "" ? [] : this.text.slice(0, -1).split("\n").map((l) => JSON.parse(l));
  }
}

function setup(options: { logLevel?: AirbyteLogLevel } = {}) {
  const stdout = new Sink();
  const stderr = new Sink();
  const writer = new MessageWriter(stdout, { stderr, now: () => NOW, ...options });
  return { stdout, stderr, writer };
}

Deno.test("record: meta.changes lists nulled values, only when there are any", async () => {
  const { stdout, writer } = setup();
  const changes = [
    { field: "amount", change: "NULLED" as const, reason: "SOURCE_SERIALIZATION_ERROR" as const },
  ];
  writer.record("compensations", { id: "c1", amount: null }, { changes });
  writer.record("compensations", { id: "c2", amount: 1 }, { changes: [] });
  writer.record("compensations", { id: "c3", amount: 2 });
  await writer.flush();
  const messages = stdout.messages();
  assert.deepEqual(messages[0], {
    type: "RECORD",
    record: {
      stream: "compensations",
      data: { id: "c1", amount: null },
      emitted_at: NOW,
      meta: { changes },
    },
  });
  assert.ok(!("meta" in messages[1].record), "no meta when no change");
  assert.ok(!("meta" in messages[2].record), "no meta when none given");
  for (const message of messages) {
    assert.ok(StrictAirbyteMessage.safeParse(message).success, JSON.stringify(message));
  }
  // A change the protocol does not know fails the schema: the check above can fail.
  const bad = JSON.parse(stdout.text.split("\n")[0]);
  bad.record.meta.changes[0].change = "DROPPED";
  assert.ok(!StrictAirbyteMessage.safeParse(bad).success);
});

Deno.test("every message is one JSON line", async () => {
  const { stdout, writer } = setup();
  writer.record("companies", { id: "c1", name: "Line\nbreak" });
  await writer.streamState("companies", { updated_at: "2026-01-01T00:00:00.000Z" }, {
    recordCount: 1,
  });
  await writer.log("INFO", "multi\nline message");
  await writer.streamStatus("companies", "COMPLETE");
  await writer.estimate("documents", 1200);
  await writer.message({ type: "SPEC", spec: { connectionSpecification: {} } });
  assert.ok(stdout.text.endsWith("\n"));
  const lines = stdout.text.slice(0, -1).split("\n");
  assert.equal(lines.length, 6);
  const messages = lines.map((line) => JSON.parse(line));
  assert.deepEqual(messages.map((m) => m.type), [
    "RECORD",
    "STATE",
    "LOG",
    "TRACE",
    "TRACE",
    "SPEC",
  ]);
  assert.deepEqual(messages[0], {
    type: "RECORD",
    record: { stream: "companies", data: { id: "c1", name: "Line\nbreak" }, emitted_at: NOW },
  });
  assert.deepEqual(messages[1], {
    type: "STATE",
    state: {
      type: "STREAM",
      stream: {
        stream_descriptor: { name: "companies" },
        stream_state: { updated_at: "2026-01-01T00:00:00.000Z" },
      },
      sourceStats: { recordCount: 1 },
    },
  });
  assert.deepEqual(messages[2], {
    type: "LOG",
    log: { level: "INFO", message: "multi\nline message" },
  });
  assert.deepEqual(messages[3], {
    type: "TRACE",
    trace: {
      type: "STREAM_STATUS",
      stream_status: { stream_descriptor: { name: "companies" }, status: "COMPLETE" },
      emitted_at: NOW,
    },
  });
  assert.deepEqual(messages[4], {
    type: "TRACE",
    trace: {
      type: "ESTIMATE",
      estimate: { name: "documents", type: "STREAM", row_estimate: 1200 },
      emitted_at: NOW,
    },
  });
});

Deno.test("a stream status carries its reasons: RUNNING, RATE_LIMITED, quota_reset", async () => {
  const { stdout, writer } = setup();
  await writer.streamStatus("people", "RUNNING", {
    reasons: [rateLimitedReason(NOW + 7_000.4)],
  });
  await writer.streamStatus("people", "RUNNING", { reasons: [rateLimitedReason()] });
  await writer.streamStatus("people", "RUNNING", { reasons: [] });
  const messages = stdout.messages();
  assert.deepEqual(messages.map((m) => m.trace.stream_status), [
    {
      stream_descriptor: { name: "people" },
      status: "RUNNING",
      reasons: [{ type: "RATE_LIMITED", rate_limited: { quota_reset: NOW + 7_001 } }],
    },
    {
      stream_descriptor: { name: "people" },
      status: "RUNNING",
      reasons: [{ type: "RATE_LIMITED" }],
    },
    { stream_descriptor: { name: "people" }, status: "RUNNING" },
  ]);
  for (const message of messages) StrictAirbyteMessage.parse(message);
});

Deno.test("records are buffered until a flush", async () => {
  const { stdout, writer } = setup();
  writer.record("companies", { id: "c1" });
  writer.record("companies", { id: "c2" });
  assert.equal(stdout.chunks.length, 0, "nothing written before the flush");
  await writer.flush();
  assert.deepEqual(stdout.messages().map((m) => m.record.data.id), ["c1", "c2"]);
  assert.equal(stdout.chunks.length, 1, "a page is one write");
});

Deno.test("a STATE flushes the records queued before it, in order", async () => {
  const { stdout, writer } = setup();
  writer.record("documents", { id: "d1" });
  writer.record("documents", { id: "d2" });
  await writer.streamState("documents", { updated_at: "2026-01-02T00:00:00.000Z" }, {
    recordCount: 2,
  });
  writer.record("documents", { id: "d3" });
  const messages = stdout.messages();
  assert.deepEqual(messages.map((m) => m.type), ["RECORD", "RECORD", "STATE"]);
  assert.equal(messages[2].state.sourceStats.recordCount, 2);
  await writer.flush();
  assert.deepEqual(stdout.messages().map((m) => m.type), ["RECORD", "RECORD", "STATE", "RECORD"]);
});

Deno.test("every non-record message flushes queued records first", async (t) => {
  const cases: [string, (writer: MessageWriter) => Promise<void>][] = [
    ["log", (w) => w.log("WARN", "careful")],
    ["stream status", (w) => w.streamStatus("companies", "RUNNING")],
    ["estimate", (w) => w.estimate("companies", 3)],
    ["error", (w) => w.error("boom", { failureType: "system_error" })],
    [
      "message",
      (w) => w.message({ type: "CONNECTION_STATUS", connectionStatus: { status: "SUCCEEDED" } }),
    ],
  ];
  for (const [name, act] of cases) {
    await t.step(name, async () => {
      const { stdout, writer } = setup();
      writer.record("companies", { id: "c1" });
      await act(writer);
      assert.deepEqual(stdout.messages().map((m) => m.type)[0], "RECORD");
      assert.equal(stdout.messages().length, 2);
    });
  }
});

Deno.test("registered secrets are masked in every line and on stderr", async () => {
  const { stdout, stderr, writer } = setup({ logLevel: "TRACE" });
  writer.addSecret(TOKEN);
  writer.record("companies", { id: "c1", note: `token ${TOKEN} here`, [TOKEN]: 1 });
  await writer.streamState("companies", { updated_at: TOKEN }, { recordCount: 1 });
  await writer.log("DEBUG", `debug ${TOKEN}`);
  await writer.log("WARN", `warn ${TOKEN}`);
  await writer.error(`failed with ${TOKEN}`, {
    failureType: "config_error",
    internalMessage: `stack ${TOKEN}`,
    stream: "companies",
  });
  await writer.message({
    type: "CONNECTION_STATUS",
    connectionStatus: { status: "FAILED", message: TOKEN },
  });
  writer.diagnostic(`plain ${TOKEN}`);
  assert.ok(!stdout.text.includes(TOKEN), "stdout leaks the token");
  assert.ok(!stderr.text.includes(TOKEN), "stderr leaks the token");
  assert.equal(stdout.text.split("****").length - 1, 8, "each occurrence masked");
  assert.match(stderr.text, /WARN: warn \*\*\*\*/);
  assert.match(stderr.text, /ERROR: failed with \*\*\*\*/);
  assert.match(stderr.text, /plain \*\*\*\*/);
  for (const message of stdout.messages()) assert.ok(message.type, "still valid JSON");
});

Deno.test("secrets: only from registration on, each at least 4 characters", async () => {
  const { stdout, writer } = setup();
  writer.record("companies", { id: TOKEN });
  await writer.flush();
  writer.addSecret(TOKEN);
  writer.addSecret(TOKEN); // twice is harmless
  writer.addSecret("abc"); // too short to mask safely
  writer.record("companies", { id: TOKEN, name: "abc" });
  await writer.flush();
  const [before, after] = stdout.messages();
  assert.equal(before.record.data.id, TOKEN, "lines written before registration are as they were");
  assert.equal(after.record.data.id, "****");
  assert.equal(after.record.data.name, "abc");
  assert.equal(writer.redact(`x${TOKEN}y${TOKEN}`), "x****y****");
});

Deno.test("a secret with JSON-escaped characters is masked in its escaped form too", async () => {
  const secret = 'tok"en\\with/quote';
  const { stdout, writer } = setup();
  writer.addSecret(secret);
  writer.record("companies", { id: "c1", note: secret });
  await writer.flush();
  const [message] = stdout.messages();
  assert.ok(!JSON.stringify(message).includes(JSON.stringify(secret).slice(1, -1)));
  assert.ok(!message.record.data.note.includes(secret), "the decoded record holds the secret");
});

Deno.test("a secret that is the protocol's own text: each line stays one JSON message", async () => {
  // Masking the line's text would cut `"record":` out of every RECORD line; its keys and string
  // values are masked one by one instead.
  // (A token that is a word of the output, such as COMPLETE, is refused when the config is read.)
  for (const secret of ['RECORD","record', '"TYPE":"']) {
    const { stdout, writer } = setup();
    writer.addSecret(secret);
    writer.record("companies", { id: "c1", note: `a ${secret} b`, [`k ${secret}`]: 1 });
    await writer.streamState("companies", { updated_at: "2026-01-01T00:00:00.000Z" }, {
      recordCount: 1,
    });
    const lines = stdout.text.trim().split("\n");
    assert.equal(lines.length, 2, secret);
    const [record] = lines.map((line) => JSON.parse(line));
    assert.equal(record.record.data.note, "a **** b", secret);
    assert.ok("k ****" in record.record.data, secret);
  }
});

Deno.test("a secret that contains another secret is masked whole", () => {
  const { writer } = setup();
  writer.addSecret("abcd");
  writer.addSecret("abcd-longer-secret");
  assert.equal(writer.redact("x abcd-longer-secret y abcd z"), "x **** y **** z");
});

Deno.test("log levels: LOG messages below the configured level are dropped", async (t) => {
  const levels: AirbyteLogLevel[] = ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"];
  for (const configured of levels) {
    await t.step(`logLevel ${configured}`, async () => {
      const { stdout, writer } = setup({ logLevel: configured });
      for (const level of levels) await writer.log(level, `at ${level}`);
      const written = stdout.messages().map((m) => m.log.level);
      assert.deepEqual(written, levels.slice(levels.indexOf(configured)));
    });
  }
  await t.step("default is INFO", async () => {
    const stdout = new Sink();
    const writer = new MessageWriter(stdout);
    await writer.log("DEBUG", "hidden");
    await writer.log("INFO", "shown");
    assert.deepEqual(stdout.messages().map((m) => m.log.message), ["shown"]);
  });
});

Deno.test("WARN and above go to stderr, whatever the log level; lower levels do not", async () => {
  const { stdout, stderr, writer } = setup({ logLevel: "FATAL" });
  await writer.log("DEBUG", "d");
  await writer.log("INFO", "i");
  await writer.log("WARN", "w");
  await writer.log("ERROR", "e");
  assert.equal(stderr.text, "WARN: w\nERROR: e\n");
  assert.equal(stdout.text, "", "FATAL filters them all from stdout");
});

Deno.test("error writes a TRACE ERROR and a stderr line", async (t) => {
  await t.step("with every option", async () => {
    const { stdout, stderr, writer } = setup();
    await writer.error("Token rejected", {
      failureType: "config_error",
      internalMessage: "HttpError: 401",
      stream: "documents",
    });
    assert.deepEqual(stdout.messages(), [{
      type: "TRACE",
      trace: {
        type: "ERROR",
        error: {
          message: "Token rejected",
          failure_type: "config_error",
          internal_message: "HttpError: 401",
          stream_descriptor: { name: "documents" },
        },
        emitted_at: NOW,
      },
    }]);
    assert.equal(stderr.text, "ERROR: Token rejected\n");
  });
  await t.step("without optional fields", async () => {
    const { stdout, writer } = setup();
    await writer.error("boom", { failureType: "system_error" });
    assert.deepEqual(stdout.messages()[0].trace.error, {
      message: "boom",
      failure_type: "system_error",
    });
  });
});

Deno.test("without a stderr sink, diagnostics are dropped quietly", async () => {
  const stdout = new Sink();
  const writer = new MessageWriter(stdout, { now: () => NOW });
  writer.diagnostic("nowhere");
  await writer.log("WARN", "still on stdout");
  assert.equal(stdout.messages().length, 1);
});

Deno.test("flushing nothing writes nothing", async () => {
  const { stdout, writer } = setup();
  await writer.flush();
  await writer.flush();
  assert.equal(stdout.chunks.length, 0);
});

/** A sink whose writes complete only when the test releases them. */
class GatedSink implements ByteSink {
  pending: { text: string; release: () => void }[] = [];
  done: string[] = [];
  write(bytes: Uint8Array): Promise<number> {
    const text = decoder.decode(bytes);
    return new Promise((resolve) => {
      this.pending.push({
        text,
        release: () => {
          this.done.push(text);
          resolve(bytes.length);
        },
      });
    });
  }
}

Deno.test("concurrent flushes write in call order, one write at a time", async () => {
  const sink = new GatedSink();
  const writer = new MessageWriter(sink, { now: () => NOW });
  writer.record("companies", { id: "first" });
  const first = writer.flush();
  writer.record("companies", { id: "second" });
  const second = writer.flush();
  const state = writer.streamState("companies", {}, { recordCount: 2 });
  await Promise.resolve();
  await Promise.resolve();
  assert.equal(sink.pending.length, 1, "the second write waits for the first");
  sink.pending[0].release();
  await first;
  await until(() => sink.pending.length >= 2, { what: "write 2" });
  assert.equal(sink.pending.length, 2);
  sink.pending[1].release();
  await second;
  await until(() => sink.pending.length >= 3, { what: "write 3" });
  sink.pending[2].release();
  await state;
  const ids = sink.done.join("").trim().split("\n").map((line) => JSON.parse(line))
    .map((m) => m.type === "RECORD" ? m.record.data.id : m.type);
  assert.deepEqual(ids, ["first", "second", "STATE"]);
});

Deno.test("partial writes are completed", async () => {
  const chunks: Uint8Array[] = [];
  const sink: ByteSink = {
    write(bytes) {
      const n = Math.min(7, bytes.length);
      chunks.push(bytes.slice(0, n));
      return n;
    },
  };
  const writer = new MessageWriter(sink, { now: () => NOW });
  for (let i = 0; i < 20; i++) writer.record("job_roles", { id: `r${i}`, name: "ü€" });
  await writer.flush();
  const text = decoder.decode(new Uint8Array(chunks.flatMap((chunk) => [...chunk])));
  const lines = text.trim().split("\n").map((line) => JSON.parse(line));
  assert.deepEqual(
    lines.map((m) => m.record.data.id),
    Array.from({ length: 20 }, (_, i) => `r${i}`),
  );
  assert.ok(lines.every((m) => m.record.data.name === "ü€"), "multi-byte text intact");
  assert.ok(chunks.length > 20, "the sink was called many times");
});

Deno.test("emitted_at is whole milliseconds even when the clock has fractions", async () => {
  const stdout = new Sink();
  const writer = new MessageWriter(stdout, { now: () => NOW + 0.75 });
  writer.record("companies", { id: "c1" });
  await writer.streamStatus("companies", "COMPLETE");
  const [record, trace] = stdout.messages();
  assert.equal(record.record.emitted_at, NOW);
  assert.equal(trace.trace.emitted_at, NOW);
});

Deno.test("a RECORD line is what JSON.stringify writes of the message", async () => {
  const stdout = new Sink();
  const writer = new MessageWriter(stdout, { now: () => NOW });
  const data = { id: "c1", name: 'quote " and \\ and \u2028', n: 1.5, none: null, nested: "[1]" };
  writer.record('odd "stream"', data);
  await writer.flush();
  const expected = { type: "RECORD", record: { stream: 'odd "stream"', data, emitted_at: NOW } };
  assert.equal(stdout.text, JSON.stringify(expected) + "\n");
});

/** A sink whose writes finish only when the test says so. */
class SlowSink implements ByteSink {
  written: string[] = [];
  #pending: (() => void)[] = [];
  #fail = false;
  write(bytes: Uint8Array): Promise<number> {
    const text = decoder.decode(bytes);
    return new Promise((resolve, reject) => {
      this.#pending.push(() => {
        if (this.#fail) return reject(new Error("Broken pipe"));
        this.written.push(text);
        resolve(bytes.length);
      });
    });
  }
  /** Finishes the oldest write (failing it if `fail`). */
  async finishOne(fail = false): Promise<void> {
    this.#fail = fail;
    this.#pending.shift()?.();
    for (let i = 0; i < 5; i++) await Promise.resolve();
  }
  get waiting(): number {
    return this.#pending.length;
  }
}

/** Whether `promise` has settled after a few turns of the microtask queue. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(() => done = true, () => done = true);
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return done;
}

Deno.test("flushAhead lets one page be written while the next is prepared, in order", async () => {
  const sink = new SlowSink();
  const writer = new MessageWriter(sink, { now: () => NOW });
  writer.record("companies", { id: "p1" });
  writer.queueState("companies", { updated_at: "2026-01-01T00:00:00.000Z" }, { recordCount: 1 });
  assert.ok(await settled(writer.flushAhead()), "nothing was being written before page 1");
  assert.equal(sink.waiting, 1, "page 1 is being written");
  writer.record("companies", { id: "p2" });
  const second = writer.flushAhead();
  assert.equal(await settled(second), false, "held back: page 1 is still being written");
  await sink.finishOne();
  assert.ok(await settled(second), "page 1 written: page 3 may be prepared");
  await sink.finishOne();
  const lines = sink.written.join("").trim().split("\n").map((line) => JSON.parse(line));
  assert.deepEqual(lines.map((m) => m.type), ["RECORD", "STATE", "RECORD"]);
  assert.deepEqual(lines.map((m) => m.record?.data.id ?? m.type), ["p1", "STATE", "p2"]);
});

Deno.test("flushAhead: a failed write surfaces at the next flush", async () => {
  const sink = new SlowSink();
  const writer = new MessageWriter(sink, { now: () => NOW });
  writer.record("companies", { id: "p1" });
  await writer.flushAhead();
  await sink.finishOne(true);
  writer.record("companies", { id: "p2" });
  await assert.rejects(writer.flushAhead(), /Broken pipe/);
  await assert.rejects(writer.flush(), /Broken pipe/);
});

Deno.test("the token's base64 (raw, Bearer, Basic) and URL-encoded forms are masked everywhere", async () => {
  const { stdout, stderr, writer } = setup({ logLevel: "DEBUG" });
  writer.addSecret(TOKEN);
  const echoed = [
    btoa(TOKEN),
    btoa(`Bearer ${TOKEN}`),
    btoa(`:${TOKEN}`),
    btoa(`${TOKEN}:`),
    encodeURIComponent(TOKEN),
  ];
  const body = `400 Bad Request: you sent ${echoed.join(" and ")}`;
  await writer.log("WARN", body);
  await writer.error(body, { failureType: "system_error", internalMessage: body });
  await writer.message({
    type: "CONNECTION_STATUS",
    connectionStatus: { status: "FAILED", message: body },
  });
  for (const text of [stdout.text, stderr.text]) {
    assert.ok(!text.includes(TOKEN));
    for (const form of echoed) assert.ok(!text.includes(form.slice(4, -4)), `${form} leaked`);
  }
  assert.equal(stdout.text.split("****").length - 1, 4 * echoed.length);
});

/** A sink taking at most `chunk` bytes a call, each call a microtask later. */
class ChunkSink implements ByteSink {
  text = "";
  calls = 0;
  constructor(readonly chunk: number, readonly fail?: Error) {}
  async write(bytes: Uint8Array): Promise<number> {
    await Promise.resolve();
    this.calls++;
    if (this.fail) throw this.fail;
    const n = Math.min(this.chunk, bytes.length);
    this.text += decoder.decode(bytes.subarray(0, n));
    return n;
  }
}

Deno.test("OutputGate.stop finishes the line being written and drops the rest", async () => {
  const sink = new ChunkSink(7);
  const gate = new OutputGate(sink);
  const writer = new MessageWriter(gate, { now: () => NOW });
  for (let i = 0; i < 5; i++) writer.record("companies", { id: `c${i}`, name: "x".repeat(20) });
  const flushed = writer.flush();
  for (let turn = 0; turn < 1000 && sink.calls < 2; turn++) await Promise.resolve();
  assert.ok(sink.calls >= 2, "the second write started");
  const stopped = gate.stop();
  await flushed;
  await stopped;
  assert.ok(gate.ended);
  assert.ok(sink.text.endsWith("\n"), "the line being written was finished");
  assert.equal(sink.text.split("\n").length - 1, 1, "only that line");
  assert.equal(JSON.parse(sink.text).record.data.id, "c0");
  // Nothing more is written.
  await writer.log("INFO", "after the stop");
  assert.equal(sink.text.split("\n").length - 1, 1);
});

Deno.test("OutputGate.stop between lines ends output at once", async () => {
  const sink = new ChunkSink(1_000);
  const gate = new OutputGate(sink);
  const writer = new MessageWriter(gate, { now: () => NOW });
  await writer.log("INFO", "one");
  await gate.stop();
  await writer.log("INFO", "two");
  assert.deepEqual(sink.text.trim().split("\n").map((l) => JSON.parse(l).log.message), ["one"]);
});

Deno.test("OutputGate: a broken pipe calls onClosed once, then output is dropped", async () => {
  const sink = new ChunkSink(1_000, new Deno.errors.BrokenPipe("Broken pipe (os error 32)"));
  let closed = 0;
  const gate = new OutputGate(sink, { onClosed: () => closed++ });
  const writer = new MessageWriter(gate, { now: () => NOW });
  await writer.log("INFO", "one");
  await writer.log("INFO", "two");
  assert.equal(closed, 1);
  assert.equal(sink.calls, 1);
  assert.ok(gate.ended);
  const other = new OutputGate(new ChunkSink(1, new Error("disk full")));
  await assert.rejects(other.write(new Uint8Array([1])), /disk full/, "other errors are thrown");
});

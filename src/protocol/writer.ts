import type {
  AirbyteErrorTraceMessage,
  AirbyteFailureType,
  AirbyteLogLevel,
  AirbyteMessage,
  AirbyteRecordMessageMetaChange,
  AirbyteStreamStatus,
  AirbyteStreamStatusReason,
  AirbyteStreamStatusTraceMessage,
  AirbyteTraceMessage,
} from "./messages.ts";
import { SecretMask } from "./mask.ts";

/**
 * Where encoded message lines go (stdout in production, a buffer in tests). `write` returns (or
 * resolves to) how many bytes it took; the writer may reuse `bytes` once it has.
 */
export interface ByteSink {
  /** Writes `bytes`, or part of them: resolves to how many it took. */
  write(bytes: Uint8Array): Promise<number> | number;
}

/** The rank of each level of an Airbyte LOG message, lowest first. */
const LEVEL_RANK: Record<AirbyteLogLevel, number> = {
  TRACE: 0,
  DEBUG: 1,
  INFO: 2,
  WARN: 3,
  ERROR: 4,
  FATAL: 5,
};

/** A TRACE message's payload as the writer is given it (it adds `emitted_at`). */
type TraceBody = Pick<AirbyteTraceMessage, "type" | "error" | "estimate" | "stream_status">;

/** Options of {@linkcode MessageWriter.queueState} and {@linkcode MessageWriter.streamState}. */
export interface StateOptions {
  /** Records of the stream written since its previous STATE (`sourceStats.recordCount`). */
  recordCount: number;
}

/** Options of {@linkcode MessageWriter.streamStatus}. */
export interface StreamStatusOptions {
  /** Why the stream is in this status, e.g. {@linkcode rateLimitedReason} with `RUNNING`. */
  reasons?: AirbyteStreamStatusReason[];
}

/**
 * The reason a `RUNNING` stream gives while it waits out a rate limit; `quotaReset` (ms since
 * the epoch, when the server said) becomes the reason's `rate_limited.quota_reset`.
 */
export function rateLimitedReason(quotaReset?: number): AirbyteStreamStatusReason {
  if (quotaReset === undefined) return { type: "RATE_LIMITED" };
  return { type: "RATE_LIMITED", rate_limited: { quota_reset: Math.ceil(quotaReset) } };
}

/** Options of {@linkcode MessageWriter.record}. */
export interface RecordOptions {
  /** Values nulled in the record (they did not fit their column): `meta.changes` when any. */
  changes?: readonly Pick<AirbyteRecordMessageMetaChange, "field" | "change" | "reason">[];
}

/** Options of a {@linkcode MessageWriter}. */
export interface MessageWriterOptions {
  /** Human-readable diagnostics (WARN and above, errors); default none. */
  stderr?: ByteSink;
  /** Lowest level of LOG message written to stdout; default INFO. */
  logLevel?: AirbyteLogLevel;
  /** Milliseconds since the epoch, for `emitted_at`. */
  now?: () => number;
}

const encoder = new TextEncoder();

/**
 * Largest output buffer kept for reuse, in bytes. Encoding a page of records into a buffer
 * already in memory is several times faster than into a fresh one (whose pages the kernel must
 * first map); buffers larger than this (huge flushes) are not kept.
 */
const REUSED_BUFFER_MAX = 4 * 1024 * 1024;

/**
 * The only code that writes to stdout: one Airbyte message per line.
 *
 * Records are buffered and written a page at a time; every other message flushes the buffer, so a STATE
 * is never visible before the records it covers. Registered secrets are masked in every line.
 */
export class MessageWriter {
  #sink: ByteSink;
  #stderr?: ByteSink;
  #minLevel: number;
  #now: () => number;
  #buffer: string[] = [];
  #mask = new SecretMask();
  /** The text of a RECORD line up to its data, by stream. */
  #recordHeads = new Map<string, string>();
  #writing: Promise<void> = Promise.resolve();
  /** Output buffers no write is using, for the next flushes to encode into. */
  #spares: Uint8Array[] = [];

  /** A writer of protocol lines to `sink`. */
  constructor(sink: ByteSink, options: MessageWriterOptions = {}) {
    this.#sink = sink;
    this.#stderr = options.stderr;
    this.#minLevel = LEVEL_RANK[options.logLevel ?? "INFO"];
    this.#now = options.now ?? Date.now;
  }

  /**
   * Masks `secret` in everything written from now on, in every form it could take: as is,
   * JSON-escaped, URL-encoded, base64 (also inside a `Bearer` or `Basic` header value) and hex.
   */
  addSecret(secret: string): void {
    this.#mask.add(secret);
  }

  /** Replaces every form of every registered secret in `text` with `****`. */
  redact(text: string): string {
    return this.#mask.redact(text);
  }

  /** Whether a LOG message at `level` would be written. */
  #enabled(level: AirbyteLogLevel): boolean {
    return LEVEL_RANK[level] >= this.#minLevel;
  }

  /**
   * Queues one RECORD, with `meta.changes` when `options.changes` has any; call
   * {@linkcode flush} after a page.
   */
  record(stream: string, data: Record<string, unknown>, options: RecordOptions = {}): void {
    // The envelope around the data as text: what JSON.stringify would write, without two more
    // objects per record for it to walk.
    let head = this.#recordHeads.get(stream);
    if (head === undefined) {
      head = `{"type":"RECORD","record":{"stream":${JSON.stringify(stream)},"data":`;
      this.#recordHeads.set(stream, head);
    }
    const changes = options.changes;
    const meta = changes !== undefined && changes.length > 0
      ? `,"meta":${JSON.stringify({ changes })}`
      : "";
    this.#push(`${head}${JSON.stringify(data)},"emitted_at":${this.#emittedAt()}${meta}}}`);
  }

  /** Writes a per-stream STATE checkpoint (with the records queued before it). */
  async streamState(
    stream: string,
    streamState: Record<string, unknown>,
    options: StateOptions,
  ): Promise<void> {
    this.queueState(stream, streamState, options);
    await this.flush();
  }

  /** Queues a per-stream STATE checkpoint after the records queued before it, without flushing. */
  queueState(stream: string, streamState: Record<string, unknown>, options: StateOptions): void {
    const { recordCount } = options;
    const message: AirbyteMessage = {
      type: "STATE",
      state: {
        type: "STREAM",
        stream: { stream_descriptor: { name: stream }, stream_state: streamState },
        sourceStats: { recordCount },
      },
    };
    this.#push(JSON.stringify(message));
  }

  /** Writes a LOG message if `level` is enabled; WARN and above also go to stderr. */
  async log(level: AirbyteLogLevel, message: string): Promise<void> {
    if (LEVEL_RANK[level] >= LEVEL_RANK.WARN) this.diagnostic(`${level}: ${message}`);
    if (!this.#enabled(level)) return;
    this.#push(JSON.stringify({ type: "LOG", log: { level, message } } satisfies AirbyteMessage));
    await this.flush();
  }

  /** Writes a STREAM_STATUS trace, with its `reasons` when there are any. */
  async streamStatus(
    stream: string,
    status: AirbyteStreamStatus,
    options: StreamStatusOptions = {},
  ): Promise<void> {
    const streamStatus: AirbyteStreamStatusTraceMessage = {
      stream_descriptor: { name: stream },
      status,
    };
    if (options.reasons?.length) streamStatus.reasons = options.reasons;
    await this.#trace({ type: "STREAM_STATUS", stream_status: streamStatus });
  }

  /** Writes an ESTIMATE trace of a stream's row count. */
  async estimate(stream: string, rowEstimate: number): Promise<void> {
    await this.#trace({
      type: "ESTIMATE",
      estimate: { name: stream, type: "STREAM", row_estimate: rowEstimate },
    });
  }

  /** Writes an ERROR trace; the message also goes to stderr. */
  async error(
    message: string,
    options: { failureType: AirbyteFailureType; internalMessage?: string; stream?: string },
  ): Promise<void> {
    this.diagnostic(`ERROR: ${message}`);
    const error: AirbyteErrorTraceMessage = { message, failure_type: options.failureType };
    if (options.internalMessage) error.internal_message = options.internalMessage;
    if (options.stream) error.stream_descriptor = { name: options.stream };
    await this.#trace({ type: "ERROR", error });
  }

  /** Writes any other message (SPEC, CATALOG, CONNECTION_STATUS) as given. */
  async message(message: AirbyteMessage): Promise<void> {
    this.#push(JSON.stringify(message));
    await this.flush();
  }

  /**
   * A message line masked. A secret that is text the protocol's own JSON holds (a token such as
   * `RECORD","record`) would break the line: then the line's keys and string values are masked
   * one by one instead, so it stays one JSON message.
   */
  #masked(line: string): string {
    const out = this.redact(line);
    if (out === line) return out;
    try {
      JSON.parse(out);
      return out;
    } catch {
      return JSON.stringify(maskedValues(JSON.parse(line), (text) => this.redact(text)));
    }
  }

  /** Writes a human-readable line to stderr (never stdout). */
  diagnostic(text: string): void {
    if (!this.#stderr) return;
    const bytes = encoder.encode(this.redact(text) + "\n");
    this.#stderr.write(bytes);
  }

  /** Writes every queued line; concurrent flushes write in call order. */
  flush(): Promise<void> {
    if (this.#buffer.length === 0) return this.#writing;
    const lines = this.#buffer;
    this.#buffer = [];
    // UTF-8 takes at most 3 bytes per UTF-16 code unit, plus the newlines.
    let size = 0;
    for (const line of lines) size += line.length * 3 + 1;
    let buffer: Uint8Array | undefined;
    let bytes: Uint8Array;
    const newline = this.#mask.anyHolds("\n");
    if (size <= REUSED_BUFFER_MAX && !newline) {
      // Line by line into a reused buffer: no joined copy of the page, no fresh buffer. Masking
      // each line is masking the whole when no secret holds a newline (lines hold none).
      const spare = this.#spares.findIndex((spare) => spare.length >= size);
      buffer = spare >= 0 ? this.#spares.splice(spare, 1)[0] : new Uint8Array(size);
      let end = 0;
      for (const line of lines) {
        end += encoder.encodeInto(this.#masked(line), buffer.subarray(end)).written;
        buffer[end++] = 10;
      }
      bytes = buffer.subarray(0, end);
    } else if (!newline) {
      bytes = encoder.encode(lines.map((line) => this.#masked(line)).join("\n") + "\n");
    } else {
      bytes = encoder.encode(this.redact(lines.join("\n") + "\n"));
    }
    this.#writing = this.#writing.then(async () => {
      let offset = 0;
      while (offset < bytes.length) offset += await this.#sink.write(bytes.subarray(offset));
      if (buffer) this.#keepSpare(buffer);
    });
    return this.#writing;
  }

  /**
   * Starts writing every queued line, like {@linkcode flush}, but resolves as soon as the writes
   * before these are done: the caller can prepare its next page while this one is written, and
   * is held back only when output falls two pages behind. Order is kept: lines are written in
   * the order they were queued, and a write error surfaces at the next flush.
   */
  flushAhead(): Promise<void> {
    const before = this.#writing;
    this.flush().catch(() => {}); // not lost: the next flush awaits the same chain
    return before;
  }

  /** Keeps an output buffer for reuse: at most two (one being written, one being filled). */
  #keepSpare(buffer: Uint8Array): void {
    if (this.#spares.length < 2) {
      this.#spares.push(buffer);
    } else {
      const smallest = this.#spares[0].length <= this.#spares[1].length ? 0 : 1;
      if (buffer.length > this.#spares[smallest].length) this.#spares[smallest] = buffer;
    }
  }

  async #trace(trace: TraceBody): Promise<void> {
    const message: AirbyteMessage = {
      type: "TRACE",
      trace: { ...trace, emitted_at: this.#emittedAt() },
    };
    this.#push(JSON.stringify(message));
    await this.flush();
  }

  /** Whole milliseconds since the epoch (the protocol's `emitted_at` is an integer). */
  #emittedAt(): number {
    return Math.floor(this.#now());
  }

  #push(line: string): void {
    this.#buffer.push(line);
  }
}

/** Options of an {@linkcode OutputGate}. */
export interface OutputGateOptions {
  /**
   * Called once when the output's reader has gone (a broken pipe, e.g. `read ... | head`); the
   * gate drops all output from then on. main.ts ends the process here.
   */
  onClosed?: () => void;
}

function isBrokenPipe(error: unknown): boolean {
  return error instanceof Deno.errors.BrokenPipe ||
    (error instanceof Error && (error as { code?: string }).code === "EPIPE");
}

/**
 * The sink in front of stdout, which lets a run end cleanly: {@linkcode OutputGate.stop} ends the
 * output at the end of the line being written (the rest of a page is not written), so a reader
 * never sees half a message; a broken pipe is reported once through `onClosed` instead of
 * thrown from every write.
 */
export class OutputGate implements ByteSink {
  #sink: ByteSink;
  #onClosed?: () => void;
  /** Whether everything written so far ends at a line's end. */
  #atLineEnd = true;
  #writing = 0;
  #stopping = false;
  #closed = false;
  #stopped: (() => void)[] = [];

  /** A gate in front of `sink`. */
  constructor(sink: ByteSink, options: OutputGateOptions = {}) {
    this.#sink = sink;
    this.#onClosed = options.onClosed;
  }

  /** Whether output has ended: stopped at a line's end, or its reader gone. */
  get ended(): boolean {
    return this.#closed || (this.#stopping && this.#atLineEnd && this.#writing === 0);
  }

  /** Writes `bytes` (while stopping, only up to the end of the current line); drops them once ended. */
  async write(bytes: Uint8Array): Promise<number> {
    if (this.ended) return bytes.length;
    let chunk = bytes;
    if (this.#stopping) {
      const newline = bytes.indexOf(10);
      if (newline >= 0) chunk = bytes.subarray(0, newline + 1);
    }
    this.#writing++;
    let written: number;
    try {
      written = await this.#sink.write(chunk);
    } catch (error) {
      if (!isBrokenPipe(error)) throw error;
      this.#closed = true;
      this.#onClosed?.();
      return bytes.length;
    } finally {
      this.#writing--;
    }
    if (written > 0) this.#atLineEnd = chunk[written - 1] === 10;
    this.#settle();
    // While stopping, what follows the line's end counts as written: it is dropped.
    return written === chunk.length && this.ended ? bytes.length : written;
  }

  /**
   * Lets the line being written finish, then drops all output; resolves once output has ended
   * (at once when no line is half written). The caller should bound its wait: a reader that
   * stops reading holds a write forever.
   */
  stop(): Promise<void> {
    this.#stopping = true;
    const ended = new Promise<void>((resolve) => this.#stopped.push(resolve));
    this.#settle();
    return ended;
  }

  #settle(): void {
    if (!this.ended) return;
    for (const resolve of this.#stopped.splice(0)) resolve();
  }
}

/** `value` with every key and string masked by `redact`, at any depth. */
function maskedValues(value: unknown, redact: (text: string) => string): unknown {
  if (typeof value === "string") return redact(value);
  if (Array.isArray(value)) return value.map((item) => maskedValues(item, redact));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    Object.defineProperty(out, redact(key), {
      value: maskedValues(item, redact),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

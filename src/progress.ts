import type { ByteSink } from "./protocol/writer.ts";

/** Per-stream counts shown while a read runs. */
export interface StreamProgress {
  /** Records written so far. */
  records: number;
  /** Pages read so far. */
  pages: number;
  /** The server's row count, when known. */
  total?: number;
  /** Set when the stream has ended. */
  done?: boolean;
}

/**
 * A one-line progress display on a terminal's stderr: records and pages per stream, redrawn at
 * most every `intervalMs`. Only for terminals; never used when stderr is a file or a pipe.
 */
export class ProgressLine {
  #sink: ByteSink;
  #now: () => number;
  #intervalMs: number;
  #last = -Infinity;
  #streams = new Map<string, StreamProgress>();
  #encoder = new TextEncoder();

  /** Draws on `sink`; `now` and `intervalMs` (default 200) pace the redraws. */
  constructor(sink: ByteSink, options: { now?: () => number; intervalMs?: number } = {}) {
    this.#sink = sink;
    this.#now = options.now ?? Date.now;
    this.#intervalMs = options.intervalMs ?? 200;
  }

  /** Records a stream's new counts and redraws if the interval has passed. */
  update(stream: string, progress: StreamProgress): void {
    this.#streams.set(stream, progress);
    const now = this.#now();
    if (now - this.#last < this.#intervalMs && !progress.done) return;
    this.#last = now;
    this.#sink.write(this.#encoder.encode(`\r\x1b[K${this.render()}`));
  }

  /** The line as text. */
  render(): string {
    return [...this.#streams].map(([name, p]) => {
      const of = p.total !== undefined ? `/${p.total}` : "";
      return `${name} ${p.records}${of} records, ${p.pages} pages${p.done ? " ✓" : ""}`;
    }).join(" | ");
  }

  /** Ends the line so later output starts on a fresh one. */
  end(): void {
    if (this.#streams.size > 0) {
      this.#sink.write(this.#encoder.encode(`\r\x1b[K${this.render()}\n`));
    }
  }
}

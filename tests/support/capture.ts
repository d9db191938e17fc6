import type { ByteSink } from "../../src/protocol/writer.ts";

/** A ByteSink that keeps what is written, for assertions. */
export class Capture implements ByteSink {
  #chunks: Uint8Array[] = [];

  write(bytes: Uint8Array): number {
    this.#chunks.push(bytes.slice());
    return bytes.length;
  }

  /** Everything written, as text. */
  text(): string {
    const decoder = new TextDecoder();
    return this.#chunks.map((chunk) => decoder.decode(chunk, { stream: true })).join("") +
      decoder.decode();
  }
}

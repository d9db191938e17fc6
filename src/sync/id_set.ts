/**
 * A compact, exact encoding of a set of row ids, for a stream's state: the ids sorted, each
 * written as how many leading characters it shares with the one before plus the rest, the whole
 * compressed with zlib `deflate` (whose Adler-32 checksum catches a damaged set) and base64.
 *
 * Exact, not a hash set or a Bloom filter: a delete is reported as a RECORD with the row's id,
 * so the ids themselves must be kept; and a false "deleted" is unacceptable, which rules out
 * anything probabilistic.
 *
 * @module
 */

/** The format this module writes and reads; a set in any other format is not read. */
export const ID_SET_FORMAT = "sorted-prefix-deflate-base64/1";

/** An encoded id set, as a stream's state holds it. */
export interface EncodedIdSet {
  /** The encoding's name and version ({@linkcode ID_SET_FORMAT}). */
  format: typeof ID_SET_FORMAT;
  /** How many ids the set holds (checked when decoded). */
  count: number;
  /** The compressed ids, base64. */
  data: string;
}

/** Ids longer than this, or holding a newline, cannot be encoded (no Humaans id comes close). */
export const MAX_ID_LENGTH = 255;

/** Why an id set could not be read from state. */
export class IdSetError extends Error {}

async function transform(
  bytes: Uint8Array,
  stream: CompressionStream | DecompressionStream,
): Promise<Uint8Array> {
  const output = new Blob([bytes as BlobPart]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(output).arrayBuffer());
}

/** Whether `id` can be kept in an id set: a non-empty string without newlines, not too long. */
export function isEncodableId(id: string): boolean {
  return id.length > 0 && id.length <= MAX_ID_LENGTH && !id.includes("\n");
}

/**
 * Encodes a set of ids. Throws when an id cannot be encoded (see {@linkcode isEncodableId}).
 */
export async function encodeIdSet(ids: Iterable<string>): Promise<EncodedIdSet> {
  const sorted = [...new Set(ids)].sort();
  const parts: string[] = [];
  let previous = "";
  for (const id of sorted) {
    if (!isEncodableId(id)) {
      throw new IdSetError(`id ${JSON.stringify(id.slice(0, 40))} cannot be kept in an id set`);
    }
    let shared = 0;
    const most = Math.min(previous.length, id.length);
    while (shared < most && previous.charCodeAt(shared) === id.charCodeAt(shared)) shared++;
    // The shared length as one character (0-255 fit), then the rest of the id, then a newline.
    parts.push(String.fromCharCode(shared), id.slice(shared), "\n");
    previous = id;
  }
  const text = new TextEncoder().encode(parts.join(""));
  const data = (await transform(text, new CompressionStream("deflate"))).toBase64();
  return { format: ID_SET_FORMAT, count: sorted.length, data };
}

/**
 * Decodes an id set from state, checking its format, checksum, count and order; throws
 * {@linkcode IdSetError} saying what is wrong otherwise.
 */
export async function decodeIdSet(value: unknown): Promise<string[]> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new IdSetError("is not an object");
  }
  const { format, count, data } = value as Record<string, unknown>;
  if (format !== ID_SET_FORMAT) {
    throw new IdSetError(`has format ${JSON.stringify(format)}, not ${ID_SET_FORMAT}`);
  }
  if (!Number.isSafeInteger(count) || (count as number) < 0) {
    throw new IdSetError("has no valid count");
  }
  if (typeof data !== "string") throw new IdSetError("has no data");
  let text: string;
  try {
    const bytes = await transform(Uint8Array.fromBase64(data), new DecompressionStream("deflate"));
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new IdSetError("data is damaged (not base64 deflate, or its checksum fails)");
  }
  const ids: string[] = [];
  let previous = "";
  let at = 0;
  while (at < text.length) {
    const shared = text.charCodeAt(at);
    const end = text.indexOf("\n", at + 1);
    if (end < 0 || shared > previous.length) throw new IdSetError("data is malformed");
    const id = previous.slice(0, shared) + text.slice(at + 1, end);
    if (ids.length > 0 && id <= previous) throw new IdSetError("ids are not sorted and unique");
    ids.push(id);
    previous = id;
    at = end + 1;
  }
  if (ids.length !== count) {
    throw new IdSetError(`holds ${ids.length} ids where its count says ${count}`);
  }
  return ids;
}

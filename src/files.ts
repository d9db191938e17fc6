import { configError, ConnectorError } from "./errors.ts";

/** Largest config, catalog or state file read, in bytes (16 MiB). */
export const MAX_INPUT_FILE_BYTES = 16 * 1024 * 1024;

/** Options of {@linkcode readTextFile} and {@linkcode readJsonFile}. */
export interface ReadFileOptions {
  /** A missing file reads as undefined instead of failing. */
  missingOk?: boolean;
  /** Largest size accepted, in bytes; default {@linkcode MAX_INPUT_FILE_BYTES}. */
  maxBytes?: number;
}

function describeKind(info: Deno.FileInfo): string {
  if (info.isDirectory) return "it is a directory";
  if (info.isFifo) return "it is a FIFO (named pipe), not a regular file";
  if (info.isCharDevice || info.isBlockDevice) return "it is a device, not a regular file";
  if (info.isSocket) return "it is a socket, not a regular file";
  return "it is not a regular file";
}

function mib(bytes: number): string {
  return `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`;
}

function readFailure(what: string, path: string, error: unknown): Error {
  if (error instanceof Deno.errors.NotFound) {
    return configError(`Cannot read ${what} file "${path}": file not found`);
  }
  if (error instanceof Deno.errors.PermissionDenied) {
    return configError(`Cannot read ${what} file "${path}": permission denied`);
  }
  if (error instanceof Deno.errors.IsADirectory) {
    return configError(`Cannot read ${what} file "${path}": it is a directory`);
  }
  return configError(
    `Cannot read ${what} file "${path}": ${error instanceof Error ? error.message : error}`,
  );
}

/**
 * Reads a text file; undefined only when `missingOk` and it does not exist.
 *
 * Only regular files are read (a FIFO or a device such as /dev/zero is a config_error, not a hang),
 * at most `maxBytes` of them; the text must be UTF-8, and a leading byte order mark is dropped.
 */
export async function readTextFile(
  path: string,
  what: string,
  options: ReadFileOptions = {},
): Promise<string | undefined> {
  const maxBytes = options.maxBytes ?? MAX_INPUT_FILE_BYTES;
  const tooBig = (size: string) =>
    configError(
      `Cannot read ${what} file "${path}": it is ${size}, more than the ${
        mib(maxBytes)
      } a ${what} file may hold`,
    );
  let bytes: Uint8Array;
  try {
    // Checked by path first: opening a FIFO would wait for a writer.
    const info = await Deno.stat(path);
    if (!info.isFile) {
      throw configError(`Cannot read ${what} file "${path}": ${describeKind(info)}`);
    }
    if (info.size > maxBytes) throw tooBig(mib(info.size));
    using file = await Deno.open(path, { read: true });
    const opened = await file.stat();
    if (!opened.isFile) {
      throw configError(`Cannot read ${what} file "${path}": ${describeKind(opened)}`);
    }
    // Read at most one byte past the cap, whatever the size said (the file may be growing).
    const buffer = new Uint8Array(Math.min(maxBytes, opened.size) + 1);
    let length = 0;
    for (;;) {
      if (length === buffer.length) throw tooBig(`more than ${mib(maxBytes)}`);
      const n = await file.read(buffer.subarray(length));
      if (n === null) break;
      length += n;
    }
    if (length > maxBytes) throw tooBig(`more than ${mib(maxBytes)}`);
    bytes = buffer.subarray(0, length);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound && options.missingOk) return undefined;
    if (error instanceof ConnectorError) throw error;
    throw readFailure(what, path, error);
  }
  try {
    // The decoder drops a leading UTF-8 byte order mark.
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw configError(
      `Cannot read ${what} file "${path}": it is not UTF-8 text; save it as UTF-8`,
    );
  }
}

/** A place where JSON text stops being valid. */
export interface JsonError {
  /** Offset of the first character that cannot be right, in UTF-16 code units. */
  offset: number;
  /** What was wrong there, quoting none of the text. */
  problem: string;
}

const END = "unexpected end of the file";

/** Thrown inside the scanner; caught by {@linkcode jsonErrorAt}. */
class JsonStop {
  constructor(readonly error: JsonError) {}
}

/** A recursive-descent JSON scanner that records only where the text first goes wrong. */
class JsonScanner {
  at = 0;
  constructor(readonly text: string) {}

  fail(problem: string): never {
    throw new JsonStop({ offset: this.at, problem });
  }

  blanks(): void {
    const text = this.text;
    while (this.at < text.length && " \t\n\r".includes(text[this.at])) this.at++;
  }

  /** The next character after blanks; fails at the end of the text. */
  peek(): string {
    this.blanks();
    if (this.at >= this.text.length) this.fail(END);
    return this.text[this.at];
  }

  /** After an item of an object or array: a comma (more follow) or the closing bracket. */
  closedAfterItem(close: "}" | "]", item: string): boolean {
    const c = this.peek();
    if (c !== "," && c !== close) this.fail(`expected ',' or '${close}' after ${item}`);
    this.at++;
    return c === close;
  }

  value(): void {
    const c = this.peek();
    if (c === "{") return this.object();
    if (c === "[") return this.array();
    if (c === '"') return this.string();
    if (c === "-" || (c >= "0" && c <= "9")) return this.number();
    for (const word of ["true", "false", "null"]) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length;
        return;
      }
    }
    this.fail("unexpected character (is a string missing its double quotes?)");
  }

  object(): void {
    this.at++;
    this.blanks();
    if (this.text[this.at] === "}") {
      this.at++;
      return;
    }
    do {
      if (this.peek() !== '"') this.fail("expected a property name in double quotes");
      this.string();
      if (this.peek() !== ":") this.fail("expected ':' after a property name");
      this.at++;
      this.value();
    } while (!this.closedAfterItem("}", "a property value"));
  }

  array(): void {
    this.at++;
    this.blanks();
    if (this.text[this.at] === "]") {
      this.at++;
      return;
    }
    do this.value(); while (!this.closedAfterItem("]", "an array element"));
  }

  string(): void {
    const text = this.text;
    this.at++; // the opening quote
    for (;;) {
      if (this.at >= text.length) this.fail("unterminated string");
      const code = text.charCodeAt(this.at);
      if (code === 34) {
        this.at++;
        return;
      }
      if (code < 32) this.fail("control character (such as a line break) inside a string");
      this.at += code === 92 ? this.escapeLength() : 1;
    }
  }

  /** Length of the escape sequence at the current backslash; fails on a bad one. */
  escapeLength(): number {
    const next = this.text[this.at + 1];
    if (next === "u") {
      if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.at + 2, this.at + 6))) {
        this.fail("bad \\u escape");
      }
      return 6;
    }
    if (next !== undefined && '"\\/bfnrt'.includes(next)) return 2;
    return this.fail("bad escape in a string");
  }

  digits(): void {
    const from = this.at;
    const text = this.text;
    while (this.at < text.length && text[this.at] >= "0" && text[this.at] <= "9") this.at++;
    if (this.at === from) this.fail("bad number");
  }

  number(): void {
    const text = this.text;
    if (text[this.at] === "-") this.at++;
    if (text[this.at] === "0") this.at++;
    else this.digits();
    if (text[this.at] === ".") {
      this.at++;
      this.digits();
    }
    if (text[this.at] === "e" || text[this.at] === "E") {
      this.at++;
      if (text[this.at] === "+" || text[this.at] === "-") this.at++;
      this.digits();
    }
  }
}

/** Where JSON text stops being valid: the offset and what was wrong, quoting none of the text. */
export function jsonErrorAt(text: string): JsonError | undefined {
  const scanner = new JsonScanner(text);
  try {
    scanner.value();
    scanner.blanks();
    if (scanner.at < text.length) scanner.fail("unexpected text after the JSON value");
    return undefined;
  } catch (error) {
    if (error instanceof JsonStop) return error.error;
    if (error instanceof RangeError) return { offset: scanner.at, problem: "nested too deeply" };
    throw error;
  }
}

/** Line and column (both 1-based, columns in characters) of `offset` in `text`. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}

/** Which file a JSON text came from, for {@linkcode parseJsonText}'s errors. */
export interface JsonSource {
  /** The file's path. */
  path: string;
  /** What the file is: "config", "catalog" or "state". */
  what: string;
}

/**
 * Parses JSON text, or throws a config_error naming the file, line and column. The message never
 * quotes the file's text (a config holds the API token).
 */
export function parseJsonText(text: string, source: JsonSource): unknown {
  const { path, what } = source;
  try {
    return JSON.parse(text);
  } catch {
    const found = jsonErrorAt(text) ?? { offset: 0, problem: "not valid JSON" };
    const { line, column } = lineAndColumn(text, found.offset);
    throw configError(
      `Cannot parse ${what} file "${path}": not valid JSON at line ${line}, column ${column} (${found.problem})`,
    );
  }
}

/** Reads and parses a JSON file; an empty file is an error unless `emptyOk` (then undefined). */
export async function readJsonFile(
  path: string,
  what: string,
  options: ReadFileOptions & { emptyOk?: boolean } = {},
): Promise<unknown> {
  const text = await readTextFile(path, what, options);
  if (text === undefined) return undefined;
  if (text.trim() === "") {
    if (options.emptyOk) return undefined;
    throw configError(`Cannot use ${what} file "${path}": the file is empty`);
  }
  return parseJsonText(text, { path, what });
}

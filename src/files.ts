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

/** Where JSON text stops being valid: the offset and what was wrong, quoting none of the text. */
export function jsonErrorAt(text: string): { offset: number; problem: string } | undefined {
  let at = 0;
  const fail = (problem: string): never => {
    throw { offset: at, problem };
  };
  const blanks = () => {
    while (at < text.length && " \t\n\r".includes(text[at])) at++;
  };
  const end = "unexpected end of the file";
  // After an item of an object or array: a comma (more follow) or the closing bracket.
  const closedAfterItem = (close: "}" | "]", item: string): boolean => {
    blanks();
    if (at >= text.length) fail(end);
    if (text[at] === ",") {
      at++;
      return false;
    }
    if (text[at] === close) {
      at++;
      return true;
    }
    return fail(`expected ',' or '${close}' after ${item}`);
  };
  const value = (): void => {
    blanks();
    if (at >= text.length) fail(end);
    const c = text[at];
    if (c === "{") {
      at++;
      blanks();
      if (text[at] === "}") {
        at++;
        return;
      }
      for (;;) {
        blanks();
        if (at >= text.length) fail(end);
        if (text[at] !== '"') fail("expected a property name in double quotes");
        string();
        blanks();
        if (at >= text.length) fail(end);
        if (text[at] !== ":") fail("expected ':' after a property name");
        at++;
        value();
        if (closedAfterItem("}", "a property value")) return;
      }
    }
    if (c === "[") {
      at++;
      blanks();
      if (text[at] === "]") {
        at++;
        return;
      }
      for (;;) {
        value();
        if (closedAfterItem("]", "an array element")) return;
      }
    }
    if (c === '"') return string();
    if (c === "-" || (c >= "0" && c <= "9")) return number();
    for (const word of ["true", "false", "null"]) {
      if (text.startsWith(word, at)) {
        at += word.length;
        return;
      }
    }
    fail("unexpected character (is a string missing its double quotes?)");
  };
  const string = () => {
    at++; // the opening quote
    for (;;) {
      if (at >= text.length) fail("unterminated string");
      const code = text.charCodeAt(at);
      if (code === 34) {
        at++;
        return;
      }
      if (code < 32) fail("control character (such as a line break) inside a string");
      if (code === 92) {
        const next = text[at + 1];
        if (next === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 2, at + 6))) fail("bad \\u escape");
          at += 6;
        } else if (next !== undefined && '"\\/bfnrt'.includes(next)) {
          at += 2;
        } else {
          fail("bad escape in a string");
        }
        continue;
      }
      at++;
    }
  };
  const digits = () => {
    const from = at;
    while (at < text.length && text[at] >= "0" && text[at] <= "9") at++;
    if (at === from) fail("bad number");
  };
  const number = () => {
    if (text[at] === "-") at++;
    if (text[at] === "0") at++;
    else digits();
    if (text[at] === ".") {
      at++;
      digits();
    }
    if (text[at] === "e" || text[at] === "E") {
      at++;
      if (text[at] === "+" || text[at] === "-") at++;
      digits();
    }
  };
  try {
    value();
    blanks();
    if (at < text.length) fail("unexpected text after the JSON value");
    return undefined;
  } catch (error) {
    if (error && typeof error === "object" && "problem" in error) {
      return error as { offset: number; problem: string };
    }
    if (error instanceof RangeError) return { offset: at, problem: "nested too deeply" };
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

/**
 * Parses JSON text, or throws a config_error naming the file, line and column. The message never
 * quotes the file's text (a config holds the API token).
 */
export function parseJsonText(text: string, path: string, what: string): unknown {
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
  return parseJsonText(text, path, what);
}

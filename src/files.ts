import { configError } from "./errors.ts";

/** Options of {@linkcode readTextFile} and {@linkcode readJsonFile}. */
export interface ReadFileOptions {
  /** A missing file reads as undefined instead of failing. */
  missingOk?: boolean;
}

/** Reads a text file; undefined only when `missingOk` and it does not exist. */
export async function readTextFile(
  path: string,
  what: string,
  options: ReadFileOptions = {},
): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      if (options.missingOk) return undefined;
      throw configError(`Cannot read ${what} file "${path}": file not found`);
    }
    if (error instanceof Deno.errors.PermissionDenied) {
      throw configError(`Cannot read ${what} file "${path}": permission denied`);
    }
    if (error instanceof Deno.errors.IsADirectory) {
      throw configError(`Cannot read ${what} file "${path}": it is a directory`);
    }
    throw configError(
      `Cannot read ${what} file "${path}": ${error instanceof Error ? error.message : error}`,
    );
  }
}

/** Parses JSON text, or throws a config_error naming the file and the position. */
export function parseJsonText(text: string, path: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw configError(`Cannot parse ${what} file "${path}": not valid JSON (${detail})`);
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

import { configError } from "../errors.ts";
import { utcTimestamp } from "../streams/fields.ts";

/** What the input state says of each stream: its cursor (UTC ISO 8601), by stream name. */
export interface InputState {
  /** Per-stream cursors. */
  cursors: Map<string, string>;
  /** The seed's `last_sync_time`, applied to every stream without a cursor of its own. */
  fallback?: string;
  /** Per-stream ids of the rows written at the cursor (`ids_at_cursor`), when the state has them. */
  idsAtCursor: Map<string, string[]>;
  /** Streams whose state is an empty object (what full_refresh streams get). */
  empty: Set<string>;
  /** What the state held that the connector could not use, as WARN messages. */
  warnings: string[];
  /** Per-stream committed id sets for delete detection, unchecked (see `deletes.ts`). */
  idSets: Map<string, unknown>;
  /** Each stream's state object as given, unchecked (a stream may keep more than its cursor). */
  raw: Map<string, Record<string, unknown>>;
}

type Json = Record<string, unknown>;

/** The seed's `last_processed_<table>_page` checkpoint keys. */
const SEED_PAGE_COUNTER = /^last_processed_[a-z_]+_page$/;

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

class StateReader {
  readonly state: InputState = {
    cursors: new Map(),
    idsAtCursor: new Map(),
    empty: new Set(),
    warnings: [],
    idSets: new Map(),
    raw: new Map(),
  };
  constructor(readonly source: string) {}

  fail(field: string, problem: string): never {
    throw configError(
      `State file "${this.source}" field "${field}" ${problem}: fix or remove the state to start fresh`,
    );
  }

  cursor(value: unknown, field: string): string | undefined {
    if (value === undefined || value === null) return undefined;
    const cursor = utcTimestamp(value);
    if (cursor === undefined) {
      this.fail(field, `is not a timestamp (got ${JSON.stringify(value)})`);
    }
    return cursor;
  }

  streamState(name: unknown, streamState: unknown, field: string, nameField = field): void {
    if (typeof name !== "string" || name === "") this.fail(nameField, "is not a stream name");
    if (streamState === undefined || streamState === null) return;
    if (!isObject(streamState)) this.fail(field, "is not an object");
    this.state.raw.set(name, streamState);
    if (!("updated_at" in streamState) && !("last_sync_time" in streamState)) {
      const keys = Object.keys(streamState);
      if (keys.length === 0) this.state.empty.add(name);
      else {
        this.state.warnings.push(
          `State file "${this.source}" field "${field}" has no updated_at (found ${
            keys.map((k) => JSON.stringify(k)).join(", ")
          }): stream "${name}" starts from scratch; fix the state if that is not meant`,
        );
      }
      return;
    }
    const key = "updated_at" in streamState ? "updated_at" : "last_sync_time";
    if (streamState[key] === null) {
      this.state.warnings.push(
        `State file "${this.source}" field "${field}.${key}" is null: stream "${name}" starts from scratch; fix the state if that is not meant`,
      );
    }
    const cursor = this.cursor(streamState[key], `${field}.${key}`);
    if (streamState.id_set !== undefined) this.state.idSets.set(name, streamState.id_set);
    if (!cursor) return;
    this.state.cursors.set(name, cursor);
    const ids = streamState.ids_at_cursor;
    if (ids === undefined || ids === null) return;
    if (!Array.isArray(ids) || !ids.every((id) => typeof id === "string")) {
      this.fail(`${field}.ids_at_cursor`, "is not an array of id strings");
    }
    this.state.idsAtCursor.set(name, ids);
  }

  legacy(data: Json, field: string): void {
    for (const [key, value] of Object.entries(data)) {
      if (key === "last_sync_time") {
        this.state.fallback = this.cursor(value, field ? `${field}.${key}` : key);
      } else if (SEED_PAGE_COUNTER.test(key)) {
        // The seed checkpoints a page counter beside last_sync_time and never reads it back.
        continue;
      } else {
        const at = field ? `${field}.${key}` : key;
        if (!isObject(value)) this.fail(at, "is not an object of stream state");
        this.streamState(key, value, at);
      }
    }
  }

  message(message: unknown, field: string): void {
    if (!isObject(message)) this.fail(field, "is not a state message object");
    const type = message.type ?? (message.stream ? "STREAM" : message.global ? "GLOBAL" : "LEGACY");
    if (type === "STREAM") {
      const stream = message.stream;
      if (!isObject(stream)) this.fail(`${field}.stream`, "is missing or not an object");
      const descriptor = stream.stream_descriptor;
      if (!isObject(descriptor)) this.fail(`${field}.stream.stream_descriptor`, "is missing");
      this.streamState(
        descriptor.name,
        stream.stream_state,
        `${field}.stream.stream_state`,
        `${field}.stream.stream_descriptor.name`,
      );
    } else if (type === "GLOBAL") {
      const global = message.global;
      if (!isObject(global) || !Array.isArray(global.stream_states)) {
        this.fail(`${field}.global.stream_states`, "is missing or not an array");
      }
      global.stream_states.forEach((entry, i) => {
        const at = `${field}.global.stream_states[${i}]`;
        if (!isObject(entry) || !isObject(entry.stream_descriptor)) this.fail(at, "is invalid");
        this.streamState(
          entry.stream_descriptor.name,
          entry.stream_state,
          `${at}.stream_state`,
          `${at}.stream_descriptor.name`,
        );
      });
    } else if (type === "LEGACY") {
      const data = message.data ?? {};
      if (!isObject(data)) this.fail(`${field}.data`, "is not an object");
      this.legacy(data, `${field}.data`);
    } else {
      this.fail(`${field}.type`, `is ${JSON.stringify(type)}, not STREAM, GLOBAL or LEGACY`);
    }
  }
}

/**
 * Reads an input state in any form a platform or the seed connector left it: an array of
 * STREAM/GLOBAL/LEGACY state messages, one such message, a legacy `{ stream: { updated_at } }`
 * object, or the seed's `{ "last_sync_time": ... }`. Undefined, `{}` and `[]` start fresh.
 */
export function parseState(raw: unknown, options: { source?: string } = {}): InputState {
  const reader = new StateReader(options.source ?? "state");
  if (raw === undefined || raw === null) return reader.state;
  if (Array.isArray(raw)) {
    raw.forEach((message, i) => reader.message(message, `[${i}]`));
  } else if (isObject(raw)) {
    if ("type" in raw || "stream" in raw || "global" in raw) reader.message(raw, "state");
    else reader.legacy(raw, "");
  } else {
    reader.fail("(root)", "must be a JSON array of state messages or an object");
  }
  return reader.state;
}

/** The cursor of `stream`: its own, else the seed's fallback, else undefined. */
export function cursorOf(state: InputState, stream: string): string | undefined {
  return state.cursors.get(stream) ?? state.fallback;
}

/** The ids the state lists as written at the cursor of `stream` (none for the seed's fallback). */
export function idsAtCursorOf(state: InputState, stream: string): string[] | undefined {
  return state.cursors.has(stream) ? state.idsAtCursor.get(stream) : undefined;
}

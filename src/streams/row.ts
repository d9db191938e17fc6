/**
 * The one rule for a raw API row's identity and place in time, used by paging, the mapping and
 * delete detection alike.
 *
 * @module
 */
import { utcTimestamp } from "./fields.ts";

/**
 * A raw row's id: a non-blank string, or a number as text; undefined for anything else (the row
 * is not an object with an id).
 */
export function rowId(raw: unknown): string | undefined {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return undefined;
  const id = (raw as { id?: unknown }).id;
  if (typeof id === "number") return Number.isFinite(id) ? String(id) : undefined;
  return typeof id === "string" && id.trim() !== "" ? id : undefined;
}

/**
 * A raw row's `updatedAt` as a canonical UTC timestamp with milliseconds, or undefined when the
 * row has none or it is not a date.
 */
export function rowCursor(raw: unknown): string | undefined {
  if (raw === null || typeof raw !== "object") return undefined;
  return utcTimestamp((raw as { updatedAt?: unknown }).updatedAt);
}

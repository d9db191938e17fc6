/**
 * Deterministic, on-demand sandbox data. Row `index` of a resource is computed from
 * (seed, path, index) alone, so a million people cost no more memory than a hundred and the
 * same seed always gives the same rows. What each resource's rows hold is in `resources.ts`.
 *
 * Two properties make big lists cheap to serve:
 * - `updatedAt` never decreases with the row index, so `$sort[updatedAt]=1` is index order and
 *   `updatedAt[$gte]` is a binary search;
 * - ids are unique per resource and encode their index, so a lookup by id needs no scan.
 *
 * @module
 */
import { RESOURCES, type RowContext } from "./resources.ts";

/** A raw API row: camelCase fields as the Humaans API sends them. */
export type Row = Record<string, unknown>;

/** What generated rows depend on. */
export interface DataOptions {
  /** Same seed, same rows. */
  seed: number;
  /** How many people the company has; most resources have rows per person. */
  people: number;
  /** "Now" in ms: timestamps spread over the two years before it. */
  now: number;
}

const DAY = 86_400_000;
/** How far back `updatedAt` goes. */
const SPAN = 730 * DAY;
const ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
/** Odd, so multiplying by it mod 2^32 is a bijection (see `idOf`). */
const SCRAMBLE = 0x2545f491;
const UNSCRAMBLE = inverseMod32(SCRAMBLE);
/** Keeps every resource under 2^32 rows, which ids can encode. */
const MAX_PEOPLE = 100_000_000;

/** Fills in the defaults: seed 1, 200 people, now = the current time. */
export function dataOptions(
  options: { seed?: number; people?: number; now?: () => Date } = {},
): DataOptions {
  const seed = options.seed ?? 1;
  const people = options.people ?? 200;
  if (!Number.isSafeInteger(seed)) throw new Error(`Sandbox seed must be an integer, got ${seed}`);
  if (!Number.isSafeInteger(people) || people < 0 || people > MAX_PEOPLE) {
    throw new Error(`Sandbox people must be an integer from 0 to ${MAX_PEOPLE}, got ${people}`);
  }
  return { seed, people, now: (options.now?.() ?? new Date()).getTime() };
}

/** A 32-bit hash of `text` under `seed` (FNV-style mixing). */
export function hash(text: string, seed: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  return (h ^ (h >>> 15)) >>> 0;
}

/** A small seeded PRNG (mulberry32): numbers in [0, 1). */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The multiplicative inverse of an odd number mod 2^32 (Newton's iteration). */
function inverseMod32(odd: number): number {
  let inverse = odd;
  for (let i = 0; i < 5; i++) inverse = Math.imul(inverse, 2 - Math.imul(odd, inverse));
  return inverse >>> 0;
}

/**
 * The 24-character id of row `index` of `path`: 18 random-looking characters, then 6 that
 * encode a bijective scramble of the index, so ids never collide within a resource and
 * {@linkcode indexOfId} can decode them.
 */
export function idOf(path: string, index: number, seed: number): string {
  const random = prng(hash(`${path}#${index}`, seed));
  let id = "";
  for (let i = 0; i < 18; i++) id += ALPHABET[Math.floor(random() * ALPHABET.length)];
  let code = Math.imul(index ^ hash(path, seed), SCRAMBLE) >>> 0;
  let tail = "";
  for (let i = 0; i < 6; i++) {
    tail = ALPHABET[code % 62] + tail;
    code = Math.floor(code / 62);
  }
  return id + tail;
}

/** The row index an id of `path` was made from, or undefined when no row has that id. */
export function indexOfId(path: string, id: string, options: DataOptions): number | undefined {
  if (id.length !== 24) return undefined;
  let code = 0;
  for (const char of id.slice(18)) {
    const digit = ALPHABET.indexOf(char);
    if (digit < 0) return undefined;
    code = code * 62 + digit;
  }
  if (code >= 2 ** 32) return undefined;
  const index = (Math.imul(code, UNSCRAMBLE) ^ hash(path, options.seed)) >>> 0;
  if (index >= rowCount(path, options)) return undefined;
  return idOf(path, index, options.seed) === id ? index : undefined;
}

/**
 * `updatedAt` (ms, whole seconds) of row `index` of `count`: never decreasing with the index,
 * spread over two years before `now`, denser towards now (about a third in the last 90 days).
 * The last row is at `now`.
 */
export function updatedAtMs(index: number, count: number, now: number): number {
  const fraction = count <= 1 ? 1 : index / (count - 1);
  return Math.floor((now - SPAN * (1 - fraction) ** 2) / 1000) * 1000;
}

/** The paths of every generated resource. */
export function resourcePaths(): string[] {
  return Object.keys(RESOURCES);
}

/** Whether the sandbox generates rows for `path`. */
export function isResource(path: string): boolean {
  return Object.hasOwn(RESOURCES, path);
}

/** Whether rows of `path` carry `createdAt`/`updatedAt` (all but a few reference lists). */
export function isTimed(path: string): boolean {
  return isResource(path) && !RESOURCES[path].untimed;
}

/** How many rows `path` has (0 for an unknown path). */
export function rowCount(path: string, options: DataOptions): number {
  if (!isResource(path)) return 0;
  const shape = RESOURCES[path].shape;
  if ("fixed" in shape) return shape.fixed;
  const cycle = shape.perPerson;
  const full = Math.floor(options.people / cycle.length);
  const rest = cycle.slice(0, options.people % cycle.length);
  return full * sum(cycle) + sum(rest);
}

function sum(numbers: readonly number[]): number {
  return numbers.reduce((a, b) => a + b, 0);
}

/**
 * Who row `index` of a per-person resource belongs to. Person p has `cycle[p % cycle.length]`
 * rows, one after the other: returns [person, nth of that person's rows, how many they have].
 */
function ownerOf(cycle: readonly number[], index: number): [number, number, number] {
  const perCycle = sum(cycle);
  let within = index % perCycle;
  for (let i = 0; i < cycle.length; i++) {
    if (within < cycle[i]) {
      return [Math.floor(index / perCycle) * cycle.length + i, within, cycle[i]];
    }
    within -= cycle[i];
  }
  throw new Error(`Row ${index} belongs to no person: the resource's cycle is empty`);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Row `index` of `path` as generated (before any change made while the sandbox runs). */
export function rowAt(path: string, index: number, options: DataOptions): Row {
  if (!isResource(path)) {
    throw new Error(`Unknown sandbox resource ${path}: use one of resourcePaths()`);
  }
  const resource = RESOURCES[path];
  const count = rowCount(path, options);
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new Error(`Row ${index} of ${path} does not exist: it has ${count} rows`);
  }
  const [person, nth, of] = "perPerson" in resource.shape
    ? ownerOf(resource.shape.perPerson, index)
    : [0, index, count];
  const updatedAt = updatedAtMs(index, count, options.now);
  const random = prng(hash(`${path}@${index}`, options.seed));
  const context: RowContext = {
    index,
    person,
    nth,
    of,
    random,
    updatedAt,
    now: options.now,
    people: options.people,
    ref: (other, i) => idOf(other, i, options.seed),
    updatedAtOf: (i) => updatedAtMs(i, count, options.now),
  };
  const id = idOf(path, index, options.seed);
  const fields = resource.fields(context);
  if (resource.untimed) return { id, ...fields };
  const createdAt = updatedAt - Math.floor(random() * 200) * DAY;
  return { id, ...fields, createdAt: iso(createdAt), updatedAt: iso(updatedAt) };
}

/** Deterministic rows of one resource (for tests that want to know what the server holds). */
export function sandboxRows(
  path: string,
  options: { seed?: number; people?: number; now?: () => Date } = {},
): Iterable<Row> {
  if (!isResource(path)) {
    throw new Error(`Unknown sandbox resource ${path}: use one of resourcePaths()`);
  }
  const data = dataOptions(options);
  const count = rowCount(path, data);
  return {
    *[Symbol.iterator]() {
      for (let i = 0; i < count; i++) yield rowAt(path, i, data);
    },
  };
}

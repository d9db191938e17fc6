/**
 * The sandbox's custom fields: twenty definitions of every type the help centre names (text,
 * long text, single choice, multiple choices, link, date) and number and yes/no, in the
 * sections of a profile, and a value generator per field. The API's own type and section
 * strings are not public: these are guesses (one public SDK shows `select` and `basics`).
 *
 * Tests change them through {@linkcode renameField} and {@linkcode addField}, serving the
 * result with the sandbox's `data` option.
 *
 * @module
 */
import type { Row } from "./data.ts";

/** One sandbox custom field: its definition and how its values are drawn. */
export interface SandboxField {
  name: string;
  section: string;
  type: string;
  options?: readonly string[];
  /** A value for a random draw in [0, 1). */
  value(random: () => number, person: number): unknown;
}

const pickOf = <T>(items: readonly T[]) => (random: () => number) =>
  items[Math.floor(random() * items.length)];

const SIZES = ["XS", "S", "M", "L", "XL"];
const LANGUAGES = ["English", "French", "German", "Spanish", "Italian"];
const GRADES = ["L1", "L2", "L3", "L4", "L5"];
const BANDS = ["A", "B", "C", "D"];
const HOBBIES = ["Climbing", "Chess", "Running", "Music", "Cooking"];

/** A few distinct items of `items` (at least one), in their order. */
function someOf(items: readonly string[], random: () => number): string[] {
  const chosen = items.filter(() => random() < 0.4);
  return chosen.length > 0 ? chosen : [items[Math.floor(random() * items.length)]];
}

/** A date in the year before or after 2026-01-01 as YYYY-MM-DD. */
function dateNear(random: () => number, spanDays: number): string {
  const ms = Date.UTC(2026, 0, 1) + Math.floor((random() - 0.5) * 2 * spanDays) * 86_400_000;
  return new Date(ms).toISOString().slice(0, 10);
}

/** The twenty fields, in creation order. */
export const SANDBOX_FIELDS: readonly SandboxField[] = [
  {
    name: "Cost centre",
    section: "employment_details",
    type: "text",
    value: (r) => `CC-${100 + Math.floor(r() * 40)}`,
  },
  {
    name: "Payroll number",
    section: "salary",
    type: "text",
    value: (_r, p) => `PR${String(p).padStart(6, "0")}`,
  },
  {
    name: "Health insurance ID",
    section: "health",
    type: "text",
    value: (r) => `HI-${Math.floor(r() * 1e8)}`,
  },
  {
    name: "Dietary needs",
    section: "health",
    type: "long_text",
    value: pickOf(["None", "Vegetarian", "Vegan; no nuts.\nAsk before ordering.", "Gluten free"]),
  },
  { name: "T-shirt size", section: "basics", type: "select", options: SIZES, value: pickOf(SIZES) },
  {
    name: "Languages",
    section: "basics",
    type: "multi_select",
    options: LANGUAGES,
    value: (r) => someOf(LANGUAGES, r),
  },
  {
    name: "LinkedIn",
    section: "social",
    type: "link",
    value: (_r, p) => `https://www.linkedin.com/in/person-${p}`,
  },
  {
    name: "Laptop serial",
    section: "equipment",
    type: "text",
    value: (r) => `C02${Math.floor(r() * 1e7)}`,
  },
  {
    name: "Bank details verified on",
    section: "banking",
    type: "date",
    value: (r) => dateNear(r, 365),
  },
  {
    name: "Bonus target",
    section: "bonus",
    type: "number",
    value: (r) => Math.round(r() * 20) / 2,
  },
  { name: "Eligible for bonus", section: "bonus", type: "boolean", value: (r) => r() < 0.6 },
  { name: "Grade", section: "role", type: "select", options: GRADES, value: pickOf(GRADES) },
  { name: "Exit interview done", section: "offboarding", type: "boolean", value: (r) => r() < 0.5 },
  { name: "Salary band", section: "salary", type: "select", options: BANDS, value: pickOf(BANDS) },
  {
    name: "Allergies",
    section: "health",
    type: "long_text",
    value: pickOf(["None", "Penicillin", "Pollen, dust"]),
  },
  {
    name: "Monitor count",
    section: "equipment",
    type: "number",
    value: (r) => 1 + Math.floor(r() * 3),
  },
  {
    name: "GitHub",
    section: "social",
    type: "link",
    value: (_r, p) => `https://github.com/person-${p}`,
  },
  {
    name: "Visa expiry",
    section: "employment_details",
    type: "date",
    value: (r) => dateNear(r, 900),
  },
  {
    name: "Hobbies",
    section: "social",
    type: "multi_select",
    options: HOBBIES,
    value: (r) => someOf(HOBBIES, r),
  },
  {
    name: "Leaving reason detail",
    section: "offboarding",
    type: "long_text",
    value: pickOf(["", "Relocation", "New role elsewhere"]),
  },
];

/** How many values people have, a cycle over people: most fields, rarely all. */
export const VALUES_PER_PERSON: readonly number[] = [20, 18, 20, 14, 19];

/** Which field the `nth` value of `person` is for (distinct for one person's values). */
export function fieldOfValue(person: number, nth: number): number {
  return (nth + person) % SANDBOX_FIELDS.length;
}

/** The fields of a definition row (without id and timestamps). */
export function definitionFields(field: SandboxField, companyId: string): Row {
  return {
    companyId,
    name: field.name,
    section: field.section,
    type: field.type,
    resourceId: null,
    config: field.options ? { choices: [...field.options] } : {},
  };
}

/** Definitions with field `index` renamed to `name`, updated at `at` (ISO). */
export function renameField(
  definitions: readonly Row[],
  change: { index: number; name: string; at: string },
): Row[] {
  return definitions.map((row, i) =>
    i === change.index ? { ...row, name: change.name, updatedAt: change.at } : row
  );
}

/** A field added at `at`: its definition, and a value for each of `people`. */
export interface AddedField {
  /** The new field's id. */
  id: string;
  name: string;
  section: string;
  type: string;
  /** When it was added (ISO). */
  at: string;
  /** Person id to value. */
  values: Record<string, unknown>;
}

/** Definitions and values with `field` added (values get ids `<field id>-<n>`). */
export function addField(
  lists: { definitions: readonly Row[]; values: readonly Row[] },
  field: AddedField,
): { definitions: Row[]; values: Row[] } {
  const companyId = lists.definitions[0]?.companyId ?? null;
  const definition: Row = {
    id: field.id,
    companyId,
    name: field.name,
    section: field.section,
    type: field.type,
    resourceId: null,
    config: {},
    createdAt: field.at,
    updatedAt: field.at,
  };
  const added = Object.entries(field.values).map(([personId, value], n) => ({
    id: `${field.id.slice(0, 20)}${String(n).padStart(4, "0")}`,
    personId,
    customFieldId: field.id,
    resourceId: personId,
    value,
    createdAt: field.at,
    updatedAt: field.at,
  }));
  return {
    definitions: [...lists.definitions, definition],
    values: [...lists.values, ...added],
  };
}

import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream, type MapContext, type RawObject } from "./define.ts";

/** A `custom_values` record. */
export const CustomValueRecord = z.object({
  id: col.id(),
  person_id: col.string(),
  custom_field_id: col.string(),
  resource_id: col.string(),
  /** Text as sent; a list (multi-select) or any other structure as JSON text. */
  value: col.string(),
  created_at: col.timestamp(),
  updated_at: col.timestamp(),
  timestamp: col.timestamp(),
});

/** A `custom_values` record. */
export type CustomValueRecord = z.infer<typeof CustomValueRecord>;

/** `value` kept whole: text as is, numbers and booleans as text, anything structured as JSON text. */
export function deriveCustomValue(raw: RawObject, _context: MapContext): RawObject {
  return { value: raw.value };
}

/** Each person's values of the company's custom fields. */
export const customValues = defineStream({
  name: "custom_values",
  path: "/custom-values",
  description: "Values of custom fields: one row per person (or resource) and field.",
  scopes: ["public:read", "private:read"],
  incremental: true,
  evidence: {
    path: "likely",
    fields: "guessed",
    source: "one public SDK only, AI-assisted and citing no response",
  },
  record: CustomValueRecord,
  derive: deriveCustomValue,
});

import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream, type MapContext, type RawObject } from "./define.ts";

/** A `custom_fields` record. */
export const CustomFieldRecord = z.object({
  id: col.id(),
  company_id: col.string(),
  name: col.string(),
  section: col.string(),
  type: col.string(),
  resource_id: col.string(),
  /** Type-specific settings (e.g. a select's options), as JSON text. */
  config: col.string(),
  created_at: col.timestamp(),
  updated_at: col.timestamp(),
  timestamp: col.timestamp(),
});

/** A `custom_fields` record. */
export type CustomFieldRecord = z.infer<typeof CustomFieldRecord>;

/** `config` kept whole as JSON text: its keys differ by field type, so flattening would lose them. */
export function deriveCustomField(raw: RawObject, _context: MapContext): RawObject {
  return { config: raw.config };
}

/** Company-defined fields on people; their values are in `custom_values`. */
export const customFields = defineStream({
  name: "custom_fields",
  path: "/custom-fields",
  description: "Company-defined fields on people: name, section, type and settings.",
  scopes: ["public:read", "private:read"],
  incremental: true,
  evidence: {
    path: "likely",
    fields: "guessed",
    source: "one public SDK only, AI-assisted and citing no response",
  },
  record: CustomFieldRecord,
  derive: deriveCustomField,
});

import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream } from "./define.ts";

/** An `equipment_names` record (its columns are guesses: no source shows a row). */
export const EquipmentNameRecord = z.object({
  id: col.id(),
  company_id: col.string(),
  equipment_type_id: col.string(),
  name: col.string(),
  created_at: col.timestamp(),
  updated_at: col.timestamp(),
  timestamp: col.timestamp(),
});

/** A `equipment_names` record. */
export type EquipmentNameRecord = z.infer<typeof EquipmentNameRecord>;

/** Named equipment models (MacBook Pro 14, ...) of each equipment type. */
export const equipmentNames = defineStream({
  name: "equipment_names",
  path: "/equipment-names",
  description: "Named equipment models (MacBook Pro 14, ...) of each equipment type.",
  scopes: ["public:read", "private:read"],
  incremental: true,
  evidence: {
    path: "likely",
    fields: "guessed",
    source: "a survey of public clients: the list exists, no response shown",
  },
  record: EquipmentNameRecord,
});

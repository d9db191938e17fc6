import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream } from "./define.ts";

/** An `equipment_types` record (its columns are guesses: no source shows a row). */
export const EquipmentTypeRecord = z.object({
  id: col.id(),
  company_id: col.string(),
  name: col.string(),
  created_at: col.timestamp(),
  updated_at: col.timestamp(),
  timestamp: col.timestamp(),
});

/** A `equipment_types` record. */
export type EquipmentTypeRecord = z.infer<typeof EquipmentTypeRecord>;

/** Kinds of equipment (laptop, phone, ...) that equipment rows refer to. */
export const equipmentTypes = defineStream({
  name: "equipment_types",
  path: "/equipment-types",
  description: "Kinds of equipment (laptop, phone, ...) that equipment rows refer to.",
  scopes: ["public:read", "private:read"],
  incremental: true,
  evidence: {
    path: "likely",
    fields: "guessed",
    source: "a survey of public clients: the list exists, no response shown",
  },
  record: EquipmentTypeRecord,
});

import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream } from "./define.ts";

/**
 * An `equipment` record. Sources disagree on how the kind of item is told (ids of an equipment
 * type and name, or `type` and `name` text): both are columns, and all but `person_id`,
 * `serial_number` and `assigned_date` are guesses.
 */
export const EquipmentRecord = z.object({
  id: col.id(),
  person_id: col.string(),
  equipment_type_id: col.string(),
  equipment_name_id: col.string(),
  type: col.string(),
  name: col.string(),
  serial_number: col.string(),
  note: col.string(),
  assigned_date: col.date(),
  returned_date: col.date(),
  created_at: col.timestamp(),
  updated_at: col.timestamp(),
  timestamp: col.timestamp(),
});

/** An `equipment` record. */
export type EquipmentRecord = z.infer<typeof EquipmentRecord>;

/** Company equipment (laptops, phones, ...) lent to people. */
export const equipment = defineStream({
  name: "equipment",
  path: "/equipment",
  description:
    "Company equipment lent to people: kind, serial number, assigned and returned dates.",
  scopes: ["public:read", "private:read"],
  incremental: true,
  evidence: {
    path: "likely",
    fields: "guessed",
    source: "one public SDK only, AI-assisted and citing no response",
  },
  record: EquipmentRecord,
});

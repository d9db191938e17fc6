import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream, sharedEvidence, type StreamDefinition } from "./define.ts";

/** The `equipment` stream: its `description` says what it holds. */
export const equipment: StreamDefinition = defineStream({
  name: "equipment",
  description:
    "Company equipment lent to people: kind, serial number, assigned and returned dates.",
  evidence: sharedEvidence("one_sdk"),
  // An `equipment` record. Sources disagree on how the kind of item is told (ids of an equipment
  // type and name, or `type` and `name` text): both are columns, and all but `person_id`,
  // `serial_number` and `assigned_date` are guesses.
  record: z.object({
    person_id: col.string(),
    equipment_type_id: col.string(),
    equipment_name_id: col.string(),
    type: col.string(),
    name: col.string(),
    serial_number: col.string(),
    note: col.string(),
    assigned_date: col.date(),
    returned_date: col.date(),
  }),
  example: {
    id: "Eq1Ui2Pm3En4Ta5Bc6De7Fg8",
    personId: "Pe6Hs2Jd9Kf4Lg1Zx7Cv3Bn8",
    equipmentTypeId: "Et1Yp2Ee3Qu4Ip5Me6Nt7Ab8",
    equipmentNameId: "En1Am2Ee3Qu4Ip5Me6Nt7Ab8",
    type: "laptop",
    name: "MacBook Pro 14",
    serialNumber: "C02XK1ZJMD6T",
    note: "Charger included",
    assignedDate: "2022-03-01",
    returnedDate: "2026-12-23",
    createdAt: "2022-02-25T09:00:00.000Z",
    updatedAt: "2026-12-23T16:00:00.000Z",
  },
});

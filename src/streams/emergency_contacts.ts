import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream } from "./define.ts";

/** An `emergency_contacts` record. */
export const EmergencyContactRecord = z.object({
  id: col.id(),
  person_id: col.string(),
  name: col.string(),
  relationship: col.string(),
  email: col.string(),
  phone_number: col.string(),
  formatted_phone_number: col.string(), // guess: as on people
  is_primary: col.boolean(), // guess
  created_at: col.timestamp(),
  updated_at: col.timestamp(),
  timestamp: col.timestamp(),
});

/** An `emergency_contacts` record. */
export type EmergencyContactRecord = z.infer<typeof EmergencyContactRecord>;

/** Whom to call for each person (personal data of third parties). */
export const emergencyContacts = defineStream({
  name: "emergency_contacts",
  path: "/emergency-contacts",
  description: "Each person's emergency contacts: name, relationship, phone and email.",
  scopes: ["private:read"],
  incremental: true,
  evidence: {
    path: "likely",
    fields: "guessed",
    source: "one public SDK only, AI-assisted and citing no response",
  },
  sensitive: true,
  record: EmergencyContactRecord,
});

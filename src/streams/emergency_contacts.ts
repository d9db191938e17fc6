import { z } from "zod";
import { col, sensitive } from "./fields.ts";
import { defineStream, sharedEvidence, type StreamDefinition } from "./define.ts";

/** The `emergency_contacts` stream. Sensitive: personal data of third parties. */
export const emergencyContacts: StreamDefinition = defineStream({
  name: "emergency_contacts",
  description: "Each person's emergency contacts: name, relationship, phone and email.",
  scopes: ["private:read"],
  evidence: sharedEvidence("one_sdk"),
  sensitive: true,
  record: z.object({
    person_id: col.string(),
    name: sensitive(col.string(), "personal"),
    relationship: sensitive(col.string(), "personal"),
    email: sensitive(col.string(), "personal"),
    phone_number: sensitive(col.string(), "personal"),
    formatted_phone_number: sensitive(col.string(), "personal"), // guess: as on people
    is_primary: col.boolean(), // guess
  }),
  example: {
    id: "Em1Er2Ge3Nc4Yc5On6Ta7Ct8",
    personId: "Pe6Hs2Jd9Kf4Lg1Zx7Cv3Bn8",
    name: "William King",
    relationship: "partner",
    email: "william@mail.example",
    phoneNumber: "+447700900456",
    formattedPhoneNumber: "+44 7700 900456",
    isPrimary: true,
    createdAt: "2022-03-01T09:00:00.000Z",
    updatedAt: "2023-06-01T09:00:00.000Z",
  },
});

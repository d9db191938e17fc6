import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream, sharedEvidence, type StreamDefinition } from "./define.ts";

/** The `custom_fields` stream. Their values are in `custom_values`. */
export const customFields: StreamDefinition = defineStream({
  name: "custom_fields",
  path: "/custom-fields",
  description: "Company-defined fields on people: name, section, type and settings.",
  scopes: ["public:read", "private:read"],
  evidence: sharedEvidence("one_sdk"),
  record: z.object({
    company_id: col.string(),
    name: col.string(),
    section: col.string(),
    type: col.string(),
    resource_id: col.string(),
    /** Type-specific settings (e.g. a select's options). */
    config: col.object(),
  }),
  example: {
    id: "Cf1Ie2Ld3Ab4Cd5Ef6Gh7Ij8",
    companyId: "Tq3mZ8kLp2Vx9Rb4Nc7Wd1Ye",
    name: "T-shirt size",
    section: "personal",
    type: "select",
    resourceId: "person",
    config: { options: ["S", "M", "L"], multiple: false },
    createdAt: "2021-02-01T10:00:00.000Z",
    updatedAt: "2024-02-01T10:00:00.000Z",
  },
});

import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream, type RawObject, sharedEvidence, type StreamDefinition } from "./define.ts";

/** A list value (a multi-select field) goes to `value_list`, as native JSON. */
export function deriveCustomValue(raw: RawObject): RawObject {
  return Array.isArray(raw.value) ? { value: null, value_list: raw.value } : {};
}

/** The `custom_values` stream: its `description` says what it holds. */
export const customValues: StreamDefinition = defineStream({
  name: "custom_values",
  description: "Values of custom fields: one row per person (or resource) and field.",
  evidence: sharedEvidence("one_sdk"),
  record: z.object({
    person_id: col.string(),
    custom_field_id: col.string(),
    resource_id: col.string(),
    value: col.string(
      "Guessed: the value when it is text, a number or a boolean (as text); null for a list.",
    ),
    value_list: col.array("Guessed: the value when it is a list (a multi-select field)."),
  }),
  example: {
    id: "Cv1Al2Ue3Ab4Cd5Ef6Gh7Ij8",
    personId: "Pe6Hs2Jd9Kf4Lg1Zx7Cv3Bn8",
    customFieldId: "Cf1Ie2Ld3Ab4Cd5Ef6Gh7Ij8",
    resourceId: "Pe6Hs2Jd9Kf4Lg1Zx7Cv3Bn8",
    value: "M",
    createdAt: "2022-03-01T09:00:00.000Z",
    updatedAt: "2022-03-01T09:00:00.000Z",
  },
  derive: deriveCustomValue,
});

import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream, type StreamDefinition } from "./define.ts";

/** The `time_away_policies` stream: its `description` says what it holds. */
export const timeAwayPolicies: StreamDefinition = defineStream({
  name: "time_away_policies",
  description: "Time away policies: the allowance rules that allocations come from.",
  evidence: {
    path: "confirmed",
    fields: "guessed",
    source: "API docs for the path; no source shows the fields",
  },
  record: z.object({
    company_id: col.string(),
    name: col.string(),
    time_away_type_id: col.string(), // guess
    allowance: col.number(), // guess
  }),
  example: {
    id: "Po7Li3Cy9Ab2Cd4Ef6Gh8Ij0",
    companyId: "Tq3mZ8kLp2Vx9Rb4Nc7Wd1Ye",
    name: "UK standard",
    timeAwayTypeId: "Ta1Ho2Li3Da4Ys5Ty6Pe7Xq8",
    allowance: 25,
    createdAt: "2021-02-01T10:00:00.000Z",
    updatedAt: "2024-01-01T00:00:00.000Z",
  },
});

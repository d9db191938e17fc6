import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream, sharedEvidence, type StreamDefinition } from "./define.ts";

/**
 * The `compensation_types` stream. Which scope Humaans asks for is not documented: private:read
 * or compensations:read is a guess, and a 403 ends the stream with a warning.
 */
export const compensationTypes: StreamDefinition = defineStream({
  name: "compensation_types",
  description: "Kinds of pay (salary, bonus, commission, equity, custom) that compensations use.",
  scopes: ["private:read", "compensations:read"],
  evidence: sharedEvidence("docs_elixir"),
  record: z.object({
    company_id: col.string(),
    name: col.string(),
    base_type: col.string(),
  }),
  example: {
    id: "Ct1Ab2Cd3Ef4Gh5Ij6Kl7Mn8",
    companyId: "Tq3mZ8kLp2Vx9Rb4Nc7Wd1Ye",
    name: "Base salary",
    baseType: "salary",
    createdAt: "2021-02-01T10:00:00.000Z",
    updatedAt: "2021-02-01T10:00:00.000Z",
  },
});

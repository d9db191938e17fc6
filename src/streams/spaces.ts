import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream } from "./define.ts";

/** A `spaces` record (its columns are guesses: no source shows a row). */
export const SpaceRecord = z.object({
  id: col.id(),
  company_id: col.string(),
  name: col.string(),
  created_at: col.timestamp(),
  updated_at: col.timestamp(),
  timestamp: col.timestamp(),
});

/** A `spaces` record. */
export type SpaceRecord = z.infer<typeof SpaceRecord>;

/** Spaces: the separate parts of a company that people belong to (a person's space_id). */
export const spaces = defineStream({
  name: "spaces",
  path: "/spaces",
  description:
    "Spaces: the separate parts of a company that people belong to (a person's space_id).",
  scopes: ["public:read", "private:read"],
  incremental: true,
  evidence: {
    path: "likely",
    fields: "guessed",
    source: "a survey of public clients: the list exists, no response shown",
  },
  record: SpaceRecord,
});

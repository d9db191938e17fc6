import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream } from "./define.ts";

/** A `locations` record. Only `city`, `country` and `timezone` are reported by more than one source. */
export const LocationRecord = z.object({
  id: col.id(),
  company_id: col.string(),
  label: col.string(),
  name: col.string(),
  address: col.string(), // guess
  city: col.string(),
  state: col.string(), // guess
  postcode: col.string(), // guess
  country_code: col.string(), // guess
  country: col.string(),
  timezone: col.string(),
  public_holiday_calendar_id: col.string(), // guess
  created_at: col.timestamp(),
  updated_at: col.timestamp(),
  timestamp: col.timestamp(),
});

/** A `locations` record. */
export type LocationRecord = z.infer<typeof LocationRecord>;

/** Offices and other work locations that people belong to. */
export const locations = defineStream({
  name: "locations",
  path: "/locations",
  description: "Offices and other work locations, with city, country and time zone.",
  scopes: ["public:read", "private:read"],
  incremental: true,
  evidence: {
    path: "likely",
    fields: "guessed",
    source: "one public SDK only, AI-assisted and citing no response",
  },
  record: LocationRecord,
});

import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream, sharedEvidence, type StreamDefinition } from "./define.ts";

/** The `locations` stream: its `description` says what it holds. */
export const locations: StreamDefinition = defineStream({
  name: "locations",
  description: "Offices and other work locations, with city, country and time zone.",
  evidence: sharedEvidence("one_sdk"),
  // A `locations` record. Only `city`, `country` and `timezone` are reported by more than one source.
  record: z.object({
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
  }),
  example: {
    id: "Lo4Nd0nHq7Gb2Xy5Qw8Er1Ty",
    companyId: "Tq3mZ8kLp2Vx9Rb4Nc7Wd1Ye",
    label: "London HQ",
    name: "London",
    address: "1 Harbour Row",
    city: "London",
    state: "Greater London",
    postcode: "E14 5AB",
    countryCode: "GB",
    country: "United Kingdom",
    timezone: "Europe/London",
    publicHolidayCalendarId: "GB",
    createdAt: "2021-02-01T10:00:00.000Z",
    updatedAt: "2025-05-05T10:00:00.000Z",
  },
});

import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream, type MapContext, type RawObject } from "./define.ts";

/**
 * A `people` record: the Person object's fields in snake_case.
 *
 * Humaans documents about 65 fields but publishes no schema; the fields below are those that
 * independent clients of the live API read and a recorded real response carries (any other
 * field lands in `additional_fields`). `calendarFeedToken` is left out on purpose, even from
 * `additional_fields`: it is a secret that opens the person's calendar feed, not data.
 */
export const PersonRecord = z.object({
  id: col.id(),
  company_id: col.string(),
  first_name: col.string(),
  middle_name: col.string(),
  last_name: col.string(),
  preferred_name: col.string(),
  email: col.string(),
  personal_email: col.string(),
  phone_number: col.string(),
  formatted_phone_number: col.string(),
  personal_phone_number: col.string(),
  formatted_personal_phone_number: col.string(),
  gender: col.string(),
  birthday: col.date(),
  is_birthday_hidden: col.boolean(),
  profile_photo_id: col.string(),
  /** The `profilePhoto` object (ids and image variants) as JSON text. */
  profile_photo: col.string(),
  nationality: col.string(),
  nationalities: col.string(),
  spoken_languages: col.string(),
  dietary_preference: col.string(),
  food_allergies: col.string(),
  /** A street line; JSON text if the API sends an object. */
  address: col.string(),
  city: col.string(),
  state: col.string(),
  postcode: col.string(),
  country_code: col.string(),
  country: col.string(),
  location_id: col.string(
    'The id of a location, or the literal "remote" for someone who works remotely (see remote_*).',
  ),
  remote_city: col.string(),
  remote_region_code: col.string(),
  remote_country_code: col.string(),
  remote_timezone: col.string(),
  remote_country: col.string(),
  timezone: col.string(),
  bio: col.string(),
  linked_in: col.string(),
  twitter: col.string(),
  github: col.string(),
  employment_start_date: col.date(),
  first_working_day: col.date(),
  employment_end_date: col.date(),
  last_working_day: col.date(),
  probation_end_date: col.date(),
  turnover_impact: col.string(),
  leaving_reason: col.string(),
  leaving_note: col.string(),
  leaving_file_id: col.string(),
  contract_type: col.string(),
  employee_id: col.string(),
  tax_id: col.string(),
  tax_code: col.string(),
  payroll_provider: col.string(),
  teams: col.string(),
  working_days: col.string(),
  public_holiday_calendar_id: col.string(),
  status: col.string(),
  role: col.string(),
  is_verified: col.boolean(),
  is_work_email_hidden: col.boolean(),
  seen_documents_at: col.timestamp(),
  source: col.string(),
  source_id: col.string(),
  demo: col.boolean(),
  direct_reports: col.string(
    "The people who report to this person, as the API sends them (JSON text); the items' shape is not public.",
  ),
  pronouns: col.string(),
  slack: col.string(
    "The person's Slack account as the API sends it (JSON text for an object); its shape is not public.",
  ),
  short_birthday: col.string(
    "The birthday without its year, as the API sends it; its format is not public.",
  ),
  offboarded_at: col.timestamp(),
  offboarded_by: col.string(),
  invited_at: col.timestamp(),
  invited_by: col.string(),
  is_welcomed: col.boolean(),
  is_sso: col.boolean(),
  space_id: col.string(),
  created_at: col.timestamp(),
  updated_at: col.timestamp(),
  timestamp: col.timestamp(),
});

/** A `people` record. */
export type PersonRecord = z.infer<typeof PersonRecord>;

/**
 * Columns kept whole rather than flattened: `address` (a string; JSON text should the API send an
 * object) and `profile_photo` (an object whose image variants are not documented) as JSON text.
 */
export function derivePerson(raw: RawObject, _context: MapContext): RawObject {
  return { address: raw.address, profile_photo: raw.profilePhoto };
}

/** Everyone in the company: new hires, active and offboarded people (personal data). */
export const people = defineStream({
  name: "people",
  path: "/people",
  description:
    "Everyone in the company (new hires, active and offboarded): names, contact details, employment dates, teams.",
  scopes: ["public:read", "private:read"],
  incremental: true,
  evidence: {
    path: "confirmed",
    fields: "confirmed",
    source: "API docs, the Elixir SDK, a recorded real response",
  },
  sensitive: true,
  record: PersonRecord,
  omit: ["calendarFeedToken"],
  derive: derivePerson,
});

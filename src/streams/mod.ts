/**
 * The stream registry: every stream the connector offers, one declaration each.
 *
 * @module
 */
import { bankAccounts } from "./bank_accounts.ts";
import { companies } from "./companies.ts";
import { compensationTypes } from "./compensation_types.ts";
import { compensations } from "./compensations.ts";
import { customFields } from "./custom_fields.ts";
import { customValues } from "./custom_values.ts";
import type { StreamDefinition } from "./define.ts";
import { documentFolders } from "./document_folders.ts";
import { documentTypes } from "./document_types.ts";
import { documents } from "./documents.ts";
import { emergencyContacts } from "./emergency_contacts.ts";
import { equipment } from "./equipment.ts";
import { equipmentNames } from "./equipment_names.ts";
import { equipmentTypes } from "./equipment_types.ts";
import { identityDocumentTypes } from "./identity_document_types.ts";
import { identityDocuments } from "./identity_documents.ts";
import { jobRoles } from "./job_roles.ts";
import { locations } from "./locations.ts";
import { people } from "./people.ts";
import { peopleCustomFields } from "./people_custom_fields.ts";
import { publicHolidayCalendars } from "./public_holiday_calendars.ts";
import { publicHolidays } from "./public_holidays.ts";
import { spaces } from "./spaces.ts";
import { timeAway } from "./time_away.ts";
import { timeAwayAdjustments } from "./time_away_adjustments.ts";
import { timeAwayAllocations } from "./time_away_allocations.ts";
import { timeAwayPeriods } from "./time_away_periods.ts";
import { timeAwayPolicies } from "./time_away_policies.ts";
import { timeAwayTypes } from "./time_away_types.ts";
import { timesheetEntries } from "./timesheet_entries.ts";
import { timesheetSubmissions } from "./timesheet_submissions.ts";
import { workingPatternAllocations } from "./working_pattern_allocations.ts";
import { workingPatterns } from "./working_patterns.ts";

export type { MapContext, RawObject, StreamDefinition } from "./define.ts";
export { CURSOR, DELETED_AT } from "./define.ts";

/**
 * Every stream, in catalog order: the seed's three, then people and the lists around them. Not
 * streams: `/audit-events` (retrieve-only, there is no list to page) and `/webhooks` (admin).
 * Humaans deletes rows for good and lists no deletions, so no stream can report deletes.
 */
export const STREAMS: readonly StreamDefinition[] = [
  companies,
  documents,
  jobRoles,
  people,
  locations,
  compensations,
  compensationTypes,
  bankAccounts,
  timeAway,
  timeAwayTypes,
  timeAwayPolicies,
  timeAwayAllocations,
  timeAwayAdjustments,
  timeAwayPeriods,
  publicHolidays,
  publicHolidayCalendars,
  timesheetEntries,
  timesheetSubmissions,
  documentTypes,
  documentFolders,
  identityDocuments,
  identityDocumentTypes,
  emergencyContacts,
  customFields,
  customValues,
  peopleCustomFields,
  equipment,
  equipmentTypes,
  equipmentNames,
  workingPatterns,
  workingPatternAllocations,
  spaces,
];

/** The stream named `name`, or undefined. */
export function findStream(name: string): StreamDefinition | undefined {
  return STREAMS.find((stream) => stream.name === name);
}

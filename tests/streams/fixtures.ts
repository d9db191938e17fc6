/**
 * Raw API objects for the stream tests: one realistic row a stream, as GET <path> returns it in
 * `data[]`, with every field the stream's declaration knows filled in. Also which columns no
 * Humaans row fills, and which API fields streams leave out on purpose.
 *
 * @module
 */
import type { RawObject, StreamDefinition } from "../../src/streams/mod.ts";
import { snakeCase } from "../../src/streams/fields.ts";

const COMPANY = "Tq3mZ8kLp2Vx9Rb4Nc7Wd1Ye";
const ADA = "Pe6Hs2Jd9Kf4Lg1Zx7Cv3Bn8";
const MANAGER = "Pe0Ad1Mi2Nb3Cd4Ef5Gh6Ij7";
const LONDON = "Lo4Nd0nHq7Gb2Xy5Qw8Er1Ty";
const HOLIDAY_TYPE = "Ta1Ho2Li3Da4Ys5Ty6Pe7Xq8";
const POLICY = "Po7Li3Cy9Ab2Cd4Ef6Gh8Ij0";
const ALLOCATION = "Al5Lo6Ca7Ti8On9Ab1Cd2Ef3";
const FILE = "Fh2Kq8Wm5Xn1Yb7Zc3Vd9Le4";

/** One raw row a stream, by stream name. */
export const FIXTURES: Record<string, RawObject> = {
  companies: {
    id: COMPANY,
    name: "Northwind Trading Ltd",
    domains: ["northwind.example"],
    trialEndDate: "2021-02-14",
    status: "active",
    paymentStatus: "ok",
    package: "growth",
    isTimesheetEnabled: true,
    autogenerateEmployeeId: false,
    autogenerateEmployeeIdForNewHires: true,
    nextEmployeeId: 143,
    createdAt: "2021-01-31T09:12:44.000Z",
    updatedAt: "2026-10-02T16:05:11.381Z",
  },
  documents: {
    id: "Dk4Rt7Yp1Lm9Qz2Xc5Vb8Nw3",
    companyId: COMPANY,
    personId: ADA,
    name: "Offer letter",
    documentTypeId: "Ty1Ab2Cd3Ef4Gh5Ij6Kl7Mn8",
    folderId: "Fo9Pq8Rs7Tu6Vw5Xy4Za3Bc2",
    link: null,
    fileId: FILE,
    file: { id: FILE, filename: "offer-letter.pdf", url: "https://files.example/offer-letter.pdf" },
    source: "upload",
    sourceId: "upload-7781",
    issueDate: "2025-06-30",
    createdBy: MANAGER,
    createdAt: "2025-07-01T08:30:00.000Z",
    updatedAt: "2026-01-15T10:45:12.120Z",
  },
  job_roles: {
    id: "Jr3Ol8Ea2Ng5Ix9Ne4Er7Qa1",
    companyId: COMPANY,
    personId: ADA,
    jobTitle: "Senior Engineer",
    department: "Engineering",
    reportingTo: MANAGER,
    effectiveDate: "2025-04-01",
    endDate: "2027-03-31",
    endReason: "promotion",
    note: "Moved to the platform team",
    createdAt: "2025-03-20T11:00:00.000Z",
    updatedAt: "2025-03-21T09:15:30.500Z",
  },
  people: {
    id: ADA,
    companyId: COMPANY,
    firstName: "Ada",
    middleName: "Augusta",
    lastName: "Lovelace",
    preferredName: "Ada",
    email: "ada@northwind.example",
    personalEmail: "ada.l@mail.example",
    phoneNumber: "+442079460958",
    formattedPhoneNumber: "+44 20 7946 0958",
    personalPhoneNumber: "+447700900123",
    formattedPersonalPhoneNumber: "+44 7700 900123",
    gender: "female",
    birthday: "1990-12-10",
    isBirthdayHidden: false,
    profilePhotoId: "Ph1Ot2Oi3Dx4Yz5Ab6Cd7Ef8",
    profilePhoto: {
      id: "Ph1Ot2Oi3Dx4Yz5Ab6Cd7Ef8",
      variants: {
        "64": "https://img.example/ada-64.jpg",
        "156": "https://img.example/ada-156.jpg",
      },
    },
    nationality: "GB",
    nationalities: ["GB", "IE"],
    spokenLanguages: ["en", "fr"],
    dietaryPreference: "vegetarian",
    foodAllergies: ["peanuts"],
    address: "12 St James's Square",
    city: "London",
    state: "Greater London",
    postcode: "SW1Y 4LB",
    countryCode: "GB",
    country: "United Kingdom",
    locationId: LONDON,
    remoteCity: "Brighton",
    remoteRegionCode: "ENG",
    remoteCountryCode: "GB",
    remoteTimezone: "Europe/London",
    timezone: "Europe/London",
    bio: "Writes the first programs.",
    linkedIn: "https://www.linkedin.com/in/ada-example",
    twitter: "ada_example",
    github: "ada-example",
    employmentStartDate: "2022-03-01",
    firstWorkingDay: "2022-03-02",
    employmentEndDate: "2026-12-31",
    lastWorkingDay: "2026-12-23",
    probationEndDate: "2022-09-01",
    turnoverImpact: "regrettable",
    leavingReason: "resigned",
    leavingNote: "Starting a company",
    leavingFileId: "Lf1Ea2Vi3Ng4Fi5Le6Ab7Cd8",
    contractType: "full-time",
    employeeId: "0042",
    taxId: "QQ123456C",
    taxCode: "1257L",
    payrollProvider: "payroll-co",
    teams: [{ name: "Platform" }, { name: "Guild: Security" }],
    workingDays: [{ day: "monday" }, { day: "tuesday" }, { day: "thursday" }],
    publicHolidayCalendarId: "GB",
    status: "active",
    role: "user",
    isVerified: true,
    isWorkEmailHidden: false,
    calendarFeedToken: "cft_3e1f0c9a77b24d21a5c8",
    seenDocumentsAt: "2026-11-02T08:00:01.000Z",
    source: "bamboohr",
    sourceId: "bhr-1187",
    demo: false,
    createdAt: "2022-01-10T12:00:00.000Z",
    updatedAt: "2026-11-20T17:45:09.250Z",
  },
  locations: {
    id: LONDON,
    companyId: COMPANY,
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
  compensations: {
    id: "Co1Mp2En3Sa4Ti5On6Ab7Cd8",
    personId: ADA,
    compensationTypeId: "Ct1Ab2Cd3Ef4Gh5Ij6Kl7Mn8",
    amount: "70000.50",
    currency: "GBP",
    period: "annual",
    note: "Annual review",
    effectiveDate: "2026-04-01",
    endDate: "2027-03-31",
    endReason: "raise",
    createdAt: "2026-03-15T09:00:00.000Z",
    updatedAt: "2026-03-15T09:00:00.000Z",
  },
  compensation_types: {
    id: "Ct1Ab2Cd3Ef4Gh5Ij6Kl7Mn8",
    companyId: COMPANY,
    name: "Base salary",
    baseType: "salary",
    createdAt: "2021-02-01T10:00:00.000Z",
    updatedAt: "2021-02-01T10:00:00.000Z",
  },
  bank_accounts: {
    id: "Ba1Nk2Ac3Co4Un5Ts6Ab7Cd8",
    personId: ADA,
    bankName: "Monzo",
    nameOnAccount: "Ada Lovelace",
    accountNumber: "01234567",
    swiftCode: "MONZGB2L",
    sortCode: "04-00-04",
    routingNumber: "021000021",
    createdAt: "2022-03-01T09:00:00.000Z",
    updatedAt: "2024-08-19T14:30:00.000Z",
  },
  time_away: {
    id: "Tw1Aw2Ay3Ab4Cd5Ef6Gh7Ij8",
    personId: ADA,
    timeAwayTypeId: HOLIDAY_TYPE,
    name: "Lisbon trip",
    isTimeOff: true,
    startDate: "2026-08-03",
    startPeriod: "full",
    endDate: "2026-08-07",
    endPeriod: "am",
    days: 4.5,
    breakdown: [
      { date: "2026-08-03", period: "full" },
      { date: "2026-08-07", period: "am" },
    ],
    note: "Back on Monday afternoon",
    requestStatus: "approved",
    reviewedBy: MANAGER,
    reviewedAt: "2026-07-01T08:12:00.000Z",
    createdAt: "2026-06-30T16:40:00.000Z",
    updatedAt: "2026-07-01T08:12:00.000Z",
  },
  time_away_types: {
    id: HOLIDAY_TYPE,
    companyId: COMPANY,
    name: "Holiday",
    isTimeOff: true,
    createdAt: "2021-02-01T10:00:00.000Z",
    updatedAt: "2023-01-01T00:00:00.000Z",
  },
  time_away_policies: {
    id: POLICY,
    companyId: COMPANY,
    name: "UK standard",
    timeAwayTypeId: HOLIDAY_TYPE,
    allowance: 25,
    createdAt: "2021-02-01T10:00:00.000Z",
    updatedAt: "2024-01-01T00:00:00.000Z",
  },
  time_away_allocations: {
    id: ALLOCATION,
    personId: ADA,
    timeAwayTypeId: HOLIDAY_TYPE,
    timeAwayPolicyId: POLICY,
    amount: 27.5,
    unit: "days",
    year: 2026,
    startDate: "2026-01-01",
    endDate: "2026-12-31",
    createdAt: "2025-12-01T00:00:00.000Z",
    updatedAt: "2026-01-02T00:00:00.000Z",
  },
  time_away_adjustments: {
    id: "Ad1Ju2St3Me4Nt5Ab6Cd7Ef8",
    personId: ADA,
    timeAwayAllocationId: ALLOCATION,
    timeAwayTypeId: HOLIDAY_TYPE,
    amount: -1.5,
    date: "2026-01-05",
    note: "Carry-over correction",
    createdAt: "2026-01-05T10:00:00.000Z",
    updatedAt: "2026-01-05T10:00:00.000Z",
  },
  public_holidays: {
    id: "Ph1Ol2Id3Ay4Ab5Cd6Ef7Gh8",
    publicHolidayCalendarId: "GB",
    name: "Christmas Day",
    date: "2026-12-25",
    createdAt: "2025-11-01T00:00:00.000Z",
    updatedAt: "2025-11-01T00:00:00.000Z",
  },
  public_holiday_calendars: { id: "ES-MD", name: "Spain (Madrid)" },
  timesheet_entries: {
    id: "Te1En2Tr3Ya4Bc5De6Fg7Hi8",
    personId: ADA,
    date: "2026-11-27",
    startTime: "09:00:00",
    endTime: "17:30:00",
    duration: { hours: 8, minutes: 30 },
    createdAt: "2026-11-27T17:31:00.000Z",
    updatedAt: "2026-11-27T17:31:00.000Z",
  },
  timesheet_submissions: {
    id: "Ts1Ub2Mi3Ss4Io5Nn6Ab7Cd8",
    personId: ADA,
    startDate: "2026-11-23",
    endDate: "2026-11-29",
    status: "approved",
    submittedAt: "2026-11-27T17:35:00.000Z",
    reviewedBy: MANAGER,
    reviewedAt: "2026-11-28T09:00:00.000Z",
    changesRequested: "Add Friday's hours",
    durationAsTime: { hours: 37, minutes: 30 },
    durationAsDays: 5,
    createdAt: "2026-11-27T17:35:00.000Z",
    updatedAt: "2026-11-28T09:00:00.000Z",
  },
  document_types: {
    id: "Ty1Ab2Cd3Ef4Gh5Ij6Kl7Mn8",
    companyId: COMPANY,
    name: "Contract",
    createdAt: "2021-02-01T10:00:00.000Z",
    updatedAt: "2021-02-01T10:00:00.000Z",
  },
  document_folders: {
    id: "Fo9Pq8Rs7Tu6Vw5Xy4Za3Bc2",
    companyId: COMPANY,
    name: "Payroll",
    audience: { type: "roles", roleIds: ["Ro1Le2Ab3Cd4Ef5Gh6Ij7Kl8"] },
    createdBy: MANAGER,
    createdAt: "2021-02-01T10:00:00.000Z",
    updatedAt: "2025-02-01T10:00:00.000Z",
    deletedAt: "2026-02-01T10:00:00.000Z",
  },
  identity_documents: {
    id: "Id1Do2Cu3Me4Nt5Ab6Cd7Ef8",
    personId: ADA,
    identityDocumentTypeId: "It1Yp2Ea3Bc4De5Fg6Hi7Jk8",
    name: "Passport",
    number: "925076473",
    issuingCountry: "GB",
    issueDate: "2019-05-02",
    expiryDate: "2029-05-02",
    fileId: FILE,
    file: { id: FILE, filename: "passport.pdf", url: "https://files.example/passport.pdf" },
    createdAt: "2022-03-01T09:00:00.000Z",
    updatedAt: "2022-03-01T09:00:00.000Z",
  },
  identity_document_types: {
    id: "It1Yp2Ea3Bc4De5Fg6Hi7Jk8",
    companyId: COMPANY,
    name: "Passport",
    createdAt: "2021-02-01T10:00:00.000Z",
    updatedAt: "2021-02-01T10:00:00.000Z",
  },
  emergency_contacts: {
    id: "Em1Er2Ge3Nc4Yc5On6Ta7Ct8",
    personId: ADA,
    name: "William King",
    relationship: "partner",
    email: "william@mail.example",
    phoneNumber: "+447700900456",
    formattedPhoneNumber: "+44 7700 900456",
    isPrimary: true,
    createdAt: "2022-03-01T09:00:00.000Z",
    updatedAt: "2023-06-01T09:00:00.000Z",
  },
  custom_fields: {
    id: "Cf1Ie2Ld3Ab4Cd5Ef6Gh7Ij8",
    companyId: COMPANY,
    name: "T-shirt size",
    section: "personal",
    type: "select",
    resourceId: "person",
    config: { options: ["S", "M", "L"], multiple: false },
    createdAt: "2021-02-01T10:00:00.000Z",
    updatedAt: "2024-02-01T10:00:00.000Z",
  },
  custom_values: {
    id: "Cv1Al2Ue3Ab4Cd5Ef6Gh7Ij8",
    personId: ADA,
    customFieldId: "Cf1Ie2Ld3Ab4Cd5Ef6Gh7Ij8",
    resourceId: ADA,
    value: "M",
    createdAt: "2022-03-01T09:00:00.000Z",
    updatedAt: "2022-03-01T09:00:00.000Z",
  },
  equipment: {
    id: "Eq1Ui2Pm3En4Ta5Bc6De7Fg8",
    personId: ADA,
    equipmentTypeId: "Et1Yp2Ea3Bc4De5Fg6Hi7Jk8",
    equipmentNameId: "En1Am2Ea3Bc4De5Fg6Hi7Jk8",
    type: "laptop",
    name: "MacBook Pro 14",
    serialNumber: "C02XK1ZJMD6T",
    note: "Charger included",
    assignedDate: "2022-03-01",
    returnedDate: "2026-12-23",
    createdAt: "2022-02-25T09:00:00.000Z",
    updatedAt: "2026-12-23T16:00:00.000Z",
  },
  working_patterns: {
    id: "Wp1At2Te3Rn4Ab5Cd6Ef7Gh8",
    companyId: COMPANY,
    name: "Four days",
    days: ["monday", "tuesday", "wednesday", "thursday"],
    createdAt: "2023-01-01T00:00:00.000Z",
    updatedAt: "2023-01-01T00:00:00.000Z",
  },
};

/** Columns no Humaans row fills (the seed's columns), or that the fixture leaves null on purpose. */
export const UNFILLED: Record<string, string[]> = {
  companies: [
    "description",
    "website",
    "phone",
    "address_line1",
    "address_line2",
    "address_city",
    "address_state",
    "address_postal_code",
    "address_country",
  ],
  documents: ["description", "file_size", "mime_type", "expiry_date", "tags", "link"],
  job_roles: [
    "description",
    "location",
    "employment_type",
    "salary_range_min",
    "salary_range_max",
    "salary_currency",
    "requirements",
    "responsibilities",
    "benefits",
  ],
};

/** API fields a stream leaves out on purpose. */
export const LEFT_OUT: Record<string, string[]> = {
  /** A secret that opens the person's calendar feed: not data for a warehouse. */
  people: ["calendarFeedToken"],
};

function isPlainObject(value: unknown): value is RawObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function hasPrefix(stream: StreamDefinition, prefix: string): boolean {
  return [...stream.columns.keys()].some((column) => column.startsWith(prefix));
}

/**
 * The fields of `raw` (dotted paths) that map to no column of `stream`: a field maps when its
 * snake_case name is a column (objects kept whole, arrays, values) or, for an object, when each of
 * its own fields maps under the `parent_` prefix (a null object: when some column has the prefix).
 * Fields in {@linkcode LEFT_OUT} do not count.
 */
export function droppedFields(stream: StreamDefinition, raw: RawObject): string[] {
  const leftOut = new Set(LEFT_OUT[stream.name] ?? []);
  const dropped: string[] = [];
  const walk = (object: RawObject, prefix: string, path: string) => {
    for (const [key, value] of Object.entries(object)) {
      if (path === "" && leftOut.has(key)) continue;
      const name = prefix + snakeCase(key);
      if (stream.columns.has(name)) continue;
      if (isPlainObject(value)) walk(value, `${name}_`, `${path}${key}.`);
      else if (value !== null || !hasPrefix(stream, `${name}_`)) dropped.push(path + key);
    }
  };
  walk(raw, "", "");
  return dropped;
}

/**
 * What the sandbox's resources hold: for each API path, how many rows it has and the fields of
 * one row. `data.ts` adds `id`, `createdAt` and `updatedAt` and does the indexing. A stream
 * of the connector with no resource written here is served rows like its declared `example`.
 *
 * @module
 */
import { type StreamDefinition, STREAMS } from "../src/streams/mod.ts";
import {
  definitionFields,
  fieldOfValue,
  SANDBOX_FIELDS,
  VALUES_PER_PERSON,
} from "./custom_fields.ts";

/** How many rows a resource has: a fixed number, or a repeating count per person. */
export type Shape = { fixed: number } | { perPerson: readonly number[] };

/** What one row's fields are computed from. */
export interface RowContext {
  /** The row's index in its resource. */
  index: number;
  /** The person the row belongs to (0-based); 0 for fixed-size resources. */
  person: number;
  /** The row's number among that person's rows (the index, for fixed-size resources). */
  nth: number;
  /** How many rows that person has (the row count, for fixed-size resources). */
  of: number;
  /** Seeded by (seed, path, index): the same row always draws the same numbers. */
  random: () => number;
  /** The row's `updatedAt`, ms. */
  updatedAt: number;
  /** "Now", ms. */
  now: number;
  /** How many people the company has. */
  people: number;
  /** The id of row `index` of another resource. */
  ref(path: string, index: number): string;
  /** The `updatedAt` (ms) of another row of the same resource. */
  updatedAtOf(index: number): number;
}

/** One resource of the sandbox. */
export interface Resource {
  shape: Shape;
  /** The row's fields except `id`, `createdAt` and `updatedAt` (an `id` here wins). */
  fields(context: RowContext): Record<string, unknown>;
  /** The rows have no `createdAt`/`updatedAt`, so a client can only re-read them in full. */
  untimed?: true;
}

const DAY = 86_400_000;

const FIRST_NAMES = [
  "Ada",
  "Grace",
  "Alan",
  "Linus",
  "Margaret",
  "Ken",
  "Barbara",
  "Dennis",
  "Frances",
  "Edsger",
  "Radia",
  "Tim",
];
const LAST_NAMES = [
  "Lovelace",
  "Hopper",
  "Turing",
  "Torvalds",
  "Hamilton",
  "Thompson",
  "Liskov",
  "Ritchie",
  "Allen",
  "Dijkstra",
  "Perlman",
  "Berners-Lee",
];
const JOB_TITLES = [
  "Software Engineer",
  "Senior Engineer",
  "Product Manager",
  "Designer",
  "Data Analyst",
  "People Partner",
  "Account Executive",
  "Engineering Manager",
];
const DEPARTMENTS = ["Engineering", "Product", "Design", "People", "Sales", "Finance"];
/** [city, country code, timezone]: one location each. */
const CITIES = [
  ["London", "GB", "Europe/London"],
  ["Madrid", "ES", "Europe/Madrid"],
  ["New York", "US", "America/New_York"],
  ["Berlin", "DE", "Europe/Berlin"],
  ["Lisbon", "PT", "Europe/Lisbon"],
] as const;
const CALENDARS = ["GB", "ES-MD", "US"];
const SPACES = ["Sandbox UK", "Sandbox Spain"];
/** [type, model names]: the equipment types and the names of each. */
const EQUIPMENT = [
  ["Laptop", ["MacBook Pro 14", "ThinkPad X1"]],
  ["Phone", ["iPhone 15"]],
  ["Monitor", ["Dell U2723QE", "LG 27UK850"]],
] as const;
/** Every equipment name with its type's index, in `/equipment-names` row order. */
const EQUIPMENT_NAMES = EQUIPMENT.flatMap(([, names], type) =>
  names.map((name) => ({ name, type }))
);
const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday"];

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function date(ms: number): string {
  return iso(ms).slice(0, 10);
}

function yearOf(ms: number): number {
  return new Date(ms).getUTCFullYear();
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

/** A random row of a fixed-size resource with `count` rows. */
function anyOf(c: RowContext, path: string, count: number): string {
  return c.ref(path, Math.floor(c.random() * count));
}

function companyId(c: RowContext): string {
  return c.ref("/companies", 0);
}

function ownerId(c: RowContext): string {
  return c.ref("/people", c.person);
}

/** A whole-hundreds amount as a string, as the API sends money. */
function money(c: RowContext, low: number, high: number): string {
  return String(Math.round((low + c.random() * (high - low)) / 100) * 100);
}

/** Some other person than the row's owner (their manager, say); null in a one-person company. */
function colleagueId(c: RowContext): string | null {
  if (c.people < 2) return null;
  const other = (c.person + 1 + Math.floor(c.random() * (c.people - 1))) % c.people;
  return c.ref("/people", other);
}

/**
 * A person's job history: their roles follow each other about a year apart; each role ends the
 * day before the next starts and the latest has no end date.
 */
function jobRole(c: RowContext): Record<string, unknown> {
  const latest = c.updatedAtOf(c.index - c.nth + c.of - 1) - 20 * DAY;
  const effective = (nth: number) => latest - (c.of - 1 - nth) * 330 * DAY;
  const current = c.nth === c.of - 1;
  const department = pick(c.random, DEPARTMENTS);
  return {
    companyId: companyId(c),
    personId: ownerId(c),
    jobTitle: pick(c.random, JOB_TITLES),
    // Most rows carry the department as a string, some as an object (sources disagree).
    department: c.index % 7 === 3
      ? { id: `De${DEPARTMENTS.indexOf(department)}`.padEnd(24, "0"), name: department }
      : department,
    reportingTo: colleagueId(c),
    effectiveDate: date(effective(c.nth)),
    endDate: current ? null : date(effective(c.nth + 1) - DAY),
    endReason: current ? null : pick(c.random, ["promotion", "role change", "team change"]),
    note: null,
  };
}

function person(c: RowContext): Record<string, unknown> {
  const first = pick(c.random, FIRST_NAMES);
  const last = pick(c.random, LAST_NAMES);
  const city = pick(c.random, CITIES);
  const start = c.updatedAt - Math.floor(c.random() * 1500) * DAY;
  const offboarded = c.random() < 0.08;
  const invited = c.updatedAt - Math.floor(c.random() * 400) * DAY;
  const birthday = date(
    Date.UTC(
      1965 + Math.floor(c.random() * 35),
      Math.floor(c.random() * 12),
      1 + Math.floor(c.random() * 28),
    ),
  );
  // Remote workers have the literal "remote" as their location, and a remote address instead.
  const remote = c.random() < 0.3;
  return {
    companyId: companyId(c),
    firstName: first,
    middleName: null,
    lastName: last,
    preferredName: c.random() < 0.2 ? first.slice(0, 3) : null,
    pronouns: pick(c.random, ["she/her", "he/him", "they/them", null]),
    email: `${first}.${last}.${c.person}@sandbox.example`.toLowerCase(),
    personalEmail: null,
    phoneNumber: c.random() < 0.5
      ? `+44 20 7946 ${String(c.person % 10000).padStart(4, "0")}`
      : null,
    birthday,
    shortBirthday: birthday.slice(5),
    gender: null,
    nationality: city[1],
    locationId: remote ? "remote" : c.ref("/locations", CITIES.indexOf(city)),
    remoteCity: remote ? city[0] : null,
    remoteRegionCode: null,
    remoteCountryCode: remote ? city[1] : null,
    remoteCountry: remote ? city[1] : null,
    address: {
      line1: `${1 + (c.person % 200)} High Street`,
      line2: null,
      city: city[0],
      postcode: null,
      countryCode: city[1],
    },
    employmentStartDate: date(start),
    employmentEndDate: offboarded ? date(c.updatedAt) : null,
    offboardedAt: offboarded ? iso(c.updatedAt - DAY) : null,
    offboardedBy: offboarded ? c.ref("/people", 0) : null,
    probationEndDate: null,
    contractType: pick(c.random, ["full-time", "part-time", "contractor"]),
    employeeId: String(c.person + 1),
    teams: [{ name: pick(c.random, DEPARTMENTS) }],
    status: offboarded ? "offboarded" : c.random() < 0.05 ? "newHire" : "active",
    workingDays: WEEKDAYS.map((day) => ({ day })),
    timezone: city[2],
    // The people who report to person p: 2p + 1 and 2p + 2 (a binary tree of managers).
    directReports: [2 * c.person + 1, 2 * c.person + 2]
      .filter((p) => p < c.people)
      .map((p) => c.ref("/people", p)),
    slack: c.random() < 0.7 ? { id: `U${String(c.person).padStart(8, "0")}` } : null,
    invitedAt: iso(invited),
    invitedBy: c.person === 0 ? null : c.ref("/people", 0),
    isWelcomed: c.random() < 0.9,
    isSSO: false,
    spaceId: c.ref("/spaces", c.person % SPACES.length),
    isWorkingRemotely: remote,
    profilePhoto: null,
  };
}

function document(c: RowContext): Record<string, unknown> {
  const isLink = c.random() < 0.3;
  const fileId = c.ref("/files", c.index);
  return {
    companyId: companyId(c),
    personId: ownerId(c),
    name: pick(c.random, ["Employment contract", "Passport scan", "Offer letter", "NDA"]),
    documentTypeId: anyOf(c, "/document-types", 6),
    folderId: anyOf(c, "/document-folders", 3),
    // A document is either a link or an uploaded file.
    link: isLink ? `https://drive.sandbox.example/d/${fileId}` : null,
    fileId: isLink ? null : fileId,
    file: isLink ? null : {
      id: fileId,
      filename: `document-${c.index}.pdf`,
      url: `https://files.sandbox.example/${fileId}`,
    },
    source: null,
    sourceId: null,
    issueDate: c.random() < 0.5 ? date(c.updatedAt - 30 * DAY) : null,
    createdBy: c.ref("/people", 0),
  };
}

function timeAway(c: RowContext): Record<string, unknown> {
  const start = c.updatedAt - Math.floor(c.random() * 60) * DAY;
  const days = 1 + Math.floor(c.random() * 5);
  const approved = c.random() < 0.8;
  const half = days === 1 && c.random() < 0.3 ? pick(c.random, ["am", "pm"]) : "full";
  return {
    personId: ownerId(c),
    timeAwayTypeId: anyOf(c, "/time-away-types", 4),
    type: pick(c.random, ["pto", "sick", "other"]),
    name: null,
    isTimeOff: true,
    startDate: date(start),
    startPeriod: half,
    endDate: date(start + (days - 1) * DAY),
    endPeriod: half,
    note: null,
    breakdown: Array.from({ length: days }, (_, i) => {
      const day = new Date(start + i * DAY).getUTCDay();
      const entry: Record<string, unknown> = { date: date(start + i * DAY), period: half };
      if (day === 0 || day === 6) entry.weekend = true;
      return entry;
    }),
    days: half === "full" ? days : 0.5,
    requestStatus: approved ? "approved" : "pending",
    reviewedBy: approved ? colleagueId(c) : null,
    reviewedAt: approved ? iso(start - DAY) : null,
    reviewNote: approved && c.random() < 0.2 ? "Enjoy!" : null,
    workingFromLocationId: null,
    publicHolidayCalendarId: CALENDARS[c.person % CALENDARS.length],
    workingDays: WEEKDAYS.map((day) => ({ day })),
  };
}

/** The resources written for the sandbox, by API path: rows that relate like a company's. */
const HAND_MADE: Record<string, Resource> = {
  "/companies": {
    shape: { fixed: 1 },
    fields: (c) => ({
      name: "Sandbox Ltd",
      domains: ["sandbox.example"],
      trialEndDate: null,
      status: "active",
      paymentStatus: "ok",
      package: "growth",
      isTimesheetEnabled: true,
      autogenerateEmployeeId: true,
      autogenerateEmployeeIdForNewHires: true,
      nextEmployeeId: c.people + 1,
      requireTimeAwayApprovalFor: ["pto"],
    }),
  },
  "/people": { shape: { perPerson: [1] }, fields: person },
  "/job-roles": { shape: { perPerson: [1, 2, 3] }, fields: jobRole },
  "/documents": { shape: { perPerson: [0, 1, 2, 3] }, fields: document },
  "/document-types": {
    shape: { fixed: 6 },
    fields: (c) => ({
      companyId: companyId(c),
      name: ["Contract", "Passport", "Visa", "Offer letter", "Policy", "Other"][c.index],
    }),
  },
  "/document-folders": {
    shape: { fixed: 3 },
    fields: (c) => ({ companyId: companyId(c), name: ["HR", "Legal", "Payroll"][c.index] }),
  },
  "/locations": {
    shape: { fixed: CITIES.length },
    fields: (c) => ({
      companyId: companyId(c),
      label: `${CITIES[c.index][0]} office`,
      city: CITIES[c.index][0],
      countryCode: CITIES[c.index][1],
      timezone: CITIES[c.index][2],
      publicHolidayCalendarId: CALENDARS[c.index % CALENDARS.length],
    }),
  },
  "/compensation-types": {
    shape: { fixed: 3 },
    fields: (c) => ({
      companyId: companyId(c),
      name: ["Salary", "Bonus", "Commission"][c.index],
      baseType: ["salary", "bonus", "commission"][c.index],
    }),
  },
  "/compensations": {
    shape: { perPerson: [1, 2] },
    fields: (c) => ({
      personId: ownerId(c),
      compensationTypeId: c.ref("/compensation-types", c.nth === 0 ? 0 : 1),
      amount: money(c, 30000, 150000),
      currency: pick(c.random, ["GBP", "EUR", "USD"]),
      period: c.nth === 0 ? "annual" : "one-off",
      note: null,
      effectiveDate: date(c.updatedAt - 60 * DAY),
      endDate: null,
      endReason: null,
    }),
  },
  "/bank-accounts": {
    shape: { perPerson: [1] },
    fields: (c) => ({
      personId: ownerId(c),
      bankName: pick(c.random, ["Monzo", "Barclays", "Santander"]),
      nameOnAccount: "Account holder",
      accountNumber: String(10000000 + (c.person % 90000000)),
      swiftCode: null,
      sortCode: "04-00-04",
      routingNumber: null,
    }),
  },
  "/time-away-types": {
    shape: { fixed: 4 },
    fields: (c) => ({
      companyId: companyId(c),
      name: ["Holiday", "Sick leave", "Parental leave", "Unpaid leave"][c.index],
      isTimeOff: true,
    }),
  },
  "/time-away-policies": {
    shape: { fixed: 2 },
    fields: (c) => ({
      companyId: companyId(c),
      name: ["Standard", "Extended"][c.index],
      timeAwayTypeId: c.ref("/time-away-types", 0),
      allowance: [25, 30][c.index],
    }),
  },
  "/time-away": { shape: { perPerson: [2, 1] }, fields: timeAway },
  "/time-away-allocations": {
    shape: { perPerson: [1] },
    fields: (c) => ({
      personId: ownerId(c),
      timeAwayPolicyId: c.ref("/time-away-policies", 0),
      year: yearOf(c.now),
      amount: 25,
    }),
  },
  "/time-away-adjustments": {
    shape: { perPerson: [1, 0, 0] },
    fields: (c) => ({
      personId: ownerId(c),
      timeAwayTypeId: c.ref("/time-away-types", 0),
      amount: 1,
      date: date(c.updatedAt),
      note: "Carry-over",
    }),
  },
  "/public-holiday-calendars": {
    shape: { fixed: CALENDARS.length },
    untimed: true,
    fields: (c) => ({ id: CALENDARS[c.index], name: `${CALENDARS[c.index]} public holidays` }),
  },
  "/public-holidays": {
    shape: { fixed: 30 },
    fields: (c) => ({
      publicHolidayCalendarId: CALENDARS[c.index % CALENDARS.length],
      name: `Holiday ${c.index + 1}`,
      date: date(Date.UTC(yearOf(c.now), Math.floor(c.index / 3), 1 + (c.index % 27))),
    }),
  },
  "/timesheet-entries": {
    shape: { perPerson: [5] },
    fields: (c) => ({
      personId: ownerId(c),
      date: date(c.updatedAt),
      startTime: "09:00:00",
      endTime: "17:30:00",
      duration: { hours: 8, minutes: 30 },
    }),
  },
  "/timesheet-submissions": {
    shape: { perPerson: [1] },
    fields: (c) => ({
      personId: ownerId(c),
      startDate: date(c.updatedAt - 6 * DAY),
      endDate: date(c.updatedAt),
      status: "approved",
      submittedAt: iso(c.updatedAt - DAY),
      reviewedBy: colleagueId(c),
      reviewedAt: iso(c.updatedAt),
    }),
  },
  "/identity-document-types": {
    shape: { fixed: 3 },
    fields: (c) => ({ name: ["Passport", "National ID", "Driving licence"][c.index] }),
  },
  "/identity-documents": {
    shape: { perPerson: [1, 0] },
    fields: (c) => ({
      personId: ownerId(c),
      identityDocumentTypeId: c.ref("/identity-document-types", 0),
      name: "Passport",
      number: `P${String(c.index).padStart(8, "0")}`,
      issuingCountry: "GB",
      issueDate: date(c.updatedAt - 900 * DAY),
      expiryDate: date(c.updatedAt + 2700 * DAY),
    }),
  },
  "/emergency-contacts": {
    shape: { perPerson: [1] },
    fields: (c) => ({
      personId: ownerId(c),
      name: `${pick(c.random, FIRST_NAMES)} ${pick(c.random, LAST_NAMES)}`,
      relationship: pick(c.random, ["partner", "parent", "sibling"]),
      email: null,
      phoneNumber: "+44 7700 900000",
      isPrimary: true,
    }),
  },
  "/custom-fields": {
    shape: { fixed: SANDBOX_FIELDS.length },
    fields: (c) => definitionFields(SANDBOX_FIELDS[c.index], companyId(c)),
  },
  "/custom-values": {
    shape: { perPerson: VALUES_PER_PERSON },
    fields: (c) => {
      const field = fieldOfValue(c.person, c.nth);
      return {
        personId: ownerId(c),
        customFieldId: c.ref("/custom-fields", field),
        resourceId: ownerId(c),
        value: SANDBOX_FIELDS[field].value(c.random, c.person),
      };
    },
  },
  "/equipment": {
    shape: { perPerson: [1, 0] },
    fields: (c) => {
      const model = Math.floor(c.random() * EQUIPMENT_NAMES.length);
      const { name, type } = EQUIPMENT_NAMES[model];
      return {
        personId: ownerId(c),
        equipmentTypeId: c.ref("/equipment-types", type),
        equipmentNameId: c.ref("/equipment-names", model),
        name,
        type: EQUIPMENT[type][0].toLowerCase(),
        serialNumber: `SN${c.index}`,
        note: null,
        assignedDate: date(c.updatedAt - 100 * DAY),
      };
    },
  },
  "/equipment-types": {
    shape: { fixed: EQUIPMENT.length },
    fields: (c) => ({ companyId: companyId(c), name: EQUIPMENT[c.index][0] }),
  },
  "/equipment-names": {
    shape: { fixed: EQUIPMENT_NAMES.length },
    fields: (c) => ({
      companyId: companyId(c),
      equipmentTypeId: c.ref("/equipment-types", EQUIPMENT_NAMES[c.index].type),
      name: EQUIPMENT_NAMES[c.index].name,
    }),
  },
  "/spaces": {
    shape: { fixed: SPACES.length },
    fields: (c) => ({ companyId: companyId(c), name: SPACES[c.index] }),
  },
  "/working-pattern-allocations": {
    shape: { perPerson: [1] },
    fields: (c) => ({
      personId: ownerId(c),
      workingPatternId: c.ref("/working-patterns", c.person % 5 === 4 ? 1 : 0),
      effectiveDate: date(c.updatedAt - 200 * DAY),
      endDate: null,
    }),
  },
  "/time-away-periods": {
    // One balance a person: the current period of their allocation (row p is person p's).
    shape: { perPerson: [1] },
    untimed: true,
    fields: (c) => {
      const year = yearOf(c.now);
      const used = Math.floor(c.random() * 15);
      return {
        personId: ownerId(c),
        timeAwayPolicyId: c.ref("/time-away-policies", 0),
        timeAwayAllocationId: c.ref("/time-away-allocations", c.person),
        startDate: `${year}-01-01`,
        endDate: `${year}-12-31`,
        isCurrentPeriod: true,
        allowance: 25,
        ptoUsed: used,
        ptoUpcoming: Math.floor(c.random() * 5),
        ptoCarriedOver: c.random() < 0.3 ? 2.5 : 0,
        unit: "days",
      };
    },
  },
  "/working-patterns": {
    shape: { fixed: 2 },
    fields: (c) => ({
      companyId: companyId(c),
      name: ["Full time", "Four days"][c.index],
      days: WEEKDAYS.slice(0, 5 - c.index),
    }),
  },
};

/** How many rows a resource made from a stream's example has. */
const EXAMPLE_ROWS = 3;

/**
 * A resource made from a stream declaration's `example`: {@linkcode EXAMPLE_ROWS} rows with its
 * fields (each its own copy), the row's own id and timestamps. For a new stream, until it gets a
 * hand-made resource: its rows relate to nothing, and they have exactly the fields the stream
 * declares, so they cannot catch a declaration that is wrong.
 */
export function exampleResource(stream: StreamDefinition): Resource {
  const { id: _id, createdAt: _created, updatedAt: _updated, ...fields } = stream.example;
  return {
    shape: { fixed: EXAMPLE_ROWS },
    fields: () => structuredClone(fields),
    ...(stream.incremental ? {} : { untimed: true as const }),
  };
}

/**
 * Every resource the sandbox generates, by API path: the hand-made ones, then one made from the
 * example of each stream the connector declares that has none.
 */
export function resourcesFor(streams: readonly StreamDefinition[]): Record<string, Resource> {
  const resources = { ...HAND_MADE };
  for (const stream of streams) resources[stream.path] ??= exampleResource(stream);
  return resources;
}

/** Every resource the sandbox generates, by API path (see {@linkcode resourcesFor}). */
export const RESOURCES: Record<string, Resource> = resourcesFor(STREAMS);

/**
 * Deterministic, on-demand Humaans data: every row is computed from (seed, resource, index), so
 * a million people cost no more memory than a hundred. Within a resource, `updatedAt` never
 * decreases with the index, so `$sort[updatedAt]=1` is index order and `updatedAt[$gte]` is a
 * binary search.
 *
 * @module
 */

/** A raw API row. */
export type Row = Record<string, unknown>;

/** What generation depends on. */
export interface DataOptions {
  seed: number;
  people: number;
  /** "Now": timestamps spread over the two years before it. */
  now: number;
}

const DAY = 86_400_000;
const SPAN = 730 * DAY;
const ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

function hash(text: string, seed: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x85ebca6b) >>> 0;
  return (h ^ (h >>> 13)) >>> 0;
}

/** A small seeded PRNG (mulberry32): numbers in [0, 1). */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The 24-character id of row `index` of `resource`. */
export function idOf(resource: string, index: number, seed: number): string {
  const random = prng(hash(`${resource}#${index}`, seed));
  let id = "";
  for (let i = 0; i < 24; i++) id += ALPHABET[Math.floor(random() * ALPHABET.length)];
  return id;
}

/** `updatedAt` of row `index` of `count`: non-decreasing in the index, a third in the last 90 days. */
export function updatedAtMs(index: number, count: number, options: DataOptions): number {
  const u = count <= 1 ? 1 : index / (count - 1);
  return Math.floor((options.now - SPAN * (1 - u) ** 2) / 1000) * 1000;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function date(ms: number): string {
  return iso(ms).slice(0, 10);
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

const FIRST = [
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
const LAST = [
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
const TITLES = [
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
const CITIES = [
  ["London", "GB", "Europe/London"],
  ["Madrid", "ES", "Europe/Madrid"],
  ["New York", "US", "America/New_York"],
  ["Berlin", "DE", "Europe/Berlin"],
  ["Lisbon", "PT", "Europe/Lisbon"],
] as const;
const CALENDARS = ["GB", "ES-MD", "US"];

/** How rows relate to people: row counts per person, repeating. */
type Shape = { perPerson: readonly number[] } | { fixed: number };

interface Resource {
  shape: Shape;
  /** Extra fields of row `index` (id, createdAt and updatedAt are added for every resource). */
  fields(context: RowContext): Row;
  /** No createdAt/updatedAt (full refresh only). */
  untimed?: boolean;
}

/** What a row's fields are computed from. */
export interface RowContext {
  index: number;
  /** The person the row belongs to (0-based), for per-person resources. */
  person: number;
  /** The row's number among that person's rows. */
  nth: number;
  random: () => number;
  options: DataOptions;
  updatedAt: number;
  /** The id of row `index` of another resource. */
  ref(resource: string, index: number): string;
}

const fixedRef = (c: RowContext, resource: string, count: number) =>
  c.ref(resource, Math.floor(c.random() * count));
const personRef = (c: RowContext) => c.ref("/people", c.person);
const money = (c: RowContext, low: number, high: number) =>
  String(Math.round((low + c.random() * (high - low)) / 100) * 100);

/** Every resource the sandbox serves, by path. */
export const RESOURCES: Record<string, Resource> = {
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
      nextEmployeeId: c.options.people + 1,
    }),
  },
  "/people": {
    shape: { perPerson: [1] },
    fields: (c) => {
      const first = pick(c.random, FIRST);
      const last = pick(c.random, LAST);
      const city = pick(c.random, CITIES);
      const start = c.updatedAt - Math.floor(c.random() * 1500) * DAY;
      const offboarded = c.random() < 0.08;
      return {
        companyId: c.ref("/companies", 0),
        firstName: first,
        middleName: null,
        lastName: last,
        preferredName: c.random() < 0.2 ? first.slice(0, 3) : null,
        email: `${first}.${last}.${c.person}@sandbox.example`.toLowerCase(),
        personalEmail: null,
        phoneNumber: c.random() < 0.5
          ? `+44 20 7946 ${String(c.person % 10000).padStart(4, "0")}`
          : null,
        birthday: date(
          Date.UTC(
            1965 + Math.floor(c.random() * 35),
            Math.floor(c.random() * 12),
            1 + Math.floor(c.random() * 28),
          ),
        ),
        gender: null,
        nationality: city[1],
        locationId: c.ref("/locations", CITIES.indexOf(city)),
        remoteCity: null,
        remoteRegionCode: null,
        remoteCountryCode: null,
        address: {
          line1: `${1 + (c.person % 200)} High Street`,
          line2: null,
          city: city[0],
          postcode: null,
          countryCode: city[1],
        },
        employmentStartDate: date(start),
        employmentEndDate: offboarded ? date(c.updatedAt) : null,
        probationEndDate: null,
        contractType: pick(c.random, ["full-time", "part-time", "contractor"]),
        employeeId: String(c.person + 1),
        teams: [{ name: pick(c.random, DEPARTMENTS) }],
        status: offboarded ? "offboarded" : c.random() < 0.05 ? "newHire" : "active",
        workingDays: [{ day: "monday" }, { day: "tuesday" }, { day: "wednesday" }, {
          day: "thursday",
        }, { day: "friday" }],
        timezone: city[2],
        isWorkingRemotely: c.random() < 0.3,
        profilePhoto: null,
      };
    },
  },
  "/job-roles": {
    shape: { perPerson: [1, 2, 3] },
    fields: (c) => {
      const effective = c.updatedAt - Math.floor(c.random() * 400 + (2 - c.nth) * 300) * DAY;
      const department = pick(c.random, DEPARTMENTS);
      const ended = c.random() < 0.25;
      return {
        companyId: c.ref("/companies", 0),
        personId: personRef(c),
        jobTitle: pick(c.random, TITLES),
        department: c.index % 7 === 3 ? { name: department } : department,
        reportingTo: c.ref("/people", Math.floor(c.random() * c.options.people)),
        effectiveDate: date(effective),
        endDate: ended ? date(effective + 200 * DAY) : null,
        endReason: ended ? "promotion" : null,
        note: null,
      };
    },
  },
  "/documents": {
    shape: { perPerson: [0, 1, 2, 3] },
    fields: (c) => {
      const isLink = c.random() < 0.3;
      const fileId = c.ref("/files", c.index);
      return {
        companyId: c.ref("/companies", 0),
        personId: personRef(c),
        name: pick(c.random, ["Employment contract", "Passport scan", "Offer letter", "NDA"]),
        documentTypeId: fixedRef(c, "/document-types", 6),
        folderId: fixedRef(c, "/document-folders", 3),
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
    },
  },
  "/document-types": {
    shape: { fixed: 6 },
    fields: (c) => ({
      companyId: c.ref("/companies", 0),
      name: ["Contract", "Passport", "Visa", "Offer letter", "Policy", "Other"][c.index],
    }),
  },
  "/document-folders": {
    shape: { fixed: 3 },
    fields: (c) => ({
      companyId: c.ref("/companies", 0),
      name: ["HR", "Legal", "Payroll"][c.index],
    }),
  },
  "/locations": {
    shape: { fixed: CITIES.length },
    fields: (c) => ({
      companyId: c.ref("/companies", 0),
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
      companyId: c.ref("/companies", 0),
      name: ["Salary", "Bonus", "Commission"][c.index],
      baseType: ["salary", "bonus", "commission"][c.index],
    }),
  },
  "/compensations": {
    shape: { perPerson: [1, 2] },
    fields: (c) => ({
      personId: personRef(c),
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
      personId: personRef(c),
      bankName: pick(c.random, ["Monzo", "Barclays", "Santander"]),
      nameOnAccount: "Account holder",
      accountNumber: String(10000000 + c.person),
      swiftCode: null,
      sortCode: "04-00-04",
      routingNumber: null,
    }),
  },
  "/time-away-types": {
    shape: { fixed: 4 },
    fields: (c) => ({
      companyId: c.ref("/companies", 0),
      name: ["Holiday", "Sick leave", "Parental leave", "Unpaid leave"][c.index],
      isTimeOff: true,
    }),
  },
  "/time-away-policies": {
    shape: { fixed: 2 },
    fields: (c) => ({
      companyId: c.ref("/companies", 0),
      name: ["Standard", "Extended"][c.index],
      timeAwayTypeId: c.ref("/time-away-types", 0),
      allowance: [25, 30][c.index],
    }),
  },
  "/time-away": {
    shape: { perPerson: [2, 1] },
    fields: (c) => {
      const start = c.updatedAt - Math.floor(c.random() * 60) * DAY;
      const days = 1 + Math.floor(c.random() * 5);
      return {
        personId: personRef(c),
        timeAwayTypeId: fixedRef(c, "/time-away-types", 4),
        name: null,
        isTimeOff: true,
        startDate: date(start),
        startPeriod: "full",
        endDate: date(start + (days - 1) * DAY),
        endPeriod: "full",
        note: null,
        breakdown: [{ date: date(start), period: "full" }],
        days,
        requestStatus: pick(c.random, ["approved", "pending"]),
        reviewedBy: c.ref("/people", 0),
        reviewedAt: iso(start),
      };
    },
  },
  "/time-away-allocations": {
    shape: { perPerson: [1] },
    fields: (c) => ({
      personId: personRef(c),
      timeAwayPolicyId: c.ref("/time-away-policies", 0),
      year: 2026,
      amount: 25,
    }),
  },
  "/time-away-adjustments": {
    shape: { perPerson: [1, 0, 0] },
    fields: (c) => ({
      personId: personRef(c),
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
      publicHolidayCalendarId: CALENDARS[c.index % 3],
      name: `Holiday ${c.index + 1}`,
      date: date(Date.UTC(2026, Math.floor(c.index / 3), 1 + (c.index % 27))),
    }),
  },
  "/timesheet-entries": {
    shape: { perPerson: [5] },
    fields: (c) => ({
      personId: personRef(c),
      date: date(c.updatedAt),
      startTime: "09:00:00",
      endTime: "17:30:00",
      duration: { hours: 8, minutes: 30 },
    }),
  },
  "/timesheet-submissions": {
    shape: { perPerson: [1] },
    fields: (c) => ({
      personId: personRef(c),
      startDate: date(c.updatedAt - 6 * DAY),
      endDate: date(c.updatedAt),
      status: "approved",
      submittedAt: iso(c.updatedAt),
      reviewedBy: c.ref("/people", 0),
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
      personId: personRef(c),
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
      personId: personRef(c),
      name: pick(c.random, FIRST) + " " + pick(c.random, LAST),
      relationship: pick(c.random, ["partner", "parent", "sibling"]),
      email: null,
      phoneNumber: "+44 7700 900000",
      isPrimary: true,
    }),
  },
  "/custom-fields": {
    shape: { fixed: 4 },
    fields: (c) => ({
      companyId: c.ref("/companies", 0),
      name: ["T-shirt size", "Laptop", "Dietary needs", "Start bonus"][c.index],
      section: "personal",
      type: ["select", "text", "text", "number"][c.index],
      config: { options: c.index === 0 ? ["S", "M", "L"] : [] },
    }),
  },
  "/custom-values": {
    shape: { perPerson: [1, 2] },
    fields: (c) => ({
      personId: personRef(c),
      customFieldId: c.ref("/custom-fields", c.nth),
      resourceId: personRef(c),
      value: c.nth === 0 ? pick(c.random, ["S", "M", "L"]) : "MacBook Pro",
    }),
  },
  "/equipment": {
    shape: { perPerson: [1, 0] },
    fields: (c) => ({
      personId: personRef(c),
      name: "Laptop",
      type: "laptop",
      serialNumber: `SN${c.index}`,
      note: null,
      assignedDate: date(c.updatedAt - 100 * DAY),
    }),
  },
  "/working-patterns": {
    shape: { fixed: 2 },
    fields: (c) => ({
      companyId: c.ref("/companies", 0),
      name: ["Full time", "Four days"][c.index],
      days: ["monday", "tuesday", "wednesday", "thursday", "friday"].slice(0, 5 - c.index),
    }),
  },
};

function cycleOf(shape: Shape): { cycle: readonly number[]; perCycle: number } | undefined {
  if (!("perPerson" in shape)) return undefined;
  return { cycle: shape.perPerson, perCycle: shape.perPerson.reduce((a, b) => a + b, 0) };
}

/** How many rows a resource has. */
export function rowCount(path: string, options: DataOptions): number {
  const resource = RESOURCES[path];
  if (!resource) return 0;
  const shape = cycleOf(resource.shape);
  if (!shape) return (resource.shape as { fixed: number }).fixed;
  const full = Math.floor(options.people / shape.cycle.length);
  const rest = shape.cycle.slice(0, options.people % shape.cycle.length).reduce((a, b) => a + b, 0);
  return full * shape.perCycle + rest;
}

function personOf(
  shape: { cycle: readonly number[]; perCycle: number },
  index: number,
): [number, number] {
  const cycles = Math.floor(index / shape.perCycle);
  let within = index % shape.perCycle;
  for (let i = 0; i < shape.cycle.length; i++) {
    if (within < shape.cycle[i]) return [cycles * shape.cycle.length + i, within];
    within -= shape.cycle[i];
  }
  throw new Error("unreachable");
}

/** Row `index` of `path` (its base version, before any churn). */
export function rowAt(path: string, index: number, options: DataOptions): Row {
  const resource = RESOURCES[path];
  const count = rowCount(path, options);
  const shape = cycleOf(resource.shape);
  const [person, nth] = shape ? personOf(shape, index) : [0, index];
  const updatedAt = updatedAtMs(index, count, options);
  const random = prng(hash(`${path}@${index}`, options.seed));
  const context: RowContext = {
    index,
    person,
    nth,
    random,
    options,
    updatedAt,
    ref: (other, i) => idOf(other, i, options.seed),
  };
  const fields = resource.fields(context);
  if (resource.untimed) return { id: idOf(path, index, options.seed), ...fields };
  const createdAt = updatedAt - Math.floor(random() * 200) * DAY;
  return {
    id: idOf(path, index, options.seed),
    ...fields,
    createdAt: iso(createdAt),
    updatedAt: iso(updatedAt),
  };
}

/** Whether rows of `path` carry `updatedAt`. */
export function isTimed(path: string): boolean {
  return RESOURCES[path] !== undefined && !RESOURCES[path].untimed;
}

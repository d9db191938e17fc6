/**
 * The classes of sensitive data, and the class of a Humaans custom field's section.
 *
 * @module
 */

/**
 * A class of sensitive data: `bank` (account numbers, sort codes, IBAN, routing and SWIFT codes,
 * name on account), `government_id` (tax ids, identity document numbers), `compensation` (pay),
 * `personal` (birthday, personal contact details, home address, nationality, gender, emergency
 * contacts), `health`.
 */
export type SensitiveClass = "bank" | "government_id" | "compensation" | "personal" | "health";

/** Every class, in the order settings and tables list them. */
export const SENSITIVE_CLASSES: readonly SensitiveClass[] = [
  "bank",
  "government_id",
  "compensation",
  "personal",
  "health",
];

/** What each class holds, for the README and the column descriptions. */
export const CLASS_MEANING: Record<SensitiveClass, string> = {
  bank: "bank account numbers, sort codes, IBAN, routing and SWIFT codes, name on account",
  government_id: "tax ids, national insurance numbers, identity document numbers",
  compensation: "pay amounts and notes",
  personal:
    "birthday, personal email and phone, home address, nationality, gender, emergency contacts",
  health: "health details, food allergies, notes on absences",
};

/** A section's words, lowercased, without punctuation: "Profile > Banking" -> "profile banking". */
function words(section: string): string {
  return section.toLowerCase().replace(/[^a-z0-9]+/g, " ").trim();
}

/**
 * What a section's words say of its class, tried in order: the first rule a section matches
 * decides. So "Employment > Compensation" is `compensation` though "employment" alone is not
 * sensitive, and "Work permit" is `government_id` though "work" alone is not.
 */
const SECTION_RULES: [RegExp, SensitiveClass][] = [
  [/\b(banks?|banking|iban|payouts?|payment details?)\b/, "bank"],
  [/\b(health|medical|medicine|allerg\w*|disabilit\w*|wellbeing|sick\w*)\b/, "health"],
  [
    /\b(compensations?|salary|salaries|pay|payroll|payslips?|wages?|remuneration|pensions?|bonus\w*|equity|stock|shares|commissions?|benefits?)\b/,
    "compensation",
  ],
  [
    /\b(identity|identities|identification|passports?|tax\w*|government|national (id|insurance)|social (security|insurance)|ni|nino|visas?|permits?|right to work|immigration|licen[cs]es?|driver|driving|ssn)\b/,
    "government_id",
  ],
  [/\b(emergency|personal|address|family|dependants?|dependents?|contacts?)\b/, "personal"],
];

/** The words of the sections known to hold nothing sensitive. */
const CLEAR_WORDS = new Set([
  "basic",
  "basics",
  "equipment",
  "social",
  "details",
  "role",
  "roles",
  "offboarding",
  "job",
  "work",
  "working",
]);

/** Words that only say where a section is ("Profile > Basics", "Employment > Details"). */
const PLACE_WORDS = new Set(["profile", "employment"]);

/**
 * Whether a section holds nothing sensitive: each of its words is one of those sections' or a
 * place ("Employment > Details"), and one at least is theirs ("Profile" alone is not known).
 */
function isClear(text: string): boolean {
  const list = text.split(" ");
  return list.some((word) => CLEAR_WORDS.has(word)) &&
    list.every((word) => CLEAR_WORDS.has(word) || PLACE_WORDS.has(word));
}

/**
 * The class of a custom field's section, matched loosely (Humaans does not publish its section
 * strings): "Profile > Banking" is `bank`, "Profile > Health" `health`, "Employment >
 * Compensation > ..." `compensation`; the sections known to hold nothing sensitive ("Profile >
 * Basics", "Equipment", "Social", "Employment > Details", "Role", "Offboarding": every word one of
 * theirs) are null; any other section, or none, is `personal`, so that an unknown section is never
 * sent in clear when `personal` is hashed or dropped.
 */
export function classOfSection(section: unknown): SensitiveClass | null {
  if (typeof section !== "string") return "personal";
  const text = words(section);
  if (text === "") return "personal";
  for (const [pattern, cls] of SECTION_RULES) if (pattern.test(text)) return cls;
  return isClear(text) ? null : "personal";
}

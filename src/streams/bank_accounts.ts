import { z } from "zod";
import { col, sensitive } from "./fields.ts";
import { defineStream, sharedEvidence, type StreamDefinition } from "./define.ts";

/** The `bank_accounts` stream: its `description` says what it holds. */
export const bankAccounts: StreamDefinition = defineStream({
  name: "bank_accounts",
  description: "People's bank details for payroll: bank, account holder and account numbers.",
  scopes: ["private:read"],
  evidence: sharedEvidence("docs_elixir"),
  sensitive: true,
  record: z.object({
    person_id: col.string(),
    bank_name: col.string(),
    name_on_account: sensitive(col.string(), "bank"),
    account_number: sensitive(col.string(), "bank"),
    swift_code: sensitive(col.string(), "bank"),
    sort_code: sensitive(col.string(), "bank"),
    routing_number: sensitive(col.string(), "bank"),
  }),
  example: {
    id: "Ba1Nk2Ac3Co4Un5Ts6Ab7Cd8",
    personId: "Pe6Hs2Jd9Kf4Lg1Zx7Cv3Bn8",
    bankName: "Monzo",
    nameOnAccount: "Ada Lovelace",
    accountNumber: "01234567",
    swiftCode: "MONZGB2L",
    sortCode: "04-00-04",
    routingNumber: "021000021",
    createdAt: "2022-03-01T09:00:00.000Z",
    updatedAt: "2024-08-19T14:30:00.000Z",
  },
});

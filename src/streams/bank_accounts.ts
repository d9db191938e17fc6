import { z } from "zod";
import { col } from "./fields.ts";
import { defineStream } from "./define.ts";

/** A `bank_accounts` record. */
export const BankAccountRecord = z.object({
  id: col.id(),
  person_id: col.string(),
  bank_name: col.string(),
  name_on_account: col.string(),
  account_number: col.string(),
  swift_code: col.string(),
  sort_code: col.string(),
  routing_number: col.string(),
  created_at: col.timestamp(),
  updated_at: col.timestamp(),
  timestamp: col.timestamp(),
});

/** A `bank_accounts` record. */
export type BankAccountRecord = z.infer<typeof BankAccountRecord>;

/** People's bank details for payroll (needs private:read). */
export const bankAccounts = defineStream({
  name: "bank_accounts",
  path: "/bank-accounts",
  description: "People's bank details for payroll: bank, account holder and account numbers.",
  scopes: ["private:read"],
  incremental: true,
  evidence: {
    path: "confirmed",
    fields: "confirmed",
    source: "API docs, the Elixir SDK that copies their examples",
  },
  sensitive: true,
  record: BankAccountRecord,
});

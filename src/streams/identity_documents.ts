import { z } from "zod";
import { col, sensitive } from "./fields.ts";
import { defineStream, sharedEvidence, type StreamDefinition } from "./define.ts";

/** The `identity_documents` stream: its `description` says what it holds. */
export const identityDocuments: StreamDefinition = defineStream({
  name: "identity_documents",
  description: "Passports, ID cards and visas: number, issuing country, issue and expiry dates.",
  scopes: ["documents:read"],
  evidence: sharedEvidence("one_sdk"),
  sensitive: true,
  // An `identity_documents` record: the scan, if any, is `file` flattened like a document's.
  record: z.object({
    person_id: col.string(),
    identity_document_type_id: col.string(),
    name: col.string(),
    number: sensitive(col.string(), "government_id"),
    issuing_country: col.string(),
    issue_date: col.date(),
    expiry_date: col.date(),
    file_id: col.string(),
    file_filename: col.string(), // guess: the shape of a document's file
    file_url: sensitive(col.string(), "government_id"), // guess: the shape of a document's file
  }),
  example: {
    id: "Id1Do2Cu3Me4Nt5Ab6Cd7Ef8",
    personId: "Pe6Hs2Jd9Kf4Lg1Zx7Cv3Bn8",
    identityDocumentTypeId: "It1Yp2Ea3Bc4De5Fg6Hi7Jk8",
    name: "Passport",
    number: "925076473",
    issuingCountry: "GB",
    issueDate: "2019-05-02",
    expiryDate: "2029-05-02",
    fileId: "Fh2Kq8Wm5Xn1Yb7Zc3Vd9Le4",
    file: {
      id: "Fh2Kq8Wm5Xn1Yb7Zc3Vd9Le4",
      filename: "passport.pdf",
      url: "https://files.example/passport.pdf",
    },
    createdAt: "2022-03-01T09:00:00.000Z",
    updatedAt: "2022-03-01T09:00:00.000Z",
  },
});

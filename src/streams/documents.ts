import { z } from "zod";
import { col, SEED_COLUMN } from "./fields.ts";
import {
  defineStream,
  type MapContext,
  type RawObject,
  sharedEvidence,
  type StreamDefinition,
} from "./define.ts";

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** Seed columns of a document: `url` from `link` or `file.url`, `filename` and `type` from the API. */
export function deriveDocument(raw: RawObject, _context: MapContext): RawObject {
  const file = raw.file && typeof raw.file === "object" ? raw.file as RawObject : {};
  return {
    url: text(raw.link) ?? text(file.url) ?? null,
    filename: text(file.filename) ?? null,
    type: raw.documentTypeId ?? null,
  };
}

/** The `documents` stream: its `description` says what it holds. */
export const documents: StreamDefinition = defineStream({
  name: "documents",
  description: "Employee documents: a link or an uploaded file, with its type and folder.",
  scopes: ["documents:read"],
  evidence: sharedEvidence("one_sdk"),
  sensitive: true,
  // A `documents` record: the seed's columns, then the API's.
  record: z.object({
    person_id: col.string(),
    name: col.string(),
    description: col.string(SEED_COLUMN),
    type: col.string(),
    filename: col.string(),
    file_size: col.integer(SEED_COLUMN),
    mime_type: col.string(SEED_COLUMN),
    url: col.string(),
    expiry_date: col.date(SEED_COLUMN),
    tags: col.json(SEED_COLUMN),
    created_at: col.timestamp(),
    updated_at: col.timestamp(),
    timestamp: col.timestamp(),
    company_id: col.string(),
    document_type_id: col.string(),
    folder_id: col.string(),
    link: col.string(),
    file_id: col.string(),
    file_filename: col.string(),
    file_url: col.string(),
    source: col.string(),
    source_id: col.string(),
    issue_date: col.date(),
    created_by: col.string(),
  }),
  example: {
    id: "Dk4Rt7Yp1Lm9Qz2Xc5Vb8Nw3",
    companyId: "Tq3mZ8kLp2Vx9Rb4Nc7Wd1Ye",
    personId: "Pe6Hs2Jd9Kf4Lg1Zx7Cv3Bn8",
    name: "Offer letter",
    documentTypeId: "Ty1Ab2Cd3Ef4Gh5Ij6Kl7Mn8",
    folderId: "Fo9Pq8Rs7Tu6Vw5Xy4Za3Bc2",
    link: null,
    fileId: "Fh2Kq8Wm5Xn1Yb7Zc3Vd9Le4",
    file: {
      id: "Fh2Kq8Wm5Xn1Yb7Zc3Vd9Le4",
      filename: "offer-letter.pdf",
      url: "https://files.example/offer-letter.pdf",
    },
    source: "upload",
    sourceId: "upload-7781",
    issueDate: "2025-06-30",
    createdBy: "Pe0Ad1Mi2Nb3Cd4Ef5Gh6Ij7",
    createdAt: "2025-07-01T08:30:00.000Z",
    updatedAt: "2026-01-15T10:45:12.120Z",
  },
  derive: deriveDocument,
});

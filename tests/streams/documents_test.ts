import assert from "node:assert/strict";
import type { MapContext, RawObject } from "../../src/streams/define.ts";
import { deriveDocument, documents } from "../../src/streams/documents.ts";

const CONTEXT: MapContext = { syncedAt: "2026-11-28T12:00:00.000Z", today: "2026-11-28" };

/** The columns the seed's README lists for DOCUMENTS. */
const SEED_COLUMNS = [
  "id",
  "person_id",
  "name",
  "description",
  "type",
  "filename",
  "file_size",
  "mime_type",
  "url",
  "expiry_date",
  "tags",
  "created_at",
  "updated_at",
  "timestamp",
];

const FILE_URL = "https://files.example/documents/Fh2Kq8/offer-letter.pdf";

/** An uploaded-file document as GET /documents returns it. */
function fileDocument(overrides: RawObject = {}): RawObject {
  // The declaration's example, with a file URL and no source id of its own.
  const file = { ...(documents.example.file as RawObject), url: FILE_URL };
  return { ...documents.example, file, sourceId: null, ...overrides };
}

/** A link document (no uploaded file). */
function linkDocument(overrides: RawObject = {}): RawObject {
  return fileDocument({
    id: "Dl5Ks8Zq2Mn0Rw3Yx6Cb9Vt4",
    name: "Handbook",
    link: "https://wiki.example/handbook",
    fileId: null,
    file: null,
    source: null,
    ...overrides,
  });
}

const FILE_RECORD = {
  id: "Dk4Rt7Yp1Lm9Qz2Xc5Vb8Nw3",
  person_id: "Pe6Hs2Jd9Kf4Lg1Zx7Cv3Bn8",
  name: "Offer letter",
  description: null,
  type: "Ty1Ab2Cd3Ef4Gh5Ij6Kl7Mn8",
  filename: "offer-letter.pdf",
  file_size: null,
  mime_type: null,
  url: FILE_URL,
  expiry_date: null,
  tags: null,
  created_at: "2025-07-01T08:30:00.000Z",
  updated_at: "2026-01-15T10:45:12.120Z",
  timestamp: "2026-11-28T12:00:00.000Z",
  _ab_cdc_deleted_at: null,
  company_id: "Tq3mZ8kLp2Vx9Rb4Nc7Wd1Ye",
  document_type_id: "Ty1Ab2Cd3Ef4Gh5Ij6Kl7Mn8",
  folder_id: "Fo9Pq8Rs7Tu6Vw5Xy4Za3Bc2",
  link: null,
  file_id: "Fh2Kq8Wm5Xn1Yb7Zc3Vd9Le4",
  file_filename: "offer-letter.pdf",
  file_url: FILE_URL,
  source: "upload",
  source_id: null,
  issue_date: "2025-06-30",
  created_by: "Pe0Ad1Mi2Nb3Cd4Ef5Gh6Ij7",
  additional_fields: null,
};

const LINK_RECORD = {
  ...FILE_RECORD,
  id: "Dl5Ks8Zq2Mn0Rw3Yx6Cb9Vt4",
  name: "Handbook",
  filename: null,
  url: "https://wiki.example/handbook",
  link: "https://wiki.example/handbook",
  file_id: null,
  file_filename: null,
  file_url: null,
  source: null,
  additional_fields: null,
};

function checkShape(record: Record<string, unknown>, raw: RawObject): void {
  assert.deepEqual(Object.keys(record), Object.keys(documents.record.shape), "exactly the columns");
  const json = (value: unknown) => JSON.parse(JSON.stringify(value));
  assert.deepEqual(json(documents.record.parse(record)), json(record), "validates");
  for (const column of SEED_COLUMNS) assert.ok(column in record, `seed column ${column}`);
  const sentEmpty = new Set(Object.entries(raw).filter(([, v]) => v === "").map(([k]) => k));
  for (const [key, value] of Object.entries(record)) {
    if (!sentEmpty.has(key)) assert.notEqual(value, "", `${key} is "" (missing must be null)`);
    assert.notEqual(value, undefined, `${key} is undefined`);
  }
}

Deno.test("documents: declaration", () => {
  assert.equal(documents.name, "documents");
  assert.equal(documents.path, "/documents");
  assert.equal(documents.incremental, true);
  assert.equal(documents.sensitive, true);
  assert.deepEqual(documents.scopes, ["documents:read"]);
  for (const column of SEED_COLUMNS) assert.ok(documents.columns.has(column), column);
});

Deno.test("documents: mapping table", async (t) => {
  const rows: [string, RawObject, Record<string, unknown>][] = [
    ["an uploaded file: url and filename from file", fileDocument(), FILE_RECORD],
    ["a link: url from link, no filename", linkDocument(), LINK_RECORD],
    [
      "both link and file: link wins for url, filename still from file",
      fileDocument({ link: "https://wiki.example/offer" }),
      { ...FILE_RECORD, url: "https://wiki.example/offer", link: "https://wiki.example/offer" },
    ],
    [
      "an empty link falls back to file.url",
      fileDocument({ link: "" }),
      { ...FILE_RECORD, link: "" },
    ],
    [
      "a file without url or filename (private upload)",
      fileDocument({ file: { id: "Fh2Kq8Wm5Xn1Yb7Zc3Vd9Le4" } }),
      { ...FILE_RECORD, url: null, filename: null, file_filename: null, file_url: null },
    ],
    [
      "neither link nor file",
      fileDocument({ link: null, file: null, fileId: null }),
      {
        ...FILE_RECORD,
        url: null,
        filename: null,
        file_id: null,
        file_filename: null,
        file_url: null,
      },
    ],
    [
      "no document type",
      fileDocument({ documentTypeId: null }),
      { ...FILE_RECORD, type: null, document_type_id: null },
    ],
    [
      "a minimal document: only id and timestamps",
      { id: "Dm1", createdAt: "2025-07-01T08:30:00Z", updatedAt: "2026-01-15T11:45:12.120+01:00" },
      {
        ...Object.fromEntries(Object.keys(FILE_RECORD).map((key) => [key, null])),
        id: "Dm1",
        created_at: "2025-07-01T08:30:00.000Z",
        updated_at: "2026-01-15T10:45:12.120Z",
        timestamp: CONTEXT.syncedAt,
      },
    ],
    [
      "a file size, if the API ever sends one, fills the seed's file_size; other fields are kept",
      fileDocument({
        file: {
          id: "Fh2Kq8Wm5Xn1Yb7Zc3Vd9Le4",
          filename: "offer-letter.pdf",
          url: FILE_URL,
          size: 48213,
          contentType: "application/pdf",
        },
        tagsV2: ["hr"],
        visibility: { owner: true, managers: false },
      }),
      {
        ...FILE_RECORD,
        file_size: 48213,
        additional_fields: {
          file: { contentType: "application/pdf" },
          tagsV2: ["hr"],
          visibility: { owner: true, managers: false },
        },
      },
    ],
  ];
  for (const [name, raw, expected] of rows) {
    await t.step(name, () => {
      const { record } = documents.map(raw, CONTEXT);
      assert.deepEqual(JSON.parse(JSON.stringify(record)), expected);
      checkShape(record, raw);
    });
  }
});

Deno.test("deriveDocument: the seed columns alone", async (t) => {
  const rows: [string, RawObject, RawObject][] = [
    ["file", fileDocument(), {
      url: FILE_URL,
      filename: "offer-letter.pdf",
      type: "Ty1Ab2Cd3Ef4Gh5Ij6Kl7Mn8",
    }],
    ["link", linkDocument(), {
      url: "https://wiki.example/handbook",
      filename: null,
      type: "Ty1Ab2Cd3Ef4Gh5Ij6Kl7Mn8",
    }],
    ["file is not an object", fileDocument({ file: "oops", link: null }), {
      url: null,
      filename: null,
      type: "Ty1Ab2Cd3Ef4Gh5Ij6Kl7Mn8",
    }],
    ["link is not a string", fileDocument({ link: 42 }), {
      url: FILE_URL,
      filename: "offer-letter.pdf",
      type: "Ty1Ab2Cd3Ef4Gh5Ij6Kl7Mn8",
    }],
    ["nothing", {}, { url: null, filename: null, type: null }],
  ];
  for (const [name, raw, expected] of rows) {
    await t.step(name, () => assert.deepEqual(deriveDocument(raw, CONTEXT), expected));
  }
});

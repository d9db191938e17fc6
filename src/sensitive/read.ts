/**
 * What `read` does for the sensitive-data policy: each selected stream wrapped by
 * `protectStream`, the custom fields' sections read when `custom_values` needs them, and the
 * WARN and INFO lines.
 *
 * @module
 */
import type { Config } from "../config.ts";
import { toConnectorError } from "../errors.ts";
import type { HumaansClient } from "../http/client.ts";
import { scanPages } from "../http/paginate.ts";
import type { MessageWriter } from "../protocol/writer.ts";
import { DEFINITIONS_PATH } from "../streams/people_custom_fields.ts";
import { rowId } from "../streams/row.ts";
import type { SelectedStream } from "../sync/catalog.ts";
import { policyOf } from "./policy.ts";
import { CUSTOM_VALUES, type ProtectedStream, protectStream, sectionProtection } from "./stream.ts";

/**
 * Every custom field's section, by field id: the one place the policy reads a list. Undefined,
 * with a WARN, when the list cannot be read: every value is then of an unknown class.
 */
export async function customFieldSections(
  client: HumaansClient,
  options: { pageSize: number; writer: MessageWriter; signal?: AbortSignal },
): Promise<Map<string, unknown> | undefined> {
  const sections = new Map<string, unknown>();
  try {
    const pages = scanPages(client, DEFINITIONS_PATH, {
      pageSize: options.pageSize,
      signal: options.signal,
    });
    for await (const page of pages) {
      for (const row of page.data) {
        const id = rowId(row);
        if (id !== undefined) sections.set(id, (row as Record<string, unknown>).section);
      }
    }
    return sections;
  } catch (error) {
    await options.writer.log(
      "WARN",
      `Stream "${CUSTOM_VALUES.stream}": could not read ${DEFINITIONS_PATH} for the fields' sections (${
        toConnectorError(error).message
      }): every value is treated as sensitive data of an unknown class, and hashed or dropped`,
    );
    return undefined;
  }
}

/** The columns of a stream's schema in the configured catalog (its `properties`), if it has any. */
export function propertiesOf(jsonSchema: unknown): Record<string, unknown> | undefined {
  const properties = (jsonSchema as { properties?: unknown } | null | undefined)?.properties;
  return properties !== null && typeof properties === "object" && !Array.isArray(properties)
    ? properties as Record<string, unknown>
    : undefined;
}

/** The selected streams as the policy reads them, and the INFO lines to log at the end. */
export interface SensitiveReading {
  /** The selected streams, each wrapped when the policy touches it. */
  selected: SelectedStream[];
  /** INFO lines, one per stream that left API fields out (call after the streams are read). */
  reports(): string[];
  /**
   * For a stream that builds its columns at run time from custom fields (`people_custom_fields`):
   * the transforms of its schema and rows, or undefined when the policy is `keep`.
   */
  sectionsOf(entry: SelectedStream): ReturnType<typeof sectionProtection> | undefined;
}

/**
 * Wraps each selected stream in the policy of `config` (none for `keep`: the streams as they
 * are), logging a WARN for each stale catalog entry. `client` is called only to read the custom
 * fields' sections, when `custom_values` is selected.
 */
export async function sensitiveReading(
  selected: SelectedStream[],
  options: { config: Config; client: () => HumaansClient; writer: MessageWriter },
): Promise<SensitiveReading> {
  const policy = await policyOf(options.config);
  if (!policy) return { selected, reports: () => [], sectionsOf: () => undefined };
  const wrapped: ProtectedStream[] = [];
  const out: SelectedStream[] = [];
  for (const entry of selected) {
    const sections = entry.stream.name === CUSTOM_VALUES.stream
      ? await customFieldSections(options.client(), {
        pageSize: options.config.max_records_per_page,
        writer: options.writer,
      })
      : undefined;
    const guarded = protectStream(entry.stream, {
      policy,
      selected: propertiesOf(entry.jsonSchema),
      sections,
    });
    for (const warning of guarded.warnings) await options.writer.log("WARN", warning);
    wrapped.push(guarded);
    out.push({ ...entry, stream: guarded.stream });
  }
  return {
    selected: out,
    reports: () => wrapped.map((w) => w.report()).filter((line) => line !== undefined),
    sectionsOf: (entry) => sectionProtection(policy, { selected: propertiesOf(entry.jsonSchema) }),
  };
}

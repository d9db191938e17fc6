/**
 * Tables of the README generated from the code: settings (from the config schema) and streams
 * (from the stream registry), in the README and `docs/humaans.md`. `deno task readme` rewrites
 * them in place; `tests/readme_test.ts`
 * fails when the README drifts.
 *
 * @module
 */
import { connectionSpecification, settingSpecs } from "../../src/config.ts";
import { CLASS_MEANING, SENSITIVE_CLASSES } from "../../src/sensitive/classes.ts";
import { CUSTOM_VALUES } from "../../src/sensitive/stream.ts";
import { columnClasses } from "../../src/streams/fields.ts";
import { type StreamDefinition, STREAMS } from "../../src/streams/mod.ts";

/** The Markdown table of settings. */
export function settingsTable(): string {
  const rows = [
    "| key | type | default | allowed | what it does |",
    "| --- | --- | --- | --- | --- |",
  ];
  const required = new Set(connectionSpecification().required as string[]);
  for (const [key, spec] of settingSpecs()) {
    const allowed = spec.type === "integer"
      ? `${spec.minimum} to ${spec.maximum}`
      : spec.type === "boolean"
      ? "true/false, yes/no, on/off, 1/0"
      : spec.enum
      ? spec.enum.map((word) => `\`${word}\``).join(", ")
      : spec.items
      ? `a list of ${spec.items.enum.map((word) => `\`${word}\``).join(", ")}`
      : spec.airbyte_secret
      ? required.has(key) ? "required, secret" : "secret"
      : "https URL (http on loopback)";
    const fallback = spec.default !== undefined
      ? `\`${[spec.default].flat().join(", ")}\``
      : required.has(key)
      ? "(required)"
      : "(unset)";
    rows.push(`| \`${key}\` | ${spec.type} | ${fallback} | ${allowed} | ${spec.description} |`);
  }
  return rows.join("\n");
}

/** The Markdown table of streams. */
export function streamsTable(): string {
  const rows = [
    "| stream | API path | sync modes | first sync | scope (any of) | sensitive | what it holds | evidence |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const stream of STREAMS) {
    const modes = stream.incremental ? "full_refresh, incremental" : "full_refresh";
    const { path, fields, source } = stream.evidence;
    const first = stream.initialWindow ? "`initial_sync_days` if set" : "all history";
    rows.push(
      `| \`${stream.name}\` | \`${stream.path}\` | ${modes} | ${first} | ${
        stream.scopes.map((s) => `\`${s}\``).join(", ")
      } | ${
        sensitiveCell(stream)
      } | ${stream.description} | path ${path}, fields ${fields} (${source}) |`,
    );
  }
  return rows.join("\n");
}

/**
 * The streams table's "sensitive" cell: `yes` for a stream of personal or financial data, with
 * the classes of its columns; `custom_values` takes its value's class from the field's section.
 */
export function sensitiveCell(stream: StreamDefinition): string {
  if (stream.name === CUSTOM_VALUES.stream) return "by the field's section";
  const classes = new Set(columnClasses(stream.record).values());
  const listed = SENSITIVE_CLASSES.filter((cls) => classes.has(cls)).join(", ");
  if (!stream.sensitive) return listed;
  return listed ? `yes: ${listed}` : "yes";
}

/** The Markdown table of the columns that hold sensitive data, with their class. */
export function sensitiveTable(): string {
  const rows = ["| stream | column | class |", "| --- | --- | --- |"];
  for (const stream of STREAMS) {
    for (const [column, cls] of columnClasses(stream.record)) {
      rows.push(`| \`${stream.name}\` | \`${column}\` | \`${cls}\` |`);
    }
  }
  for (const column of CUSTOM_VALUES.columns) {
    rows.push(
      `| \`${CUSTOM_VALUES.stream}\` | \`${column}\` | its custom field's section (see below) |`,
    );
  }
  return rows.join("\n");
}

/** The Markdown table of the classes and what each holds. */
export function classesTable(): string {
  const rows = ["| class | what it holds |", "| --- | --- |"];
  for (const cls of SENSITIVE_CLASSES) rows.push(`| \`${cls}\` | ${CLASS_MEANING[cls]} |`);
  return rows.join("\n");
}

/** Every generated table, by its marker name. */
export function readmeTables(): Map<string, string> {
  return new Map([
    ["settings", settingsTable()],
    ["streams", streamsTable()],
    ["sensitive-classes", classesTable()],
    ["sensitive-columns", sensitiveTable()],
  ]);
}

/** `text` with each marked table replaced by its generated content. */
export function withTables(text: string): string {
  let out = text;
  for (const [name, table] of readmeTables()) {
    const pattern = new RegExp(`(<!-- ${name}:start -->\\n)[\\s\\S]*?(<!-- ${name}:end -->)`);
    out = out.replace(pattern, (_, start, end) => `${start}${table}\n${end}`);
  }
  return out;
}

/** The files holding generated tables: the README and the connector's documentation page. */
export const TABLE_FILES = ["README.md", "docs/humaans.md"];

if (import.meta.main) {
  for (const file of TABLE_FILES) {
    const path = new URL(`../../${file}`, import.meta.url);
    await Deno.writeTextFile(path, withTables(await Deno.readTextFile(path)));
    console.error(`${file} tables updated`);
  }
}

/**
 * Tables of the README generated from the code: settings (from the config schema) and streams
 * (from the stream registry), in the README and `docs/humaans.md`. `deno task readme` rewrites
 * them in place; `tests/readme_test.ts`
 * fails when the README drifts.
 *
 * @module
 */
import { settingSpecs } from "../../src/config.ts";
import { STREAMS } from "../../src/streams/mod.ts";

/** The Markdown table of settings. */
export function settingsTable(): string {
  const rows = [
    "| key | type | default | allowed | what it does |",
    "| --- | --- | --- | --- | --- |",
  ];
  for (const [key, spec] of settingSpecs()) {
    const allowed = spec.type === "integer"
      ? `${spec.minimum} to ${spec.maximum}`
      : spec.type === "boolean"
      ? "true/false, yes/no, on/off, 1/0"
      : spec.airbyte_secret
      ? "required, secret"
      : "https URL (http on loopback)";
    const fallback = spec.default !== undefined
      ? `\`${spec.default}\``
      : spec.airbyte_secret
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
        stream.sensitive ? "yes" : ""
      } | ${stream.description} | path ${path}, fields ${fields} (${source}) |`,
    );
  }
  return rows.join("\n");
}

/** Every generated table, by its marker name. */
export function readmeTables(): Map<string, string> {
  return new Map([["settings", settingsTable()], ["streams", streamsTable()]]);
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

/**
 * Writes `spec.json` and `schemas/<stream>.json` from the code that defines them
 * (`deno task schemas`); `tests/schemas_test.ts` fails when the files drift from the code.
 *
 * @module
 */
import { connectionSpecification } from "../../src/config.ts";
import { recordJsonSchema } from "../../src/streams/fields.ts";
import { STREAMS } from "../../src/streams/mod.ts";

/** The generated files: repo-relative path to JSON text. */
export function generatedFiles(): Map<string, string> {
  const files = new Map<string, string>();
  files.set("spec.json", JSON.stringify(connectionSpecification(), null, 2) + "\n");
  for (const stream of STREAMS) {
    files.set(
      `schemas/${stream.name}.json`,
      JSON.stringify(recordJsonSchema(stream.record), null, 2) + "\n",
    );
  }
  return files;
}

if (import.meta.main) {
  const root = new URL("../../", import.meta.url);
  for (const [path, text] of generatedFiles()) {
    await Deno.writeTextFile(new URL(path, root), text);
    console.error(`wrote ${path}`);
  }
}

/**
 * Compares the zod schemas with the official Airbyte protocol definition, when a copy of it sits
 * at `../shared/reference/airbyte_protocol.yaml` beside the repository; otherwise the tests are
 * reported as ignored.
 */
import assert from "node:assert/strict";
import { Ajv, type ErrorObject } from "ajv";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import * as messages from "../../src/protocol/messages.ts";
import {
  CONFIGURED_CATALOG_EXAMPLES,
  type Example,
  MESSAGE_EXAMPLES,
  type Path,
} from "./message_examples.ts";

const DEFINITION_URL = new URL("../../../shared/reference/airbyte_protocol.yaml", import.meta.url);

function fileExists(url: URL): boolean {
  try {
    return Deno.statSync(url).isFile;
  } catch {
    return false;
  }
}

const ignore = !fileExists(DEFINITION_URL);

/** A JSON Schema, loosely typed. */
type Schema = Record<string, unknown>;

interface Definition extends Schema {
  $id: string;
  definitions: Record<string, Schema>;
}

function loadDefinition(): Definition {
  const definition = parseYaml(Deno.readTextFileSync(DEFINITION_URL)) as Definition;
  assert.equal(typeof definition.$id, "string");
  assert.equal(typeof definition.definitions, "object");
  return definition;
}

/** The definition's validators, by definition name. */
function officialValidators(definition: Definition) {
  // Formats are annotations in draft-07 (and ajv-formats is not a dependency).
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  ajv.addSchema(definition);
  return (name: string) => {
    const validate = ajv.getSchema(`${definition.$id}#/definitions/${name}`);
    assert.ok(validate, `no definition ${name}`);
    return validate;
  };
}

/** The path an ajv error points at, written like a zod path (missing properties included). */
function errorPath(error: ErrorObject): string {
  const segments = error.instancePath.split("/").slice(1)
    .map((segment) => segment.replaceAll("~1", "/").replaceAll("~0", "~"));
  if (error.keyword === "required") segments.push(String(error.params.missingProperty));
  return JSON.stringify(segments);
}

function zodPath(path: Path): string {
  return JSON.stringify(path.map(String));
}

/** The ajv keywords that report what each zod issue code reports. */
const KEYWORDS_OF_CODE: Record<string, string[]> = {
  invalid_type: ["type", "required"],
  invalid_value: ["enum", "required"],
  too_small: ["minItems"],
  invalid_union: ["oneOf", "type"],
  custom: ["type"],
};

function checkExamples(
  validate: ReturnType<ReturnType<typeof officialValidators>>,
  examples: readonly Example[],
) {
  return async (t: Deno.TestContext) => {
    for (const example of examples) {
      await t.step(`${example.kind}: ${example.name}`, () => {
        const value = JSON.parse(JSON.stringify(example.value));
        const valid = validate(value);
        if (example.fails === undefined || example.officialAccepts !== undefined) {
          assert.equal(valid, true, JSON.stringify(validate.errors));
          return;
        }
        assert.equal(valid, false, "the official definition accepts it");
        const errors = validate.errors ?? [];
        assert.deepEqual([...new Set(errors.map(errorPath))], [zodPath(example.fails.path)]);
        const allowed = KEYWORDS_OF_CODE[example.fails.code] ?? [];
        for (const error of errors) {
          assert.ok(allowed.includes(error.keyword), `ajv reports ${error.keyword}`);
        }
      });
    }
  };
}

Deno.test({
  name: "the official definition accepts and rejects the message examples as zod does",
  ignore,
  fn: (t) => {
    const validator = officialValidators(loadDefinition());
    return checkExamples(validator("AirbyteMessage"), MESSAGE_EXAMPLES)(t);
  },
});

Deno.test({
  name: "the official definition accepts and rejects the configured catalogs as zod does",
  ignore,
  fn: (t) => {
    const validator = officialValidators(loadDefinition());
    return checkExamples(validator("ConfiguredAirbyteCatalog"), CONFIGURED_CATALOG_EXAMPLES)(t);
  },
});

// Structural comparison: each definition against the JSON Schema zod writes of its namesake.

/** The JSON Schema zod writes of a schema, with whole numbers written as `integer`. */
function jsonSchemaOf(schema: z.ZodType): Schema {
  return z.toJSONSchema(schema, {
    io: "input",
    target: "draft-07",
    override: ({ zodSchema, jsonSchema }) => {
      const checks = zodSchema._zod.def.checks ?? [];
      const whole = checks.some((check) =>
        (check._zod.def as { fn?: unknown }).fn === Number.isInteger
      );
      if (whole) jsonSchema.type = "integer";
    },
  }) as Schema;
}

/** The alternatives a schema allows: its oneOf or anyOf members, or one schema per type. */
function alternatives(schema: Schema): Schema[] | undefined {
  const members = (schema.oneOf ?? schema.anyOf) as Schema[] | undefined;
  if (members) return members;
  if (Array.isArray(schema.type)) return schema.type.map((type) => ({ type }));
  return undefined;
}

function sorted(values: unknown): string[] {
  return Array.isArray(values) ? values.map(String).sort() : [];
}

/** Lists how `mine` differs from `official` (a definition schema), path by path. */
function compareSchemas(
  definitions: Record<string, Schema>,
  official: Schema,
  mine: Schema,
  path: string,
  problems: string[],
): void {
  const ref = official.$ref as string | undefined;
  if (ref !== undefined) {
    const name = ref.replace("#/definitions/", "");
    compareSchemas(definitions, definitions[name], mine, `${path}(${name})`, problems);
    return;
  }
  const officialOptions = alternatives(official);
  if (officialOptions) {
    const myOptions = alternatives(mine) ?? [];
    if (myOptions.length !== officialOptions.length) {
      problems.push(`${path}: ${myOptions.length} alternatives, not ${officialOptions.length}`);
      return;
    }
    officialOptions.forEach((option, index) => {
      compareSchemas(definitions, option, myOptions[index], `${path}|${index}`, problems);
    });
    return;
  }
  if (official.type !== mine.type) {
    problems.push(`${path}: type ${mine.type}, not ${official.type}`);
    return;
  }
  for (const keyword of ["enum", "required"]) {
    const [expected, actual] = [sorted(official[keyword]), sorted(mine[keyword])];
    if (JSON.stringify(expected) !== JSON.stringify(actual)) {
      problems.push(`${path}: ${keyword} ${actual}, not ${expected}`);
    }
  }
  for (const keyword of ["format", "minItems", "maxItems"]) {
    if (official[keyword] !== mine[keyword]) {
      problems.push(`${path}: ${keyword} ${mine[keyword]}, not ${official[keyword]}`);
    }
  }
  if (official.type === "object") {
    const closed = official.additionalProperties === false;
    const myExtras = mine.additionalProperties;
    if (closed ? myExtras !== false : JSON.stringify(myExtras) !== "{}") {
      problems.push(`${path}: additionalProperties ${JSON.stringify(myExtras)}`);
    }
    const officialProperties = (official.properties ?? {}) as Record<string, Schema>;
    const myProperties = (mine.properties ?? {}) as Record<string, Schema>;
    for (
      const name of new Set([...Object.keys(officialProperties), ...Object.keys(myProperties)])
    ) {
      if (!(name in myProperties)) problems.push(`${path}.${name}: missing`);
      else if (!(name in officialProperties)) problems.push(`${path}.${name}: not in definition`);
      else {
        compareSchemas(
          definitions,
          officialProperties[name],
          myProperties[name],
          `${path}.${name}`,
          problems,
        );
      }
    }
  }
  if (official.type === "array" && official.items !== undefined) {
    compareSchemas(
      definitions,
      official.items as Schema,
      mine.items as Schema,
      `${path}[]`,
      problems,
    );
  }
}

Deno.test({
  name: "every definition has a zod schema of the same name and shape",
  ignore,
  fn: async (t) => {
    const { definitions } = loadDefinition();
    const exports = messages as unknown as Record<string, unknown>;
    for (const [name, official] of Object.entries(definitions)) {
      await t.step(name, () => {
        const schema = exports[name];
        assert.ok(schema instanceof z.ZodType, `messages.ts exports no schema ${name}`);
        const problems: string[] = [];
        compareSchemas(definitions, official, jsonSchemaOf(schema), name, problems);
        assert.deepEqual(problems, []);
      });
    }
  },
});

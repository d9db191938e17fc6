import assert from "node:assert/strict";
import { parseCommandLine } from "../src/cli_args.ts";

const FLAGS = {
  config: { type: "string" },
  debug: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

Deno.test("parseCommandLine: values, switches, positionals and `--`", () => {
  assert.deepEqual(parseCommandLine(["read", "--config", "c.json", "--debug"], FLAGS), {
    values: { config: "c.json", debug: true },
    positionals: ["read"],
  });
  assert.deepEqual(parseCommandLine(["--config=a=b.json", "-h", "x", "-"], FLAGS), {
    values: { config: "a=b.json", help: true },
    positionals: ["x", "-"],
  });
  assert.deepEqual(parseCommandLine(["check", "--", "--config", "-h"], FLAGS), {
    values: {},
    positionals: ["check", "--config", "-h"],
  });
  assert.deepEqual(parseCommandLine(["--config", "-"], FLAGS).values, { config: "-" });
});

Deno.test("parseCommandLine: an unknown option, a missing value, a value to a switch or an option twice throws naming it", () => {
  const cases: [string[], RegExp][] = [
    [["--nope"], /Unknown option '--nope'/],
    [["-x"], /Unknown option '-x'/],
    [["--toString"], /Unknown option '--toString'/],
    [["--config"], /'--config <value>' needs a value/],
    [["--config", "--debug"], /'--config <value>' needs a value/],
    [["--debug=yes"], /'--debug' does not take a value/],
    [["--config", "a", "--config=b"], /'--config' is given twice/],
    [["--debug", "--debug"], /'--debug' is given twice/],
  ];
  for (const [args, message] of cases) {
    assert.throws(() => parseCommandLine(args, FLAGS), message, args.join(" "));
  }
});

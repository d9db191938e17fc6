/**
 * The command line's options and positionals, parsed by the rules of `node:util`'s `parseArgs`
 * in strict mode (`--name value`, `--name=value`, `-h`, `--` ends the options), for the few
 * options the connector has. Not `node:util` itself: importing it loads Node's compatibility
 * layer, which costs every run of the connector about 7 MB of memory.
 *
 * @module
 */

/** An option: `string` takes a value, `boolean` is a switch. */
export interface OptionSpec {
  /** Whether the option takes a value. */
  type: "string" | "boolean";
  /** A one-letter alias (`-h`). */
  short?: string;
}

/** What a command line came to. */
export interface ParsedCommandLine<Spec extends Record<string, OptionSpec>> {
  /** The options given, by name: a string or `true`. */
  values: { [K in keyof Spec]?: Spec[K]["type"] extends "string" ? string : boolean };
  /** The other arguments, in order. */
  positionals: string[];
}

/**
 * Parses `args` by `options`; throws an Error naming the argument for an unknown option, a
 * string option without a value, a value given to a switch, or an option given twice.
 */
export function parseCommandLine<Spec extends Record<string, OptionSpec>>(
  args: readonly string[],
  options: Spec,
): ParsedCommandLine<Spec> {
  const values: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  const shorts = new Map(
    Object.entries(options).flatMap(([name, spec]) => spec.short ? [[spec.short, name]] : []),
  );
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const long = arg.startsWith("--");
    const equals = long ? arg.indexOf("=") : -1;
    const given = equals >= 0 ? arg.slice(2, equals) : arg.slice(long ? 2 : 1);
    const name = long ? given : shorts.get(given);
    const spec = name !== undefined && Object.hasOwn(options, name) ? options[name] : undefined;
    if (name === undefined || spec === undefined) throw new Error(`Unknown option '${arg}'`);
    if (Object.hasOwn(values, name)) throw new Error(`Option '--${name}' is given twice`);
    if (spec.type === "boolean") {
      if (equals >= 0) throw new Error(`Option '--${name}' does not take a value`);
      values[name] = true;
      continue;
    }
    const value = equals >= 0 ? arg.slice(equals + 1) : args[++i];
    if (value === undefined || (equals < 0 && value.startsWith("-") && value !== "-")) {
      throw new Error(`Option '--${name} <value>' needs a value`);
    }
    values[name] = value;
  }
  return { values, positionals } as ParsedCommandLine<Spec>;
}

/**
 * `deno task sandbox`: serves the Humaans sandbox on 127.0.0.1 until SIGINT or SIGTERM.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { type FilterMode, type SandboxOptions, startSandbox } from "./mod.ts";
import { checkPagingDeviations, type PagingDeviationOptions } from "./paging_deviations.ts";

const USAGE = `Usage: deno task sandbox [options]
  --port P            port on 127.0.0.1 (default 8787; 0 picks a free one)
  --people N          people in the company (default 200)
  --seed S            same seed, same data (default 1)
  --latency-ms L      time from each request to its response, its work included (default 0)
  --rate-limit R      requests per second before 429 (default unlimited)
  --error-rate X      probability of a random 500, 0 to 1 (default 0)
  --churn N           rows per list request whose updatedAt moves to now (default 0)
  --inserts N         rows inserted after every list request (default 0)
  --deletes N         rows deleted after every list request (default 0)
  --filters MODE      honour, ignore or reject updatedAt filters and $sort (default honour)
  --short-pages F     pages after the first serve a fraction F of $limit, or "random" (default off)
  --lying-total T     lists report total "smaller" (a third) or the number T (default off)
  --skip-ignored      lists serve their first page whatever $skip says
  --sort-ignored      honour filters but ignore $sort: rows in id order
  --null-updated-at X fraction of rows with updatedAt null or absent, 0 to 1 (default 0)
  --future-updated-at X  fraction of rows with updatedAt in the future, 0 to 1 (default 0)
  --select MODE       honour or ignore $select[] field selections (default honour)`;

const FILTER_MODES: FilterMode[] = ["honour", "ignore", "reject"];

/** Reads the command line into sandbox options; throws a message for a bad flag. */
export function parseSandboxArgs(args: string[]): SandboxOptions & { help?: boolean } {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      port: { type: "string", default: "8787" },
      people: { type: "string", default: "200" },
      seed: { type: "string", default: "1" },
      "latency-ms": { type: "string", default: "0" },
      "rate-limit": { type: "string" },
      "error-rate": { type: "string", default: "0" },
      churn: { type: "string", default: "0" },
      inserts: { type: "string", default: "0" },
      deletes: { type: "string", default: "0" },
      filters: { type: "string", default: "honour" },
      "short-pages": { type: "string" },
      "lying-total": { type: "string" },
      "skip-ignored": { type: "boolean" },
      "sort-ignored": { type: "boolean", default: false },
      "null-updated-at": { type: "string", default: "0" },
      "future-updated-at": { type: "string", default: "0" },
      select: { type: "string", default: "honour" },
      help: { type: "boolean", short: "h" },
    },
  });
  const number = (flag: keyof typeof values, { integer = true, max = Infinity } = {}) => {
    const text = String(values[flag]);
    const value = Number(text);
    if (
      text.trim() === "" || !(value >= 0 && value <= max) || (integer && !Number.isInteger(value))
    ) {
      const kind = integer ? "a whole number" : "a number";
      throw new Error(`--${flag} must be ${kind} from 0 to ${max}, got "${text}"`);
    }
    return value;
  };
  const filters = values.filters as FilterMode;
  if (!FILTER_MODES.includes(filters)) {
    throw new Error(`--filters must be one of ${FILTER_MODES.join(", ")}, got "${filters}"`);
  }
  const select = values.select as "honour" | "ignore";
  if (select !== "honour" && select !== "ignore") {
    throw new Error(`--select must be honour or ignore, got "${select}"`);
  }
  return {
    help: values.help,
    port: number("port", { max: 65535 }),
    people: number("people"),
    seed: number("seed"),
    latencyMs: number("latency-ms", { integer: false }),
    rateLimit: values["rate-limit"] === undefined
      ? undefined
      : number("rate-limit", { integer: false }) || undefined,
    errorRate: number("error-rate", { integer: false, max: 1 }),
    churn: { updates: number("churn"), inserts: number("inserts"), deletes: number("deletes") },
    filters,
    ...pagingDeviationArgs(values),
    ...datingFlags(values, number),
    select,
  };
}

/** The paging deviation flags (`--short-pages`, `--lying-total`, `--skip-ignored`). */
function pagingDeviationArgs(
  values: { "short-pages"?: string; "lying-total"?: string; "skip-ignored"?: boolean },
): PagingDeviationOptions {
  const options: PagingDeviationOptions = {};
  const short = values["short-pages"];
  if (short !== undefined) options.shortPages = short === "random" ? "random" : Number(short);
  const lie = values["lying-total"];
  if (lie !== undefined) options.lyingTotal = lie === "smaller" ? "smaller" : Number(lie);
  if (values["skip-ignored"]) options.skipIgnored = true;
  try {
    checkPagingDeviations(options);
  } catch (error) {
    const flag = String((error as Error).message).includes("shortPages")
      ? `--short-pages must be a fraction above 0 and at most 1, or "random", got "${short}"`
      : `--lying-total must be "smaller" or a whole number, got "${lie}"`;
    throw new Error(flag);
  }
  return options;
}

/** The sort and `updatedAt` switches (see `dating.ts`), only where a flag sets them. */
function datingFlags(
  values: Record<string, unknown>,
  number: (flag: never, options: { integer: boolean; max: number }) => number,
): Pick<SandboxOptions, "sortIgnored" | "nullUpdatedAt" | "futureUpdatedAt"> {
  const fraction = (flag: string) => number(flag as never, { integer: false, max: 1 });
  const out: Pick<SandboxOptions, "sortIgnored" | "nullUpdatedAt" | "futureUpdatedAt"> = {};
  if (values["sort-ignored"]) out.sortIgnored = true;
  if (fraction("null-updated-at") > 0) out.nullUpdatedAt = fraction("null-updated-at");
  if (fraction("future-updated-at") > 0) out.futureUpdatedAt = fraction("future-updated-at");
  return out;
}

async function main(): Promise<void> {
  let options: ReturnType<typeof parseSandboxArgs>;
  try {
    options = parseSandboxArgs(Deno.args);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : error}\n${USAGE}`);
    Deno.exit(2);
  }
  if (options.help) {
    console.error(USAGE);
    return;
  }
  const sandbox = await startSandbox(options);
  console.error(`sandbox listening on ${sandbox.url} token=${sandbox.token}`);
  const stop = async () => {
    await sandbox.close();
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
}

if (import.meta.main) await main();

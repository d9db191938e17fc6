/**
 * The image's `deno.json` and `deno.lock`: the project's, narrowed to the imports `main.ts` uses,
 * so the build stage's `deno install --frozen` caches no test-only package. The Dockerfile's build
 * stage runs it (it imports nothing, so it runs with `--no-config --no-lock`):
 *
 * `deno run --no-config --no-lock --allow-read=. --allow-write=. runtime_config.ts zod`
 *
 * The narrowed lock is a subset of the committed one (same versions, same integrity hashes), so
 * `--frozen` still fails the build rather than re-resolve anything the lock does not hold.
 *
 * @module
 */

/** The fields of a `deno.json` this script reads; the others are kept as they are. */
export interface DenoConfig {
  imports?: Record<string, string>;
  tasks?: Record<string, string>;
  [key: string]: unknown;
}

/** One npm package of a version 5 `deno.lock`. */
interface LockedPackage {
  dependencies?: string[];
  optionalDependencies?: string[];
  optionalPeers?: string[];
  [key: string]: unknown;
}

/** The fields of a version 5 `deno.lock` this script narrows; the others are kept. */
export interface DenoLock {
  version: string;
  specifiers?: Record<string, string>;
  npm?: Record<string, LockedPackage>;
  workspace?: { dependencies?: string[]; [key: string]: unknown };
  [key: string]: unknown;
}

/** The package name of an npm lock key: `zod@4.6.7` -> `zod`, `@a/b@1.0.0` -> `@a/b`. */
function packageName(key: string): string {
  const at = key.indexOf("@", 1);
  return at < 0 ? key : key.slice(0, at);
}

/** The lock key a package's dependency names: `name` (one version locked) or `name@version`. */
function dependencyKey(dependency: string, npm: Record<string, LockedPackage>): string {
  if (Object.hasOwn(npm, dependency)) return dependency;
  const matches = Object.keys(npm).filter((key) => packageName(key) === dependency);
  if (matches.length !== 1) {
    throw new Error(
      `deno.lock: dependency "${dependency}" matches ${matches.length} locked packages; run deno install to repair the lock`,
    );
  }
  return matches[0];
}

/**
 * `config` and `lock` narrowed to the imports named in `options.keep`: the other imports and the tasks
 * are dropped, and the lock keeps only the specifiers of the kept imports and the npm packages they
 * need. Throws when a kept import is missing from `deno.json` or from the lock.
 */
export function runtimeConfig(
  config: DenoConfig,
  lock: DenoLock,
  options: { keep: string[] },
): { config: DenoConfig; lock: DenoLock } {
  if (lock.version !== "5") {
    throw new Error(`deno.lock: version ${lock.version} is not supported; expected version 5`);
  }
  const imports = config.imports ?? {};
  const specifiers = lock.specifiers ?? {};
  const npm = lock.npm ?? {};
  const keptImports: Record<string, string> = {};
  const keptSpecifiers: Record<string, string> = {};
  const queue: string[] = [];
  for (const name of options.keep) {
    const target = imports[name];
    if (target === undefined) {
      throw new Error(`deno.json has no import "${name}": add it to "imports" or drop it here`);
    }
    keptImports[name] = target;
    if (!target.startsWith("npm:")) continue;
    const resolved = specifiers[target];
    if (resolved === undefined) {
      throw new Error(
        `deno.lock has no entry for ${target}: run deno install and commit deno.lock`,
      );
    }
    keptSpecifiers[target] = resolved;
    queue.push(`${packageName(target.slice("npm:".length))}@${resolved}`);
  }
  const keptPackages: Record<string, LockedPackage> = {};
  while (queue.length > 0) {
    const key = queue.pop()!;
    if (Object.hasOwn(keptPackages, key)) continue;
    const entry = npm[key];
    if (entry === undefined) {
      throw new Error(`deno.lock has no npm package ${key}: run deno install and commit deno.lock`);
    }
    keptPackages[key] = entry;
    const dependencies = [
      ...(entry.dependencies ?? []),
      ...(entry.optionalDependencies ?? []),
      ...(entry.optionalPeers ?? []),
    ];
    for (const dependency of dependencies) queue.push(dependencyKey(dependency, npm));
  }
  const { tasks: _tasks, ...rest } = config;
  const narrowedLock: DenoLock = { ...lock, specifiers: sortKeys(keptSpecifiers) };
  if (lock.npm) narrowedLock.npm = sortKeys(keptPackages);
  if (lock.workspace) {
    const values = new Set(Object.values(keptImports));
    narrowedLock.workspace = {
      ...lock.workspace,
      dependencies: (lock.workspace.dependencies ?? []).filter((d) => values.has(d)),
    };
  }
  return { config: { ...rest, imports: keptImports }, lock: narrowedLock };
}

function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a < b ? -1 : 1));
}

async function main(): Promise<void> {
  const keep = Deno.args;
  if (keep.length === 0) {
    console.error("Usage: runtime_config.ts IMPORT... (the deno.json imports main.ts uses)");
    Deno.exit(2);
  }
  try {
    const config = JSON.parse(await Deno.readTextFile("deno.json"));
    const lock = JSON.parse(await Deno.readTextFile("deno.lock"));
    const narrowed = runtimeConfig(config, lock, { keep });
    await Deno.writeTextFile("deno.json", `${JSON.stringify(narrowed.config, null, 2)}\n`);
    await Deno.writeTextFile("deno.lock", `${JSON.stringify(narrowed.lock, null, 2)}\n`);
    console.error(`deno.json and deno.lock narrowed to the imports ${keep.join(", ")}`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    Deno.exit(1);
  }
}

if (import.meta.main) await main();

/**
 * Packaging: the Dockerfile, .dockerignore, metadata.yaml, icon and docs page agree with each other
 * and with the code, and the image's exact entrypoint command works. No Docker engine runs here, so
 * the last tests run the ENTRYPOINT's argv itself (this Deno, the same flags, the same entry file,
 * no config flag, cached dependencies only) as a subprocess. `deno task image` (tests/tools/image.ts)
 * builds the image itself with podman and runs it.
 *
 * @module
 */
import assert from "node:assert/strict";
import { startSandbox } from "../sandbox/mod.ts";
import { VERSION } from "../src/version.ts";
import {
  catalogOf,
  parseRun,
  runConnector,
  type RunResult,
  TempFiles,
} from "./support/connector.ts";
import { readmeTables } from "./tools/readme_tables.ts";
import { runtimeConfig } from "./tools/runtime_config.ts";

const ROOT = new URL("../", import.meta.url);
/** Where the Dockerfile puts the app; the ENTRYPOINT names `${APP_DIR}/main.ts`. */
const APP_DIR = "/app";

function readText(path: string): Promise<string> {
  return Deno.readTextFile(new URL(path, ROOT));
}

// ---- Dockerfile ----

/** One Dockerfile instruction, with the index of the stage (`FROM`) it belongs to. */
interface Instruction {
  stage: number;
  keyword: string;
  args: string;
}

/** The instructions of a Dockerfile: comments dropped, continuation lines joined. */
function instructions(text: string): Instruction[] {
  const result: Instruction[] = [];
  let stage = -1;
  let pending = "";
  for (const raw of text.split("\n")) {
    const line = raw.trimEnd();
    if (line.trim() === "" || line.trimStart().startsWith("#")) continue;
    if (line.endsWith("\\")) {
      pending += `${line.slice(0, -1)} `;
      continue;
    }
    const full = `${pending}${line}`.trim();
    pending = "";
    const match = full.match(/^(\w+)\s+([\s\S]*)$/);
    assert.ok(match, `Dockerfile line is not an instruction: ${full}`);
    const keyword = match[1].toUpperCase();
    if (keyword === "FROM") stage++;
    result.push({ stage, keyword, args: match[2].trim() });
  }
  assert.equal(pending, "", "Dockerfile ends inside a continued line");
  return result;
}

/** `KEY=value` pairs of ENV or LABEL instructions (one pair per instruction, value quoted or not). */
function pairs(list: Instruction[], keyword: "ENV" | "LABEL"): Map<string, string> {
  const result = new Map<string, string>();
  for (const instruction of list.filter((i) => i.keyword === keyword)) {
    const match = instruction.args.match(/^([\w.-]+)=(?:"([^"]*)"|(\S+))$/);
    assert.ok(match, `${keyword} must hold one KEY=value pair, got: ${instruction.args}`);
    result.set(match[1], match[2] ?? match[3]);
  }
  return result;
}

/** The parsed Dockerfile: its build stage (first) and final stage (last). */
async function dockerfile(): Promise<{ build: Instruction[]; final: Instruction[] }> {
  const all = instructions(await readText("Dockerfile"));
  const last = Math.max(...all.map((i) => i.stage));
  assert.ok(last >= 1, "the Dockerfile is multi-stage");
  return { build: all.filter((i) => i.stage === 0), final: all.filter((i) => i.stage === last) };
}

function only(list: Instruction[], keyword: string): Instruction {
  const found = list.filter((i) => i.keyword === keyword);
  assert.equal(found.length, 1, `expected exactly one ${keyword} in the stage`);
  return found[0];
}

/** The final stage's ENTRYPOINT, as argv. */
async function entrypoint(): Promise<string[]> {
  const argv = JSON.parse(only((await dockerfile()).final, "ENTRYPOINT").args);
  assert.ok(Array.isArray(argv) && argv.every((arg) => typeof arg === "string"));
  return argv;
}

/** The `connector` task of deno.json, as argv. */
async function connectorTask(): Promise<string[]> {
  const denoJson = JSON.parse(await readText("deno.json"));
  return (denoJson.tasks.connector as string).trim().split(/\s+/);
}

/** The Deno version CI installs (`DENO_VERSION=` in .ci/run). */
async function ciDenoVersion(): Promise<string> {
  const match = (await readText(".ci/run")).match(/^DENO_VERSION=(\S+)$/m);
  assert.ok(match, ".ci/run sets DENO_VERSION");
  return match[1];
}

Deno.test("the image's ENTRYPOINT, AIRBYTE_ENTRYPOINT and the connector task are one command", async () => {
  const argv = await entrypoint();
  const { final } = await dockerfile();
  const airbyte = pairs(final, "ENV").get("AIRBYTE_ENTRYPOINT");
  assert.ok(airbyte, "the final stage sets AIRBYTE_ENTRYPOINT");
  assert.deepEqual(airbyte.split(/\s+/), argv);
  const task = await connectorTask();
  assert.equal(task.at(-1), "main.ts", "the connector task runs main.ts");
  assert.deepEqual(argv, [...task.slice(0, -1), `${APP_DIR}/main.ts`]);
});

Deno.test("the Dockerfile builds from the lock, type-checks and runs as a non-root user", async (t) => {
  const { build, final } = await dockerfile();
  await t.step("both stages use the Deno version CI pins", async () => {
    const version = await ciDenoVersion();
    for (const stage of [build, final]) {
      const image = only(stage, "FROM").args.split(/\s+/)[0];
      assert.match(image, /^denoland\/deno:/);
      assert.ok(image.endsWith(`${version}`), `${image} is pinned to Deno ${version}`);
    }
  });
  await t.step("the build stage installs from the frozen lock and type-checks", () => {
    const runs = build.filter((i) => i.keyword === "RUN").map((i) => i.args).join(" && ");
    assert.match(runs, /deno install --frozen --entrypoint main\.ts/);
    assert.match(runs, /deno check main\.ts/);
  });
  await t.step("DENO_DIR is the same in both stages, and copied", () => {
    const dir = pairs(build, "ENV").get("DENO_DIR");
    assert.ok(dir, "the build stage sets DENO_DIR");
    assert.equal(pairs(final, "ENV").get("DENO_DIR"), dir);
    const copies = final.filter((i) => i.keyword === "COPY").map((i) => i.args);
    assert.ok(copies.some((c) => c.includes("--from=build") && c.includes(` ${dir} `)));
    assert.ok(copies.some((c) => c.includes("--from=build") && c.endsWith(` ${APP_DIR}/`)));
  });
  await t.step("the final stage runs in /app as a user other than root", () => {
    assert.equal(only(final, "WORKDIR").args, APP_DIR);
    const user = only(final, "USER").args.split(":")[0];
    assert.ok(!["root", "0"].includes(user), `USER ${user} is not root`);
  });
});

Deno.test(".dockerignore lets in only what the build stage copies", async () => {
  const rules = (await readText(".dockerignore")).split("\n").map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  assert.equal(rules[0], "*", "the first rule excludes everything");
  const allowed = new Set(rules.filter((r) => r.startsWith("!")).map((r) => r.slice(1)));
  const strip = (path: string) => path.replace(/^\.\//, "").replace(/\/$/, "");
  const copied = (await dockerfile()).build
    .filter((i) => i.keyword === "COPY" && !i.args.includes("--from="))
    .flatMap((i) => i.args.split(/\s+/).filter((arg) => !arg.startsWith("--")).slice(0, -1));
  assert.ok(copied.includes("main.ts") && copied.includes("deno.lock"));
  for (const source of copied) {
    assert.ok([...allowed].some((rule) => strip(rule) === strip(source)), `${source} is let in`);
  }
  // The only files let in from elsewhere are build tools the build stage keeps outside /app.
  const tools = new Set(buildTools((await dockerfile()).build).map((copy) => copy.source));
  for (const rule of allowed) {
    if (tools.has(strip(rule))) continue;
    assert.doesNotMatch(rule, /^(\.git|secrets|tests|sandbox|\.ci|docs|coverage)\b/);
  }
});

/** The build stage's COPYs from the context to a folder outside the app (build tools). */
function buildTools(build: Instruction[]): { source: string; destination: string }[] {
  return build.filter((i) => i.keyword === "COPY" && !i.args.includes("--from="))
    .map((i) => i.args.split(/\s+/).filter((arg) => !arg.startsWith("--")))
    .filter((args) => args.length === 2 && args[1].startsWith("/") && !args[1].startsWith(APP_DIR))
    .map(([source, destination]) => ({ source, destination }));
}

/** The imports of deno.json that `main.ts`'s module graph uses (from `deno info --json`). */
async function runtimeImports(): Promise<string[]> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "main.ts"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  const info = JSON.parse(new TextDecoder().decode(output.stdout));
  const packages = new Set<string>(
    info.modules.map((m: { specifier: string }) => m.specifier)
      .filter((s: string) => s.startsWith("npm:/"))
      .map((s: string) => s.slice("npm:/".length).replace(/^((?:@[^/]+\/)?[^/]+).*$/, "$1")),
  );
  const imports: Record<string, string> = JSON.parse(await readText("deno.json")).imports;
  const used = Object.entries(imports)
    .filter(([, target]) => packages.has(target.replace(/^npm:/, "")))
    .map(([name]) => name);
  assert.equal(used.length, packages.size, `every npm package main.ts uses is a deno.json import`);
  return used.sort();
}

/** The imports the build stage narrows deno.json and deno.lock to (runtime_config.ts's args). */
async function narrowedImports(): Promise<string[]> {
  const runs = (await dockerfile()).build.filter((i) => i.keyword === "RUN").map((i) => i.args)
    .join(" && ");
  const match = runs.match(/\/runtime_config\.ts((?:\s+[\w@/.-]+)+?)\s*(?:&&|$)/);
  assert.ok(match, "the build stage runs runtime_config.ts");
  const install = runs.indexOf("deno install --frozen");
  assert.ok(install > runs.indexOf("runtime_config.ts"), "it narrows before deno install");
  return match[1].trim().split(/\s+/).sort();
}

Deno.test("the image's deno.json and deno.lock hold only the imports main.ts uses", async (t) => {
  const { build, final } = await dockerfile();
  await t.step("the build stage narrows them to main.ts's imports", async () => {
    const narrowed = await narrowedImports();
    assert.deepEqual(narrowed, await runtimeImports());
    const all = Object.keys(JSON.parse(await readText("deno.json")).imports);
    assert.ok(narrowed.length < all.length, "deno.json has test-only imports to leave out");
  });
  await t.step("its build tool stays out of the final stage", () => {
    const tools = buildTools(build);
    assert.ok(tools.some((tool) => tool.source.endsWith("runtime_config.ts")));
    const dir = pairs(build, "ENV").get("DENO_DIR");
    const fromBuild = final.filter((i) => i.keyword === "COPY" && i.args.includes("--from=build"))
      .map((i) => i.args.split(/\s+/).filter((arg) => !arg.startsWith("--"))[0]);
    assert.deepEqual(fromBuild.sort(), [dir, `${APP_DIR}/`].sort());
    for (const tool of tools) assert.ok(!tool.destination.startsWith(`${APP_DIR}/`));
  });
  await t.step("the entrypoint command runs main.ts with them, --frozen", async () => {
    await using files = await TempFiles.create();
    for (const path of ["main.ts", "spec.json", "src", "schemas"]) {
      const copy = await new Deno.Command("cp", {
        args: ["-r", new URL(path, ROOT).pathname, `${files.dir}/`],
      }).output();
      assert.equal(copy.code, 0);
    }
    const narrowed = runtimeConfig(
      JSON.parse(await readText("deno.json")),
      JSON.parse(await readText("deno.lock")),
      { keep: await narrowedImports() },
    );
    await files.write("deno.json", narrowed.config);
    await files.write("deno.lock", narrowed.lock);
    const cwd = new URL(`file://${files.dir}/`);
    const result = await runEntrypoint(["spec"], { cwd, main: `${files.dir}/main.ts` });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.messages.map((m) => m.type), ["SPEC"]);
  });
});

// ---- metadata.yaml ----

/**
 * Scalars and scalar lists of a plain YAML document (block mappings and `- ` lists, no flow
 * collections or multi-line strings), by dotted path: `data.allowedHosts.hosts`. List items that
 * are mappings get their index as a path segment: `data.externalDocumentationUrls.0.url`.
 */
function yamlValues(text: string): Map<string, string | string[]> {
  const values = new Map<string, string | string[]>();
  const stack: { indent: number; key: string }[] = [];
  const unquote = (value: string) => value.replace(/^"(.*)"$|^'(.*)'$/, "$1$2");
  const pathOf = (key?: string) => [...stack.map((s) => s.key), ...(key ? [key] : [])].join(".");
  const counts = new Map<string, number>();
  const pop = (indent: number) => {
    while (stack.length > 0 && stack[stack.length - 1].indent >= indent) stack.pop();
  };
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\s+#.*$/, "").trimEnd();
    if (line.trim() === "" || line.trimStart().startsWith("#")) continue;
    let indent = line.length - line.trimStart().length;
    let body = line.trim();
    const item = body.match(/^-\s+(.*)$/);
    if (item) {
      pop(indent);
      const list = pathOf();
      if (!/^[\w.-]+:(\s|$)/.test(item[1])) {
        const current = values.get(list);
        values.set(list, [...(Array.isArray(current) ? current : []), unquote(item[1])]);
        continue;
      }
      const index = counts.get(list) ?? 0;
      counts.set(list, index + 1);
      stack.push({ indent, key: String(index) });
      indent += 2;
      body = item[1];
    }
    const entry = body.match(/^([\w.-]+):(?:\s+(.*))?$/);
    assert.ok(entry, `metadata.yaml line not understood: ${raw}`);
    pop(indent);
    if (entry[2] === undefined) stack.push({ indent, key: entry[1] });
    else values.set(pathOf(entry[1]), unquote(entry[2]));
  }
  return values;
}

/** The connector's specification, as `spec` prints it (run in-process). */
// deno-lint-ignore no-explicit-any
async function spec(): Promise<any> {
  const result = await runConnector(["spec"]);
  assert.equal(result.code, 0, result.stderr);
  return result.messages[0].spec;
}

async function metadata(): Promise<Map<string, string | string[]>> {
  return yamlValues(await readText("metadata.yaml"));
}

Deno.test("yamlValues reads the shapes metadata.yaml uses", () => {
  const values = yamlValues(
    [
      'top: "1.0" # comment',
      "data:",
      "  name: X",
      "  hosts:",
      "    list:",
      "      - a.example",
      "      - 'b.example'",
      "  links:",
      "    - title: T",
      "      url: https://example.com/#x",
      "    - title: U",
      "  after: 2",
    ].join("\n"),
  );
  assert.deepEqual(Object.fromEntries(values), {
    "top": "1.0",
    "data.name": "X",
    "data.hosts.list": ["a.example", "b.example"],
    "data.links.0.title": "T",
    "data.links.0.url": "https://example.com/#x",
    "data.links.1.title": "U",
    "data.after": "2",
  });
});

Deno.test("one version: src/version.ts, spec, deno.json, the image label and metadata.yaml", async () => {
  assert.match(VERSION, /^\d+\.\d+\.\d+$/);
  const spec = await runConnector(["spec"]);
  assert.equal(spec.spec().connectorVersion, VERSION);
  assert.equal(JSON.parse(await readText("deno.json")).version, VERSION);
  const labels = pairs((await dockerfile()).final, "LABEL");
  assert.equal(labels.get("io.airbyte.version"), VERSION);
  const meta = await metadata();
  assert.equal(meta.get("data.dockerImageTag"), VERSION);
  assert.equal(labels.get("io.airbyte.name"), meta.get("data.dockerRepository"));
});

Deno.test("metadata.yaml describes this connector", async (t) => {
  const meta = await metadata();
  await t.step("it has every field the registry requires", () => {
    assert.equal(meta.get("metadataSpecVersion"), "1.0");
    const required = [
      "name",
      "definitionId",
      "connectorType",
      "dockerRepository",
      "dockerImageTag",
      "license",
      "documentationUrl",
      "githubIssueLabel",
      "connectorSubtype",
      "releaseStage",
    ];
    for (const key of required) assert.ok(meta.get(`data.${key}`), `data.${key} is set`);
    assert.equal(meta.get("data.connectorType"), "source");
    assert.equal(meta.get("data.dockerRepository"), "airbyte/source-humaans");
  });
  await t.step("its definition id is a fixed UUID v4", () => {
    const id = meta.get("data.definitionId") as string;
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
  await t.step("its allowed host is the host of the default base_url", async () => {
    assert.deepEqual(meta.get("data.allowedHosts.hosts"), ["app.humaans.io"]);
    const base = (await spec()).connectionSpecification.properties.base_url.default;
    assert.equal(new URL(base).hostname, "app.humaans.io");
  });
  await t.step("its documentation URL is the spec's, and names docs/<page>.md", async () => {
    const url = meta.get("data.documentationUrl") as string;
    assert.equal((await spec()).documentationUrl, url);
    const page = new URL(url).pathname.split("/").at(-1);
    await Deno.stat(new URL(`docs/${page}.md`, ROOT));
  });
  await t.step("its icon is an SVG file next to it", async () => {
    const icon = meta.get("data.icon") as string;
    assert.match(icon, /\.svg$/);
    assert.match(await readText(icon), /^<svg[\s>][\s\S]*<\/svg>\s*$/);
  });
});

Deno.test("docs/humaans.md: tables match the code, the changelog has this version", async (t) => {
  const text = await readText("docs/humaans.md");
  const cells = (markdown: string) =>
    markdown.split("\n")
      .filter((line) => line.startsWith("|") && !/^\|[\s|:-]+\|$/.test(line))
      .map((line) => line.slice(1, -1).split("|").map((cell) => cell.trim()));
  for (const [name, table] of readmeTables()) {
    await t.step(`${name} table`, () => {
      const match = text.match(
        new RegExp(`<!-- ${name}:start -->([\\s\\S]*?)<!-- ${name}:end -->`),
      );
      assert.ok(match, `docs/humaans.md has <!-- ${name}:start --> and <!-- ${name}:end -->`);
      assert.deepEqual(cells(match[1]), cells(table));
    });
  }
  await t.step("changelog", () => {
    const changelog = text.slice(text.indexOf("## Changelog"));
    assert.match(changelog, new RegExp(`^\\|\\s*${VERSION.replaceAll(".", "\\.")}\\s*\\|`, "m"));
  });
});

// ---- the entrypoint command, run as the image runs it ----

/** Runs the image's ENTRYPOINT argv with this Deno, the entry file resolved in this checkout. */
async function runEntrypoint(
  args: string[],
  options: { cwd?: URL; secrets?: string[]; main?: string } = {},
): Promise<RunResult> {
  const [deno, ...flags] = await entrypoint();
  assert.equal(deno, "deno");
  const main = options.main ?? new URL("main.ts", ROOT).pathname;
  const argv = flags.map((arg) => arg === `${APP_DIR}/main.ts` ? main : arg);
  assert.ok(argv.includes(main), "the ENTRYPOINT names /app/main.ts");
  const output = await new Deno.Command(Deno.execPath(), {
    args: [...argv, ...args],
    cwd: options.cwd ?? ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  const stdout = decoder.decode(output.stdout);
  const stderr = decoder.decode(output.stderr);
  return parseRun(output.code, stdout, stderr, options.secrets ?? []);
}

Deno.test("the image's entrypoint command prints the spec", async (t) => {
  await t.step("from the app's folder", async () => {
    const result = await runEntrypoint(["spec"]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.messages.map((m) => m.type), ["SPEC"]);
    assert.ok(result.spec().connectionSpecification.properties.api_token);
  });
  await t.step("from another working directory (platforms may set one)", async () => {
    await using files = await TempFiles.create();
    const result = await runEntrypoint(["spec"], { cwd: new URL(`file://${files.dir}/`) });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.messages.map((m) => m.type), ["SPEC"]);
  });
});

Deno.test("the image's entrypoint command reads from the sandbox", async () => {
  const sandbox = await startSandbox({ people: 12 });
  try {
    await using files = await TempFiles.create();
    const config = await files.write("config.json", {
      api_token: sandbox.token,
      base_url: sandbox.url,
    });
    const streams = ["companies", "documents", "job_roles"];
    const catalog = await files.write("catalog.json", catalogOf(streams));
    const result = await runEntrypoint(["read", "--config", config, "--catalog", catalog], {
      cwd: new URL(`file://${files.dir}/`),
      secrets: [sandbox.token],
    });
    assert.equal(result.code, 0, result.stderr);
    for (const stream of streams) {
      assert.ok(result.records(stream).length > 0, `${stream} has RECORD lines`);
      assert.ok(result.states(stream).length > 0, `${stream} has STATE lines`);
    }
  } finally {
    await sandbox.close();
  }
});

/**
 * `deno task image`: builds the Dockerfile as it is committed and proves the image on this machine.
 *
 * 1. Tools: podman and debootstrap, installed with apt-get when missing (as root). Without them
 *    (or without root, which chroot and mount need) it prints `image: skipped (<reason>)` and
 *    exits 0.
 * 2. The base: no registry is reachable, so the Dockerfile's `FROM` images
 *    (`denoland/deno:<version>`, `denoland/deno:debian-<version>`) are stand-ins built once and
 *    cached by podman: Debian bookworm by `debootstrap --variant=minbase` from this machine's apt
 *    mirror, the Deno binary the npm package `deno@<version>` ships, the user and group `deno`
 *    (uid/gid 1993), `/deno-dir` owned by it, `DENO_DIR=/deno-dir/`, and this machine's CA bundle
 *    (`DENO_CERT`), so the build's `deno install` trusts the TLS setup the host trusts.
 * 3. `podman build --isolation=chroot --pull=never --network=host` of the unchanged Dockerfile.
 * 4. `podman run` cannot work here (crun cannot set rlimits, cgroups v1), so the container is
 *    created and mounted, and the image's own ENTRYPOINT, Env, WorkingDir and USER (read from
 *    `podman image inspect`) run under `chroot --userspec`, with /proc mounted (as every runtime
 *    does), the config, catalog and state
 *    bind-mounted read-only where Airbyte's launcher puts them (`/config/source_config.json`,
 *    `source_catalog.json`, `input_state.json`). chroot keeps the host's network, so the image reaches the
 *    sandbox on 127.0.0.1.
 * 5. `spec` (also through `AIRBYTE_ENTRYPOINT` and `sh -c`, as Airbyte runs it), `check`,
 *    `discover`, a full `read` and an incremental `read` from its state, through the image and
 *    through `deno task connector`: stdout must be equal message for message, all
 *    but the times a sync start sets (see {@linkcode normalizeRun}).
 *
 * It prints one line per check and `N passed, N failed`; it exits 1 when a check failed.
 * Scratch files live under `.image/` (git-ignored).
 *
 * @module
 */
import { resourcePaths, sandboxRows, startSandbox } from "../../sandbox/mod.ts";
import type { AirbyteMessage, AirbyteStream } from "../../src/protocol/messages.ts";

const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const WORK = `${ROOT}/.image`;
const DAY_MS = 86_400_000;
/** The stand-in's Debian release (the official Deno images are Debian-based). */
const SUITE = "bookworm";
/** Where the config, catalog and state are mounted in the container: where Airbyte puts them. */
const SECRETS = "/config";
/** Their file names, as Airbyte's launcher names them. */
const FILES = {
  config: "source_config.json",
  catalog: "source_catalog.json",
  state: "input_state.json",
};
/** The stand-in base's label: its recipe, so that a stand-in built by an older recipe is rebuilt. */
const STAND_IN_LABEL = "source-humaans.stand-in";
/** Bump when {@linkcode buildStandIn} changes what it builds. */
const STAND_IN_RECIPE = "1";
/** People in the sandbox: every stream gets rows, and a sync takes a few seconds. */
const PEOPLE = 200;
/** `initial_sync_days` of the reads (the most the spec allows): most rows are in the window. */
const WINDOW_DAYS = 365;
/** How long after the sandbox starts the first reads may start (the band kept free of rows). */
const BAND_MS = 20 * 60_000;

// ---- processes, every one with a deadline ----

/** What a command printed, and when it ran. */
export interface Output {
  code: number;
  stdout: string;
  stderr: string;
  startedAt: number;
  endedAt: number;
}

/** Aborted on SIGINT or SIGTERM: running commands are killed, and no new one starts. */
const interrupt = new AbortController();

/**
 * Runs `argv` to its end or until `timeoutMs` passes (then kills it and reports code 124).
 * Throws once the run is interrupted.
 */
async function exec(
  argv: string[],
  options: { timeoutMs: number; cwd?: string; env?: Record<string, string>; cleanup?: boolean },
): Promise<Output> {
  // Cleanup commands run on after an interruption.
  const interrupted = options.cleanup ? new AbortController().signal : interrupt.signal;
  interrupted.throwIfAborted();
  const startedAt = Date.now();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs);
  try {
    const child = new Deno.Command(argv[0], {
      args: argv.slice(1),
      cwd: options.cwd ?? ROOT,
      env: options.env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.any([controller.signal, interrupted]),
    }).spawn();
    const output = await child.output();
    interrupted.throwIfAborted();
    const decoder = new TextDecoder();
    const timedOut = controller.signal.aborted;
    return {
      code: timedOut ? 124 : output.code,
      stdout: decoder.decode(output.stdout),
      stderr: decoder.decode(output.stderr) +
        (timedOut ? `\n${argv[0]} timed out after ${options.timeoutMs / 1000} s` : ""),
      startedAt,
      endedAt: Date.now(),
    };
  } catch (error) {
    interrupted.throwIfAborted();
    const message = error instanceof Error ? error.message : String(error);
    return { code: 127, stdout: "", stderr: message, startedAt, endedAt: Date.now() };
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `argv` and throws, with the end of its stderr, unless it exits 0. */
async function must(argv: string[], timeoutMs: number, what: string): Promise<string> {
  const output = await exec(argv, { timeoutMs });
  if (output.code !== 0) {
    const tail = `${output.stdout}\n${output.stderr}`.trim().split("\n").slice(-15).join("\n");
    throw new Error(`${what} failed (exit ${output.code}):\n${tail}`);
  }
  return output.stdout;
}

function log(line: string): void {
  console.log(line);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

// ---- tools ----

async function has(command: string): Promise<boolean> {
  return (await exec(["sh", "-c", `command -v ${command}`], { timeoutMs: 10_000 })).code === 0;
}

/** Podman and debootstrap, installed when missing; the reason to skip when they cannot be had. */
async function ensureTools(): Promise<string | undefined> {
  if (Deno.uid() !== 0) return "needs root: chroot and mount run the image";
  if (!(await has("chroot")) || !(await has("mount"))) return "chroot or mount is missing";
  const missing = [];
  for (const tool of ["podman", "debootstrap"]) if (!(await has(tool))) missing.push(tool);
  if (missing.length > 0) {
    if (!(await has("apt-get"))) return `${missing.join(" and ")} missing and no apt-get`;
    log(`image: installing ${missing.join(" and ")} with apt-get`);
    const env = { DEBIAN_FRONTEND: "noninteractive" };
    const lock = ["-o", "DPkg::Lock::Timeout=120"];
    const update = await exec(["apt-get", ...lock, "update", "-q"], { timeoutMs: 300_000, env });
    if (update.code !== 0) log(`image: apt-get update failed: ${update.stderr.trim()}`);
    const install = await exec(
      ["apt-get", ...lock, "install", "-y", "-q", ...missing],
      { timeoutMs: 900_000, env },
    );
    if (install.code !== 0) log(`image: apt-get install failed: ${install.stderr.trim()}`);
  }
  if (!(await has("podman"))) return "podman could not be installed";
  const info = await exec(["podman", "info", "--format", "{{.Store.GraphDriverName}}"], {
    timeoutMs: 60_000,
  });
  if (info.code !== 0) return `podman does not work here: ${info.stderr.trim().split("\n")[0]}`;
  return undefined;
}

// ---- the stand-in base image ----

/** The Dockerfile's `FROM` images, fully qualified (`docker.io/denoland/deno:2.9.6`). */
export function baseImages(dockerfile: string): string[] {
  const images = [...dockerfile.matchAll(/^FROM\s+(\S+)/gim)].map((m) => m[1]);
  return [...new Set(images)].map((image) =>
    image.split("/").length === 2 ? `docker.io/${image}` : image
  );
}

/** The Deno version of a `denoland/deno` tag: `2.9.6`, `debian-2.9.6` -> `2.9.6`. */
export function denoVersionOf(image: string): string {
  const match = image.match(/:(?:[a-z]+-)?(\d+\.\d+\.\d+)$/);
  if (!match) throw new Error(`Cannot tell the Deno version of the base image ${image}`);
  return match[1];
}

/** The Debian mirror of this machine's apt sources (deb822 `URIs:` or `deb URI suite` lines). */
export function debianMirror(sources: string[]): string | undefined {
  for (const text of sources) {
    for (const block of text.split(/\n\s*\n/)) {
      const uri = block.match(/^URIs:\s*(\S+)/m)?.[1];
      const suites = block.match(/^Suites:\s*(.*)$/m)?.[1].split(/\s+/) ?? [];
      if (uri && suites.includes(SUITE)) return uri;
    }
    for (const line of text.split("\n")) {
      const match = line.match(/^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/);
      if (match && match[2] === SUITE) return match[1];
    }
  }
  return undefined;
}

async function aptSources(): Promise<string[]> {
  const files = ["/etc/apt/sources.list"];
  try {
    for await (const entry of Deno.readDir("/etc/apt/sources.list.d")) {
      if (/\.(list|sources)$/.test(entry.name)) files.push(`/etc/apt/sources.list.d/${entry.name}`);
    }
  } catch {
    // No sources.list.d.
  }
  const texts = [];
  for (const file of files.sort()) {
    try {
      texts.push(await Deno.readTextFile(file));
    } catch {
      // A missing file has no sources.
    }
  }
  return texts;
}

/** The host's Deno binary of `version`: the npm package's, else the one on PATH. */
async function denoBinary(version: string): Promise<string> {
  const npmRoot = (await exec(["npm", "root", "-g"], { timeoutMs: 30_000 })).stdout.trim();
  const candidates = [
    `${npmRoot}/deno/node_modules/@deno/linux-x64-glibc/deno`,
    `${npmRoot}/deno/deno`,
    Deno.execPath(),
  ];
  for (const path of candidates) {
    const output = await exec([path, "--version"], { timeoutMs: 30_000 });
    if (output.code === 0 && output.stdout.startsWith(`deno ${version} `)) return path;
  }
  throw new Error(
    `No Deno ${version} binary found (looked at ${
      candidates.join(", ")
    }): run npm install -g deno@${version}`,
  );
}

/** Whether `image` is there and is not a stand-in of an older recipe (a real image always is). */
async function baseReady(image: string): Promise<boolean> {
  const output = await exec(
    ["podman", "image", "inspect", "--format", `{{index .Labels "${STAND_IN_LABEL}"}}`, image],
    { timeoutMs: 30_000 },
  );
  if (output.code !== 0) return false;
  const recipe = output.stdout.trim();
  return recipe === "" || recipe === "<no value>" || recipe === STAND_IN_RECIPE;
}

/** Mount points at or under `dir` in a `/proc/self/mounts`, deepest first. */
export function mountsUnder(mounts: string, dir: string): string[] {
  return mounts.split("\n").map((line) => line.split(" ")[1])
    .filter((point): point is string => point === dir || point?.startsWith(`${dir}/`))
    .map((point) => point.replace(/\\040/g, " "))
    .sort((a, b) => b.length - a.length);
}

/**
 * Removes a stand-in's root file system, unmounting first what a stopped debootstrap may have left
 * mounted in it (/proc, /sys); leaves it in place if something stays mounted.
 */
async function removeRootfs(rootfs: string): Promise<void> {
  for (const point of mountsUnder(await Deno.readTextFile("/proc/self/mounts"), rootfs)) {
    await exec(["umount", "--lazy", point], { timeoutMs: 60_000, cleanup: true });
  }
  const left = mountsUnder(await Deno.readTextFile("/proc/self/mounts"), rootfs);
  if (left.length > 0) {
    log(`image: not removing ${rootfs}: ${left.join(", ")} still mounted`);
    return;
  }
  await Deno.remove(rootfs, { recursive: true }).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  });
}

/** Builds the stand-in base and tags it as every image in `images`. */
async function buildStandIn(images: string[]): Promise<void> {
  const version = denoVersionOf(images[0]);
  if (!images.every((image) => denoVersionOf(image) === version)) {
    throw new Error(
      `The Dockerfile's FROM lines name different Deno versions: ${images.join(", ")}`,
    );
  }
  if (!(await has("debootstrap"))) throw new Error("debootstrap is missing: apt-get install it");
  const old = [];
  for (const image of images) {
    const id = await exec(["podman", "image", "inspect", "--format", "{{.Id}}", image], {
      timeoutMs: 30_000,
    });
    if (id.code === 0) old.push(id.stdout.trim());
  }
  const mirror = debianMirror(await aptSources()) ?? "http://deb.debian.org/debian";
  const deno = await denoBinary(version);
  const rootfs = `${WORK}/rootfs`;
  await removeRootfs(rootfs);
  await Deno.mkdir(WORK, { recursive: true });
  log(`image: building the stand-in base (debootstrap ${SUITE} from ${mirror}, ${deno})`);
  await must(
    ["debootstrap", "--variant=minbase", SUITE, rootfs, mirror],
    900_000,
    "debootstrap",
  );
  try {
    await Deno.copyFile(deno, `${rootfs}/usr/bin/deno`);
    await Deno.chmod(`${rootfs}/usr/bin/deno`, 0o755);
    const inRoot = (args: string[]) => must(["chroot", rootfs, ...args], 60_000, args[0]);
    await inRoot(["groupadd", "--gid", "1993", "deno"]);
    await inRoot(["useradd", "--uid", "1993", "--gid", "deno", "--create-home", "deno"]);
    await inRoot(["mkdir", "-p", "/deno-dir"]);
    await inRoot(["chown", "deno:deno", "/deno-dir"]);
    const bundle = "/etc/ssl/certs/ca-certificates.crt";
    await Deno.mkdir(`${rootfs}/etc/ssl/certs`, { recursive: true });
    await Deno.copyFile(bundle, `${rootfs}${bundle}`);
    // What debootstrap leaves behind and no image needs.
    for (const dir of ["var/cache/apt/archives", "var/lib/apt/lists", "tmp"]) {
      await must(["find", `${rootfs}/${dir}`, "-mindepth", "1", "-delete"], 60_000, "cleanup");
    }
    const changes = [
      `ENV DENO_DIR=/deno-dir/`,
      `ENV DENO_CERT=${bundle}`,
      `ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
      `LABEL ${STAND_IN_LABEL}=${STAND_IN_RECIPE}`,
      `CMD ["deno", "--version"]`,
    ].flatMap((change) => ["--change", change]);
    const quoted = changes.map((arg) => `'${arg.replaceAll("'", `'\\''`)}'`).join(" ");
    await must(
      [
        "timeout",
        "600",
        "bash",
        "-c",
        `set -o pipefail; tar -C '${rootfs}' -c . | podman import ${quoted} - ${images[0]}`,
      ],
      610_000,
      "podman import",
    );
    for (const image of images.slice(1)) {
      await must(["podman", "tag", images[0], image], 60_000, "podman tag");
    }
    // A stand-in of an older recipe, now untagged (podman keeps it while an image uses it).
    for (const id of new Set(old)) await exec(["podman", "rmi", id], { timeoutMs: 120_000 });
  } finally {
    await removeRootfs(rootfs);
  }
}

// ---- the image ----

/** What `podman image inspect` says about an image. */
interface ImageInfo {
  Id: string;
  Size: number;
  Config: { Env?: string[]; Entrypoint?: string[]; WorkingDir?: string; User?: string };
}

async function inspect(image: string): Promise<ImageInfo> {
  const text = await must(["podman", "image", "inspect", image], 60_000, "podman image inspect");
  return (JSON.parse(text) as ImageInfo[])[0];
}

/** The ids of the untagged images podman holds. */
async function danglingImages(): Promise<string[]> {
  const output = await exec(
    ["podman", "images", "--quiet", "--no-trunc", "--filter", "dangling=true"],
    { timeoutMs: 60_000 },
  );
  return output.code === 0 ? output.stdout.split("\n").filter((id) => id !== "") : [];
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB (${bytes} bytes)`;
}

/** uid and gid of `user` (a name or a number) in an `/etc/passwd`. */
export function userIds(passwd: string, user: string): { uid: number; gid: number; home: string } {
  for (const line of passwd.split("\n")) {
    const [name, , uid, gid, , home] = line.split(":");
    if (name === user || uid === user) return { uid: Number(uid), gid: Number(gid), home };
  }
  throw new Error(`The image has no user ${user} in /etc/passwd`);
}

/** The npm packages a Deno cache holds (`zod@4.6.7`), from its `npm/registry.npmjs.org` folder. */
async function cachedPackages(denoDir: string): Promise<string[]> {
  const registry = `${denoDir}/npm/registry.npmjs.org`;
  const found: string[] = [];
  const versions = async (dir: string, name: string) => {
    for await (const version of Deno.readDir(dir)) {
      if (version.isDirectory) found.push(`${name}@${version.name}`);
    }
  };
  try {
    for await (const entry of Deno.readDir(registry)) {
      if (!entry.isDirectory) continue;
      if (entry.name.startsWith("@")) {
        for await (const scoped of Deno.readDir(`${registry}/${entry.name}`)) {
          await versions(
            `${registry}/${entry.name}/${scoped.name}`,
            `${entry.name}/${scoped.name}`,
          );
        }
      } else await versions(`${registry}/${entry.name}`, entry.name);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return found.sort();
}

/** The npm packages `main.ts` needs: its graph's npm modules and what they depend on. */
async function neededPackages(): Promise<string[]> {
  const info = JSON.parse(
    await must(["deno", "info", "--json", "main.ts"], 120_000, "deno info main.ts"),
  );
  const packages: Record<string, { dependencies?: string[] }> = info.npmPackages ?? {};
  const queue: string[] = info.modules
    .map((m: { specifier: string }) => m.specifier)
    .filter((s: string) => s.startsWith("npm:/"))
    .map((s: string) => s.slice("npm:/".length).replace(/^((?:@[^/]+\/)?[^/]+).*$/, "$1"));
  const needed = new Set<string>();
  while (queue.length > 0) {
    const id = queue.pop()!;
    if (needed.has(id)) continue;
    needed.add(id);
    queue.push(...(packages[id]?.dependencies ?? []));
  }
  return [...needed].sort();
}

// ---- comparing runs ----

/** One stdout line, parsed. */
type Message = AirbyteMessage;

/** The stream a message belongs to ("" for none: logs, spec, catalog, connection status). */
function streamOf(message: Message): string {
  return message.record?.stream ??
    message.state?.stream?.stream_descriptor?.name ??
    message.trace?.stream_status?.stream_descriptor?.name ??
    message.trace?.estimate?.name ??
    message.trace?.error?.stream_descriptor?.name ??
    // A LOG about one stream names it first: streams read side by side interleave their logs.
    message.log?.message.match(/^Stream "([^"]+)"/)?.[1] ?? "";
}

/**
 * A run's messages with the times its sync start sets taken out: `emitted_at` (records, traces),
 * and each record's `timestamp` column, which is the sync's start time. Every record of one run
 * must carry the same `timestamp`, within the run's lifetime, else this throws: only the value
 * is normalized, never a difference between records.
 */
export function normalizeRun(
  stdout: string,
  run: { startedAt: number; endedAt: number },
): Message[] {
  const lines = stdout.split("\n").filter((line) => line !== "");
  let syncStart: string | undefined;
  return lines.map((line, index) => {
    let message: Message;
    try {
      message = JSON.parse(line);
    } catch {
      throw new Error(`stdout line ${index + 1} is not JSON: ${line.slice(0, 200)}`);
    }
    if (message.record) {
      delete (message.record as { emitted_at?: number }).emitted_at;
      const timestamp = message.record.data?.timestamp;
      if (typeof timestamp === "string") {
        if (syncStart === undefined) {
          const ms = Date.parse(timestamp);
          if (!(ms >= run.startedAt - 1000 && ms <= run.endedAt)) {
            throw new Error(`record timestamp ${timestamp} is not within the run`);
          }
          syncStart = timestamp;
        }
        if (timestamp !== syncStart) {
          throw new Error(`records carry two sync times: ${syncStart} and ${timestamp}`);
        }
        message.record.data.timestamp = "<sync start>";
      }
    }
    if (message.trace) delete (message.trace as { emitted_at?: number }).emitted_at;
    return message;
  });
}

/**
 * What a run says of one stream, as two runs of the same sync must agree on it: its RECORDs and
 * its other messages as multisets (slices of a stream are read side by side, so rows of one stream
 * interleave differently from run to run), its last STATE's state (where it ends) and the records
 * its STATEs count in all. STATEs before the last, and the last one's own `recordCount` (the
 * records since the one before), are left out: they depend on which slice's page came first.
 */
function streamSummary(messages: Message[]): string[] {
  const lines = messages.filter((m) => m.type !== "STATE").map((m) => JSON.stringify(m)).sort();
  const states = messages.filter((m) => m.type === "STATE");
  const last = states.at(-1)?.state;
  if (last === undefined) return lines;
  const counted = states.reduce((sum, m) => sum + (m.state?.sourceStats?.recordCount ?? 0), 0);
  const { sourceStats: _, ...where } = last;
  return [...lines, `last STATE ${JSON.stringify(where)}`, `STATE record counts ${counted}`];
}

/**
 * Whether two runs' messages agree: within each stream, the same records and other messages
 * (order aside) and the same last STATE; `sameOrder` says whether every message also came in
 * the same order.
 */
export function compareMessages(
  expected: Message[],
  actual: Message[],
): { equal: boolean; sameOrder: boolean; detail: string } {
  const byStream = (messages: Message[]) => {
    const groups = new Map<string, Message[]>();
    for (const message of messages) {
      const key = streamOf(message);
      groups.set(key, [...(groups.get(key) ?? []), message]);
    }
    return groups;
  };
  const a = byStream(expected);
  const b = byStream(actual);
  const sameOrder = expected.length === actual.length &&
    expected.every((m, i) => JSON.stringify(m) === JSON.stringify(actual[i]));
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const left = streamSummary(a.get(key) ?? []);
    const right = streamSummary(b.get(key) ?? []);
    const at = left.findIndex((line, i) => line !== right[i]);
    const first = at >= 0
      ? at
      : left.length !== right.length
      ? Math.min(left.length, right.length)
      : -1;
    if (first >= 0) {
      const name = key === "" ? "messages of no stream" : `stream ${key}`;
      return {
        equal: false,
        sameOrder,
        detail: `${name}: message ${first + 1} differs (of ${left.length} vs ${right.length}, ` +
          `sorted, the last STATE last):\n` +
          `  connector: ${(left[first] ?? "<none>").slice(0, 300)}\n` +
          `  image:     ${(right[first] ?? "<none>").slice(0, 300)}`,
      };
    }
  }
  return { equal: true, sameOrder, detail: "" };
}

/**
 * A sandbox `now`: `base` (a whole second, minutes before any sync starts, so that no cursor is
 * capped at a sync's start) moved back by whole minutes until no timed row's `updatedAt` lies in
 * `[low, high]`, where the reads' window may start (`initial_sync_days` before a sync starting in
 * the next minutes). Both runs then read the same rows, whenever each starts in that band.
 * `updatedAts` are the rows' times when the sandbox's now is `base`; they move with it.
 */
export function pinnedNow(base: number, updatedAts: number[], band: {
  low: number;
  high: number;
}): number {
  for (let k = 0; k < 10_000; k++) {
    const shift = -k * 60_000;
    if (!updatedAts.some((at) => at + shift >= band.low && at + shift <= band.high)) {
      return base + shift;
    }
  }
  throw new Error("No sandbox time leaves the start of the read window free of rows");
}

// ---- the run ----

/** A configured catalog of every discovered stream: incremental where it can be. */
function configuredCatalog(discover: string): unknown {
  const catalog = discover.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l))
    .find((m) => m.type === "CATALOG")?.catalog;
  if (!catalog) throw new Error("discover printed no CATALOG");
  return {
    streams: catalog.streams.map((stream: AirbyteStream) => {
      const incremental = stream.supported_sync_modes.includes("incremental");
      return {
        stream,
        sync_mode: incremental ? "incremental" : "full_refresh",
        destination_sync_mode: incremental ? "append_dedup" : "overwrite",
        ...(incremental ? { cursor_field: stream.default_cursor_field } : {}),
        primary_key: stream.source_defined_primary_key,
      };
    }),
  };
}

/** The last STATE of each stream, as a state file. */
function stateFile(stdout: string): unknown[] {
  const last = new Map<string, unknown>();
  for (const line of stdout.split("\n")) {
    if (line === "") continue;
    const message = JSON.parse(line);
    if (message.type === "STATE") {
      last.set(message.state.stream.stream_descriptor.name, message.state);
    }
  }
  return [...last.values()];
}

interface Results {
  passed: number;
  failed: number;
}

function report(results: Results, name: string, ok: boolean, detail = ""): void {
  if (ok) results.passed++;
  else results.failed++;
  log(`${ok ? "ok  " : "FAIL"} ${name}${detail ? `: ${detail}` : ""}`);
}

/** Cleanup steps, run in reverse order at the end or on SIGINT/SIGTERM. */
const cleanups: (() => Promise<unknown>)[] = [];

async function cleanup(): Promise<void> {
  while (cleanups.length > 0) {
    try {
      await cleanups.pop()!();
    } catch (error) {
      log(`image: cleanup failed: ${error instanceof Error ? error.message : error}`);
    }
  }
}

async function proveImage(results: Results): Promise<void> {
  const denoJson = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`));
  const tag = `airbyte/source-humaans:${denoJson.version}`;
  const dockerfile = await Deno.readTextFile(`${ROOT}/Dockerfile`);

  // The base.
  const bases = baseImages(dockerfile);
  let started = Date.now();
  const missing = [];
  for (const image of bases) if (!(await baseReady(image))) missing.push(image);
  if (missing.length > 0) {
    try {
      await buildStandIn(bases);
      report(
        results,
        "stand-in base",
        true,
        `${bases.join(", ")} in ${seconds(Date.now() - started)}`,
      );
    } catch (error) {
      report(
        results,
        "stand-in base",
        false,
        error instanceof Error ? error.message : String(error),
      );
      return;
    }
  } else {
    log(`image: base ${bases.join(", ")} cached`);
  }

  // The build. The image it replaces and the build stage it leaves untagged are removed after it.
  const previous = await exec(["podman", "image", "inspect", "--format", "{{.Id}}", tag], {
    timeoutMs: 60_000,
  });
  const danglingBefore = new Set(await danglingImages());
  started = Date.now();
  const build = await exec(
    [
      "podman",
      "build",
      "--layers=false",
      "--isolation=chroot",
      "--pull=never",
      "--network=host",
      "-t",
      tag,
      ".",
    ],
    { timeoutMs: 900_000 },
  );
  await Deno.mkdir(WORK, { recursive: true });
  await Deno.writeTextFile(`${WORK}/build.log`, `${build.stdout}\n${build.stderr}`);
  if (build.code !== 0) {
    const tail = `${build.stdout}\n${build.stderr}`.trim().split("\n").slice(-20).join("\n");
    report(results, "podman build", false, `exit ${build.code} (.image/build.log):\n${tail}`);
    return;
  }
  const info = await inspect(tag);
  const previousId = previous.code === 0 ? previous.stdout.trim() : "";
  const leftovers = (await danglingImages()).filter((id) => !danglingBefore.has(id));
  if (previousId && previousId !== info.Id) leftovers.push(previousId);
  for (const id of leftovers) await exec(["podman", "rmi", id], { timeoutMs: 120_000 });
  report(results, "podman build", true, `${tag} in ${seconds(Date.now() - started)}`);
  log(`image: size ${megabytes(info.Size)}`);

  // The container, mounted.
  const container = (await must(["podman", "create", tag], 120_000, "podman create")).trim();
  cleanups.push(() =>
    exec(["podman", "rm", "--force", container], { timeoutMs: 120_000, cleanup: true })
  );
  const mount = (await must(["podman", "mount", container], 120_000, "podman mount")).trim();
  cleanups.push(() => exec(["podman", "umount", container], { timeoutMs: 120_000, cleanup: true }));

  const config = info.Config;
  const entrypoint = config.Entrypoint ?? [];
  if (entrypoint.length === 0) throw new Error(`${tag} has no ENTRYPOINT`);
  const user = userIds(await Deno.readTextFile(`${mount}/etc/passwd`), config.User || "root");
  const env = [...(config.Env ?? []), `HOME=${user.home}`];
  const workdir = config.WorkingDir || "/";
  log(
    `image: ENTRYPOINT ${JSON.stringify(entrypoint)}, USER ${config.User} (uid ${user.uid}), ` +
      `WORKDIR ${workdir}`,
  );

  // Secrets: a host folder bind-mounted read-only at /config.
  const run = await Deno.makeTempDir({ dir: WORK, prefix: "run-" });
  cleanups.push(() => Deno.remove(run, { recursive: true }));
  const secrets = `${run}/secrets`;
  const local = `${run}/local`;
  await Deno.mkdir(secrets, { mode: 0o755 });
  await Deno.mkdir(local);
  await Deno.chmod(run, 0o755);
  await Deno.chmod(secrets, 0o755);
  const target = `${mount}${SECRETS}`;
  await Deno.mkdir(target, { recursive: true });
  await must(["mount", "--bind", secrets, target], 60_000, "mount --bind");
  cleanups.push(() => exec(["umount", target], { timeoutMs: 60_000, cleanup: true }));
  await must(["mount", "-o", "remount,bind,ro", target], 60_000, "mount -o remount,ro");
  // Every container runtime mounts /proc (the runtime reads /proc/self/exe, for one): so here.
  const proc = `${mount}/proc`;
  await Deno.mkdir(proc, { recursive: true });
  await must(["mount", "-t", "proc", "proc", proc], 60_000, "mount -t proc");
  cleanups.push(() => exec(["umount", "--lazy", proc], { timeoutMs: 60_000, cleanup: true }));

  /**
   * The ENTRYPOINT with `args`, run in the container as its USER, in its WORKDIR, with its Env;
   * with `airbyte`, as Airbyte's launcher runs it: `sh -c 'eval "$AIRBYTE_ENTRYPOINT" ...'`.
   */
  const inImage = (args: string[], options: { timeoutMs: number; airbyte?: boolean }) =>
    exec([
      "chroot",
      `--userspec=${user.uid}:${user.gid}`,
      `--groups=${user.gid}`,
      mount,
      "env",
      "-i",
      `--chdir=${workdir}`,
      ...env,
      ...(options.airbyte ? ["sh", "-c", 'eval "$AIRBYTE_ENTRYPOINT" "$@"', "sh"] : entrypoint),
      ...args,
    ], { timeoutMs: options.timeoutMs });
  const connector = (args: string[], timeoutMs: number) =>
    exec(["deno", "task", "connector", ...args], { timeoutMs });

  // As whom, and what the image's cache holds.
  const id = await exec(
    ["chroot", `--userspec=${user.uid}:${user.gid}`, `--groups=${user.gid}`, mount, "id"],
    { timeoutMs: 30_000 },
  );
  const probe = await exec(["chroot", mount, "touch", `${SECRETS}/.probe`], { timeoutMs: 30_000 });
  report(
    results,
    `runs as a non-root user, ${SECRETS} read-only`,
    user.uid !== 0 && id.stdout.startsWith(`uid=${user.uid}(`) && probe.code !== 0,
    `${id.stdout.trim()}; writing to ${SECRETS}: ${probe.stderr.trim().split("\n")[0]}`,
  );
  const denoDir = env.find((e) => e.startsWith("DENO_DIR="))?.slice("DENO_DIR=".length) ?? "";
  const cached = await cachedPackages(`${mount}${denoDir}`);
  const needed = await neededPackages();
  report(
    results,
    "the image's Deno cache holds only what main.ts needs",
    JSON.stringify(cached) === JSON.stringify(needed),
    `cached ${cached.join(", ") || "nothing"}; main.ts needs ${needed.join(", ")}`,
  );

  // The sandbox, its data pinned so that both runs read the same rows.
  const realNow = Date.now();
  const base = Math.floor(realNow / 60_000) * 60_000 - 5 * 60_000;
  const updatedAts: number[] = [];
  for (const path of resourcePaths()) {
    for (const row of sandboxRows(path, { people: PEOPLE, now: () => new Date(base) })) {
      if (typeof row.updatedAt === "string") updatedAts.push(Date.parse(row.updatedAt));
    }
  }
  const now = pinnedNow(base, updatedAts, {
    low: realNow - WINDOW_DAYS * DAY_MS - 60_000,
    high: realNow - WINDOW_DAYS * DAY_MS + BAND_MS,
  });
  const sandbox = await startSandbox({ people: PEOPLE, now: () => new Date(now) });
  cleanups.push(() => sandbox.close());
  const configJson = JSON.stringify({
    api_token: sandbox.token,
    base_url: sandbox.url,
    initial_sync_days: WINDOW_DAYS,
  });
  await Deno.writeTextFile(`${secrets}/${FILES.config}`, configJson, { mode: 0o644 });
  log(`image: sandbox on ${sandbox.url}, ${PEOPLE} people, its now ${new Date(now).toISOString()}`);

  const files = (dir: string, name: string) => `${dir}/${name}`;
  const args = {
    config: (dir: string) => ["--config", files(dir, FILES.config)],
    catalog: (dir: string) => ["--catalog", files(dir, FILES.catalog)],
    state: (dir: string) => ["--state", files(dir, FILES.state)],
  };
  const localDir = secrets;
  const imageDir = SECRETS;

  /** Runs one command both ways, side by side; reports whether their outputs agree. */
  const both = async (
    name: string,
    argsOf: (dir: string) => string[],
    options: { localStateDir?: string; airbyte?: boolean; file?: string } = {},
  ): Promise<{ local: Output; image: Output } | undefined> => {
    const timeoutMs = 300_000;
    const localState = files(options.localStateDir ?? localDir, FILES.state);
    const localArgs = argsOf(localDir).map((arg) =>
      arg === files(localDir, FILES.state) ? localState : arg
    );
    const [localRun, imageRun] = await Promise.all([
      connector(localArgs, timeoutMs),
      inImage(argsOf(imageDir), { timeoutMs, airbyte: options.airbyte }),
    ]);
    // Kept for a look after a failure (stdout carries no token).
    const saved = `${WORK}/last/${options.file ?? name}`;
    await Deno.writeTextFile(`${saved}.connector.jsonl`, localRun.stdout);
    await Deno.writeTextFile(`${saved}.image.jsonl`, imageRun.stdout);
    const problems = [];
    if (localRun.code !== 0) problems.push(`deno task connector exited ${localRun.code}`);
    if (imageRun.code !== localRun.code) {
      problems.push(`the image exited ${imageRun.code}: ${imageRun.stderr.trim().slice(-500)}`);
    }
    let detail = "";
    try {
      const expected = normalizeRun(localRun.stdout, localRun);
      const actual = normalizeRun(imageRun.stdout, imageRun);
      const comparison = compareMessages(expected, actual);
      if (!comparison.equal) problems.push(comparison.detail);
      if (expected.length === 0) problems.push("no output");
      const counts = countTypes(expected);
      detail = `${expected.length} messages equal (${counts})` +
        (comparison.sameOrder ? "" : ", streams interleaved differently") +
        `; ${seconds(localRun.endedAt - localRun.startedAt)} local, ` +
        `${seconds(imageRun.endedAt - imageRun.startedAt)} in the image`;
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
    report(
      results,
      name,
      problems.length === 0,
      problems.length === 0 ? detail : problems.join("; "),
    );
    return problems.length === 0 ? { local: localRun, image: imageRun } : undefined;
  };

  await Deno.remove(`${WORK}/last`, { recursive: true }).catch(() => {});
  await Deno.mkdir(`${WORK}/last`, { recursive: true });
  await both("spec", () => ["spec"]);
  await both("spec (AIRBYTE_ENTRYPOINT through sh -c, as Airbyte runs it)", () => ["spec"], {
    airbyte: true,
    file: "spec-airbyte",
  });
  await both("check", (dir) => ["check", ...args.config(dir)]);
  const discover = await both("discover", (dir) => ["discover", ...args.config(dir)]);
  if (!discover) {
    report(results, "read", false, "not run: discover failed");
    report(results, "read (incremental)", false, "not run: discover failed");
    return;
  }
  await Deno.writeTextFile(
    `${secrets}/${FILES.catalog}`,
    JSON.stringify(configuredCatalog(discover.local.stdout)),
    { mode: 0o644 },
  );
  const full = await both("read", (dir) => ["read", ...args.config(dir), ...args.catalog(dir)]);
  if (!full) {
    report(results, "read (incremental)", false, "not run: the first read failed");
    return;
  }
  // Each side reads from the state its own first read ended with.
  await Deno.writeTextFile(
    `${secrets}/${FILES.state}`,
    JSON.stringify(stateFile(full.image.stdout)),
    {
      mode: 0o644,
    },
  );
  await Deno.writeTextFile(`${local}/${FILES.state}`, JSON.stringify(stateFile(full.local.stdout)));
  await both(
    "read (incremental)",
    (dir) => ["read", ...args.config(dir), ...args.catalog(dir), ...args.state(dir)],
    { localStateDir: local, file: "read-incremental" },
  );
}

function countTypes(messages: Message[]): string {
  const counts = new Map<string, number>();
  for (const m of messages) counts.set(m.type, (counts.get(m.type) ?? 0) + 1);
  return [...counts].map(([type, n]) => `${n} ${type}`).join(", ");
}

async function main(): Promise<number> {
  const started = Date.now();
  const skip = await ensureTools();
  if (skip) {
    log(`image: skipped (${skip})`);
    return 0;
  }
  const results: Results = { passed: 0, failed: 0 };
  const stop = () => {
    log("image: interrupted, cleaning up");
    interrupt.abort(new Error("interrupted"));
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
  try {
    await proveImage(results);
  } catch (error) {
    if (!interrupt.signal.aborted) {
      report(results, "image", false, error instanceof Error ? error.message : String(error));
    }
  } finally {
    await cleanup();
    Deno.removeSignalListener("SIGINT", stop);
    Deno.removeSignalListener("SIGTERM", stop);
  }
  if (interrupt.signal.aborted) {
    log(`image: interrupted after ${seconds(Date.now() - started)}, cleaned up`);
    return 130;
  }
  log(`image: done in ${seconds(Date.now() - started)}`);
  log(`${results.passed} passed, ${results.failed} failed`);
  return results.failed === 0 ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main());

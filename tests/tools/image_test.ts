import assert from "node:assert/strict";
import type { AirbyteMessage } from "../../src/protocol/messages.ts";
import {
  baseImages,
  compareMessages,
  debianMirror,
  denoVersionOf,
  mountsUnder,
  normalizeRun,
  pinnedNow,
  userIds,
} from "./image.ts";

const ROOT = new URL("../../", import.meta.url);

Deno.test("baseImages names the Dockerfile's FROM images, fully qualified", async () => {
  assert.deepEqual(baseImages("FROM denoland/deno:2.9.6 AS build\nRUN x\nfrom quay.io/a/b:1\n"), [
    "docker.io/denoland/deno:2.9.6",
    "quay.io/a/b:1",
  ]);
  const images = baseImages(await Deno.readTextFile(new URL("Dockerfile", ROOT)));
  assert.ok(images.length >= 1);
  const versions = new Set(images.map(denoVersionOf));
  assert.equal(versions.size, 1, "every stage uses one Deno version");
});

Deno.test("denoVersionOf reads plain and distribution tags, and refuses others", () => {
  assert.equal(denoVersionOf("docker.io/denoland/deno:2.9.6"), "2.9.6");
  assert.equal(denoVersionOf("docker.io/denoland/deno:debian-2.9.6"), "2.9.6");
  assert.throws(() => denoVersionOf("docker.io/denoland/deno:latest"), /Deno version/);
});

Deno.test("debianMirror reads deb822 and one-line apt sources", () => {
  const deb822 = [
    "Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm bookworm-updates\n",
    "Types: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\n",
  ].join("\n");
  assert.equal(debianMirror([deb822]), "http://mirror.example/debian");
  assert.equal(
    debianMirror(["# x\ndeb [arch=amd64] http://one.example/debian bookworm main\n"]),
    "http://one.example/debian",
  );
  assert.equal(debianMirror(["deb https://packages.example/apt cloud-sdk main\n"]), undefined);
});

Deno.test("userIds finds a user by name or uid in /etc/passwd", () => {
  const passwd = "root:x:0:0:root:/root:/bin/bash\ndeno:x:1993:1993::/home/deno:/bin/sh\n";
  assert.deepEqual(userIds(passwd, "deno"), { uid: 1993, gid: 1993, home: "/home/deno" });
  assert.deepEqual(userIds(passwd, "1993"), { uid: 1993, gid: 1993, home: "/home/deno" });
  assert.throws(() => userIds(passwd, "nobody"), /no user nobody/);
});

const RUN = {
  startedAt: Date.parse("2026-01-01T00:00:00Z"),
  endedAt: Date.parse("2026-01-01T00:01:00Z"),
};

function record(id: string, timestamp: string, emittedAt: number): string {
  return JSON.stringify({
    type: "RECORD",
    record: { stream: "companies", data: { id, timestamp }, emitted_at: emittedAt },
  });
}

Deno.test("normalizeRun takes out emitted_at and the one sync time, nothing else", () => {
  const stdout = [
    record("a", "2026-01-01T00:00:01.000Z", 1),
    JSON.stringify({ type: "TRACE", trace: { type: "ESTIMATE", emitted_at: 2, estimate: {} } }),
    record("b", "2026-01-01T00:00:01.000Z", 3),
    "",
  ].join("\n");
  const messages = normalizeRun(stdout, RUN);
  assert.deepEqual(messages[0].record, {
    stream: "companies",
    data: { id: "a", timestamp: "<sync start>" },
  });
  assert.deepEqual(messages[1].trace, { type: "ESTIMATE", estimate: {} });
  assert.throws(
    () =>
      normalizeRun(
        `${record("a", "2026-01-01T00:00:01.000Z", 1)}\n${
          record("b", "2026-01-01T00:00:02.000Z", 1)
        }\n`,
        RUN,
      ),
    /two sync times/,
  );
  assert.throws(
    () => normalizeRun(`${record("a", "2025-01-01T00:00:00.000Z", 1)}\n`, RUN),
    /not within the run/,
  );
  assert.throws(() => normalizeRun("not json\n", RUN), /line 1 is not JSON/);
});

Deno.test("compareMessages: each stream's records and last STATE, interleaving aside", () => {
  const state = (stream: string, at: string): AirbyteMessage => ({
    type: "STATE",
    state: {
      type: "STREAM",
      stream: { stream_descriptor: { name: stream }, stream_state: { at } },
    },
  });
  const rec = (stream: string, id: string): AirbyteMessage => ({
    type: "RECORD",
    record: { stream, data: { id }, emitted_at: 0 },
  });
  const log: AirbyteMessage = { type: "LOG", log: { level: "INFO", message: "done" } };
  const local = [
    rec("a", "1"),
    state("a", "1"),
    rec("a", "2"),
    rec("b", "1"),
    state("a", "2"),
    state("b", "1"),
    log,
  ];
  assert.deepEqual(compareMessages(local, local), { equal: true, sameOrder: true, detail: "" });
  // Streams interleaved, and a stream's rows in another order with its STATEs between them
  // elsewhere (slices read side by side): the same run.
  const interleaved = [
    rec("b", "1"),
    rec("a", "2"),
    state("b", "1"),
    rec("a", "1"),
    state("a", "2"),
    log,
  ];
  const other = compareMessages(local, interleaved);
  assert.equal(other.equal, true, other.detail);
  assert.equal(other.sameOrder, false);
  const missing = compareMessages(local, local.slice(0, 6));
  assert.equal(missing.equal, false);
  assert.match(missing.detail, /messages of no stream: message 1 differs \(of 1 vs 0/);
  const lastState = compareMessages(local, [
    ...local.slice(0, 4),
    state("a", "3"),
    ...local.slice(5),
  ]);
  assert.equal(lastState.equal, false);
  assert.match(lastState.detail, /stream a: message 3 differs/);
  const record = compareMessages(local, [rec("a", "9"), ...local.slice(1)]);
  assert.equal(record.equal, false);
  assert.match(record.detail, /stream a: message 1 differs/);
  // Record counts: the last STATE's own count may differ (it counts since the STATE before, which
  // depends on which slice's page came first); the counts of all the STATEs may not.
  const counted = (stream: string, at: string, recordCount: number): AirbyteMessage => {
    const message = state(stream, at);
    return { ...message, state: { ...message.state!, sourceStats: { recordCount } } };
  };
  const split = compareMessages(
    [rec("a", "1"), counted("a", "1", 1), rec("a", "2"), counted("a", "2", 1)],
    [rec("a", "1"), rec("a", "2"), counted("a", "1", 2), counted("a", "2", 0)],
  );
  assert.equal(split.equal, true, split.detail);
  const lost = compareMessages(
    [rec("a", "1"), counted("a", "1", 1), rec("a", "2"), counted("a", "2", 1)],
    [rec("a", "1"), rec("a", "2"), counted("a", "1", 1), counted("a", "2", 0)],
  );
  assert.equal(lost.equal, false);
  assert.match(lost.detail, /STATE record counts 2/);
});

Deno.test("pinnedNow moves back by whole minutes until the band holds no row", () => {
  const minute = 60_000;
  const base = 100 * minute;
  // Rows at base-time minutes 10, 11 and 20; the band is minutes 9..12.
  const rows = [10 * minute, 11 * minute, 20 * minute];
  const now = pinnedNow(base, rows, { low: 9 * minute, high: 12 * minute });
  const shift = now - base;
  assert.equal(Math.abs(shift % minute), 0);
  assert.ok(shift <= 0);
  for (const at of rows) assert.ok(at + shift < 9 * minute || at + shift > 12 * minute);
  // The first shift that works: rows at 10 and 11 pass below 9 after 3 minutes, 20 stays above.
  assert.equal(shift, -3 * minute);
  assert.equal(pinnedNow(base, [], { low: 0, high: base }), base);
  assert.throws(() => pinnedNow(base, [0], { low: -Infinity, high: Infinity }), /No sandbox time/);
});

Deno.test("mountsUnder lists what is mounted in a folder, deepest first", () => {
  const mounts = [
    "/dev/vda / ext4 rw 0 0",
    "proc /work/.image/rootfs/proc proc rw 0 0",
    "sysfs /work/.image/rootfs/sys sysfs rw 0 0",
    "none /work/.image/rootfs/sys/fs/x tmpfs rw 0 0",
    "proc /work/.image/rootfs2/proc proc rw 0 0",
    "",
  ].join("\n");
  assert.deepEqual(mountsUnder(mounts, "/work/.image/rootfs"), [
    "/work/.image/rootfs/sys/fs/x",
    "/work/.image/rootfs/proc",
    "/work/.image/rootfs/sys",
  ]);
  assert.deepEqual(mountsUnder(mounts, "/elsewhere"), []);
});

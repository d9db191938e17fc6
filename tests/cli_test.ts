import assert from "node:assert/strict";
import { startSandbox } from "../sandbox/mod.ts";
import { STREAMS } from "../src/streams/mod.ts";
import { jsonSchema, runConnector, TempFiles } from "./support/connector.ts";
import { testClock } from "./support/clock.ts";

const NOW = "2026-11-28T12:00:00.000Z";

Deno.test("spec prints one SPEC with the connection specification", async () => {
  const result = await runConnector(["spec"]);
  assert.equal(result.code, 0);
  assert.equal(result.messages.length, 1);
  const spec = result.spec();
  assert.equal(spec.connectionSpecification.properties.api_token.airbyte_secret, true);
  assert.deepEqual(spec.connectionSpecification.required, ["api_token"]);
  assert.equal(result.stderr, "");
});

Deno.test("discover lists every stream with its schema, cursor and key", async () => {
  // discover reads the custom field definitions (people_custom_fields): from a sandbox.
  const sandbox = await startSandbox({
    people: 3,
    tokens: { "discover-token-1": ["public:read"] },
  });
  await using files = await TempFiles.create();
  const config = await files.write("config.json", {
    api_token: "discover-token-1",
    base_url: sandbox.url,
  });
  const result = await runConnector(["discover", "--config", config], {
    secrets: ["discover-token-1"],
  });
  await sandbox.close();
  assert.equal(result.code, 0);
  const [message] = result.ofType("CATALOG");
  const streams = message.catalog.streams;
  assert.deepEqual(streams.map((s: { name: string }) => s.name), STREAMS.map((s) => s.name));
  for (const stream of streams) {
    const key = STREAMS.find((s) => s.name === stream.name)!.primaryKey ?? "id";
    assert.deepEqual(stream.source_defined_primary_key, [[key]]);
    assert.equal(stream.is_resumable, stream.supported_sync_modes.includes("incremental"));
    assert.ok(jsonSchema(stream.json_schema).properties[key]);
    if (stream.supported_sync_modes.includes("incremental")) {
      assert.deepEqual(stream.default_cursor_field, ["updated_at"]);
      assert.equal(stream.source_defined_cursor, true);
      assert.ok(jsonSchema(stream.json_schema).properties.updated_at);
    }
  }
});

Deno.test("check reports which streams the token can read", async (t) => {
  const sandbox = await startSandbox({
    people: 5,
    tokens: {
      "full-scope-token-1": ["public:read", "private:read", "documents:read", "compensations:read"],
      "public-token-1": ["public:read"],
      "webhooks-token-1": ["webhooks:manage"],
    },
  });
  await using files = await TempFiles.create();
  const check = async (token: string, extra: Record<string, unknown> = {}) => {
    const config = await files.write("config.json", {
      api_token: token,
      base_url: sandbox.url,
      retry_attempts: 0,
      ...extra,
    });
    const result = await runConnector(["check", "--config", config], {
      clock: testClock(NOW),
      secrets: [token],
    });
    assert.equal(result.code, 0);
    assert.equal(result.messages.length, 1);
    return result.connectionStatus();
  };
  try {
    await t.step("every scope", async () => {
      const status = await check("full-scope-token-1");
      assert.equal(status.status, "SUCCEEDED");
      assert.match(status.message, /Readable streams: companies, documents, job_roles/);
    });
    await t.step("public:read only", async () => {
      const status = await check("public-token-1");
      assert.equal(status.status, "SUCCEEDED");
      assert.match(
        status.message,
        /Not readable: documents \(403 Missing scope documents:read; grant documents:read\)/,
      );
    });
    await t.step("no read scope", async () => {
      const status = await check("webhooks-token-1");
      assert.equal(status.status, "FAILED");
    });
    await t.step("rejected token", async () => {
      const status = await check("wrong-token-1");
      assert.equal(status.status, "FAILED");
      assert.match(status.message, /token was rejected.*401/);
    });
    await t.step("token-info missing falls back to /me and probes streams", async () => {
      sandbox.inject("/token-info", [{ status: 404, body: '{"code":404,"name":"NotFound"}' }]);
      const status = await check("public-token-1");
      assert.equal(status.status, "SUCCEEDED");
      assert.match(status.message, /Not readable: documents \(403/);
      assert.ok(sandbox.requests.some((r) => r.path === "/me"));
    });
    await t.step("unreachable host", async () => {
      const status = await check("full-scope-token-1", { base_url: "http://127.0.0.1:1/api" });
      assert.equal(status.status, "FAILED");
      assert.match(status.message, /127\.0\.0\.1:1/);
    });
    await t.step("bad config names the key", async () => {
      const status = await check("full-scope-token-1", { max_records_per_page: "abc" });
      assert.equal(status.status, "FAILED");
      assert.match(status.message, /"max_records_per_page".*1 to 250.*"abc"/);
    });
  } finally {
    await sandbox.close();
  }
});

Deno.test("bad input gives one config_error TRACE naming the file and field, and exit 1", async (t) => {
  await using files = await TempFiles.create();
  const config = await files.write("config.json", { api_token: "bad-input-token-1" });
  const catalog = await files.write("catalog.json", {
    streams: [{ stream: { name: "companies" }, sync_mode: "incremental" }],
  });
  const cases: [string, string[], RegExp][] = [
    ["missing file", ["discover", "--config", `${files.dir}/nope.json`], /file not found/],
    ["empty file", ["discover", "--config", await files.write("empty.json", "")], /is empty/],
    ["not JSON", ["discover", "--config", await files.write("bad.json", "{")], /not valid JSON/],
    [
      "out of range",
      [
        "discover",
        "--config",
        await files.write("range.json", {
          api_token: "bad-input-token-1",
          initial_sync_days: 400,
        }),
      ],
      /"initial_sync_days".*1 to 365.*400/,
    ],
    [
      "unknown stream",
      [
        "read",
        "--config",
        config,
        "--catalog",
        await files.write("c1.json", {
          streams: [{ stream: { name: "salaries" }, sync_mode: "full_refresh" }],
        }),
      ],
      /streams\[0\]\.stream\.name.*unknown stream "salaries"/,
    ],
    [
      "unknown sync mode",
      [
        "read",
        "--config",
        config,
        "--catalog",
        await files.write("c2.json", {
          streams: [{ stream: { name: "companies" }, sync_mode: "sometimes" }],
        }),
      ],
      /streams\[0\]\.sync_mode/,
    ],
    [
      "cursor that is not a date",
      [
        "read",
        "--config",
        config,
        "--catalog",
        catalog,
        "--state",
        await files.write("s.json", {
          companies: { updated_at: "yesterday" },
        }),
      ],
      /State file ".*s\.json" field "companies\.updated_at"/,
    ],
    [
      "state for an unknown stream",
      [
        "read",
        "--config",
        config,
        "--catalog",
        catalog,
        "--state",
        await files.write("s2.json", {
          salaries: { updated_at: NOW },
        }),
      ],
      /unknown stream "salaries"/,
    ],
  ];
  // Each file kind, broken each way.
  const broken: [string, string | Record<string, unknown> | null, RegExp][] = [
    ["missing", null, /file not found/],
    ["empty", "", /is empty/],
    ["not JSON", "{'streams':", /not valid JSON/],
  ];
  const argsFor = (kind: string, path: string) =>
    kind === "config"
      ? ["discover", "--config", path]
      : kind === "catalog"
      ? ["read", "--config", config, "--catalog", path]
      : ["read", "--config", config, "--catalog", catalog, "--state", path];
  for (const kind of ["config", "catalog", "state"]) {
    for (const [how, content, pattern] of broken) {
      // An empty or missing state file starts fresh (a missing one with a WARN).
      if (kind === "state" && how !== "not JSON") continue;
      const path = content === null
        ? `${files.dir}/no-${kind}.json`
        : await files.write(`${kind}-${how.replace(" ", "-")}.json`, content);
      const file = new RegExp(`${kind[0].toUpperCase()}?${kind.slice(1)} file ".*${kind}`, "i");
      cases.push([
        `${kind}: ${how}`,
        argsFor(kind, path),
        new RegExp(`${file.source}.*${pattern.source}`, "i"),
      ]);
    }
  }
  cases.push(
    [
      "config: token of the wrong type",
      argsFor("config", await files.write("t.json", { api_token: 42 })),
      /"api_token"/,
    ],
    [
      "config: pages that are not a number",
      argsFor(
        "config",
        await files.write("p.json", {
          api_token: "bad-input-token-1",
          max_records_per_page: "abc",
        }),
      ),
      /"max_records_per_page".*"abc"/,
    ],
    [
      "catalog: streams of the wrong type",
      argsFor("catalog", await files.write("ct.json", { streams: "all" })),
      /Catalog file ".*ct\.json" field "streams"/,
    ],
    [
      "state: a stream state of the wrong type",
      argsFor("state", await files.write("st.json", { companies: 5 })),
      /State file ".*st\.json" field "companies"/,
    ],
  );
  for (const [name, args, pattern] of cases) {
    await t.step(name, async () => {
      const result = await runConnector(args, { secrets: ["bad-input-token-1"] });
      assert.notEqual(result.code, 0);
      assert.deepEqual(result.messages.map((m) => m.type), ["TRACE"], "nothing but the error");
      const error = result.traces("ERROR")[0].error;
      assert.equal(error!.failure_type, "config_error");
      assert.match(error!.message, pattern);
      assert.ok(!error!.message.endsWith("."), "no trailing period");
    });
  }
});

Deno.test("--version prints the version to stderr and nothing to stdout", async () => {
  const { Capture } = await import("./support/capture.ts");
  const { run } = await import("../src/cli.ts");
  const { VERSION } = await import("../src/version.ts");
  const stdout = new Capture();
  const stderr = new Capture();
  assert.equal(await run(["--version"], { stdout, stderr }), 0);
  assert.equal(stdout.text(), "");
  assert.equal(stderr.text(), `source-humaans ${VERSION}\n`);
});

Deno.test("a bad command line prints the usage, one config_error TRACE naming the problem, and exits 2", async () => {
  const { Capture } = await import("./support/capture.ts");
  const { run, USAGE } = await import("../src/cli.ts");
  const cases: [string[], RegExp][] = [
    [["read", "--bogus"], /'--bogus'/],
    [["check", "--config"], /'--config <value>' needs a value/],
    [["check", "--config", "a.json", "--config", "b.json"], /'--config' is given twice/],
    [["check-free"], /unknown command "check-free"/],
    [["READ"], /unknown command "READ"/],
    [["discover"], /the discover command needs --config FILE/],
    [["read", "--config", "c.json"], /the read command needs --catalog FILE/],
    [["check", "extra", "--config", "c.json"], /unexpected argument "extra"/],
    [[], /no command/],
  ];
  for (const [args, problem] of cases) {
    const stdout = new Capture();
    const stderr = new Capture();
    assert.equal(await run(args, { stdout, stderr }), 2, args.join(" "));
    assert.ok(stderr.text().startsWith(USAGE));
    const lines = stdout.text().trim().split("\n").map((line) => JSON.parse(line));
    assert.equal(lines.length, 1);
    assert.equal(lines[0].trace.error.failure_type, "config_error");
    assert.match(lines[0].trace.error.message, /^Invalid command line: /);
    assert.match(lines[0].trace.error.message, problem);
  }
});

Deno.test("a missing state file starts fresh with a WARN naming it; an empty one with an INFO", async () => {
  const { startSandbox } = await import("../sandbox/mod.ts");
  const sandbox = await startSandbox({ people: 3 });
  await using files = await TempFiles.create();
  try {
    const read = await files.readArgs(sandbox, { streams: ["companies"] });
    const empty = await files.write("empty-state.json", "");
    for (const [path, level] of [[`${files.dir}/none.json`, "WARN"], [empty, "INFO"]]) {
      const result = await runConnector([...read, "--state", path], { secrets: [sandbox.token] });
      assert.equal(result.code, 0);
      const log = result.ofType("LOG").find((m) => m.log.message.includes(path));
      assert.equal(log?.log.level, level);
      assert.equal(result.records("companies").length, 1);
    }
  } finally {
    await sandbox.close();
  }
});

import assert from "node:assert/strict";
import { ConnectorError } from "../src/errors.ts";
import fc from "fast-check";
import {
  jsonErrorAt,
  MAX_INPUT_FILE_BYTES,
  parseJsonText,
  readJsonFile,
  readTextFile,
} from "../src/files.ts";

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "source-humaans-files-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function configErrorOf(promise: Promise<unknown>): Promise<ConnectorError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ConnectorError, `not a ConnectorError: ${error}`);
    assert.equal(error.failureType, "config_error");
    return error;
  }
  assert.fail("no error thrown");
}

Deno.test("readJsonFile: each unusable file is a config_error naming the file", async (t) => {
  await withTempDir(async (dir) => {
    const rows: [string, string | null, RegExp][] = [
      ["missing", null, /Cannot read config file ".*missing\.json": file not found/],
      ["empty", "", /Cannot use config file ".*empty\.json": the file is empty/],
      ["blank", " \n\t\n", /Cannot use config file ".*blank\.json": the file is empty/],
      [
        "not JSON",
        "{ api_token: x }",
        /Cannot parse config file ".*not JSON\.json": not valid JSON/,
      ],
      ["truncated JSON", '{"api_token": "x"', /Cannot parse config file ".*truncated JSON\.json"/],
      ["trailing garbage", '{"a": 1} x', /not valid JSON/],
    ];
    for (const [name, content, pattern] of rows) {
      await t.step(name, async () => {
        const path = `${dir}/${name}.json`;
        if (content !== null) await Deno.writeTextFile(path, content);
        const error = await configErrorOf(readJsonFile(path, "config"));
        assert.match(error.message, pattern);
        assert.ok(error.message.includes(`"${path}"`), error.message);
      });
    }
    await t.step("a directory", async () => {
      const path = `${dir}/folder.json`;
      await Deno.mkdir(path);
      const error = await configErrorOf(readJsonFile(path, "catalog"));
      assert.ok(error.message.startsWith(`Cannot read catalog file "${path}"`), error.message);
      assert.match(error.message, /directory/);
    });
  });
});

Deno.test("readJsonFile: emptyOk and missingOk", async (t) => {
  await withTempDir(async (dir) => {
    await t.step("missing with missingOk is undefined", async () => {
      assert.equal(await readJsonFile(`${dir}/none.json`, "state", { missingOk: true }), undefined);
    });
    await t.step("missing with only emptyOk is still an error", async () => {
      const error = await configErrorOf(
        readJsonFile(`${dir}/none.json`, "state", { emptyOk: true }),
      );
      assert.match(error.message, /Cannot read state file .*file not found/);
    });
    await t.step("empty with emptyOk is undefined", async () => {
      await Deno.writeTextFile(`${dir}/empty.json`, "\n");
      assert.equal(await readJsonFile(`${dir}/empty.json`, "state", { emptyOk: true }), undefined);
    });
    await t.step("empty with only missingOk is still an error", async () => {
      const error = await configErrorOf(
        readJsonFile(`${dir}/empty.json`, "state", { missingOk: true }),
      );
      assert.match(error.message, /the file is empty/);
    });
    await t.step("not JSON is an error even with both", async () => {
      await Deno.writeTextFile(`${dir}/bad.json`, "nope");
      await configErrorOf(readJsonFile(`${dir}/bad.json`, "state", {
        emptyOk: true,
        missingOk: true,
      }));
    });
  });
});

Deno.test("readJsonFile parses valid JSON of any kind", async (t) => {
  await withTempDir(async (dir) => {
    const rows: [string, unknown][] = [
      ["object", { api_token: "x", initial_sync_days: "90" }],
      ["array", [{ type: "STREAM" }]],
      ["empty object", {}],
      ["null", null],
    ];
    for (const [name, value] of rows) {
      await t.step(name, async () => {
        const path = `${dir}/${name}.json`;
        await Deno.writeTextFile(path, JSON.stringify(value, null, 2) + "\n");
        assert.deepEqual(await readJsonFile(path, "config"), value);
      });
    }
    await t.step("a UTF-8 byte order mark is not valid JSON", async () => {
      // JSON.parse rejects a BOM; the error must still name the file.
      const path = `${dir}/bom.json`;
      await Deno.writeTextFile(path, "\uFEFF{}");
      const result = await readJsonFile(path, "config").then(
        (value) => ({ value }),
        (error: ConnectorError) => ({ error }),
      );
      if ("error" in result) assert.ok(result.error.message.includes(`"${path}"`));
      else assert.deepEqual(result.value, {});
    });
  });
});

Deno.test("readTextFile returns the text, or undefined when missing and missingOk", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/a.txt`, "hello");
    assert.equal(await readTextFile(`${dir}/a.txt`, "config"), "hello");
    assert.equal(await readTextFile(`${dir}/b.txt`, "config", { missingOk: true }), undefined);
    const error = await configErrorOf(readTextFile(`${dir}/b.txt`, "config"));
    assert.equal(error.message, `Cannot read config file "${dir}/b.txt": file not found`);
  });
});

Deno.test({
  name: "readTextFile: an unreadable file is a config_error saying permission denied",
  ignore: Deno.build.os === "windows" || Deno.uid() === 0,
  fn: async () => {
    await withTempDir(async (dir) => {
      const path = `${dir}/locked.json`;
      await Deno.writeTextFile(path, "{}");
      await Deno.chmod(path, 0o000);
      const error = await configErrorOf(readJsonFile(path, "config"));
      assert.equal(error.message, `Cannot read config file "${path}": permission denied`);
    });
  },
});

Deno.test("parseJsonText names the file, line and column", () => {
  assert.deepEqual(parseJsonText('{"a":1}', { path: "x.json", what: "state" }), { a: 1 });
  try {
    parseJsonText("{", { path: "x.json", what: "state" });
    assert.fail("no error");
  } catch (error) {
    assert.ok(error instanceof ConnectorError);
    assert.equal(error.failureType, "config_error");
    assert.match(
      error.message,
      /^Cannot parse state file "x\.json": not valid JSON at line 1, column 2 \(.+\)$/,
    );
  }
});

Deno.test("parseJsonText never quotes the file's text (an unquoted token)", async (t) => {
  const token = "hms_live_Zx81Qp0Lm4Rt7Yb2";
  const cases: [string, string, number, number][] = [
    ["unquoted token", `{"api_token": ${token}}`, 1, 15],
    [
      "unquoted token on line 3",
      `{\n  "base_url": "https://x",\n  "api_token": ${token}\n}`,
      3,
      16,
    ],
    ["token with a line break", `{"api_token": "${token.slice(0, 9)}\n${token.slice(9)}"}`, 1, 25],
    ["missing comma", `{"api_token": "${token}" "x": 1}`, 1, 43],
    ["truncated", `{"api_token": "${token}`, 1, 41],
  ];
  for (const [name, text, line, column] of cases) {
    await t.step(name, () => {
      assert.throws(() => JSON.parse(text));
      try {
        parseJsonText(text, { path: "config.json", what: "config" });
        assert.fail("no error");
      } catch (error) {
        assert.ok(error instanceof ConnectorError);
        const message = error.message;
        assert.ok(message.includes(`line ${line}, column ${column}`), message);
        // Not even a few characters of the token (nor of the text around it).
        for (let i = 0; i + 3 <= token.length; i++) {
          assert.ok(!message.includes(token.slice(i, i + 3)), `${message} quotes the token`);
        }
      }
    });
  }
});

Deno.test("jsonErrorAt finds an error exactly when JSON.parse fails", () => {
  const jsonish = fc.stringMatching(/^[{}\[\]",:0-9a-z.\-+eE \n\\]{0,24}$/);
  fc.assert(
    fc.property(fc.oneof(jsonish, fc.json(), fc.string()), (text) => {
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      const found = jsonErrorAt(text);
      assert.equal(found === undefined, valid, `${JSON.stringify(text)}: ${found?.problem}`);
      if (found) assert.ok(found.offset >= 0 && found.offset <= text.length);
    }),
    { numRuns: 2_000 },
  );
  assert.equal(jsonErrorAt("[".repeat(100_000))?.problem, "nested too deeply");
});

Deno.test("readTextFile: only regular files, at most the cap, UTF-8 with a BOM dropped", async (t) => {
  await withTempDir(async (dir) => {
    await t.step("a FIFO is a config_error, not a hang", async () => {
      const path = `${dir}/fifo.json`;
      const made = await new Deno.Command("mkfifo", { args: [path] }).output();
      assert.ok(made.success, "mkfifo");
      const error = await configErrorOf(readJsonFile(path, "config"));
      assert.equal(
        error.message,
        `Cannot read config file "${path}": it is a FIFO (named pipe), not a regular file`,
      );
    });
    await t.step("/dev/zero is a config_error, not an endless read", async () => {
      const error = await configErrorOf(readJsonFile("/dev/zero", "state"));
      assert.equal(
        error.message,
        'Cannot read state file "/dev/zero": it is a device, not a regular file',
      );
    });
    await t.step("a file over the cap", async () => {
      const path = `${dir}/big.json`;
      await Deno.writeTextFile(path, JSON.stringify({ data: "x".repeat(2_000) }));
      const error = await configErrorOf(readJsonFile(path, "catalog", { maxBytes: 1024 }));
      assert.match(error.message, /^Cannot read catalog file ".*big\.json": it is 0 MiB, more/);
      assert.match(error.message, /more than the 0 MiB a catalog file may hold$/);
      assert.equal(MAX_INPUT_FILE_BYTES, 16 * 1024 * 1024);
      const fits = await readJsonFile(path, "catalog", { maxBytes: 4096 });
      assert.deepEqual(fits, { data: "x".repeat(2_000) });
    });
    await t.step("a UTF-8 byte order mark is dropped", async () => {
      const path = `${dir}/bom.json`;
      const text = '{"api_token": "hms_test_0123456789"}';
      await Deno.writeFile(
        path,
        new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]),
      );
      assert.deepEqual(await readJsonFile(path, "config"), JSON.parse(text));
      assert.equal((await readTextFile(path, "config"))!.charCodeAt(0), 123);
    });
    await t.step("bytes that are not UTF-8", async () => {
      const path = `${dir}/latin1.json`;
      await Deno.writeFile(path, new Uint8Array([0x7b, 0x22, 0xe9, 0x22, 0x3a, 0x31, 0x7d]));
      const error = await configErrorOf(readJsonFile(path, "config"));
      assert.match(error.message, /it is not UTF-8 text; save it as UTF-8$/);
    });
  });
});

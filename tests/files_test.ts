import assert from "node:assert/strict";
import { ConnectorError } from "../src/errors.ts";
import { parseJsonText, readJsonFile, readTextFile } from "../src/files.ts";

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

Deno.test("parseJsonText names the file and the parser's detail", () => {
  assert.deepEqual(parseJsonText('{"a":1}', "x.json", "state"), { a: 1 });
  try {
    parseJsonText("{", "x.json", "state");
    assert.fail("no error");
  } catch (error) {
    assert.ok(error instanceof ConnectorError);
    assert.equal(error.failureType, "config_error");
    assert.match(error.message, /^Cannot parse state file "x\.json": not valid JSON \(.+\)$/);
  }
});

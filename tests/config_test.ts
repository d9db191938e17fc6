import assert from "node:assert/strict";
import { z } from "zod";
import {
  Config,
  connectionSpecification,
  DEFAULT_BASE_URL,
  parseConfig,
  secretValues,
  type SettingSpec,
  settingSpecs,
} from "../src/config.ts";
import { ConnectorError } from "../src/errors.ts";

const TOKEN = "hms_test_0123456789abcdefSECRET";
const SHAPE = Config.shape as unknown as Record<string, z.ZodType>;
const SEED_INTEGERS = [
  "initial_sync_days",
  "max_records_per_page",
  "request_timeout_seconds",
  "retry_attempts",
];
/**
 * The seed's six settings and their defaults (base_url is the connector's own), but for
 * initial_sync_days: the seed defaulted it to 90; it now has no default (first syncs read all
 * history) and, when set, bounds only the dated-event streams.
 */
const SEED_DEFAULTS = {
  api_token: TOKEN,
  max_records_per_page: 100,
  request_timeout_seconds: 30,
  retry_attempts: 3,
  enable_incremental_sync: true,
  base_url: DEFAULT_BASE_URL,
};

/** The parsed config restricted to the seed's keys and base_url. */
function seedPart(config: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config).filter(([key]) => key in SEED_DEFAULTS || key === "initial_sync_days"),
  );
}

/** The config_error parseConfig throws for `raw`. */
function configErrorOf(raw: unknown, source?: string): ConnectorError {
  try {
    parseConfig(raw, { source });
  } catch (error) {
    assert.ok(error instanceof ConnectorError, `not a ConnectorError: ${error}`);
    assert.equal(error.failureType, "config_error");
    return error;
  }
  assert.fail(`parseConfig accepted ${JSON.stringify(raw)}`);
}

function integerSettings(): [string, SettingSpec & { minimum: number; maximum: number }][] {
  return settingSpecs().filter(([, spec]) => spec.type === "integer") as [
    string,
    SettingSpec & { minimum: number; maximum: number },
  ][];
}

Deno.test("parseConfig accepts the seed's config file with every value a string", () => {
  const config = parseConfig({
    api_token: TOKEN,
    sync_frequency_hours: "24",
    initial_sync_days: "90",
    max_records_per_page: "250",
    request_timeout_seconds: "30",
    retry_attempts: "3",
    enable_incremental_sync: "true",
  });
  assert.deepEqual(seedPart(config), {
    ...SEED_DEFAULTS,
    initial_sync_days: 90,
    max_records_per_page: 250,
  });
  assert.ok(!("sync_frequency_hours" in config), "unknown seed keys are dropped");
});

Deno.test("parseConfig coerces integer strings, with or without surrounding space or sign", async (t) => {
  const rows: [unknown, number][] = [
    ["250", 250],
    [" 17 ", 17],
    ["+5", 5],
    ["007", 7],
    [42, 42],
  ];
  for (const [input, expected] of rows) {
    await t.step(JSON.stringify(input), () => {
      const config = parseConfig({ api_token: TOKEN, max_records_per_page: input });
      assert.equal(config.max_records_per_page, expected);
    });
  }
});

Deno.test("parseConfig reads the seed's boolean words in any case", async (t) => {
  const rows: [unknown, boolean][] = [
    ["true", true],
    ["TRUE", true],
    ["True", true],
    ["1", true],
    ["yes", true],
    ["YES", true],
    ["Yes", true],
    ["on", true],
    ["ON", true],
    [" on ", true],
    [true, true],
    [1, true],
    ["false", false],
    ["FALSE", false],
    ["0", false],
    ["no", false],
    ["No", false],
    ["off", false],
    ["OFF", false],
    [false, false],
    [0, false],
  ];
  for (const [input, expected] of rows) {
    await t.step(JSON.stringify(input), () => {
      const config = parseConfig({ api_token: TOKEN, enable_incremental_sync: input });
      assert.equal(config.enable_incremental_sync, expected);
    });
  }
});

Deno.test("parseConfig rejects a boolean it cannot read, naming key and value", async (t) => {
  for (const input of ["maybe", "", "2", 2, "tru"]) {
    await t.step(JSON.stringify(input), () => {
      const error = configErrorOf({ api_token: TOKEN, enable_incremental_sync: input });
      assert.match(error.message, /"enable_incremental_sync"/);
      assert.ok(error.message.includes(`got ${JSON.stringify(input)}`), error.message);
    });
  }
});

Deno.test("parseConfig fills the seed's defaults, and leaves initial_sync_days unset", () => {
  const config = parseConfig({ api_token: TOKEN });
  assert.deepEqual(seedPart(config), SEED_DEFAULTS);
  assert.equal(config.initial_sync_days, undefined);
});

Deno.test("parseConfig fills every declared default", () => {
  const config = parseConfig({ api_token: TOKEN }) as Record<string, unknown>;
  for (const [key, spec] of settingSpecs()) {
    if (spec.default !== undefined) assert.deepEqual(config[key], spec.default, key);
  }
});

Deno.test("parseConfig drops unknown keys and trims the token", () => {
  const config = parseConfig({ api_token: `  ${TOKEN}\n`, surprise: 1 });
  assert.equal(config.api_token, TOKEN);
  assert.ok(!("surprise" in config));
});

Deno.test("every integer setting accepts its bounds and rejects one past them", async (t) => {
  const settings = integerSettings();
  const keys = settings.map(([key]) => key);
  for (const seed of SEED_INTEGERS) assert.ok(keys.includes(seed), `${seed} is an integer setting`);
  for (const [key, spec] of settings) {
    const { minimum: min, maximum: max } = spec;
    for (const value of [min, max, String(min), String(max)]) {
      await t.step(`${key} = ${JSON.stringify(value)} is accepted`, () => {
        const config = parseConfig({ api_token: TOKEN, [key]: value }) as Record<string, unknown>;
        assert.equal(config[key], Number(value));
      });
    }
    for (const value of [min - 1, max + 1, String(min - 1), String(max + 1)]) {
      await t.step(`${key} = ${JSON.stringify(value)} is rejected`, () => {
        const error = configErrorOf({ api_token: TOKEN, [key]: value }, "secrets/config.json");
        assert.ok(error.message.includes(`"${key}"`), error.message);
        assert.ok(error.message.includes(`got ${JSON.stringify(value)}`), error.message);
        assert.ok(error.message.includes(`from ${min} to ${max}`), error.message);
        assert.ok(error.message.includes(`"secrets/config.json"`), error.message);
        assert.ok(!error.message.includes(TOKEN), "the token leaked into the message");
      });
    }
  }
});

Deno.test("integer settings reject values that are not integers", async (t) => {
  const rows: unknown[] = ["abc", "", "4.5", 4.5, "1e2", "12abc", null, true, [3], {}];
  for (const value of rows) {
    await t.step(JSON.stringify(value), () => {
      const error = configErrorOf({ api_token: TOKEN, max_records_per_page: value });
      assert.ok(error.message.includes(`"max_records_per_page"`), error.message);
      assert.ok(error.message.includes(`got ${JSON.stringify(value)}`), error.message);
      assert.ok(error.message.includes("from 1 to 250"), error.message);
    });
  }
});

Deno.test("the issue's examples: 'abc' pages, 0 or 300 rows per page", async (t) => {
  for (const value of ["abc", 0, 300]) {
    await t.step(JSON.stringify(value), () => {
      const error = configErrorOf({ api_token: TOKEN, max_records_per_page: value });
      assert.equal(
        error.message,
        `Config field "max_records_per_page" must be an integer from 1 to 250, got ${
          JSON.stringify(value)
        }`,
      );
    });
  }
});

Deno.test("a missing or empty token is a config_error that never shows the token", async (t) => {
  const rows: [string, Record<string, unknown>, RegExp][] = [
    ["missing", {}, /"api_token".*missing/],
    ["null", { api_token: null }, /"api_token".*empty or not a string/],
    ["empty", { api_token: "" }, /"api_token".*empty or not a string/],
    ["blank", { api_token: "   " }, /"api_token".*empty or not a string/],
    ["a number", { api_token: 12345 }, /"api_token".*empty or not a string/],
    ["an array holding the token", { api_token: [TOKEN] }, /"api_token".*not a string/],
    ["an object holding the token", { api_token: { value: TOKEN } }, /"api_token".*not a string/],
  ];
  for (const [name, raw, pattern] of rows) {
    await t.step(name, () => {
      const error = configErrorOf(raw, "c.json");
      assert.match(error.message, pattern);
      assert.match(error.message, /"c\.json"/);
      assert.match(error.message, /Settings > API access/, "says what to do");
      assert.ok(!error.message.includes(TOKEN));
    });
  }
});

Deno.test("a token too short, too long, with a control character or a word of the output is a config_error naming api_token", async (t) => {
  const rows: [string, string, RegExp][] = [
    ["3 characters", "abc", /is too short \(3 characters, at least 8\)/],
    ["7 characters", "abcdefg", /is too short \(7 characters, at least 8\)/],
    [
      "a line break inside",
      "hms_live_Zx81\nQp0Lm4Rt7Yb2",
      /line break or control character \(at character 14\)/,
    ],
    ["a NUL inside", "hms_live_Zx81\u0000Qp0Lm4Rt7Yb2", /control character \(at character 14\)/],
    ["a space inside", "hms_live Zx81Qp0Lm4Rt7Yb2", /space.*\(at character 9\)/],
    ["a tab inside", "hms_live\tZx81Qp0Lm4Rt7Yb2", /control character \(at character 9\)/],
    ["DEL inside", "hms_live\u007fZx81Qp0Lm4Rt7Yb2", /control character \(at character 9\)/],
    ["not ASCII", "hms_live_Zx81Qp0Lm4Rt7Yb\u00e9", /not ASCII \(at character 25\)/],
    ["4097 characters", "t".repeat(4097), /is too long \(4097 characters, at most 4096\)/],
    ["10 MB", "t".repeat(10_000_000), /is too long \(10000000 characters, at most 4096\)/],
    // Masked wherever it shows, such a token would mask the output's own keys and statuses.
    ["a word of the output", "Updated_At", /is a word the connector's own output holds/],
    ["part of one", "COMPLETE", /is a word the connector's own output holds/],
  ];
  for (const [name, token, pattern] of rows) {
    await t.step(name, () => {
      const error = configErrorOf({ api_token: token }, "c.json");
      assert.match(error.message, /^Config field "api_token" in "c\.json" /);
      assert.match(error.message, pattern);
      if (token.length < 100) assert.ok(!error.message.includes(token), error.message);
      assert.ok(error.message.length < 300, "the message does not quote a long token");
    });
  }
  await t.step("8 and 4096 printable characters are accepted; blanks around are trimmed", () => {
    assert.equal(parseConfig({ api_token: "abcdefgh" }).api_token, "abcdefgh");
    assert.equal(parseConfig({ api_token: "~".repeat(4096) }).api_token.length, 4096);
    assert.equal(parseConfig({ api_token: `\n ${TOKEN} \r\n` }).api_token, TOKEN);
  });
});

Deno.test("secretValues: every airbyte_secret setting's string value, trimmed", () => {
  assert.deepEqual(secretValues({ api_token: ` ${TOKEN}\n`, base_url: "https://x" }), [TOKEN]);
  assert.deepEqual(secretValues({ api_token: "abc" }), ["abc"], "even one too short to be valid");
  assert.deepEqual(secretValues({ api_token: 42 }), []);
  assert.deepEqual(secretValues({ api_token: "  " }), []);
  assert.deepEqual(secretValues([TOKEN]), []);
  assert.deepEqual(secretValues(null), []);
  const secrets = settingSpecs().filter(([, spec]) => spec.airbyte_secret).map(([key]) => key);
  const raw = Object.fromEntries(secrets.map((key) => [key, `${key}-value-123`]));
  assert.deepEqual(secretValues(raw), secrets.map((key) => `${key}-value-123`));
});

Deno.test("a config that is not an object is a config_error", async (t) => {
  for (const raw of [null, undefined, "config", 42, [], [{ api_token: TOKEN }]]) {
    await t.step(JSON.stringify(raw) ?? "undefined", () => {
      const error = configErrorOf(raw, "c.json");
      assert.match(error.message, /Config in "c\.json" must be a JSON object/);
    });
  }
});

Deno.test("base_url: https anywhere, http only on loopback, trailing slashes stripped", async (t) => {
  const accepted: [string, string][] = [
    ["https://app.humaans.io/api", "https://app.humaans.io/api"],
    ["https://app.humaans.io/api/", "https://app.humaans.io/api"],
    ["https://eu.example.com/api//", "https://eu.example.com/api"],
    [" https://app.humaans.io/api ", "https://app.humaans.io/api"],
    ["http://localhost:8080", "http://localhost:8080"],
    ["http://localhost:8080/api/", "http://localhost:8080/api"],
    ["http://127.0.0.1:4000/", "http://127.0.0.1:4000"],
    ["http://[::1]:4000/api", "http://[::1]:4000/api"],
    ["HTTP://LOCALHOST:1/", "HTTP://LOCALHOST:1"],
  ];
  for (const [input, expected] of accepted) {
    await t.step(`accepts ${input}`, () => {
      assert.equal(parseConfig({ api_token: TOKEN, base_url: input }).base_url, expected);
    });
  }
  const rejected: unknown[] = [
    "http://app.humaans.io/api",
    "http://example.com",
    "http://127.0.0.2:4000",
    "http://localhost.example.com",
    "ftp://localhost/",
    "app.humaans.io/api",
    "",
    "not a url",
    42,
    null,
  ];
  for (const input of rejected) {
    await t.step(`rejects ${JSON.stringify(input)}`, () => {
      const error = configErrorOf({ api_token: TOKEN, base_url: input });
      assert.ok(error.message.includes(`"base_url"`), error.message);
      assert.ok(error.message.includes(`got ${JSON.stringify(input)}`), error.message);
      assert.match(error.message, /https/);
    });
  }
  const parts: [string, string, RegExp][] = [
    ["user:password@", "https://user:pw-0123@app.humaans.io/api", /user name or password/],
    ["a user name only", "https://someone@app.humaans.io/api", /user name or password/],
    ["an empty user", "https://@app.humaans.io/api", /user name or password/],
    ["loopback with a password", "http://u:secret-pw@127.0.0.1:9/api", /user name or password/],
    ["a query", "https://app.humaans.io/api?token=abc123", /must not have a query/],
    ["an empty query", "https://app.humaans.io/api?", /must not have a query/],
    ["a fragment", "https://app.humaans.io/api#people", /must not have a fragment/],
    ["an empty fragment", "https://app.humaans.io/api#", /must not have a fragment/],
  ];
  for (const [name, input, pattern] of parts) {
    await t.step(`rejects ${name}, quoting none of it`, () => {
      const error = configErrorOf({ api_token: TOKEN, base_url: input }, "c.json");
      assert.match(error.message, /^Config field "base_url" in "c\.json" must not/);
      assert.match(error.message, pattern);
      for (const secret of ["pw-0123", "someone", "secret-pw", "abc123"]) {
        assert.ok(!error.message.includes(secret), error.message);
      }
    });
  }
});

Deno.test("the error names the first invalid key when several are wrong", () => {
  const error = configErrorOf({ api_token: TOKEN, initial_sync_days: 0, retry_attempts: 99 });
  assert.match(error.message, /"initial_sync_days"/);
});

Deno.test("connectionSpecification matches the zod schema for every setting", async (t) => {
  const spec = connectionSpecification() as {
    required: string[];
    properties: Record<string, Record<string, unknown>>;
  };
  assert.deepEqual(Object.keys(spec.properties), Object.keys(SHAPE), "one property per setting");
  for (const [key, property] of Object.entries(spec.properties)) {
    const schema = SHAPE[key];
    await t.step(key, () => {
      const missing = schema.safeParse(undefined);
      if ("default" in property) {
        assert.ok(missing.success, `${key} declares a default but zod requires it`);
        assert.deepEqual(missing.data, property.default, `${key} default`);
        assert.ok(!spec.required.includes(key), `${key} has a default so is not required`);
      } else if (spec.required.includes(key)) {
        assert.ok(!missing.success, `${key} is required but zod accepts it missing`);
      } else {
        assert.ok(missing.success, `${key} is not required but zod requires it`);
        assert.equal(missing.data, undefined, `${key} declares no default but zod fills one`);
      }
      switch (property.type) {
        case "integer": {
          const min = property.minimum as number;
          const max = property.maximum as number;
          assert.equal(typeof min, "number", `${key} minimum`);
          assert.equal(typeof max, "number", `${key} maximum`);
          if ("default" in property) {
            assert.ok(min <= (property.default as number) && (property.default as number) <= max);
          }
          assert.equal(schema.parse(min), min);
          assert.equal(schema.parse(max), max);
          assert.ok(!schema.safeParse(min - 1).success, `${key} accepts minimum - 1`);
          assert.ok(!schema.safeParse(max + 1).success, `${key} accepts maximum + 1`);
          assert.ok(!schema.safeParse(min + 0.5).success, `${key} accepts a fraction`);
          assert.ok(!schema.safeParse("abc").success, `${key} accepts a word`);
          break;
        }
        case "boolean":
          assert.equal(schema.parse(true), true);
          assert.equal(schema.parse(false), false);
          assert.ok(!schema.safeParse("maybe").success);
          assert.ok(!schema.safeParse(2).success);
          break;
        case "string": {
          const choices = property.enum as string[] | undefined;
          if (choices) {
            for (const choice of choices) assert.equal(schema.parse(choice), choice);
            assert.ok(!schema.safeParse("maybe").success, `${key} accepts a word not listed`);
            break;
          }
          const example = (property.examples as string[] | undefined)?.[0] ?? "some-token-value";
          assert.equal(schema.parse(example), example);
          assert.ok(!schema.safeParse(42).success, `${key} accepts a number`);
          assert.ok(!schema.safeParse("").success, `${key} accepts an empty string`);
          break;
        }
        case "array": {
          const items = (property.items as { enum: string[] }).enum;
          assert.deepEqual(schema.parse(items), items);
          assert.deepEqual(schema.parse([items[0]]), [items[0]]);
          assert.ok(!schema.safeParse([]).success, `${key} accepts an empty list`);
          assert.ok(!schema.safeParse(["maybe"]).success, `${key} accepts a word not listed`);
          break;
        }
        default:
          assert.fail(`${key} has unexpected type ${JSON.stringify(property.type)}`);
      }
    });
  }
});

Deno.test("connectionSpecification follows Airbyte's spec rules", async (t) => {
  const spec = connectionSpecification() as Record<string, unknown> & {
    properties: Record<string, Record<string, unknown>>;
    required: string[];
  };
  assert.equal(spec.$schema, "http://json-schema.org/draft-07/schema#");
  assert.equal(spec.type, "object");
  assert.deepEqual(spec.required, ["api_token"]);
  const orders = new Set<number>();
  for (const [key, property] of Object.entries(spec.properties)) {
    await t.step(key, () => {
      assert.ok(
        ["string", "integer", "boolean", "number", "array"].includes(property.type as string),
        `${key}: type must be a single JSON type, got ${JSON.stringify(property.type)}`,
      );
      for (const combinator of ["anyOf", "allOf", "oneOf"]) {
        assert.ok(!(combinator in property), `${key} uses ${combinator}`);
      }
      assert.equal(typeof property.title, "string");
      assert.ok((property.description as string).length > 0, `${key} has a description`);
      assert.ok(Number.isInteger(property.order), `${key} has an integer order`);
      assert.ok(!orders.has(property.order as number), `${key} repeats order ${property.order}`);
      orders.add(property.order as number);
    });
  }
  assert.equal(spec.properties.api_token.airbyte_secret, true);
  const secrets = Object.entries(spec.properties).filter(([, p]) => p.airbyte_secret);
  assert.deepEqual(secrets.map(([key]) => key), ["api_token", "hash_key"], "the token, the key");
});

Deno.test("the seed's six settings keep the seed's ranges and defaults (none for initial_sync_days)", () => {
  const specs = Object.fromEntries(settingSpecs());
  const summary = Object.fromEntries(
    Object.entries(specs)
      .filter(([key]) => key === "base_url" || key === "initial_sync_days" || key in SEED_DEFAULTS)
      .map(([key, spec]) => [key, [spec.type, spec.default, spec.minimum, spec.maximum]]),
  );
  assert.deepEqual(summary, {
    api_token: ["string", undefined, undefined, undefined],
    initial_sync_days: ["integer", undefined, 1, 365],
    max_records_per_page: ["integer", 100, 1, 250],
    request_timeout_seconds: ["integer", 30, 1, 300],
    retry_attempts: ["integer", 3, 0, 10],
    enable_incremental_sync: ["boolean", true, undefined, undefined],
    base_url: ["string", DEFAULT_BASE_URL, undefined, undefined],
  });
});

Deno.test("connectionSpecification returns a fresh copy each call", () => {
  const first = connectionSpecification() as { properties: Record<string, { title: string }> };
  first.properties.api_token.title = "changed";
  const second = connectionSpecification() as { properties: Record<string, { title: string }> };
  assert.equal(second.properties.api_token.title, "API token");
});

type JsonProperty = Record<string, unknown>;
type JsonRoot = JsonProperty & { properties: Record<string, JsonProperty>; required?: string[] };

/** z.toJSONSchema of the config as connectionSpecification calls it, without its rewrites. */
function zodSpecification(options: { withSpecs: boolean }): JsonRoot {
  const metadata = z.registry<SettingSpec>();
  if (options.withSpecs) {
    for (const [key, spec] of settingSpecs()) {
      metadata.add(SHAPE[key], spec);
    }
  }
  return z.toJSONSchema(Config, { target: "draft-7", io: "input", metadata }) as JsonRoot;
}

Deno.test("connectionSpecification: each difference from z.toJSONSchema's output", async (t) => {
  const spec = connectionSpecification() as JsonRoot;
  const zod = zodSpecification({ withSpecs: true });
  await t.step(
    "zod drops default and examples of a setting that transforms; spec.json keeps them",
    () => {
      assert.ok(
        !("default" in zod.properties.base_url) && !("examples" in zod.properties.base_url),
      );
      assert.ok(!("default" in zod.properties.max_records_per_page));
      assert.equal(spec.properties.base_url.default, DEFAULT_BASE_URL);
      assert.deepEqual(spec.properties.base_url.examples, [DEFAULT_BASE_URL]);
      assert.equal(spec.properties.max_records_per_page.default, 100);
    },
  );
  await t.step("zod says minLength 1 of the (trimmed) token; spec.json does not", () => {
    assert.equal(zod.properties.api_token.minLength, 1);
    assert.ok(!("minLength" in spec.properties.api_token));
  });
  await t.step("spec.json keeps each setting's spec key order, a default after order", () => {
    // Put back after zod's keys, the default would come last.
    assert.deepEqual(Object.keys(zod.properties.max_records_per_page), [
      "type",
      "title",
      "description",
      "order",
      "minimum",
      "maximum",
    ]);
    assert.deepEqual(Object.keys(spec.properties.max_records_per_page), [
      "type",
      "title",
      "description",
      "order",
      "default",
      "minimum",
      "maximum",
    ]);
    for (const [key, setting] of settingSpecs()) {
      assert.deepEqual(Object.keys(spec.properties[key]), Object.keys(setting), key);
      assert.deepEqual(spec.properties[key], setting, key);
    }
  });
  await t.step(
    "zod has no title and no additionalProperties at the root; spec.json has both",
    () => {
      assert.ok(!("title" in zod) && !("additionalProperties" in zod));
      assert.deepEqual(Object.keys(zod), ["$schema", "type", "properties", "required"]);
      assert.deepEqual(Object.keys(spec), [
        "$schema",
        "title",
        "type",
        "required",
        "additionalProperties",
        "properties",
      ]);
      assert.equal(spec.title, "Humaans Source Spec");
      assert.equal(spec.additionalProperties, true);
    },
  );
  await t.step("the required list and the setting order are zod's", () => {
    assert.deepEqual(spec.required, zod.required);
    assert.deepEqual(Object.keys(spec.properties), Object.keys(zod.properties));
  });
});

Deno.test("connectionSpecification: zod's own types and bounds agree with each setting's spec", () => {
  // The registry's spec is laid over zod's keys: this shows it hides no disagreement.
  const zod = zodSpecification({ withSpecs: false });
  for (const [key, spec] of settingSpecs()) {
    const own = zod.properties[key];
    assert.deepEqual(
      [own.type, own.minimum, own.maximum],
      [spec.type, spec.minimum, spec.maximum],
      key,
    );
  }
});

Deno.test("sensitive_data: keep by default; hash needs a hash_key, and says why", async (t) => {
  await t.step("defaults: keep, every class, no key", () => {
    const config = parseConfig({ api_token: TOKEN });
    assert.equal(config.sensitive_data, "keep");
    assert.deepEqual(config.sensitive_classes, [
      "bank",
      "government_id",
      "compensation",
      "personal",
      "health",
    ]);
    assert.equal(config.hash_key, undefined);
  });
  await t.step("hash without a key is a config error naming hash_key", () => {
    const error = configErrorOf({ api_token: TOKEN, sensitive_data: "hash" }, "c.json");
    assert.match(error.message, /^Config field "hash_key" in "c\.json" is required when/);
    assert.match(error.message, /an unkeyed hash is no protection/);
    assert.match(error.message, /every 8-digit account number takes seconds/);
  });
  await t.step("a short key is refused, and never quoted", () => {
    const error = configErrorOf({
      api_token: TOKEN,
      sensitive_data: "hash",
      hash_key: "short-key",
    });
    assert.match(error.message, /"hash_key" is too short \(9 characters, at least 16\)/);
    assert.ok(!error.message.includes("short-key"));
  });
  await t.step("drop and keep need no key; words and lists as strings", () => {
    assert.equal(
      parseConfig({ api_token: TOKEN, sensitive_data: " DROP " }).sensitive_data,
      "drop",
    );
    const config = parseConfig({ api_token: TOKEN, sensitive_classes: "bank, Health" });
    assert.deepEqual(config.sensitive_classes, ["bank", "health"]);
  });
  await t.step("a word not allowed says which are", () => {
    const error = configErrorOf({ api_token: TOKEN, sensitive_data: "mask" });
    assert.match(error.message, /"sensitive_data" must be one of keep, hash, drop, got "mask"/);
    const classes = configErrorOf({ api_token: TOKEN, sensitive_classes: ["bank", "salary"] });
    assert.match(classes.message, /"sensitive_classes" must be a list of one or more of bank, /);
  });
  await t.step("hash_key is a secret: masked wherever the token is", () => {
    assert.deepEqual(
      secretValues({ api_token: TOKEN, hash_key: " 0123456789abcdef0123 " }),
      [TOKEN, "0123456789abcdef0123"],
    );
    const error = configErrorOf({ api_token: TOKEN, hash_key: 42 });
    assert.match(error.message, /"hash_key" must be a non-empty string, got a secret value/);
  });
});

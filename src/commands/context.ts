import type { Clock } from "../clock.ts";
import { type Config, parseConfig, secretValues } from "../config.ts";
import { readJsonFile } from "../files.ts";
import { HumaansClient } from "../http/client.ts";
import type { MessageWriter } from "../protocol/writer.ts";
import type { ProgressLine } from "../progress.ts";

/** What every command runs with. */
export interface CommandContext {
  /** Where the command's messages go. */
  writer: MessageWriter;
  /** The clock (the system clock unless a test injects one). */
  clock: Clock;
  /** The fetch the HTTP client uses (a test may wrap it). */
  fetch?: typeof fetch;
  /** A progress display for terminals (read only). */
  progress?: ProgressLine;
  /** File paths given on the command line. */
  files: { config?: string; catalog?: string; state?: string };
}

/** Reads the config named by `--config`, registers its secret settings for masking, validates it. */
export async function loadConfig(context: CommandContext): Promise<Config> {
  const path = context.files.config!;
  const raw = await readJsonFile(path, "config");
  for (const secret of secretValues(raw)) context.writer.addSecret(secret);
  return parseConfig(raw, { source: path });
}

/** The HTTP client for a config, logging each retry. */
export function clientFor(config: Config, context: CommandContext): HumaansClient {
  const { writer } = context;
  return new HumaansClient({
    baseUrl: config.base_url,
    token: config.api_token,
    timeoutMs: config.request_timeout_seconds * 1000,
    retryAttempts: config.retry_attempts,
    maxConcurrency: config.concurrency,
    clock: context.clock,
    fetch: context.fetch,
    onRetry: (info) =>
      writer.log(
        "WARN",
        `${info.method} ${info.path} attempt ${info.attempt} failed (${info.reason}); retrying in ${
          (info.delayMs / 1000).toFixed(1)
        } s`,
      ),
  });
}

import type { Clock } from "../clock.ts";
import { configError, toConnectorError } from "../errors.ts";
import { failureKindOf, type HttpError, type HumaansClient } from "../http/client.ts";
import { ERROR_POLICY, type FailureKind } from "../http/error_policy.ts";
import { policyOf, policySummary } from "../sensitive/policy.ts";
import { type StreamDefinition, STREAMS } from "../streams/mod.ts";
import { clientFor, type CommandContext, loadConfig } from "./context.ts";

/** How long `check` waits for all its answers together; a stream not answered by then is unknown. */
export const CHECK_DEADLINE_MS = 5_000;

/** Which streams a token can read, and how that was found out. */
export interface Access {
  /** Streams the token can read. */
  readable: StreamDefinition[];
  /** Unreadable streams with the reason (the scope to grant, or that the list does not exist). */
  unreadable: { stream: StreamDefinition; reason: string }[];
  /** The token's scopes, when the API told them. */
  scopes?: string[];
}

/** Options of {@linkcode streamAccess}. */
export interface AccessOptions {
  /** Times the deadline; default the client's. */
  clock: Clock;
  /** Streams to check; default every stream. */
  streams?: readonly StreamDefinition[];
  /** Default {@linkcode CHECK_DEADLINE_MS}. */
  deadlineMs?: number;
}

function hasKind(error: unknown, ...kinds: FailureKind[]): error is HttpError {
  const kind = failureKindOf(error);
  return kind !== undefined && kinds.includes(kind);
}

/** The token's scopes from `/token-info`, else proof the token works from `/me` or a list. */
async function tokenScopes(client: HumaansClient): Promise<string[] | undefined> {
  try {
    const info = await client.get<{ scopes?: unknown }>("/token-info");
    const scopes = info?.scopes;
    if (Array.isArray(scopes) && scopes.every((s) => typeof s === "string")) return scopes;
  } catch (error) {
    // Its shape is unconfirmed and it may need rights a token lacks: ask /me instead.
    if (!hasKind(error, "unauthorized", "forbidden", "not_found")) throw error;
  }
  try {
    await client.get("/me");
  } catch (error) {
    if (!hasKind(error, "not_found")) throw error;
    try {
      await client.get("/companies", { $limit: 1 });
    } catch (error) {
      if (!hasKind(error, "not_found")) throw error;
      // Not one of three endpoints every account has: the base URL is not the API's.
      throw configError(
        `${error.message}; /token-info and /me answered 404 too: check base_url (the Humaans API is https://app.humaans.io/api)`,
      );
    }
  }
  return undefined;
}

function needs(stream: StreamDefinition): string {
  return stream.scopes.join(" or ");
}

/** Why a stream's one-row request failed, or a rethrow when the failure is not the stream's. */
function unreadableReason(
  stream: StreamDefinition,
  error: unknown,
  context: { scopes?: string[]; signal: AbortSignal; deadlineMs: number },
): string {
  if (hasKind(error, "forbidden")) {
    const held = context.scopes && stream.scopes.some((s) => context.scopes!.includes(s));
    return `403 ${error.apiMessage ?? "Forbidden"}; ${
      held
        ? `the token has ${
          needs(stream)
        }, so the role of the person who created it lacks this list: create the token as someone who can see it`
        : `grant ${needs(stream)}`
    }`;
  }
  if (hasKind(error, "not_found")) return "404: the endpoint does not exist for this account";
  if (hasKind(error, "unauthorized")) throw error;
  if (context.signal.aborted) {
    return `no answer within ${context.deadlineMs / 1000} s; run check again`;
  }
  return `could not tell: ${toConnectorError(error).message}`;
}

/**
 * Finds out which streams the token can read by asking each for one row, all at once (the
 * client's concurrency limit bounds them), within one deadline. Scopes alone cannot tell: a
 * token reads what its scopes and its creator's role both allow.
 */
export async function streamAccess(
  client: HumaansClient,
  options: AccessOptions,
): Promise<Access> {
  const scopes = await tokenScopes(client);
  const deadlineMs = options.deadlineMs ?? CHECK_DEADLINE_MS;
  const signal = options.clock.timeout(deadlineMs);
  const streams = options.streams ?? STREAMS;
  const answers = await Promise.all(streams.map(async (stream) => {
    try {
      await client.get(stream.path, { $limit: 1 }, { signal });
      return undefined;
    } catch (error) {
      return unreadableReason(stream, error, { scopes, signal, deadlineMs });
    }
  }));
  const access: Access = { readable: [], unreadable: [], scopes };
  streams.forEach((stream, i) => {
    const reason = answers[i];
    if (reason === undefined) access.readable.push(stream);
    else access.unreadable.push({ stream, reason });
  });
  return access;
}

function failureMessage(error: unknown): string {
  const kind = failureKindOf(error);
  const advice = kind && ERROR_POLICY[kind].advice;
  if (advice) return `${advice.summary} (${toConnectorError(error).message}): ${advice.action}`;
  return toConnectorError(error).message;
}

/** `check`: validates the config and the token, and reads one row of each stream; one CONNECTION_STATUS. */
export async function check(context: CommandContext): Promise<number> {
  const status = (succeeded: boolean, message: string) =>
    context.writer.message({
      type: "CONNECTION_STATUS",
      connectionStatus: { status: succeeded ? "SUCCEEDED" : "FAILED", message },
    });
  let access: Access;
  let host: string;
  let sensitive: string;
  try {
    const config = await loadConfig(context);
    sensitive = policySummary(await policyOf(config));
    const client = clientFor(config, context);
    host = client.host;
    access = await streamAccess(client, { clock: context.clock });
  } catch (error) {
    await status(false, failureMessage(error));
    return 0;
  }
  const readable = access.readable.map((s) => s.name).join(", ") || "none";
  const unreadable = access.unreadable.map((u) => `${u.stream.name} (${u.reason})`).join(", ");
  const scopes = access.scopes ? ` with scopes ${access.scopes.join(", ")}` : "";
  const message = `Connected to ${host}${scopes}. Readable streams: ${readable}.` +
    (unreadable ? ` Not readable: ${unreadable}.` : "") + (sensitive ? ` ${sensitive}` : "");
  await status(access.readable.length > 0, message);
  return 0;
}

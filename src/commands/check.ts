import { toConnectorError } from "../errors.ts";
import { HttpError, type HumaansClient } from "../http/client.ts";
import { type StreamDefinition, STREAMS } from "../streams/mod.ts";
import { clientFor, type CommandContext, loadConfig } from "./context.ts";

/** Which streams a token can read, and how that was found out. */
export interface Access {
  readable: StreamDefinition[];
  /** Unreadable streams with the reason (the scope to grant). */
  unreadable: { stream: StreamDefinition; reason: string }[];
  /** The token's scopes, when the API told them. */
  scopes?: string[];
}

function isNotFound(error: unknown): boolean {
  return error instanceof HttpError && error.status === 404;
}

async function tokenScopes(client: HumaansClient): Promise<string[] | undefined> {
  try {
    const info = await client.get<{ scopes?: unknown }>("/token-info");
    const scopes = info?.scopes;
    return Array.isArray(scopes) && scopes.every((s) => typeof s === "string") ? scopes : undefined;
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  try {
    await client.get("/me");
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await client.get("/companies", { $limit: 1 });
  }
  return undefined;
}

function needs(stream: StreamDefinition): string {
  return stream.scopes.length === 1 ? stream.scopes[0] : stream.scopes.join(" or ");
}

/** Finds out which streams the token can read: from its scopes, else by asking each stream. */
export async function streamAccess(client: HumaansClient): Promise<Access> {
  const scopes = await tokenScopes(client);
  const access: Access = { readable: [], unreadable: [], scopes };
  for (const stream of STREAMS) {
    if (scopes) {
      if (stream.scopes.some((scope) => scopes.includes(scope))) access.readable.push(stream);
      else access.unreadable.push({ stream, reason: `grant ${needs(stream)}` });
      continue;
    }
    try {
      await client.get(stream.path, { $limit: 1 });
      access.readable.push(stream);
    } catch (error) {
      if (!(error instanceof HttpError) || error.status !== 403) throw error;
      access.unreadable.push({
        stream,
        reason: `403 ${error.apiMessage ?? "Forbidden"}; grant ${needs(stream)}`,
      });
    }
  }
  return access;
}

function failureMessage(error: unknown): string {
  if (error instanceof HttpError && error.status === 401) {
    return `The API token was rejected (${error.message}): create a new token in Humaans and set api_token`;
  }
  if (error instanceof HttpError && error.status === 403) {
    return `The API token lacks a scope (${error.message}): grant public:read or private:read`;
  }
  return toConnectorError(error).message;
}

/** `check`: validates the config and the token; prints one CONNECTION_STATUS. */
export async function check(context: CommandContext): Promise<number> {
  const status = (succeeded: boolean, message: string) =>
    context.writer.message({
      type: "CONNECTION_STATUS",
      connectionStatus: { status: succeeded ? "SUCCEEDED" : "FAILED", message },
    });
  let access: Access;
  let host: string;
  try {
    const config = await loadConfig(context);
    const client = clientFor(config, context);
    host = client.host;
    access = await streamAccess(client);
  } catch (error) {
    await status(false, failureMessage(error));
    return 0;
  }
  const readable = access.readable.map((s) => s.name).join(", ") || "none";
  const unreadable = access.unreadable.map((u) => `${u.stream.name} (${u.reason})`).join(", ");
  const scopes = access.scopes ? ` with scopes ${access.scopes.join(", ")}` : "";
  const message = `Connected to ${host}${scopes}. Readable streams: ${readable}.` +
    (unreadable ? ` Not readable: ${unreadable}.` : "");
  await status(access.readable.length > 0, message);
  return 0;
}

/**
 * Scripted faults: responses queued per path that the next matching requests get instead of
 * the normal answer (status codes, odd bodies, stalls, connections dropped mid-body).
 *
 * @module
 */
import { feathersError } from "./errors.ts";

/** One scripted response, used by the next matching request. */
export interface Fault {
  /** HTTP status, e.g. 429, 500, 503, 408, 400; default 200. */
  status?: number;
  /** The `Retry-After` header, e.g. "2" or an HTTP date. */
  retryAfter?: string;
  /** Raw body to send instead of the default (e.g. `"<html>oops</html>"` or truncated JSON). */
  body?: string;
  /** Default `application/json`. */
  contentType?: string;
  /** Wait this long before answering; ends early when the client gives up. */
  stallMs?: number;
  /** Start the response, then break the connection part-way through the body. */
  dropConnection?: boolean;
  /** Answer normally: queued before faults, puts them after that many good answers. */
  pass?: boolean;
  /** Send `body` (default the start of a list envelope), then blanks forever, without a length. */
  endlessBody?: boolean;
  /**
   * Echo the request's `Authorization` header in the error message (`status`, default 400): as
   * sent, its base64, the base64 of the token alone and of `:token`, and URL-encoded.
   */
  echoAuthorization?: boolean;
}

/** Faults waiting for requests, per path ("*" for any path). */
export class FaultQueue {
  #queues = new Map<string, Fault[]>();

  /** Queues faults for the next requests to `path` (e.g. "/companies"), or any path with "*". */
  add(path: string, faults: readonly Fault[]): void {
    this.#queues.set(path, [...(this.#queues.get(path) ?? []), ...faults]);
  }

  /** Takes the next fault for `path`: one queued for that path first, then one for "*". */
  take(path: string): Fault | undefined {
    return this.#queues.get(path)?.shift() ?? this.#queues.get("*")?.shift();
  }
}

/** The start of a list body that a dropped connection cuts off. */
const CUT_BODY = '{"total": 10, "limit": 100, "skip": 0, "data": [{"id": "';

/**
 * The response a fault scripts, after its stall. `sleep` must end early when `signal` aborts
 * (the client gave up or the sandbox is closing).
 */
export async function faultResponse(
  fault: Fault,
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>,
  signal: AbortSignal,
): Promise<Response> {
  if (fault.stallMs) await sleep(fault.stallMs, signal);
  const status = fault.status ?? 200;
  const headers = new Headers({ "content-type": fault.contentType ?? "application/json" });
  if (fault.retryAfter !== undefined) headers.set("retry-after", fault.retryAfter);
  if (fault.dropConnection) {
    return new Response(brokenStream(fault.body ?? CUT_BODY), { status, headers });
  }
  if (fault.endlessBody) {
    return new Response(endlessStream(fault.body ?? CUT_BODY, signal), { status, headers });
  }
  const body = fault.body ?? JSON.stringify(
    status >= 400
      ? feathersError(status, `Injected fault: HTTP ${status}`)
      : { total: 0, limit: 100, skip: 0, data: [] },
  );
  return new Response(body, { status, headers });
}

/** A body stream that sends `text`, then fails, which aborts the connection. */
function brokenStream(text: string): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream({
    pull(controller) {
      if (sent) {
        controller.error(new Error("Sandbox fault: connection dropped mid-body"));
        return;
      }
      sent = true;
      controller.enqueue(new TextEncoder().encode(text));
    },
  });
}

/** The error response of an `echoAuthorization` fault: the header in every encoding, quoted back. */
export function echoAuthorizationResponse(fault: Fault, authorization: string | null): Response {
  const status = fault.status ?? 400;
  const header = authorization ?? "";
  const token = header.replace(/^Bearer /, "");
  const base64 = (text: string) => btoa(String.fromCharCode(...new TextEncoder().encode(text)));
  const echoed = [
    header,
    base64(header),
    base64(token),
    base64(`:${token}`),
    encodeURIComponent(token),
  ];
  return Response.json(
    feathersError(status, `Rejected request with Authorization ${echoed.join(" | ")}`),
    { status, headers: fault.retryAfter ? { "retry-after": fault.retryAfter } : {} },
  );
}

/** 64 KiB of blanks: what an endless body sends after its start, over and over. */
const BLANKS = new TextEncoder().encode(" ".repeat(64 * 1024));

/** A body stream that sends `text`, then blanks until the client stops reading or `signal` aborts. */
function endlessStream(text: string, signal: AbortSignal): ReadableStream<Uint8Array> {
  let started = false;
  return new ReadableStream({
    pull(controller) {
      if (signal.aborted) {
        controller.close();
        return;
      }
      controller.enqueue(started ? BLANKS : new TextEncoder().encode(text));
      started = true;
    },
  }, { highWaterMark: 1 });
}

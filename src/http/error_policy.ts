/**
 * The error policy: one table from a failed request's kind (an HTTP status class, or a failure
 * before any status) to what the connector does about it and how Airbyte is told. The client
 * decides retries from it, the read loop and `check` name a failure's kind from it and add its
 * hints, and the Airbyte failure type of every HTTP failure is attached here and nowhere else.
 *
 * @module
 */

import type { AirbyteFailureType } from "../protocol/messages.ts";

/**
 * What the client does about a failed request: try it again (`retry`), try it again after the
 * server's `Retry-After` and slow down (`rate_limited`), or give up at once (`fail`).
 */
export type ErrorAction = "retry" | "rate_limited" | "fail";

/** A failed request's kind: a class of HTTP status, or a failure before any status. */
export type FailureKind =
  | "timeout"
  | "network"
  | "body_too_large"
  | "not_json"
  | "unexpected_body"
  | "rejected_query"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "client_error"
  | "request_timeout"
  | "rate_limited"
  | "server_error";

/** How one kind of failure is handled. */
export interface ErrorResolution {
  /** What the client does. */
  action: ErrorAction;
  /** What Airbyte is told when the failure ends a stream, a check or a sync. */
  failureType: AirbyteFailureType;
  /** What the user can do, appended by the client to the failure's message. */
  hint?: string;
  /**
   * What `check` says of the token as a whole when its first request fails this way: a
   * summary and what to do, around the failure's message.
   */
  advice?: { summary: string; action: string };
}

/** The table: every kind of failure, its action, failure type and hint. */
export const ERROR_POLICY: Readonly<Record<FailureKind, Readonly<ErrorResolution>>> = {
  timeout: {
    action: "retry",
    failureType: "transient_error",
    hint: "raise request_timeout_seconds or try again later",
  },
  network: {
    action: "retry",
    failureType: "transient_error",
    hint: "check base_url and the network",
  },
  body_too_large: {
    action: "retry",
    failureType: "transient_error",
    hint: "lower max_records_per_page, or check base_url points at the Humaans API",
  },
  not_json: {
    action: "retry",
    failureType: "transient_error",
    hint: "check base_url points at the Humaans API",
  },
  // A body of the wrong shape: retried like a 5xx (a proxy's or a truncated answer), then a bug.
  unexpected_body: { action: "retry", failureType: "system_error" },
  // The server refuses a filter, `$sort` or `$select[]`: callers fall back to asking less.
  rejected_query: { action: "fail", failureType: "system_error" },
  unauthorized: {
    action: "fail",
    failureType: "config_error",
    advice: {
      summary: "The API token was rejected",
      action: "create a new token in Humaans and set api_token",
    },
  },
  forbidden: {
    action: "fail",
    failureType: "config_error",
    advice: {
      summary: "The API token lacks a scope",
      action: "grant public:read or private:read",
    },
  },
  not_found: { action: "fail", failureType: "system_error" },
  client_error: { action: "fail", failureType: "system_error" },
  request_timeout: { action: "retry", failureType: "transient_error" },
  rate_limited: { action: "rate_limited", failureType: "transient_error" },
  server_error: { action: "retry", failureType: "transient_error" },
};

/** The kind of a response status that is not a success. */
export function kindOfStatus(status: number): FailureKind {
  if (status === 400) return "rejected_query";
  if (status === 401) return "unauthorized";
  if (status === 403) return "forbidden";
  if (status === 404) return "not_found";
  if (status === 408) return "request_timeout";
  if (status === 429) return "rate_limited";
  if (status >= 500) return "server_error";
  return "client_error";
}

/**
 * What to do about a stream a token may not read, for a failure of `kind`: for `forbidden`, the
 * scope to grant (or the role that hides the list); for `not_found`, that the account has no
 * such list. Empty for other kinds.
 */
export function streamHint(
  kind: FailureKind | undefined,
  stream: { scopes: readonly string[]; path: string },
): string {
  if (kind === "forbidden") {
    return `; the token needs the ${
      stream.scopes.join(" or ")
    } scope for this stream (or its creator's role lacks this list)`;
  }
  if (kind === "not_found") {
    return `; the API has no ${stream.path} list for this account: deselect the stream (if every stream says so, check base_url)`;
  }
  return "";
}

import type { AirbyteFailureType } from "./protocol/messages.ts";

/** Options of a {@linkcode ConnectorError}. */
export interface ConnectorErrorOptions {
  /** How a platform should treat the failure. */
  failureType: AirbyteFailureType;
  /** Detail for operators (never shown as the user-facing message). */
  internalMessage?: string;
  /** The error that caused this one. */
  cause?: unknown;
}

/** An error with a user-facing message and an Airbyte failure type. */
export class ConnectorError extends Error {
  /** How a platform should treat the failure. */
  readonly failureType: AirbyteFailureType;
  /** Detail for operators. */
  readonly internalMessage?: string;

  /** An error with `message` shown to users, and how a platform should treat it. */
  constructor(message: string, options: ConnectorErrorOptions) {
    super(message, { cause: options.cause });
    this.name = "ConnectorError";
    this.failureType = options.failureType;
    this.internalMessage = options.internalMessage;
  }
}

/** Builds a {@linkcode ConnectorError} of type config_error. */
export function configError(message: string, options: { cause?: unknown } = {}): ConnectorError {
  return new ConnectorError(message, { failureType: "config_error", cause: options.cause });
}

/** Turns anything thrown into a {@linkcode ConnectorError} (system_error when unknown). */
export function toConnectorError(error: unknown): ConnectorError {
  if (error instanceof ConnectorError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ConnectorError(`Unexpected error: ${message}`, {
    failureType: "system_error",
    internalMessage: error instanceof Error ? error.stack : undefined,
    cause: error,
  });
}

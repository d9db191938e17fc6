/**
 * Errors as the Humaans API (a Feathers application) sends them.
 *
 * @module
 */

/** The body of a Feathers error, e.g. `{ code: 404, name: "NotFound", message: "..." }`. */
export interface FeathersError {
  code: number;
  name: string;
  message: string;
  className: string;
}

const NAMES: Record<number, string> = {
  400: "BadRequest",
  401: "NotAuthenticated",
  403: "Forbidden",
  404: "NotFound",
  405: "MethodNotAllowed",
  408: "Timeout",
  429: "TooManyRequests",
  500: "GeneralError",
  502: "BadGateway",
  503: "Unavailable",
};

/** The Feathers error body for an HTTP status. */
export function feathersError(code: number, message: string): FeathersError {
  const name = NAMES[code] ?? (code >= 500 ? "GeneralError" : "BadRequest");
  return { code, name, message, className: name.replace(/([a-z])([A-Z])/g, "$1-$2").toLowerCase() };
}

/** A JSON error response with the Feathers body for `code`. */
export function errorResponse(code: number, message: string, headers?: HeadersInit): Response {
  return Response.json(feathersError(code, message), { status: code, headers });
}

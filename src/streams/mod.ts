/**
 * The stream registry: every stream the connector offers, one declaration each.
 *
 * @module
 */
import { companies } from "./companies.ts";
import type { StreamDefinition } from "./define.ts";
import { documents } from "./documents.ts";
import { jobRoles } from "./job_roles.ts";

export type { MapContext, RawObject, StreamDefinition } from "./define.ts";
export { CURSOR } from "./define.ts";

/** Every stream, in catalog order. */
export const STREAMS: readonly StreamDefinition[] = [companies, documents, jobRoles];

/** The stream named `name`, or undefined. */
export function findStream(name: string): StreamDefinition | undefined {
  return STREAMS.find((stream) => stream.name === name);
}

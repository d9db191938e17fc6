/**
 * The Humaans sandbox: a Humaans-compatible API on 127.0.0.1 for the tests, the demo and the
 * benchmark. Start one with {@linkcode startSandbox}; read what it serves with
 * {@linkcode sandboxRows}.
 *
 * @module
 */
export {
  ALL_SCOPES,
  type Changes,
  type Fault,
  type FilterMode,
  type LoggedRequest,
  type LyingTotal,
  type Sandbox,
  type SandboxOptions,
  type ShortPages,
  startSandbox,
} from "./server.ts";
export { resourcePaths, type Row, sandboxRows } from "./data.ts";
export { RESOURCES } from "./resources.ts";

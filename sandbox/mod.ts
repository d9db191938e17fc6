/**
 * The Humaans sandbox: a Humaans-compatible API for tests, the demo and the benchmark.
 *
 * @module
 */
export {
  ALL_SCOPES,
  type Fault,
  type FilterMode,
  type LoggedRequest,
  type Sandbox,
  type SandboxOptions,
  sandboxRows,
  startSandbox,
} from "./server.ts";
export { RESOURCES, type Row } from "./data.ts";

import { connectionSpecification } from "../config.ts";
import type { CommandContext } from "./context.ts";

/** Where the connector's documentation lives. */
export const DOCUMENTATION_URL = "https://docs.airbyte.com/integrations/sources/humaans";

/** The SPEC message's `spec`. */
export function connectorSpecification(): Record<string, unknown> {
  return {
    documentationUrl: DOCUMENTATION_URL,
    connectionSpecification: connectionSpecification(),
    supportsIncremental: true,
    supported_destination_sync_modes: ["overwrite", "append", "append_dedup"],
  };
}

/** `spec`: prints the connector's configuration schema. */
export async function spec(context: CommandContext): Promise<number> {
  await context.writer.message({ type: "SPEC", spec: connectorSpecification() });
  return 0;
}

import { connectionSpecification } from "../config.ts";
import type { ConnectorSpecification } from "../protocol/messages.ts";
import { VERSION } from "../version.ts";
import type { CommandContext } from "./context.ts";

/** Where the connector's documentation lives. */
export const DOCUMENTATION_URL = "https://docs.airbyte.com/integrations/sources/humaans";

/**
 * The SPEC message's `spec`. `connectorVersion` is this connector's own field (the protocol's
 * ConnectorSpecification allows more properties): the version a platform runs, as `spec` shows it.
 */
export function connectorSpecification(): ConnectorSpecification {
  return {
    documentationUrl: DOCUMENTATION_URL,
    changelogUrl: `${DOCUMENTATION_URL}#changelog`,
    connectorVersion: VERSION,
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

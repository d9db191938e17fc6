/** The connector's version: in `spec` (`connectorVersion`), `--version`, image labels, metadata.yaml. */
export const VERSION = "0.1.0";

/** The connector's version: shown by `spec`, the image labels and metadata.yaml. */
export const VERSION = "0.1.0";

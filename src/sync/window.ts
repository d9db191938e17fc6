import type { Config } from "../config.ts";
import { toConnectorError } from "../errors.ts";
import type { StreamDefinition } from "../streams/mod.ts";
import type { HumaansClient } from "../http/client.ts";
import type { MessageWriter } from "../protocol/writer.ts";
import type { Paging } from "./keyset.ts";
import { serverTotal } from "./server_total.ts";

/**
 * The window of a stream's first sync: `initial_sync_days` for a stream of dated events
 * (`initialWindow`), undefined (all history) for every other stream or when the setting is unset.
 */
export function initialSyncDaysOf(
  stream: Pick<StreamDefinition, "initialWindow">,
  config: Pick<Config, "initial_sync_days">,
): number | undefined {
  return stream.initialWindow ? config.initial_sync_days : undefined;
}

/** What a first sync's read saw of its window, for {@linkcode warnWindowCut}. */
export interface WindowRead {
  /** The window's lower bound, when `initial_sync_days` set one. */
  lowerBound?: string;
  /** How the stream paged. */
  paging: Paging;
  /** Rows in the window (the first page's filtered total). */
  inWindow?: number;
  /** Rows dropped here for being older than the bound (when the server ignored the filter). */
  dropped: number;
  /** The unfiltered count, when the read already asked for it. */
  unfiltered?: number;
}

/**
 * Warns when `initial_sync_days` left rows out of a first sync, saying how many: the list's
 * unfiltered total less the rows in the window (`inWindow`, the first page's filtered total), or,
 * when the server ignored the filter, the rows dropped here for being older than the bound.
 */
export async function warnWindowCut(
  stream: StreamDefinition,
  read: WindowRead,
  options: {
    client: HumaansClient;
    writer: MessageWriter;
    config: Pick<Config, "initial_sync_days">;
    /** The stream's cursor from the input state: no window then. */
    cursor?: string;
    signal?: AbortSignal;
  },
): Promise<void> {
  if (options.cursor || read.lowerBound === undefined) return;
  let older = read.dropped;
  if (read.paging === "server") {
    try {
      older = Math.max(
        0,
        (read.unfiltered ?? await serverTotal(options.client, stream.path, options)) -
          (read.inWindow ?? 0),
      );
    } catch (error) {
      await options.writer.log(
        "WARN",
        `Stream "${stream.name}": could not count the rows older than initial_sync_days (${
          toConnectorError(error).message
        })`,
      );
      return;
    }
  }
  if (older === 0) return;
  const rows = older === 1 ? "1 older row is" : `${older} older rows are`;
  await options.writer.log(
    "WARN",
    `Stream "${stream.name}": first sync reads rows updated in the last ${options.config.initial_sync_days} days (initial_sync_days); ${rows} not read: raise initial_sync_days or run a full refresh to get them`,
  );
}

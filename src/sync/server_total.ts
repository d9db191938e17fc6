import type { HumaansClient, Query } from "../http/client.ts";
import { getPage } from "../http/paginate.ts";

/**
 * How many rows the server says a list holds, unfiltered: one request for a single row
 * (`$limit=1`, no filter), whose envelope's `total` counts the whole list. Used to tell how many
 * rows a window left out and to reconcile what a stream read with what the server holds. With
 * `query`, the count of the rows that match it instead.
 */
export async function serverTotal(
  client: HumaansClient,
  path: string,
  options: { signal?: AbortSignal; query?: Query } = {},
): Promise<number> {
  const envelope = await getPage(client, path, {
    query: { ...options.query, $limit: 1 },
    signal: options.signal,
  });
  return envelope.total;
}

/**
 * A second sandbox for `deno task interop`: its compensations hold one amount that is no number,
 * so the connector writes a RECORD with `meta.changes` for the official protocol models to
 * validate. Prints one JSON line (its URL and token) on stdout and stops when stdin closes.
 *
 * @module
 */
import { type Row, startSandbox } from "../../sandbox/mod.ts";

/** Two compensations: one amount the connector reads as a number, one it cannot. */
export const MISFIT_ROWS: Row[] = [
  {
    id: "Co1Mp2En3Sa4Ti5On6Ab7Cd1",
    personId: "Pe6Hs2Jd9Kf4Lg1Zx7Cv3Bn8",
    amount: "70000.50",
    currency: "GBP",
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
  },
  {
    id: "Co1Mp2En3Sa4Ti5On6Ab7Cd2",
    personId: "Pe6Hs2Jd9Kf4Lg1Zx7Cv3Bn8",
    amount: "n/a",
    currency: "GBP",
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-02T00:00:00.000Z",
  },
];

async function main(): Promise<void> {
  const sandbox = await startSandbox({ people: 3, data: { "/compensations": MISFIT_ROWS } });
  try {
    const line = JSON.stringify({ url: sandbox.url, token: sandbox.token, totals: {} }) + "\n";
    await Deno.stdout.write(new TextEncoder().encode(line));
    for await (const _ of Deno.stdin.readable) {
      // Runs until stdin closes.
    }
  } finally {
    await sandbox.close();
  }
}

if (import.meta.main) await main();

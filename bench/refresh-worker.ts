// One refresher process for bench/refresh.ts: opens its own pool on the bench's database, its own vault
// over the shared key file and its own Refresher (source: worker), says "ready" on stdout, waits for "go"
// on stdin, then runs background passes until one refreshes nothing, and reports its counts as one JSON
// line. Errors the refresher only logs (it never throws from refreshDue) are counted through the logger.
import readline from "node:readline";
import pino from "pino";
import { createLocalKeyringFromFile } from "@/lib/crypto";
import { openDatabase } from "@/lib/db/client";
import { Refresher } from "@/lib/oauth/refresh";
import type { RefreshOutcome } from "@/lib/oauth/refresh-policy";
import { buildVault } from "@/test/vault";

export interface WorkerConfig {
  databaseUrl: string;
  keyFile: string;
  pool: number;
  concurrency: number;
  aheadMs: number;
  limit: number;
}

export type WorkerMessage =
  | { type: "ready" }
  | {
      type: "done";
      counts: Record<RefreshOutcome["kind"], number>;
      passes: number;
      errors: number;
      warnings: number;
      firstProblem: string | null;
      seconds: number;
    };

const send = (message: WorkerMessage) => process.stdout.write(`${JSON.stringify(message)}\n`);

async function main() {
  const config = JSON.parse(process.argv[2] ?? "") as WorkerConfig;
  const problems = { errors: 0, warnings: 0, firstProblem: null as string | null };
  // Nothing is printed (stdout carries the protocol); warnings and errors are counted, the first one kept.
  const logger = pino(
    {
      level: "warn",
      hooks: {
        logMethod(args, _method, level) {
          if (level >= 50) problems.errors++;
          else problems.warnings++;
          problems.firstProblem ??= args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" ");
        },
      },
    },
    { write: () => {} },
  );
  const database = await openDatabase({ url: config.databaseUrl, max: config.pool });
  const { vault, reads } = buildVault(database.db, await createLocalKeyringFromFile(config.keyFile), { logger });
  const refresher = new Refresher({ db: database.db, vault, baseUrl: "http://latchkey.bench", logger });

  const input = readline.createInterface({ input: process.stdin });
  const go = new Promise<void>((resolve) => input.once("line", () => resolve()));
  send({ type: "ready" });
  await go;
  input.close();

  const started = performance.now();
  const counts: Record<RefreshOutcome["kind"], number> = {
    refreshed: 0,
    fresh: 0,
    expired: 0,
    retry_later: 0,
    not_refreshable: 0,
    scopes_missing: 0,
  };
  let passes = 0;
  for (;;) {
    const pass = await refresher.refreshDue({ aheadMs: config.aheadMs, limit: config.limit, concurrency: config.concurrency });
    passes++;
    for (const [kind, n] of Object.entries(pass)) counts[kind as RefreshOutcome["kind"]] += n;
    if (pass.refreshed === 0) break;
  }
  const seconds = (performance.now() - started) / 1000;
  // The client-secret reads are audited in batches: write the last batch before the database closes.
  await reads.flush();
  send({ type: "done", counts, passes, ...problems, seconds });
  await database.close();
}

main().catch((error: unknown) => {
  console.error(`refresh worker ${process.pid} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});

// npm run worker — background work outside the web server: the audit sequencer (sequencing, signed
// checkpoints, anchors). Any number of workers and servers may run: PostgreSQL advisory locks keep one
// sequencer active at a time. Stops cleanly on SIGINT/SIGTERM.
import { createSequencerFromEnv } from "@/lib/audit/log";
import { env } from "@/lib/env";
import { logger } from "@/lib/log";
import { fail, openCli } from "./cli";

async function main() {
  const { database, vault } = await openCli();
  try {
    const config = env();
    const sequencer = createSequencerFromEnv(database.db, vault.dataKeys, config, logger);
    await sequencer.signer();
    sequencer.start(config.LATCHKEY_AUDIT_INTERVAL_MS);
    logger.info({ origin: config.auditOrigin, driver: database.driver }, "worker started: audit sequencer");
    // Keep the process alive: the sequencer's timers are unref'd so servers can exit without waiting.
    const keepAlive = setInterval(() => {}, 60_000);
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      process.once(signal, () => {
        logger.info({ signal }, "worker stopping");
        clearInterval(keepAlive);
        void sequencer
          .stop()
          .then(() => database.close())
          .then(() => process.exit(0));
      });
    }
  } catch (error) {
    await database.close().catch(() => {});
    fail(error);
  }
}

void main();

// npm run worker — background work outside the web server: the audit sequencer (sequencing, signed
// checkpoints, anchors) and the OAuth refresher (tokens refreshed ahead of expiry). Any number of workers
// and servers may run: a PostgreSQL advisory lock keeps one sequencer active at a time, and row locks
// keep each connection's refresh single. Stops cleanly on SIGINT/SIGTERM.
import { createSequencerFromEnv } from "@/lib/audit/log";
import { env } from "@/lib/env";
import { logger } from "@/lib/log";
import { OAuthService } from "@/lib/oauth/service";
import { fail, openCli } from "./cli";

async function main() {
  const { database, vault } = await openCli();
  try {
    const config = env();
    const sequencer = createSequencerFromEnv(database.db, vault.dataKeys, config, logger);
    await sequencer.signer();
    sequencer.start(config.LATCHKEY_AUDIT_INTERVAL_MS);
    const oauth = new OAuthService({ db: database.db, vault, baseUrl: config.LATCHKEY_URL, logger });
    oauth.startBackground(config.LATCHKEY_OAUTH_REFRESH_INTERVAL_MS);
    logger.info({ origin: config.auditOrigin, driver: database.driver }, "worker started: audit sequencer, OAuth refresher");
    // Keep the process alive: the sequencer's timers are unref'd so servers can exit without waiting.
    const keepAlive = setInterval(() => {}, 60_000);
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      process.once(signal, () => {
        logger.info({ signal }, "worker stopping");
        clearInterval(keepAlive);
        oauth.stopBackground();
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

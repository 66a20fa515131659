// npm run worker — background work outside the web server: the audit sequencer (sequencing, signed
// checkpoints, anchors) and the OAuth refresher (tokens refreshed ahead of expiry). Any number of workers
// and servers may run: a PostgreSQL advisory lock keeps one sequencer active at a time, and row locks
// keep each connection's refresh single. On SIGINT/SIGTERM it finishes its current refresh pass and
// sequencer tick, writes the read-audit events still queued, closes the database and exits
// (lib/ops/shutdown.ts). With LATCHKEY_WORKER_METRICS_PORT it serves its Prometheus metrics there.
import { auditHealth } from "@/lib/audit/health";
import { anchorSinksFromEnv, createSequencerFromEnv } from "@/lib/audit/from-env";
import { env } from "@/lib/env";
import { logger } from "@/lib/logger";
import { OAuthService } from "@/lib/oauth/service";
import { metrics } from "@/lib/core/metrics";
import { serveWorkerMetrics } from "@/lib/ops/metrics-server";
import { installWorkerShutdown } from "@/lib/ops/shutdown";
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
    metrics().trackReadQueue(() => vault.reads.pending);
    const sinks = anchorSinksFromEnv(config, database.db, vault.dataKeys).map((s) => s.name);
    metrics().setAuditProbe(() => auditHealth(database.db, sinks));
    const metricsServer =
      config.LATCHKEY_WORKER_METRICS_PORT === undefined
        ? null
        : await serveWorkerMetrics(config.LATCHKEY_WORKER_METRICS_PORT, config.LATCHKEY_METRICS_TOKEN, logger);
    logger.info({ origin: config.auditOrigin, driver: database.driver }, "worker started: audit sequencer, OAuth refresher");
    // Keep the process alive: the sequencer's timers are unref'd so servers can exit without waiting.
    const keepAlive = setInterval(() => {}, 60_000);
    installWorkerShutdown(
      () => ({
        stopBackground: async () => {
          await Promise.all([oauth.stopBackground(), sequencer.stop()]);
        },
        flushAudit: async () => {
          await vault.reads.close();
          return vault.reads.pending;
        },
        close: () => database.close(),
      }),
      logger,
      config.LATCHKEY_SHUTDOWN_TIMEOUT_SECONDS * 1000,
      () => {
        clearInterval(keepAlive);
        metricsServer?.close();
      },
    );
  } catch (error) {
    await database.close().catch(() => {});
    fail(error);
  }
}

void main();

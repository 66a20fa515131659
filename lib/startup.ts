// What the server does before its first request: configuration and the database must be usable, and
// a bad DATABASE_URL or setting stops the process with one clear message instead of a crash loop. Then
// the background work starts, every request gets its log line and metrics (lib/http/request-log.ts), and
// SIGTERM drains queued audit events and background work before the process exits (lib/ops/shutdown.ts).
import { EnvError, env } from "@/lib/env";
import { getDatabase } from "@/lib/db";
import { DatabaseConnectError } from "@/lib/db/client";
import { MigrationHistoryError } from "@/lib/db/migrations";
import { observeRequests } from "@/lib/http/request-log";
import { logger } from "@/lib/logger";
import { metrics } from "@/lib/core/metrics";
import { installServerShutdown, isDraining } from "@/lib/ops/shutdown";

/**
 * Runs once per server process (from instrumentation.ts): validates the configuration, opens and migrates
 * the database (exiting with a clear message when either fails), starts request logging, the audit
 * sequencer and the OAuth background work, and installs the SIGTERM drain.
 */
export async function startServer(): Promise<void> {
  const requests = observeRequests(logger, { draining: isDraining });
  try {
    const config = env();
    // next-auth reads its base URL from NEXTAUTH_URL; the standalone server never runs next.config.ts.
    process.env.NEXTAUTH_URL ??= config.LATCHKEY_URL;
    const database = await getDatabase();
    if (database.driver === "pglite-shared") {
      // Another process holds this embedded database and serves it: an app's database host, or a command or
      // worker started first. One app per data directory (a second one would run a second sequencer,
      // refresher and demo provider on the first one's database), and it must own it (not outlive a command).
      throw new DatabaseConnectError(
        `Another Latchkey app is running on the embedded database in ${config.pgliteDir} (or a command or worker started ` +
          "before this app holds it): one app per data directory. Stop it, or give this one its own LATCHKEY_DATA_DIR (or a DATABASE_URL).",
      );
    }
  } catch (error) {
    const known =
      error instanceof EnvError || error instanceof MigrationHistoryError || (error as { code?: string }).code === "database_unavailable";
    const message = known ? (error as Error).message : String(error);
    process.stderr.write(`\nLatchkey cannot start.\n${message}\n\n`);
    logger.fatal({ err: known ? undefined : error }, `Latchkey cannot start: ${message}`);
    process.exit(1);
  }
  const config = env();
  await shareEmbeddedDatabase(config.pgliteDir);
  const { getVault } = await import("@/lib/vault");
  const vault = await getVault();
  metrics().trackReadQueue(() => vault.reads.pending);
  // Audit sequencing runs off the request path; a failure to start it (e.g. the keyring is down) is
  // logged, not fatal to serving requests; each sequencer tick retries loading the signing key itself.
  const { getSequencer, startAuditSequencer } = await import("@/lib/audit");
  const sequencing = await startAuditSequencer().then(
    () => config.LATCHKEY_AUDIT_SEQUENCER,
    (error: unknown) => {
      logger.error({ err: error }, "audit sequencer did not start");
      return false;
    },
  );
  // OAuth: demo mode's local provider, then the background refresher (same rule: log, do not stop serving).
  const { getOAuth, startOAuthBackground } = await import("@/lib/oauth");
  const refreshing = await startOAuthBackground().then(
    () => config.LATCHKEY_OAUTH_REFRESHER,
    (error: unknown) => {
      logger.error({ err: error }, "OAuth background work did not start");
      return false;
    },
  );
  installServerShutdown({
    log: logger,
    timeoutMs: config.LATCHKEY_SHUTDOWN_TIMEOUT_SECONDS * 1000,
    inFlight: requests.inFlight,
    servers: requests.servers,
    steps: () => ({
      stopBackground: async () => {
        await Promise.all([
          refreshing ? getOAuth().then((oauth) => oauth.stopBackground()) : undefined,
          sequencing ? getSequencer().then((sequencer) => sequencer.stop()) : undefined,
        ]);
      },
      flushAudit: async () => {
        const queued = vault.reads.pending;
        await vault.reads.close();
        if (queued > 0) logger.info({ written: queued - vault.reads.pending }, "shutdown: queued read-audit events written");
        return vault.reads.pending;
      },
      close: async () => (await getDatabase()).close(),
    }),
  });
  if (config.LATCHKEY_RUNTIME_FAST_PATH) {
    const { getRuntimeApi } = await import("@/lib/runtime");
    const { installRuntimeListener, runtimeListener } = await import("@/lib/runtime/node-listener");
    installRuntimeListener(
      runtimeListener({ api: getRuntimeApi, baseUrl: config.LATCHKEY_URL, trustedProxyHops: config.LATCHKEY_TRUSTED_PROXY_HOPS }),
    );
  }
}

/**
 * Embedded mode: the app's database host already serves PGlite on its directory's socket, so commands and
 * `npm run worker` reach it while the app runs (lib/db/pglite-host.ts). With LATCHKEY_PGLITE_IN_PROCESS the
 * app serves it itself (lib/db/pglite-bridge.ts). A failure is logged, not fatal: commands then wait for
 * the app to stop.
 */
async function shareEmbeddedDatabase(dir: string): Promise<void> {
  const database = await getDatabase();
  if (database.driver === "pglite-host") {
    logger.info({ dir, hostPid: database.hostPid }, "embedded database served by its host process to the app, commands and the worker");
    return;
  }
  if (!database.share) return;
  try {
    const shared = await database.share();
    if (shared) {
      logger.info({ socket: shared.socketPath }, "embedded database shared with commands and the worker");
    } else {
      logger.warn({ dir }, "the embedded database is not shared: its directory's path is too long for a Unix socket (107 bytes)");
    }
  } catch (error) {
    logger.warn({ err: error }, "the embedded database could not be shared with commands; they must wait for the app to stop");
  }
}

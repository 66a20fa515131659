// Operating the app server: its readiness probe over the app's database and keyring, its metrics with the
// audit gauges read from the app's database, and the wiring of request logging and graceful shutdown that
// lib/startup.ts installs. The pieces themselves live beside this file and know nothing of Next.
import "server-only";
import { auditHealth } from "@/lib/audit/health";
import { anchorSinksFromEnv } from "@/lib/audit/from-env";
import { getDatabase, getDb } from "@/lib/db";
import { findMigrationsFolder } from "@/lib/db/migrations";
import { env } from "@/lib/env";
import { logger } from "@/lib/logger";
import { getVault } from "@/lib/vault";
import { metrics } from "@/lib/core/metrics";
import { ReadinessProbe } from "./readiness";
import { isDraining } from "./shutdown";

export { authorizeMetrics, renderMetrics, MetricsError } from "./metrics-auth";
export { isDraining } from "./shutdown";

const globalForOps = globalThis as unknown as { latchkeyReadiness?: ReadinessProbe; latchkeyAuditProbe?: boolean };

/** The process's readiness probe (GET /api/ready). */
export function getReadiness(): ReadinessProbe {
  globalForOps.latchkeyReadiness ??= new ReadinessProbe({
    db: async () => (await getDatabase()).db,
    keyring: async () => (await getVault()).dataKeys.keyring,
    migrationsFolder: findMigrationsFolder(),
    draining: isDraining,
    log: logger,
  });
  return globalForOps.latchkeyReadiness;
}

/** Points the audit gauges at the app's database (once); called before metrics are rendered. */
export function wireAuditMetrics(): void {
  if (globalForOps.latchkeyAuditProbe) return;
  globalForOps.latchkeyAuditProbe = true;
  let sinks: string[] | undefined;
  metrics().setAuditProbe(async () => {
    const db = await getDb();
    sinks ??= anchorSinksFromEnv(env(), db, (await getVault()).dataKeys).map((s) => s.name);
    return auditHealth(db, sinks);
  });
}

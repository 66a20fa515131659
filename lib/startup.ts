// What the server does before its first request: configuration and the database must be usable, and
// a bad DATABASE_URL or setting stops the process with one clear message instead of a crash loop.
import { EnvError, env } from "@/lib/env";
import { getDatabase } from "@/lib/db";

export async function startServer(): Promise<void> {
  try {
    env();
    await getDatabase();
  } catch (error) {
    const known = error instanceof EnvError || (error as { code?: string }).code === "database_unavailable";
    console.error(`\nLatchkey cannot start.\n${known ? (error as Error).message : String(error)}\n`);
    process.exit(1);
  }
  // Audit sequencing runs off the request path; a failure to start it (e.g. the keyring is down) is
  // logged, not fatal to serving requests; each sequencer tick retries loading the signing key itself.
  const { startAuditSequencer } = await import("@/lib/audit");
  await startAuditSequencer().catch((error: unknown) => console.error("Audit sequencer did not start:", error));
  // OAuth: demo mode's local provider, then the background refresher (same rule: log, do not stop serving).
  const { startOAuthBackground } = await import("@/lib/oauth");
  await startOAuthBackground().catch((error: unknown) => console.error("OAuth background work did not start:", error));
}

// The app's one database handle: opened, migrated and (in demo mode) seeded on first use.
import "server-only";
import { env } from "@/lib/env";
import { logger } from "@/lib/logger";
import { openDatabase, type Database, type Db } from "./client";
import { seedDemo } from "@/lib/demo/seed";

export * from "./client";

const globalForDb = globalThis as unknown as { latchkeyDb?: Promise<Database> };

/**
 * Opens the configured database once per process (surviving dev hot reloads). The embedded database runs
 * in a database host, a child process (lib/db/pglite-host.ts), unless LATCHKEY_PGLITE_IN_PROCESS is set;
 * if that host dies, this process cannot serve and exits (fail closed: a supervisor restarts both).
 */
export function getDatabase(): Promise<Database> {
  globalForDb.latchkeyDb ??= (async () => {
    const config = env();
    const database = await openDatabase({
      url: config.DATABASE_URL,
      pgliteDir: config.pgliteDir,
      embedded: config.LATCHKEY_PGLITE_IN_PROCESS ? "in-process" : "host",
      onHostExit: (description) => {
        process.stderr.write(`\nLatchkey cannot go on: ${description}\nIts database is gone; restart the app.\n\n`);
        logger.fatal(`Latchkey cannot go on: ${description} Its database is gone; restart the app.`);
        process.exit(1);
      },
    });
    if (config.demo) await seedDemo(database.db, { oauthIssuer: config.demoOAuth.issuer });
    return database;
  })();
  globalForDb.latchkeyDb.catch(() => {
    globalForDb.latchkeyDb = undefined;
  });
  return globalForDb.latchkeyDb;
}

export async function getDb(): Promise<Db> {
  return (await getDatabase()).db;
}

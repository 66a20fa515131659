// The app's one database handle: opened, migrated and (in demo mode) seeded on first use.
import "server-only";
import { env } from "@/lib/env";
import { openDatabase, type Database, type Db } from "./client";
import { seedDemo } from "@/lib/demo/seed";

export * from "./client";

const globalForDb = globalThis as unknown as { latchkeyDb?: Promise<Database> };

/** Opens the configured database once per process (surviving dev hot reloads). */
export function getDatabase(): Promise<Database> {
  globalForDb.latchkeyDb ??= (async () => {
    const config = env();
    const database = await openDatabase({ url: config.DATABASE_URL, pgliteDir: config.pgliteDir });
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

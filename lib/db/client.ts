// The database client: postgres.js when DATABASE_URL is set, embedded PGlite otherwise. Both are
// migrated from drizzle/ on open (found beside the code, history checked first: ./migrations.ts), so a
// fresh machine and a fresh server start the same way.
import fs from "node:fs/promises";
import type { Db } from "./handle";
import { findMigrationsFolder, migrateDatabase } from "./migrations";
import { lockPgliteDir } from "./pglite-lock";
import * as schema from "./schema";

export type { Db, DbOrTx, Schema, Tx } from "./handle";

export interface Database {
  db: Db;
  driver: "pglite" | "postgres";
  close(): Promise<void>;
}

export class DatabaseConnectError extends Error {
  readonly code = "database_unavailable";
}

/** Arbitrary but fixed: identifies Latchkey's migration lock among advisory locks. */
const MIGRATION_LOCK_ID = 0x4c4b_0001;

/** Shows where a URL points without its password. */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || "5432"}${u.pathname}`;
  } catch {
    return "(unparseable URL)";
  }
}

export interface OpenOptions {
  /** A postgres:// URL; without it, PGlite is used. */
  url?: string;
  /** PGlite data directory, or "memory://" for an in-memory database. */
  pgliteDir?: string;
  /** postgres.js pool size. */
  max?: number;
  /** The migrations folder (default: `findMigrationsFolder()`, beside the code). */
  migrationsFolder?: string;
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  const migrationsFolder = options.migrationsFolder ?? findMigrationsFolder();
  if (options.url) return openPostgres(options.url, options.max ?? 10, migrationsFolder);
  return openPglite(options.pgliteDir ?? "memory://", migrationsFolder);
}

async function openPostgres(url: string, max: number, migrationsFolder: string): Promise<Database> {
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const { migrate } = await import("drizzle-orm/postgres-js/migrator");
  const sql = postgres(url, { max, connect_timeout: 5, onnotice: () => {} });
  try {
    await sql`select 1`;
  } catch (error) {
    await sql.end({ timeout: 0 }).catch(() => {});
    throw new DatabaseConnectError(
      `Cannot connect to the database in DATABASE_URL (${describeDatabaseUrl(url)}): ${(error as Error).message}`,
    );
  }
  const db = drizzle({ client: sql, schema });
  // Several app instances may start at once: a session-level advisory lock on a reserved connection
  // makes them apply migrations one after another instead of racing.
  const lockHolder = await sql.reserve();
  try {
    await lockHolder`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
    await migrateDatabase(db as unknown as Db, migrationsFolder, (d, config) => migrate(d as unknown as typeof db, config));
  } finally {
    await lockHolder`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`.catch(() => {});
    lockHolder.release();
  }
  return { db: db as unknown as Db, driver: "postgres", close: () => sql.end({ timeout: 5 }) };
}

async function openPglite(dir: string, migrationsFolder: string): Promise<Database> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  let release = () => {};
  if (!dir.startsWith("memory://")) {
    await fs.mkdir(dir, { recursive: true });
    release = lockPgliteDir(dir);
  }
  let client;
  try {
    client = new PGlite(dir);
    await client.waitReady;
  } catch (error) {
    release();
    throw new DatabaseConnectError(`Cannot open the embedded database in ${dir}: ${(error as Error).message}.`);
  }
  const db = drizzle({ client, schema });
  try {
    await migrateDatabase(db as unknown as Db, migrationsFolder, (d, config) => migrate(d as unknown as typeof db, config));
  } catch (error) {
    await client.close().catch(() => {});
    release();
    throw error;
  }
  const opened = client;
  return {
    db: db as unknown as Db,
    driver: "pglite",
    close: async () => {
      await opened.close();
      release();
    },
  };
}

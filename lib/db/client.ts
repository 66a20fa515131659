// The database client: postgres.js when DATABASE_URL is set, embedded PGlite otherwise. Both are
// migrated from drizzle/ on open (found beside the code, history checked first: ./migrations.ts), so a
// fresh machine and a fresh server start the same way. An embedded directory is opened by one process at
// a time (./pglite-lock.ts); while the app holds it, others reach it through the app's socket
// (./pglite-bridge.ts) with postgres.js.
import fs from "node:fs/promises";
import type { Db } from "./handle";
import { findMigrationsFolder, migrateDatabase } from "./migrations";
import { bridgeSocketPath, servePglite, type PgliteBridge } from "./pglite-bridge";
import { lockPgliteDir, PgliteInUseError } from "./pglite-lock";
import * as schema from "./schema";

export type { Db, DbOrTx, Schema, Tx } from "./handle";

const exists = (file: string) =>
  fs.stat(file).then(
    () => true,
    () => false,
  );

export interface Database {
  db: Db;
  /** `pglite-shared`: the embedded database of a running app, through its socket (lib/db/pglite-bridge.ts). */
  driver: "pglite" | "postgres" | "pglite-shared";
  close(): Promise<void>;
  /**
   * For an embedded database opened from a directory: serves it to other processes on the directory's
   * socket (lib/db/pglite-bridge.ts) until the returned close is called. Null when there is no directory
   * or its path is too long for a Unix socket.
   */
  share?: () => Promise<PgliteBridge | null>;
}

export class DatabaseConnectError extends Error {
  readonly code = "database_unavailable";
}

/** PostgreSQL's shared_buffers for the embedded database (see openPglite). */
export const PGLITE_SHARED_BUFFERS = "16MB";

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
  if (options.url) return openPostgres({ url: options.url }, options.max ?? 10, migrationsFolder);
  return openPglite(options.pgliteDir ?? "memory://", migrationsFolder);
}

/** Where openPostgres connects: a DATABASE_URL, or the socket of a running app's embedded database. */
type PostgresTarget = { url: string } | { socketPath: string; dir: string };

async function openPostgres(target: PostgresTarget, max: number, migrationsFolder: string): Promise<Database> {
  const { default: postgres } = await import("postgres");
  const { drizzle } = await import("drizzle-orm/postgres-js");
  const { migrate } = await import("drizzle-orm/postgres-js/migrator");
  const common = { max, connect_timeout: 5, onnotice: () => {} };
  // Through the bridge: no named prepared statements, which would outlive the connection in PGlite's one session.
  const sql =
    "url" in target
      ? postgres(target.url, common)
      : postgres({ ...common, path: target.socketPath, username: "postgres", database: "postgres", prepare: false });
  try {
    await sql`select 1`;
  } catch (error) {
    await sql.end({ timeout: 0 }).catch(() => {});
    const where =
      "url" in target
        ? `the database in DATABASE_URL (${describeDatabaseUrl(target.url)})`
        : `the running app's embedded database in ${target.dir}`;
    throw new DatabaseConnectError(`Cannot connect to ${where}: ${(error as Error).message}`);
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
  return { db: db as unknown as Db, driver: "url" in target ? "postgres" : "pglite-shared", close: () => sql.end({ timeout: 5 }) };
}

async function openPglite(dir: string, migrationsFolder: string): Promise<Database> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  let release = () => {};
  const socketPath = dir.startsWith("memory://") ? null : bridgeSocketPath(dir);
  if (!dir.startsWith("memory://")) {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    // PGlite writes its files world-readable and world-writable (0666): the directory, this user's only,
    // is what keeps other local users out of the database's files. A directory another user owns (a volume
    // mounted for this one) cannot be changed from here and is left as its owner set it.
    await fs.chmod(dir, 0o700).catch(() => {});
    try {
      release = lockPgliteDir(dir);
    } catch (error) {
      // A running app holds it: share its database through the socket it serves, if it does.
      if (error instanceof PgliteInUseError && socketPath && (await exists(socketPath))) {
        return openPostgres({ socketPath, dir }, 2, migrationsFolder);
      }
      throw error;
    }
  }
  let client;
  try {
    // 16 MB of shared buffers instead of PostgreSQL's 128 MB: the embedded database is small and its files
    // sit in the OS page cache anyway, and PGlite's memory, once touched, is never given back (idle RSS
    // measured by bench:runtime). A -c start parameter overrides the data directory's postgresql.conf.
    client = new PGlite(dir, { startParams: [...PGlite.defaultStartParams, "-c", `shared_buffers=${PGLITE_SHARED_BUFFERS}`] });
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
  let bridge: PgliteBridge | null = null;
  return {
    db: db as unknown as Db,
    driver: "pglite",
    close: async () => {
      await bridge?.close();
      await opened.close();
      release();
    },
    share: async () => (bridge ??= socketPath ? await servePglite(opened, socketPath) : null),
  };
}

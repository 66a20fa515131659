// The database client: postgres.js when DATABASE_URL is set, embedded PGlite otherwise. Both are
// migrated from drizzle/ on open (found beside the code, history checked first: ./migrations.ts), so a
// fresh machine and a fresh server start the same way. An embedded directory is opened by one process at
// a time (./pglite-lock.ts): by the app's database host (./pglite-host.ts, a child process of the app) or
// by a command in its own process; everyone else reaches it through the socket that process serves
// (./pglite-bridge.ts) with postgres.js, the driver of PostgreSQL mode.
import fs from "node:fs/promises";
import type { Db } from "./handle";
import { findMigrationsFolder, MigrationHistoryError, migrateDatabase } from "./migrations";
import { bridgeSocketPath, servePglite, type PgliteBridge } from "./pglite-bridge";
import { PgliteHostFailedError, startPgliteHost } from "./pglite-host";
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
  /**
   * `pglite`: PGlite in this process. `pglite-host`: PGlite in the database host this process started
   * (./pglite-host.ts), through its socket. `pglite-shared`: the embedded database another process holds
   * (a running app's host, or a command), through its socket (./pglite-bridge.ts).
   */
  driver: "pglite" | "postgres" | "pglite-host" | "pglite-shared";
  /** `pglite-host` only: the database host's pid. */
  hostPid?: number;
  /** Closes the connections (and, for `pglite-host`, stops the host; for `pglite`, closes PGlite and releases the lock). */
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
  /**
   * Where PGlite runs when `pgliteDir` is a directory no other process holds: `in-process` (the default:
   * commands and tests) or `host`, a child process serving it on the directory's socket, which this
   * process reaches with postgres.js (the app: ./pglite-host.ts). `memory://` is always in-process, and
   * so is a directory whose socket path would be too long for a Unix socket.
   */
  embedded?: "in-process" | "host";
  /**
   * `host` only: called once when the host exits without being closed (a crash, a kill), with a sentence
   * saying which and how. The database is then gone for this process; the default writes it to stderr.
   */
  onHostExit?: (description: string) => void;
}

/**
 * Opens and migrates the database `options` describe: PostgreSQL at `url`, else PGlite in `pgliteDir`
 * (default in memory), in this process or in a database host (`embedded`), or through the socket of the
 * process that already holds that directory (driver `pglite-shared`).
 *
 * @throws DatabaseConnectError (`code` "database_unavailable") when the database cannot be reached or opened
 * @throws PgliteInUseError when another process holds the directory and serves no socket
 * @throws MigrationHistoryError when the database applied migrations this release does not ship
 */
export async function openDatabase(options: OpenOptions): Promise<Database> {
  const migrationsFolder = options.migrationsFolder ?? findMigrationsFolder();
  if (options.url) return openPostgres({ url: options.url }, options.max ?? 10, migrationsFolder);
  const dir = options.pgliteDir ?? "memory://";
  const socketPath = dir.startsWith("memory://") ? null : bridgeSocketPath(dir);
  if (options.embedded === "host" && socketPath) {
    return openThroughHost(dir, socketPath, migrationsFolder, options.max ?? 10, options.onHostExit);
  }
  return openPglite(dir, migrationsFolder);
}

/** Where openPostgres connects: a DATABASE_URL, or the socket of a process serving an embedded database. */
type PostgresTarget = { url: string } | { socketPath: string; dir: string; migrated?: boolean };

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
        : `the embedded database served in ${target.dir}`;
    throw new DatabaseConnectError(`Cannot connect to ${where}: ${(error as Error).message}`);
  }
  const db = drizzle({ client: sql, schema });
  const close = () => sql.end({ timeout: 5 });
  // Our own database host applied the migrations before it said it was ready.
  if ("migrated" in target && target.migrated) return { db: db as unknown as Db, driver: "pglite-host", close };
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
  return { db: db as unknown as Db, driver: "url" in target ? "postgres" : "pglite-shared", close };
}

/**
 * Starts a database host for `dir` and connects to it; when another process holds `dir`, connects to
 * that process's socket instead (`pglite-shared`), as an in-process open does.
 */
async function openThroughHost(
  dir: string,
  socketPath: string,
  migrationsFolder: string,
  max: number,
  onHostExit: (description: string) => void = (description) => void process.stderr.write(`${description}\n`),
): Promise<Database> {
  let host;
  try {
    host = await startPgliteHost({ dir, migrationsFolder, onExit: onHostExit });
  } catch (error) {
    if (!(error instanceof PgliteHostFailedError)) throw error;
    const { code, holderPid } = error.reported;
    if (code === "database_unavailable" && holderPid !== undefined) {
      return openShared(new PgliteInUseError(dir, holderPid), socketPath, migrationsFolder);
    }
    if (code === "migration_history_mismatch") throw new MigrationHistoryError(error.message);
    throw new DatabaseConnectError(error.message);
  }
  try {
    const database = await openPostgres({ socketPath: host.socketPath, dir, migrated: true }, max, migrationsFolder);
    return {
      ...database,
      hostPid: host.pid,
      close: async () => {
        await database.close();
        await host.stop();
      },
    };
  } catch (error) {
    await host.stop();
    throw error;
  }
}

async function openPglite(dir: string, migrationsFolder: string): Promise<Database> {
  try {
    return await openPgliteHere(dir, migrationsFolder);
  } catch (error) {
    // Another process holds it: share its database through the socket it serves.
    const socketPath = bridgeSocketPath(dir);
    if (error instanceof PgliteInUseError && socketPath) return openShared(error, socketPath, migrationsFolder);
    throw error;
  }
}

/** How long an opener waits for the process holding a directory to serve its socket (it may be opening it still). */
const SOCKET_WAIT_MS = 15_000;

/**
 * Connects to the socket of the process that holds `inUse.dir` (`pglite-shared`), waiting up to
 * SOCKET_WAIT_MS for it to be served: a command started just after another one finds the directory locked
 * while that one still opens and migrates it.
 *
 * @throws PgliteInUseError (`inUse`) when no socket is served by then; DatabaseConnectError when one is
 *   but does not answer
 */
async function openShared(inUse: PgliteInUseError, socketPath: string, migrationsFolder: string): Promise<Database> {
  const deadline = Date.now() + SOCKET_WAIT_MS;
  for (;;) {
    if (await exists(socketPath)) {
      try {
        return await openPostgres({ socketPath, dir: inUse.dir }, 2, migrationsFolder);
      } catch (error) {
        // A socket left by a holder that died, until the new holder replaces it.
        if (Date.now() >= deadline) throw error;
      }
    } else if (Date.now() >= deadline) {
      throw inUse;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Opens PGlite in this process (`dir` or `memory://`), taking the directory's lock, and migrates it. The
 * database host's way in (./pglite-host-main.ts); others call {@link openDatabase}.
 *
 * @throws PgliteInUseError when another live process holds the directory
 * @throws DatabaseConnectError when PGlite cannot open it
 * @throws MigrationHistoryError as {@link openDatabase}
 */
export async function openPgliteHere(dir: string, migrationsFolder: string): Promise<Database> {
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
    release = lockPgliteDir(dir);
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

// Migrations found beside the code and a database's history checked before the migrator runs: a database
// that applied 0001_oauth_connections as first committed (a206cee) starts on this release with its data,
// and one whose history this release cannot account for is refused with a message naming the migration.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { createEmptyPostgresDatabase } from "@/test/db";
import type { Db } from "./client";
import {
  checkMigrationHistory,
  findMigrationsFolder,
  KNOWN_REPAIRS,
  migrateDatabase,
  MigrationHistoryError,
  pendingMigrations,
  shippedMigrations,
} from "./migrations";

const repo = path.resolve(import.meta.dirname, "../..");
const shippedFolder = path.join(repo, "drizzle");
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-migrations-"));
  cleanups.push(async () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A fresh, empty database on this project's driver, with drizzle's own migrator for that driver. */
async function emptyDatabase(): Promise<{ db: Db; migrate: (db: Db, config: { migrationsFolder: string }) => Promise<void> }> {
  if (process.env.TEST_DB_DRIVER === "postgres") {
    const { default: postgres } = await import("postgres");
    const { drizzle } = await import("drizzle-orm/postgres-js");
    const { migrate } = await import("drizzle-orm/postgres-js/migrator");
    const empty = await createEmptyPostgresDatabase(process.env.DATABASE_URL ?? "");
    const client = postgres(empty.url, { max: 2, onnotice: () => {} });
    cleanups.push(async () => {
      await client.end();
      await empty.drop();
    });
    const db = drizzle({ client });
    return { db: db as unknown as Db, migrate: (d, config) => migrate(d as unknown as typeof db, config) };
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  const client = new PGlite("memory://");
  cleanups.push(() => client.close());
  const db = drizzle({ client });
  return { db: db as unknown as Db, migrate: (d, config) => migrate(d as unknown as typeof db, config) };
}

/** A migrations folder as a206cee committed it: today's 0000 (unchanged since) and the first 0001. */
function folderAsOfA206cee(): string {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, "meta"));
  fs.copyFileSync(path.join(shippedFolder, "0000_init.sql"), path.join(dir, "0000_init.sql"));
  fs.copyFileSync(
    path.join(import.meta.dirname, "fixtures", "0001_oauth_connections.a206cee.sql"),
    path.join(dir, "0001_oauth_connections.sql"),
  );
  const [first] = shippedMigrations(shippedFolder);
  const entries = [
    { idx: 0, version: "7", when: first?.when, tag: "0000_init", breakpoints: true },
    { idx: 1, version: "7", when: KNOWN_REPAIRS[0]?.applied.createdAt, tag: "0001_oauth_connections", breakpoints: true },
  ];
  fs.writeFileSync(path.join(dir, "meta", "_journal.json"), JSON.stringify({ version: "7", dialect: "postgresql", entries }));
  return dir;
}

const rows = <T>(result: unknown): T[] => (Array.isArray(result) ? result : ((result as { rows: T[] }).rows ?? [])) as T[];

/** Columns and constraints of the public schema, order-independent: what "the same schema" means here. */
async function schemaShape(db: Db) {
  const columns = rows<Record<string, string>>(
    await db.execute(sql`select table_name, column_name, data_type, is_nullable, coalesce(column_default, '') as column_default
      from information_schema.columns where table_schema = 'public' order by table_name, column_name`),
  );
  const constraints = rows<Record<string, string>>(
    await db.execute(sql`select conrelid::regclass::text as table_name, conname, pg_get_constraintdef(oid) as def
      from pg_constraint where connamespace = 'public'::regnamespace order by 1, 2`),
  );
  const indexes = rows<Record<string, string>>(
    await db.execute(sql`select tablename, indexname, indexdef from pg_indexes where schemaname = 'public' order by 1, 2`),
  );
  return { columns, constraints, indexes };
}

describe(`migrations on ${process.env.TEST_DB_DRIVER ?? "pglite"}`, () => {
  it("are found beside the code, whatever the working directory", () => {
    // The standalone server: its bundle reports module paths under its own folder, which holds a copy.
    const standalone = tempDir();
    fs.cpSync(shippedFolder, path.join(standalone, "drizzle"), { recursive: true });
    expect(findMigrationsFolder([path.join(standalone, "lib", "db")])).toBe(path.join(standalone, "drizzle"));
    // Compiled commands (dist-scripts/) and the sources find the repository's.
    expect(findMigrationsFolder([path.join(repo, "dist-scripts")])).toBe(shippedFolder);
    expect(findMigrationsFolder()).toBe(shippedFolder);
    // Nowhere to be found: the message says what is missing and where it looked.
    const empty = tempDir();
    expect(() => findMigrationsFolder([empty])).toThrow(
      `Cannot find the database migrations (drizzle/meta/_journal.json) in or above ${empty}`,
    );
  });

  it("start a database that applied the first 0001 (a206cee): repaired to this release's schema, its data kept", async () => {
    expect(shippedMigrations(folderAsOfA206cee())[1]?.hash).toBe(KNOWN_REPAIRS[0]?.applied.hash);
    const old = await emptyDatabase();
    await old.migrate(old.db, { migrationsFolder: folderAsOfA206cee() });
    await old.db.execute(sql`insert into users (email, name) values ('eve@globex.example', 'Eve Enduser')`);
    const [column] = rows<{ data_type: string }>(
      await old.db.execute(
        sql`select data_type from information_schema.columns where table_name = 'oauth_states' and column_name = 'code_verifier'`,
      ),
    );
    expect(column?.data_type).toBe("text");

    // drizzle's migrator alone fails on it: 0001's new timestamp makes it run 0001 again.
    await expect(old.migrate(old.db, { migrationsFolder: shippedFolder })).rejects.toThrow();

    const { repaired } = await migrateDatabase(old.db, shippedFolder, old.migrate);
    expect(repaired).toEqual([
      "0001_oauth_connections (oauth_states.code_verifier became sealed (bytea under a data key, dek_id) in d4f402c)",
    ]);
    expect(await pendingMigrations(old.db, shippedFolder)).toEqual([]);
    expect(rows<{ email: string }>(await old.db.execute(sql`select email from users`))).toEqual([{ email: "eve@globex.example" }]);

    const fresh = await emptyDatabase();
    await migrateDatabase(fresh.db, shippedFolder, fresh.migrate);
    expect(await schemaShape(old.db)).toEqual(await schemaShape(fresh.db));
    // History now reads exactly as a fresh database's, so the next start checks clean and changes nothing.
    const history = async (db: Db) =>
      rows(await db.execute(sql`select hash, created_at::text from drizzle.__drizzle_migrations order by created_at`));
    expect(await history(old.db)).toEqual(await history(fresh.db));
    await migrateDatabase(old.db, shippedFolder, old.migrate);
    expect(await history(old.db)).toEqual(await history(fresh.db));
  });

  it("refuse a history this release cannot account for, naming the migration, and change nothing", async () => {
    const { db, migrate } = await emptyDatabase();
    await migrateDatabase(db, shippedFolder, migrate);
    const [first] = shippedMigrations(shippedFolder);
    await db.execute(sql`update drizzle.__drizzle_migrations set hash = ${"ab".repeat(32)} where created_at = ${first?.when}`);
    const edited = migrateDatabase(db, shippedFolder, migrate);
    await expect(edited).rejects.toBeInstanceOf(MigrationHistoryError);
    await expect(edited).rejects.toThrow(
      `The database applied migration 0000_init with different contents than this release ships (hash abababababab, shipped ${first?.hash.slice(0, 12)})`,
    );
  });
});

describe("checkMigrationHistory", () => {
  const shipped = shippedMigrations(shippedFolder);
  const applied = shipped.map((m) => ({ hash: m.hash, createdAt: m.when }));

  it("accepts this release's history and leaves a newer release's migrations alone (rolling deploys)", () => {
    const newer = { hash: "cd".repeat(32), createdAt: (shipped.at(-1)?.when ?? 0) + 1000 };
    expect(checkMigrationHistory([...applied, newer], shipped)).toEqual({ repairs: [], newer: [newer] });
  });

  it("refuses a migration older than the newest shipped one that it does not ship", () => {
    const unknown = { hash: "ef".repeat(32), createdAt: 1795441391799 }; // 0000 as first committed (742f9b7)
    expect(() => checkMigrationHistory([unknown], shipped)).toThrow(
      "The database applied a migration this release does not know (recorded 2026-11-23T13:43:11.799Z, hash efefefefefef); it was made by a development build whose migrations changed since.",
    );
  });
});

// Opens a fresh, migrated database for one test file: embedded in-memory PGlite, or (when the
// db:postgres project runs) a new database on the DATABASE_URL server that is dropped afterwards.
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { openDatabase, type Database } from "@/lib/db/client";

export interface TestDatabase extends Database {
  /** The postgres:// URL of this test database, when it is on a real server. */
  url?: string;
}

export async function openTestDatabase(): Promise<TestDatabase> {
  const driver = process.env.TEST_DB_DRIVER ?? "pglite";
  if (driver !== "postgres") return openDatabase({ pgliteDir: "memory://" });
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) throw new Error("TEST_DB_DRIVER=postgres needs DATABASE_URL");
  const empty = await createEmptyPostgresDatabase(serverUrl);
  const database = await openDatabase({ url: empty.url });
  return {
    ...database,
    url: empty.url,
    async close() {
      await database.close();
      await empty.drop();
    },
  };
}

/** A new, unmigrated database on the (local) server at `serverUrl`. */
export async function createEmptyPostgresDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const guard = new URL(serverUrl);
  if (!["127.0.0.1", "localhost", "::1"].includes(guard.hostname)) {
    throw new Error(`Refusing to create test databases on non-local server ${guard.hostname}`);
  }
  const name = `latchkey_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const dropper = postgres(serverUrl, { max: 1, onnotice: () => {} });
      await dropper.unsafe(`drop database if exists ${name} with (force)`);
      await dropper.end();
    },
  };
}

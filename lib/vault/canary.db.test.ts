import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import type { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecretValue } from "@/lib/crypto";
import { createLogger } from "@/lib/logger";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { startFakeKms, type FakeKmsServer } from "@/test/kms-server";
import { buildVault, extensionContext, kmsKeyring, seedOwners, uiContext } from "@/test/vault";
import { VaultError } from "@/lib/crypto/vault-error";
import type { SecretAddress } from "./vault";

let database: TestDatabase;
let kms: FakeKmsServer;
let endpoint: string;

beforeAll(async () => {
  database = await openTestDatabase();
  ({ server: kms, endpoint } = await startFakeKms());
});
afterAll(async () => {
  await kms.stop();
  await database.close();
});

/** Every encoding a leaked value could plausibly take in a dump, a log line or a request body. */
function forms(value: string): Buffer[] {
  const bytes = Buffer.from(value);
  return [bytes, Buffer.from(bytes.toString("base64")), Buffer.from(bytes.toString("base64url")), Buffer.from(bytes.toString("hex"))];
}
const hits = (haystack: Buffer, value: string) => forms(value).filter((form) => haystack.includes(form)).length;

/** The database's raw bytes: `pg_dump` of a real server, or PGlite's whole data directory. */
async function rawDatabaseBytes(): Promise<Buffer> {
  if (database.url) return execFileSync("pg_dump", ["--no-owner", database.url], { maxBuffer: 512 * 1024 * 1024 });
  const client = (database.db as unknown as { $client: PGlite }).$client;
  await client.exec("checkpoint");
  const dump = await client.dumpDataDir("none");
  return Buffer.from(await dump.arrayBuffer());
}

describe(`canary (${process.env.TEST_DB_DRIVER ?? "pglite"})`, () => {
  it("finds the stored value nowhere but the one entitled read", async () => {
    const canary = `canary-${randomBytes(16).toString("hex")}`;
    const rotated = `${canary}-rotated`;
    const logChunks: Buffer[] = [];
    const logger = createLogger(
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          logChunks.push(Buffer.from(chunk));
          done();
        },
      }),
      { level: "trace" },
    );
    const owners = await seedOwners(database.db);
    const { vault, reads } = buildVault(database.db, kmsKeyring(kms, endpoint), { logger });
    const address: SecretAddress = { extensionId: owners.extensionId, scope: "user", ownerId: owners.userId, name: "spotify_api_key" };
    const ui = uiContext(owners.userId);

    await vault.set(ui, address, SecretValue.from(canary));
    await vault.rotate(ui, address, SecretValue.from(rotated));
    // An oversize value is refused, and the refusal (message, JSON, stack) is scanned for the value below.
    const oversize = vault.set(ui, address, SecretValue.from(`${canary}${"x".repeat(300)}`), { maxBytes: 200 });
    await expect(oversize).rejects.toBeInstanceOf(VaultError);
    await expect(oversize).rejects.toMatchObject({ code: "secret_value_too_large" });
    const error = (await oversize.catch((e: unknown) => e)) as VaultError;
    const errors = [String(error), JSON.stringify(error), error.stack ?? ""];
    // Objects holding values get logged by accident; the type and the logger's redaction must both hold.
    logger.info({ value: SecretValue.from(canary), body: { secret: canary }, plaintext: canary }, "careless log line");

    const entitled = await vault.read(extensionContext(owners.extensionId), address);
    expect(entitled?.reveal()).toBe(rotated);
    await reads.flush();

    // postgres.js returns rows as an array, PGlite as `{ rows }`.
    const rowsOf = (result: unknown): unknown[] => (Array.isArray(result) ? result : ((result as { rows?: unknown[] }).rows ?? []));
    const tables = rowsOf(
      await database.db.execute(
        sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`,
      ),
    ) as { table_name: string }[];
    expect(tables.length).toBeGreaterThan(5);
    const rowsText: string[] = [];
    for (const { table_name } of tables) {
      const rows = rowsOf(await database.db.execute(sql.raw(`select row_to_json(t)::text as j from "${table_name}" t`)));
      rowsText.push(JSON.stringify(rows));
    }
    const haystacks = {
      rows: Buffer.from(rowsText.join("\n")),
      rawDatabase: await rawDatabaseBytes(),
      logs: Buffer.concat(logChunks),
      kmsTraffic: Buffer.from(JSON.stringify(kms.calls)),
      errors: Buffer.from(errors.join("\n")),
    };
    expect(haystacks.logs.length).toBeGreaterThan(100);
    expect(haystacks.logs.toString()).toContain("secret rotated");
    expect(haystacks.rawDatabase.length).toBeGreaterThan(10_000);
    expect(kms.calls.length).toBeGreaterThan(0);
    for (const [place, bytes] of Object.entries(haystacks)) {
      expect({ place, canary: hits(bytes, canary), rotated: hits(bytes, rotated) }).toEqual({ place, canary: 0, rotated: 0 });
    }
  });
});

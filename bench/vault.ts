// npm run bench:vault [-- --secrets N --reads N --deks N] — measures the vault on this machine and prints
// figures for a closing note: write rate and the KMS calls writes make, read rate through the full read
// path against a bare SELECT + AES-GCM baseline, KMS calls in steady-state reads, and DEK re-wrap rates
// for the AWS KMS keyring (the real SDK against the fake KMS server, so calls are counted at the server)
// and the local keyring. Runs on a throwaway database on DATABASE_URL's server (or PGlite when that
// server cannot be reached), dropped at the end.
import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { count, eq, inArray, sql } from "drizzle-orm";
import pino from "pino";
import { ReadRecorder } from "@/lib/audit/read-recorder";
import { AwsKmsKeyring, DekCache, SecretValue, createLocalKeyringFromFile, open, type Keyring } from "@/lib/crypto";
import { createLogger } from "@/lib/logger";
import type { Db } from "@/lib/db/client";
import { dataKeys as dataKeysTable, secretVersions, secrets, systemKeys } from "@/lib/db/schema";
import { DataKeys, dekContext } from "@/lib/crypto/data-keys";
import { rotateKeys } from "@/lib/vault/key-rotation";
import { Vault, type SecretAddress } from "@/lib/vault/vault";
import { startFakeKms, type FakeKmsServer, type KmsCall } from "@/test/kms-server";
import { extensionContext, seedOwners } from "@/test/vault";
import { fmt, openBackend, parseFlags, peakRssMb, progress, runConcurrent, shuffled, type Backend } from "./lib";

const DEFAULTS = { secrets: 2_000, reads: 6_000, deks: 1_000 };
type Flags = typeof DEFAULTS;
const WRITE_CONCURRENCY = 8;
const READ_CONCURRENCIES = [1, 16];
const WARMUP_READS = 1_000;
const STEADY_READS = 10_000;
const ROUNDS = 2;
// The app's defaults (lib/env.ts), so the figures describe the configuration that ships.
const POLICY = { maxValues: 10_000, maxAgeMs: 24 * 3600_000 };
const CACHE = { maxEntries: 1_000, ttlMs: 300_000 };
const ROTATION_CTX = { actor: { kind: "system" as const, id: "bench" }, source: { kind: "cli" as const, userAgent: "bench:vault" } };

function opCounts(calls: KmsCall[]): string {
  if (calls.length === 0) return "0";
  const byOp = new Map<string, number>();
  for (const call of calls) byOp.set(call.op, (byOp.get(call.op) ?? 0) + 1);
  return [...byOp].map(([op, n]) => `${fmt(n)} ${op}`).join(", ");
}

/** Makes DEKs the way DataKeys does (keyring call, row insert), in parallel and batched, to have many cheaply. */
async function insertDeks(db: Db, keyring: Keyring, total: number, label: string): Promise<void> {
  const rows: (typeof dataKeysTable.$inferInsert)[] = [];
  const shown = progress(label);
  await runConcurrent(
    total,
    16,
    async () => {
      const id = randomUUID();
      const generated = await keyring.generateDataKey(dekContext(id));
      generated.plaintext.fill(0);
      rows.push({ id, keyring: keyring.kind, kekId: generated.kekId, wrapped: generated.wrapped, retiredAt: new Date() });
    },
    shown.update,
  );
  shown.clear();
  for (let i = 0; i < rows.length; i += 500) await db.insert(dataKeysTable).values(rows.slice(i, i + 500));
}

/** Rows of db.execute() on either driver: postgres.js returns an array, PGlite an object with rows. */
function rowsOf(result: unknown): Record<string, unknown>[] {
  if (Array.isArray(result)) return result as Record<string, unknown>[];
  if (typeof result === "object" && result !== null && "rows" in result && Array.isArray(result.rows)) {
    return result.rows as Record<string, unknown>[];
  }
  throw new Error("unexpected db.execute() result shape");
}

/**
 * The KMS keyring as the app builds it (default retries, so a kept-alive socket the fake server has just
 * closed is retried as it would be in production), with test/vault.ts's static fake credentials.
 */
function benchKmsKeyring(endpoint: string, keyId: string): AwsKmsKeyring {
  return new AwsKmsKeyring({
    keyId,
    region: "us-east-1",
    endpoint,
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test-secret" },
  });
}

/** One line of the report: a label column, then the figures. */
const line = (label: string, text: string) => console.log(`${label.padEnd(29)}${text}`);

/** Prints the header and builds the vault under test (KMS keyring, DEK cache, read audit). */
async function setUp(flags: Flags, backend: Backend, endpoint: string, kms: FakeKmsServer, cleanups: (() => Promise<void>)[]) {
  const { db } = backend.database;
  const cpus = os.cpus();
  console.log(
    `Latchkey vault benchmark — node ${process.version}, ${cpus.length}× ${cpus[0]?.model.trim() ?? "unknown CPU"}, ` +
      `${backend.label}, ${fmt(flags.secrets)} secrets`,
  );

  const owners = await seedOwners(db, "bench");
  const kmsRing = benchKmsKeyring(endpoint, kms.createKey());
  cleanups.push(async () => kmsRing.destroy());
  const cache = new DekCache(CACHE);
  const dataKeys = new DataKeys(db, kmsRing, cache, POLICY);
  const reads = new ReadRecorder(db);
  cleanups.push(() => reads.close());
  // Writes log at info as they do in the app; the lines go to /dev/null so the cost stays in the figures.
  const logger = createLogger(pino.destination({ dest: "/dev/null", sync: true }));
  const vault = new Vault({ db, dataKeys, reads, graceMs: 60_000, logger });
  const ctx = extensionContext(owners.extensionId);
  return { db, owners, kmsRing, dataKeys, reads, vault, ctx };
}

type Setup = Awaited<ReturnType<typeof setUp>>;

/** Writes: every secret set through the vault; returns the addresses and values written. */
async function benchWrites(s: Setup, flags: Flags, kms: FakeKmsServer) {
  const { db, owners, vault, ctx } = s;
  const places: Omit<SecretAddress, "name">[] = [
    { extensionId: owners.extensionId, scope: "ext", ownerId: owners.extensionId },
    { extensionId: owners.extensionId, scope: "org", ownerId: owners.orgId },
    { extensionId: owners.extensionId, scope: "user", ownerId: owners.userId },
    { extensionId: owners.otherExtensionId, scope: "org", ownerId: owners.orgId },
  ];
  const addresses = Array.from({ length: flags.secrets }, (_, i): SecretAddress => {
    const place = places[i % places.length];
    if (!place) throw new Error("no owner for secret");
    return { ...place, name: `secret_${i}` };
  });
  const values = addresses.map(() => randomBytes(48).toString("base64")); // 64 bytes each
  const writeCallsBefore = kms.calls.length;
  const seeding = progress("seeding");
  const writeSeconds = await runConcurrent(
    flags.secrets,
    WRITE_CONCURRENCY,
    async (i) => {
      const address = addresses[i];
      const value = values[i];
      if (!address || value === undefined) throw new Error(`no secret ${i}`);
      await vault.set(ctx, address, SecretValue.from(value));
    },
    seeding.update,
  );
  seeding.clear();
  const [{ n: deks } = { n: 0 }] = await db.select({ n: count() }).from(dataKeysTable);
  line(
    `writes (c=${WRITE_CONCURRENCY})`,
    `${fmt(flags.secrets / writeSeconds).padStart(7)} /s   KMS calls: ${opCounts(kms.calls.slice(writeCallsBefore))} ` +
      `(${fmt(deks)} DEK${deks === 1 ? "" : "s"} for ${fmt(flags.secrets)} values + the fingerprint key)`,
  );
  return { addresses, values };
}

/** Reads of one stored secret two ways: through the vault, and a baseline that decrypts the row directly. */
async function readers(s: Setup, addresses: SecretAddress[], values: string[]) {
  const { db, owners, dataKeys, vault, ctx } = s;
  const stored = await db
    .select({ id: secrets.id, name: secrets.name, version: secretVersions.version, dekId: secretVersions.dekId })
    .from(secrets)
    .innerJoin(secretVersions, eq(secretVersions.secretId, secrets.id))
    .where(inArray(secrets.extensionId, [owners.extensionId, owners.otherExtensionId]));
  const byName = new Map(stored.map((row) => [row.name, row]));
  const targets = addresses.map((address, i) => {
    const row = byName.get(address.name);
    const value = values[i];
    if (!row || value === undefined) throw new Error(`${address.name} was not stored`);
    return { address, value, secretId: row.id, version: row.version, dekId: row.dekId };
  });
  // The baseline gets its DEKs already unwrapped, as the vault's warm cache does.
  const keys = new Map<string, Buffer>();
  for (const dekId of new Set(targets.map((t) => t.dekId))) keys.set(dekId, await dataKeys.unwrap(dekId));

  const order = shuffled(targets.length);
  const target = (i: number) => {
    const t = targets[order[i % order.length] ?? 0];
    if (!t) throw new Error("no read target");
    return t;
  };
  const vaultRead = async (i: number, check = false) => {
    const t = target(i);
    const value = await vault.read(ctx, t.address);
    if (check && value?.reveal() !== t.value) throw new Error(`vault read of ${t.address.name} returned the wrong value`);
    value?.wipe();
  };
  const baselineRead = async (i: number, check = false) => {
    const t = target(i);
    const [row] = rowsOf(
      await db.execute(sql`select ciphertext, dek_id from secret_versions where secret_id = ${t.secretId} and version = ${t.version}`),
    );
    const key = keys.get(String(row?.dek_id));
    if (!(row?.ciphertext instanceof Uint8Array) || !key) throw new Error(`baseline found no ciphertext for ${t.address.name}`);
    const { scope, ownerId: owner, name } = t.address;
    const plaintext = open(key, Buffer.from(row.ciphertext), {
      secretId: t.secretId,
      scope,
      owner,
      name,
      version: t.version,
      dekId: t.dekId,
    });
    if (check && plaintext.toString("utf8") !== t.value) throw new Error(`baseline read of ${name} returned the wrong value`);
    plaintext.fill(0);
  };
  return { vaultRead, baselineRead, keys };
}

/** Reads: vault vs. baseline at each concurrency, then the KMS calls of steady-state reads. */
async function benchReads(s: Setup, flags: Flags, kms: FakeKmsServer, addresses: SecretAddress[], values: string[]) {
  const { vaultRead, baselineRead, keys } = await readers(s, addresses, values);
  const { reads } = s;
  await runConcurrent(WARMUP_READS, 16, (i) => vaultRead(i, true));
  await runConcurrent(WARMUP_READS, 16, (i) => baselineRead(i, true));
  await reads.flush();

  // Vault and baseline alternate in rounds so load from anything else on the machine falls on both alike.
  for (const concurrency of READ_CONCURRENCIES) {
    let vaultSeconds = 0;
    let baselineSeconds = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const share = Math.ceil(flags.reads / ROUNDS);
      const offset = round * share;
      const n = Math.min(share, flags.reads - offset);
      // The flush is inside the vault's timed window so the read audit's cost is counted.
      vaultSeconds += await timed(async () => {
        await runConcurrent(n, concurrency, (i) => vaultRead(offset + i));
        await reads.flush();
      });
      baselineSeconds += await runConcurrent(n, concurrency, (i) => baselineRead(offset + i));
    }
    const vaultRate = flags.reads / vaultSeconds;
    const baselineRate = flags.reads / baselineSeconds;
    line(
      `reads (c=${concurrency})`,
      `vault ${fmt(vaultRate).padStart(6)} /s   baseline ${fmt(baselineRate).padStart(6)} /s   ratio ${fmt(vaultRate / baselineRate, 2)}`,
    );
  }

  for (const key of keys.values()) key.fill(0);

  const steadyBefore = kms.calls.length;
  await runConcurrent(STEADY_READS, 16, (i) => vaultRead(i));
  await reads.flush();
  line(
    `KMS calls / ${fmt(STEADY_READS)} reads`,
    `${fmt(kms.calls.length - steadyBefore).padStart(7)}      (steady state, c=16, warm DEK cache)`,
  );
}

/** Re-wrap: AWS KMS ReEncrypt to a new key. */
async function benchKmsRewrap(s: Setup, flags: Flags, kms: FakeKmsServer, endpoint: string, cleanups: (() => Promise<void>)[]) {
  const { db, kmsRing } = s;
  await insertDeks(db, kmsRing, flags.deks, "creating KMS-wrapped DEKs");
  const nextRing = benchKmsKeyring(endpoint, kms.createKey());
  cleanups.push(async () => nextRing.destroy());
  const nextKeys = new DataKeys(db, nextRing, new DekCache(CACHE), POLICY);
  const reencryptBefore = kms.callsTo("ReEncrypt").length;
  const kmsRewrap = progress("re-wrapping (aws-kms)");
  const kmsSeconds = await timed(() => rotateKeys(db, nextKeys, ROTATION_CTX, { onProgress: kmsRewrap.update }));
  kmsRewrap.clear();
  const [{ n: kmsMoved } = { n: 0 }] = await db
    .select({ n: count() })
    .from(dataKeysTable)
    .where(eq(dataKeysTable.kekId, nextRing.currentKekId()));
  const reencrypts = kms.callsTo("ReEncrypt").length - reencryptBefore;
  line(
    "re-wrap (aws-kms ReEncrypt)",
    `${fmt(kmsMoved / kmsSeconds).padStart(7)} DEKs/s (${fmt(kmsMoved)} DEKs, ${fmt(reencrypts)} ReEncrypt)`,
  );
}

/**
 * Re-wrap: local keyring, new KEK version. rewrapAll moves every DEK not under the current KEK, and a
 * local keyring cannot open KMS-wrapped ones, so the KMS-era rows go first (this database is the
 * benchmark's own and is dropped after).
 */
async function benchLocalRewrap(s: Setup, flags: Flags, cleanups: (() => Promise<void>)[]) {
  const { db, owners } = s;
  await db.delete(secrets).where(inArray(secrets.extensionId, [owners.extensionId, owners.otherExtensionId]));
  await db.delete(systemKeys).where(eq(systemKeys.purpose, "audit-fingerprint"));
  await db.delete(dataKeysTable).where(eq(dataKeysTable.keyring, "aws-kms"));
  const keyDir = await fs.mkdtemp(path.join(os.tmpdir(), "latchkey-bench-"));
  cleanups.push(() => fs.rm(keyDir, { recursive: true, force: true }));
  const localRing = await createLocalKeyringFromFile(path.join(keyDir, "master.key"));
  await insertDeks(db, localRing, flags.deks, "creating locally wrapped DEKs");
  const localKeys = new DataKeys(db, localRing, new DekCache(CACHE), POLICY);
  const localRewrap = progress("re-wrapping (local)");
  const localSeconds = await timed(() => rotateKeys(db, localKeys, ROTATION_CTX, { onProgress: localRewrap.update }));
  localRewrap.clear();
  const [{ n: localMoved } = { n: 0 }] = await db
    .select({ n: count() })
    .from(dataKeysTable)
    .where(eq(dataKeysTable.kekId, localRing.currentKekId()));
  line("re-wrap (local KEK)", `${fmt(localMoved / localSeconds).padStart(7)} DEKs/s (${fmt(localMoved)} DEKs)`);
}

async function bench(
  flags: Flags,
  backend: Backend,
  kms: FakeKmsServer,
  endpoint: string,
  cleanups: (() => Promise<void>)[],
): Promise<void> {
  const s = await setUp(flags, backend, endpoint, kms, cleanups);
  const { addresses, values } = await benchWrites(s, flags, kms);
  await benchReads(s, flags, kms, addresses, values);
  await benchKmsRewrap(s, flags, kms, endpoint, cleanups);
  await benchLocalRewrap(s, flags, cleanups);
  line("peak RSS", `${fmt(peakRssMb()).padStart(7)} MB`);
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  let flags: Flags;
  try {
    flags = parseFlags(DEFAULTS);
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 2;
    return;
  }
  // The header already names the Node version; the SDK's multi-line support notice would only clutter it.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const { server: kms, endpoint } = await startFakeKms();
  const cleanups: (() => Promise<void>)[] = [];
  let backend: Backend | undefined;
  let closing: Promise<void> | undefined;
  // Idempotent, so an interrupt during the run and the normal end both leave nothing behind.
  const close = () =>
    (closing ??= (async () => {
      for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
      await backend?.database.close().catch(() => {});
      await backend?.drop().catch((error: unknown) => console.error(`could not drop the bench database: ${(error as Error).message}`));
      await kms.stop();
    })());
  process.once("SIGINT", () => {
    void close().finally(() => process.exit(130));
  });
  try {
    backend = await openBackend();
    await bench(flags, backend, kms, endpoint, cleanups);
  } finally {
    await close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

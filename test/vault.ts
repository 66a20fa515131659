// Builds a vault over a test database with a chosen keyring, plus the fixtures its tests share.
import fs from "node:fs";
import type { Logger } from "pino";
import os from "node:os";
import path from "node:path";
import { AwsKmsKeyring, DekCache, createLocalKeyringFromFile, type Keyring } from "@/lib/crypto";
import { ReadRecorder } from "@/lib/audit/read-recorder";
import type { AuditAppender } from "@/lib/audit/events";
import type { Db } from "@/lib/db/client";
import { extensions, organizations, publishers, users } from "@/lib/db/schema";
import { DataKeys, type DataKeyPolicy } from "@/lib/crypto/data-keys";
import { Vault, type OperationContext } from "@/lib/vault/vault";
import type { FakeKmsServer } from "./kms-server";

export async function localKeyring() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-keyring-"));
  return createLocalKeyringFromFile(path.join(dir, "master.key"));
}

export function kmsKeyring(server: FakeKmsServer, endpoint: string, keyId = server.createKey()) {
  return new AwsKmsKeyring({
    keyId,
    region: "us-east-1",
    endpoint,
    maxAttempts: 1,
    credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "test-secret" },
  });
}

export function buildVault(
  db: Db,
  keyring: Keyring,
  options: { policy?: Partial<DataKeyPolicy>; graceMs?: number; now?: () => Date; appendAudit?: AuditAppender; logger?: Logger } = {},
) {
  const cache = new DekCache({ maxEntries: 1000, ttlMs: 60_000 });
  const dataKeys = new DataKeys(db, keyring, cache, { maxValues: 10_000, maxAgeMs: 3600_000, ...options.policy });
  const reads = new ReadRecorder(db, { flushIntervalMs: 50 });
  const vault = new Vault({
    db,
    dataKeys,
    reads,
    graceMs: options.graceMs ?? 60_000,
    now: options.now,
    appendAudit: options.appendAudit,
    logger: options.logger,
  });
  return { vault, dataKeys, cache, reads };
}

/** A publisher, an extension, an organization and a user to own secrets. */
export async function seedOwners(db: Db, tag = Math.random().toString(36).slice(2, 8)) {
  const [publisher] = await db
    .insert(publishers)
    .values({ slug: `pub-${tag}`, name: "Pub" })
    .returning();
  const [ext] = await db
    .insert(extensions)
    .values({ publisherId: publisher?.id ?? "", slug: `dev.test.ext-${tag}`, name: "Ext" })
    .returning();
  const [other] = await db
    .insert(extensions)
    .values({ publisherId: publisher?.id ?? "", slug: `dev.test.other-${tag}`, name: "Other" })
    .returning();
  const [org] = await db
    .insert(organizations)
    .values({ slug: `org-${tag}`, name: "Org" })
    .returning();
  const [user] = await db
    .insert(users)
    .values({ email: `u-${tag}@example.com`, name: "U" })
    .returning();
  if (!ext || !other || !org || !user) throw new Error("seed failed");
  return { extensionId: ext.id, otherExtensionId: other.id, orgId: org.id, userId: user.id };
}

export const uiContext = (userId: string): OperationContext => ({
  actor: { kind: "user", id: userId },
  source: { kind: "ui", ip: "127.0.0.1", userAgent: "vitest" },
});

export const extensionContext = (extensionId: string): OperationContext => ({
  actor: { kind: "extension", id: extensionId },
  source: { kind: "api", ip: "127.0.0.1", userAgent: "latchkey-sdk" },
});

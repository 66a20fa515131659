// Builds a vault from configuration: the keyring the settings choose, a DEK cache and data-key
// policy from env, and a read recorder. Used by the app (lib/vault/index.ts) and by the CLI scripts.
import { DekCache, createKeyring, type Keyring } from "@/lib/crypto";
import { ReadRecorder } from "@/lib/audit/read-recorder";
import type { Db } from "@/lib/db/client";
import type { Env } from "@/lib/env";
import { DataKeys } from "@/lib/crypto/data-keys";
import { Vault } from "./vault";

export function keyringConfig(config: Env) {
  return config.keyring === "aws-kms"
    ? { kind: "aws-kms" as const, keyId: config.KMS_KEY_ID ?? "", region: config.AWS_REGION ?? "", endpoint: config.KMS_ENDPOINT }
    : { kind: "local" as const, masterKey: config.LATCHKEY_MASTER_KEY, keyFile: config.masterKeyFile };
}

export async function createVaultFromEnv(db: Db, config: Env, keyring?: Keyring): Promise<Vault> {
  const ring = keyring ?? (await createKeyring(keyringConfig(config)));
  const cache = new DekCache({ maxEntries: config.LATCHKEY_DEK_CACHE_MAX, ttlMs: config.LATCHKEY_DEK_CACHE_TTL_SECONDS * 1000 });
  const dataKeys = new DataKeys(db, ring, cache, {
    maxValues: config.LATCHKEY_DEK_MAX_VALUES,
    maxAgeMs: config.LATCHKEY_DEK_MAX_AGE_HOURS * 3600_000,
  });
  const reads = new ReadRecorder(db, { flushIntervalMs: config.LATCHKEY_AUDIT_READ_FLUSH_MS });
  return new Vault({ db, dataKeys, reads, graceMs: config.LATCHKEY_ROTATION_GRACE_SECONDS * 1000 });
}

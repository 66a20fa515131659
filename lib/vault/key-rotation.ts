// Key rotation: make a new KEK version (local) or adopt the configured KMS key (aws-kms), then re-wrap
// every data key under it online, in batches, with one audit event for the whole rotation. Values are
// never re-encrypted and no one re-enters anything.
import { appendAuditEvents, type AuditActor, type AuditSource } from "@/lib/audit/events";
import { LocalKeyring } from "@/lib/crypto";
import type { Db } from "@/lib/db/client";
import type { DataKeys } from "@/lib/crypto/data-keys";
import { VaultError } from "@/lib/crypto/vault-error";

export interface RotateKeysResult {
  fromKekId: string;
  toKekId: string;
  rewrapped: number;
  seconds: number;
}

export async function rotateKeys(
  db: Db,
  dataKeys: DataKeys,
  ctx: { actor: AuditActor; source: AuditSource },
  options: { batchSize?: number; onProgress?: (done: number, total: number) => void; newKek?: boolean } = {},
): Promise<RotateKeysResult> {
  const keyring = dataKeys.keyring;
  const fromKekId = keyring.currentKekId();
  // A local keyring mints a new version; with KMS the operator points KMS_KEY_ID at the new key and
  // this re-wraps everything that is not under it yet.
  if (options.newKek !== false && keyring instanceof LocalKeyring) await keyring.rotate();
  const toKekId = keyring.currentKekId();
  const started = performance.now();
  let rewrapped = 0;
  let failure: unknown;
  try {
    rewrapped = await dataKeys.rewrapAll({ batchSize: options.batchSize, onProgress: options.onProgress });
  } catch (error) {
    failure = error;
  }
  const seconds = (performance.now() - started) / 1000;
  await appendAuditEvents(db, [
    {
      actor: ctx.actor,
      source: ctx.source,
      action: "key.rotate",
      target: `kek/${toKekId}`,
      outcome: failure ? "failure" : "success",
      details: {
        from_kek: fromKekId,
        to_kek: toKekId,
        deks_rewrapped: rewrapped,
        ...(failure ? { error: (failure as Error).message } : {}),
      },
    },
  ]);
  if (failure) throw failure;
  return { fromKekId, toKekId, rewrapped, seconds };
}

/** Retires a KEK once no data key is wrapped under it any more. */
export async function retireKek(dataKeys: DataKeys, kekId: string): Promise<void> {
  const keyring = dataKeys.keyring;
  if (!(keyring instanceof LocalKeyring)) {
    throw new Error("KMS keys are retired in AWS (disable or schedule deletion of the old key) once keys:status shows no DEKs under it.");
  }
  const inUse = (await dataKeys.countsByKek()).find((row) => row.kekId === kekId);
  if (inUse && inUse.deks > 0) {
    throw new VaultError("vault_unavailable", `${kekId} still wraps ${inUse.deks} data keys; run keys:rotate (which re-wraps them) first.`);
  }
  await keyring.retire(kekId);
}

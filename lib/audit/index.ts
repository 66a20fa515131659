// The app's audit log: one sequencer per process over the app's database and vault keyring, started
// from lib/startup.ts on the Node server, and the signer the API uses to publish the public key.
import "server-only";
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";
import { logger } from "@/lib/logger";
import { getVault } from "@/lib/vault";
import { createSequencerFromEnv } from "@/lib/audit/from-env";
import type { Sequencer } from "./sequencer";
import type { CheckpointSigner } from "./signing-key";

const globalForAudit = globalThis as unknown as { latchkeySequencer?: Promise<Sequencer> };

export function getSequencer(): Promise<Sequencer> {
  globalForAudit.latchkeySequencer ??= (async () => createSequencerFromEnv(await getDb(), (await getVault()).dataKeys, env(), logger))();
  globalForAudit.latchkeySequencer.catch(() => {
    globalForAudit.latchkeySequencer = undefined;
  });
  return globalForAudit.latchkeySequencer;
}

export async function getCheckpointSigner(): Promise<CheckpointSigner> {
  return (await getSequencer()).signer();
}

/** Starts sequencing in this process unless LATCHKEY_AUDIT_SEQUENCER=false. */
export async function startAuditSequencer(): Promise<void> {
  const config = env();
  if (!config.LATCHKEY_AUDIT_SEQUENCER) return;
  const sequencer = await getSequencer();
  sequencer.start(config.LATCHKEY_AUDIT_INTERVAL_MS);
  logger.info({ origin: config.auditOrigin, intervalMs: config.LATCHKEY_AUDIT_INTERVAL_MS }, "audit sequencer started");
}

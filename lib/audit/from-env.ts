// Wiring of the audit log from configuration: the sequencer with its signer (sealed by the keyring
// through the given data keys, named with the log's stored origin) and anchor sinks, and the readers
// verification uses to read every anchor back. Used by the server start-up, `npm run worker`, the
// verify CLI and the API, so all of them agree on origin, key and sinks.
import type { Logger } from "pino";
import type { Db } from "@/lib/db/client";
import type { Env } from "@/lib/env";
import {
  FileAnchorReader,
  FileAnchorSink,
  HttpWitnessReader,
  HttpWitnessSink,
  type AnchorReader,
  type AnchorSink,
} from "@/lib/audit/anchors";
import { ArchiveSchedule, archiveExpired } from "@/lib/audit/archive";
import { ChainAnchorReader, ChainAnchorSink, loadChainAccount } from "@/lib/audit/chain";
import { ensureLogOrigin } from "@/lib/audit/log-origin";
import { Sequencer } from "@/lib/audit/sequencer";
import { loadCheckpointSigner, type KeySource } from "@/lib/audit/signing-key";

export function anchorSinksFromEnv(config: Env, db: Db, keys: KeySource): AnchorSink[] {
  const sinks: AnchorSink[] = [new FileAnchorSink(config.anchorFile)];
  if (config.LATCHKEY_AUDIT_WITNESS_URL) sinks.push(new HttpWitnessSink(config.LATCHKEY_AUDIT_WITNESS_URL));
  if (config.auditChain) {
    sinks.push(
      new ChainAnchorSink(config.auditChain, async () => {
        const account = await loadChainAccount(db, keys, { create: true });
        if (!account) throw new Error("the chain anchoring key could not be created");
        return account;
      }),
    );
  }
  return sinks;
}

/**
 * The readers of every configured anchor, for verification. The chain is read for the account in
 * LATCHKEY_AUDIT_CHAIN_ACCOUNT, else the one whose key the database holds (a wiped database then leaves
 * the chain unread, which the report says: set the variable to check against it regardless).
 */
export async function anchorReadersFromEnv(config: Env, db: Db, keys: KeySource): Promise<{ readers: AnchorReader[]; notes: string[] }> {
  const readers: AnchorReader[] = [new FileAnchorReader(config.anchorFile)];
  const notes: string[] = [];
  if (config.LATCHKEY_AUDIT_WITNESS_URL) readers.push(new HttpWitnessReader(config.LATCHKEY_AUDIT_WITNESS_URL));
  if (config.auditChain) {
    const account = config.auditChain.account ?? (await loadChainAccount(db, keys, { create: false }))?.address;
    if (account) readers.push(new ChainAnchorReader(config.auditChain, account));
    else
      notes.push(
        "The chain was not read: the database holds no anchoring key and LATCHKEY_AUDIT_CHAIN_ACCOUNT is not set (set it to the anchoring address to check a wiped database against the chain).",
      );
  }
  return { readers, notes };
}

export function createSequencerFromEnv(db: Db, keys: KeySource, config: Env, logger?: Logger): Sequencer {
  return new Sequencer({
    db,
    signer: async () => {
      const origin = await ensureLogOrigin(db, config.auditOrigin);
      if (origin.note) logger?.warn({ origin: origin.origin, configured: origin.configured }, origin.note);
      return loadCheckpointSigner(db, keys, origin.origin);
    },
    sinks: anchorSinksFromEnv(config, db, keys),
    checkpointIntervalMs: config.LATCHKEY_AUDIT_CHECKPOINT_SECONDS * 1000,
    archive: new ArchiveSchedule(
      config.auditArchive.intervalMs,
      (now, signal) => archiveExpired(db, { ...config.auditArchive, now, signal, logger }),
      logger,
    ),
    logger,
  });
}

// Wiring of the audit log from configuration: the sequencer with its signer (sealed by the keyring
// through the given data keys) and anchor sinks. Used by the server start-up, `npm run worker`, the
// verify CLI and the API, so all of them agree on origin, key and sinks.
import type { Logger } from "pino";
import type { Db } from "@/lib/db/client";
import type { Env } from "@/lib/env";
import { FileAnchorSink, HttpWitnessSink, type AnchorSink } from "./anchors";
import { Sequencer } from "./sequencer";
import { loadCheckpointSigner, type KeySource } from "./signing-key";

export function anchorSinksFromEnv(config: Env): AnchorSink[] {
  const sinks: AnchorSink[] = [new FileAnchorSink(config.anchorFile)];
  if (config.LATCHKEY_AUDIT_WITNESS_URL) sinks.push(new HttpWitnessSink(config.LATCHKEY_AUDIT_WITNESS_URL));
  return sinks;
}

export function createSequencerFromEnv(db: Db, keys: KeySource, config: Env, logger?: Logger): Sequencer {
  return new Sequencer({
    db,
    signer: () => loadCheckpointSigner(db, keys, config.auditOrigin),
    origin: config.auditOrigin,
    sinks: anchorSinksFromEnv(config),
    checkpointIntervalMs: config.LATCHKEY_AUDIT_CHECKPOINT_SECONDS * 1000,
    logger,
  });
}

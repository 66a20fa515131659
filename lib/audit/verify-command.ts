// What `npm run audit:verify` does, as a function the script prints and tests call: pick the origin and
// key to verify under (the log's stored origin, never the one today's LATCHKEY_URL implies; the
// published key when one is given), read every configured anchor back from the anchor itself, and
// verify the database against them.
import type { Db } from "@/lib/db/client";
import type { Env } from "@/lib/env";
import { anchorReadersFromEnv } from "@/lib/audit/from-env";
import { originForVerification, type LogOrigin } from "./log-origin";
import { parseVerifierKey } from "./note";
import { findCheckpointSigner, type KeySource } from "./signing-key";
import { verifyLog, type VerifyReport } from "./verify";

export interface VerifyCommandOptions {
  /** A note verifier key (name+keyid+base64), e.g. from /api/v1/audit/public-key: verify with it instead of the stored key. */
  key?: string;
  /** Read the configured anchors (default true). */
  anchors?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export interface VerifyCommandResult {
  report: VerifyReport;
  /** The origin verified under, what the configuration says, and a note when they differ. */
  origin: LogOrigin;
  /** Where the checkpoint key came from: the database (unsealed by the keyring), the --key given, or nowhere. */
  keySource: "database" | "given" | "none";
  /** Facts for the operator that are not problems with the log (configuration, anchors not read). */
  notes: string[];
}

export class VerifyCommandError extends Error {}

/** @throws VerifyCommandError when `key` is not a note verifier key */
export async function verifyFromConfig(
  db: Db,
  keys: KeySource,
  config: Env,
  options: VerifyCommandOptions = {},
): Promise<VerifyCommandResult> {
  let origin = await originForVerification(db, config.auditOrigin);
  const notes: string[] = [];
  let publicKey: Buffer | null = null;
  let keySource: VerifyCommandResult["keySource"] = "none";
  if (options.key) {
    const parsed = parseVerifierKey(options.key);
    if (!parsed) throw new VerifyCommandError("--key is not a note verifier key (name+keyid+base64, as /api/v1/audit/public-key gives it)");
    if (parsed.name !== origin.origin)
      notes.push(`The key given names the log ${parsed.name}; the database says ${origin.origin}. Verifying as ${parsed.name}.`);
    origin = { ...origin, origin: parsed.name };
    publicKey = parsed.publicKey;
    keySource = "given";
  } else {
    const signer = await findCheckpointSigner(db, keys, origin.origin);
    if (signer) {
      publicKey = signer.publicKey;
      keySource = "database";
    } else {
      notes.push(
        "The database holds no checkpoint key (a new or wiped log): pass --key with the key published at /api/v1/audit/public-key.",
      );
    }
  }
  if (origin.note) notes.push(origin.note);
  const readers = options.anchors === false ? { readers: [], notes: [] } : await anchorReadersFromEnv(config, db, keys);
  notes.push(...readers.notes);
  const report = await verifyLog(db, {
    publicKey,
    origin: origin.origin,
    anchors: readers.readers,
    archiveDir: config.auditArchive.dir,
    onProgress: options.onProgress,
  });
  return { report, origin, keySource, notes };
}

// The log's origin: the name every signed checkpoint carries (C2SP tlog-checkpoint's first line) and the
// name of the checkpoint key. It is fixed when the log is created and stored in audit_log, so a later
// change of LATCHKEY_URL (a move to a new domain) changes nothing about the log: checkpoints go on being
// signed, and are verified, under the stored origin, and the difference is reported as a configuration
// fact, never as tampering.
import { asc } from "drizzle-orm";
import type { DbOrTx } from "@/lib/db/client";
import { auditCheckpoints, auditLog } from "@/lib/db/schema";

export interface LogOrigin {
  /** The origin fixed at the log's creation: what checkpoints are signed and verified under. */
  origin: string;
  /** What the current configuration would name a new log (LATCHKEY_AUDIT_ORIGIN or LATCHKEY_URL's host + /audit). */
  configured: string;
  /** A sentence for operators when the two differ (a configuration fact, not a problem with the log); else null. */
  note: string | null;
}

const describe = (origin: string, configured: string): LogOrigin => ({
  origin,
  configured,
  note:
    origin === configured
      ? null
      : `The configuration now names the log ${configured} (LATCHKEY_URL or LATCHKEY_AUDIT_ORIGIN changed since the log was created); ` +
        `the log keeps the origin it was created with, ${origin}, and is signed and verified under it.`,
});

/**
 * The stored origin, creating the log's row on first use. A log that predates the row (checkpoints
 * signed before it existed) keeps the origin of its first checkpoint; a new log takes `configured`.
 * Concurrent first uses agree: the first insert wins and everyone reads it back.
 */
export async function ensureLogOrigin(db: DbOrTx, configured: string): Promise<LogOrigin> {
  const stored = await readLogOrigin(db);
  if (stored) return describe(stored, configured);
  const [first] = await db
    .select({ origin: auditCheckpoints.origin })
    .from(auditCheckpoints)
    .orderBy(asc(auditCheckpoints.treeSize))
    .limit(1);
  await db
    .insert(auditLog)
    .values({ id: 1, origin: first?.origin ?? configured })
    .onConflictDoNothing();
  const origin = await readLogOrigin(db);
  if (!origin) throw new Error("audit log origin missing after creation");
  return describe(origin, configured);
}

/** The stored origin, or null for a database that has no log yet (or lost it); never writes. */
export async function readLogOrigin(db: DbOrTx): Promise<string | null> {
  const [row] = await db.select({ origin: auditLog.origin }).from(auditLog).limit(1);
  return row?.origin ?? null;
}

/**
 * The origin to verify under, without writing: the stored one, else the first checkpoint's, else the
 * configured one (an empty or wiped database).
 */
export async function originForVerification(db: DbOrTx, configured: string): Promise<LogOrigin> {
  const stored = await readLogOrigin(db);
  if (stored) return describe(stored, configured);
  const [first] = await db
    .select({ origin: auditCheckpoints.origin })
    .from(auditCheckpoints)
    .orderBy(asc(auditCheckpoints.treeSize))
    .limit(1);
  return describe(first?.origin ?? configured, configured);
}

// Verifies the whole audit log from the database, trusting nothing stored except what the checkpoint
// key signed and what the external anchors hold: every leaf hash is recomputed from its event, the tree
// is rebuilt, each checkpoint's signature and root are checked against it, and the tree is compared
// with every checkpoint read back from the anchors themselves (chain, witness, file), so a database
// rewritten wholesale, cut short or wiped still fails. Problems name the first bad leaf index and what is
// wrong:
//   altered            an event no longer hashes to what was logged (or signed) at its leaf
//   missing            a leaf or its event is gone from the middle of the log
//   reordered          an event sits at another leaf than the one it was logged (signed) at
//   inserted           an event that was not in the log when later events were signed (back-dated,
//                      spliced in, or never sequenced)
//   truncated          the log ends before a signed or anchored checkpoint does (tail cut, full wipe)
//   rolled back        the log has the anchored size but not the anchored root: its history was
//                      replaced (restored from an old backup and continued, or rewritten and re-signed)
//   forged checkpoint  a checkpoint in the database is not signed by the log's key (or says other than
//                      its row)
//   anchor mismatch    an anchor is not what the log signed, or the database claims an anchor the sink
//                      does not hold
import { asc, desc } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { auditCheckpoints, auditLeaves, type AuditCheckpointRow } from "@/lib/db/schema";
import { FileAnchorReader } from "./anchors";
import { ArchiveReader } from "./archive-read";
import { canonicalizer } from "./entry";
import { parseCheckpoint, verifyNote } from "./note";
import { checkClaimedAnchors, compareWithAnchors, readAnchors } from "./verify-anchors";
import { findInsertedUnsequenced, locateDifference } from "./verify-diagnosis";
import { leafPages, postgresClient } from "./verify-leaves";
import { TreeRebuild } from "./verify-rebuild";
import type { ArchiveSummary, Problem, VerifyOptions, VerifyReport } from "./verify-report";

export { problemKinds, type AnchorSummary, type Problem, type ProblemKind, type VerifyOptions, type VerifyReport } from "./verify-report";

const MAX_PROBLEMS = 50;

/**
 * Verifies the whole log (see the top of this file): recomputes every leaf, rebuilds the tree, checks every
 * checkpoint's signature and root and every anchor. Never throws for a problem in the log: the report lists
 * up to 50, sorted by leaf; `unchecked` names anchors that could not be read.
 */
export async function verifyLog(db: Db, options: VerifyOptions): Promise<VerifyReport> {
  const started = performance.now();
  const canonical = await canonicalizer();
  const postgres = options.postgresRead === "json" ? null : postgresClient(db);
  const pageSize = options.pageSize ?? 10_000;
  const lateCommitMs = options.lateCommitMs ?? 300_000;
  const problems: Problem[] = [];
  const report = (p: Problem) => {
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };

  const checkpoints = await db.select().from(auditCheckpoints).orderBy(asc(auditCheckpoints.treeSize));
  const [last] = await db.select({ i: auditLeaves.leafIndex }).from(auditLeaves).orderBy(desc(auditLeaves.leafIndex)).limit(1);
  const total = last ? last.i + 1 : 0;
  /** The first leaf a checkpoint of this size added: the previous stored checkpoint's size. */
  const firstLeafOf = (size: number) => {
    let first = 0;
    for (const c of checkpoints) if (c.treeSize < size) first = c.treeSize;
    return first;
  };

  const trusted = trustedCheckpoints(checkpoints, options, report);

  // The external anchors, read from the anchors themselves before the leaves, so the pass below can
  // take the tree's root at each anchored size on the way.
  const readers = [...(options.anchors ?? []), ...(options.anchorFile ? [new FileAnchorReader(options.anchorFile)] : [])];
  const { anchored, summaries, unchecked } = await readAnchors(readers, options, firstLeafOf, report);

  const sizesOfInterest = new Set<number>([...checkpoints.map((c) => c.treeSize), ...anchored.map((a) => a.treeSize)]);
  const tree = new TreeRebuild(db, trusted, sizesOfInterest, lateCommitMs, report);
  const archives = await ArchiveReader.open(db, options.archiveDir ?? null, canonical, report);
  let recanonicalized = 0;
  for await (const page of leafPages(db, postgres, canonical, total, pageSize)) {
    await archives.fill(page.leaves);
    await tree.addPage(page.leaves);
    recanonicalized += page.recanonicalized;
    options.onProgress?.(tree.expected, total);
  }
  await archives.close();
  const { frontier, rootAt, lastCheckpointAt } = tree;
  if (tree.mismatch) {
    const { size, root, start } = tree.mismatch;
    report(
      (await locateDifference(db, tree.recomputed, size, root, start)) ?? {
        kind: "altered",
        leafIndex: start,
        message: `the log no longer matches the signed checkpoint of size ${size}; the first difference is among leaves ${start}..${size - 1}`,
      },
    );
  }

  // Stored checkpoints beyond the end of the log: its tail was cut.
  const beyond = trusted.filter((c) => c.treeSize > frontier.size).at(-1);
  if (beyond) {
    report({
      kind: "truncated",
      leafIndex: frontier.size,
      message: `the log ends at ${frontier.size} leaves but the signed checkpoint of size ${beyond.treeSize} covers more: leaves ${frontier.size}..${beyond.treeSize - 1} were removed`,
    });
  }

  compareWithAnchors(anchored, frontier.size, rootAt, trusted, report);
  await findInsertedUnsequenced(db, lastCheckpointAt, lateCommitMs, frontier.size, report);
  const anchors = await checkClaimedAnchors(db, readers, anchored, firstLeafOf, report);

  const sorted = [...problems].sort((a, b) => (a.leafIndex ?? Infinity) - (b.leafIndex ?? Infinity));
  return {
    ok: problems.length === 0,
    treeSize: frontier.size,
    checkpoints: checkpoints.length,
    anchors,
    anchored: summaries,
    problems: sorted,
    first: sorted[0] ?? null,
    unchecked: [...unchecked, ...unreadArchives(archives.summary)],
    recanonicalized,
    archived: archives.summary,
    seconds: (performance.now() - started) / 1000,
  };
}

/** The archives as something not checked (like an anchor that could not be read), when they were not read at all. */
function unreadArchives(summary: ArchiveSummary): string[] {
  if (!summary.unavailable) return [];
  return [
    `archives: ${summary.unavailable}, so the ${summary.events} archived events in ${summary.files} files were not read (their leaf hashes were taken as stored)`,
  ];
}

/** The checkpoints whose signed note verifies under the log's key and says what its row says; the rest are reported forged. */
function trustedCheckpoints(checkpoints: AuditCheckpointRow[], options: VerifyOptions, report: (p: Problem) => void): AuditCheckpointRow[] {
  // Signatures first: a checkpoint whose signature fails proves nothing about the leaves it names.
  const trusted: AuditCheckpointRow[] = [];
  let previousSize = 0;
  for (const checkpoint of checkpoints) {
    const opened = options.publicKey
      ? verifyNote(checkpoint.note, options.origin, options.publicKey)
      : ({
          ok: false,
          reason: "the log's checkpoint key is not in the database, so no checkpoint can be checked (give the published key)",
        } as const);
    const body = opened.ok ? parseCheckpoint(opened.text) : null;
    if (
      !opened.ok ||
      !body ||
      body.origin !== options.origin ||
      body.treeSize !== checkpoint.treeSize ||
      !body.rootHash.equals(checkpoint.rootHash)
    ) {
      report({
        kind: "forged checkpoint",
        leafIndex: previousSize,
        message: `the checkpoint of tree size ${checkpoint.treeSize} is not one the log signed: ${opened.ok ? "its signed note says another size, root or origin than its row" : opened.reason}`,
      });
    } else {
      trusted.push(checkpoint);
    }
    previousSize = checkpoint.treeSize;
  }
  return trusted;
}

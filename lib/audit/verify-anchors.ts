// The external anchors in a verification of the audit log: the checkpoints each anchor holds, read back
// from the anchor itself, compared with the rebuilt tree, and the anchors the database claims checked
// against the sinks that should hold them.
import { eq } from "drizzle-orm";
import type { Db } from "@/lib/db/client";
import { auditAnchors, type AuditCheckpointRow } from "@/lib/db/schema";
import type { AnchorReader, AnchoredCheckpoint } from "./anchors";
import { toDigest, type Digest } from "./merkle";
import { parseCheckpoint, verifyNote } from "./note";
import type { AnchorSummary, Problem, VerifyOptions } from "./verify-report";

/**
 * Reads every anchor and keeps the checkpoints that are this log's and authentic: a note signed by the
 * log's key that says what the record says (file, witness), or a root the log's own account put on the
 * chain. Anything else an anchor holds is an "anchor mismatch".
 */
export async function readAnchors(
  readers: AnchorReader[],
  options: VerifyOptions,
  firstLeafOf: (size: number) => number,
  report: (p: Problem) => void,
) {
  const anchored: AnchoredCheckpoint[] = [];
  const summaries: AnchorSummary[] = [];
  const unchecked: string[] = [];
  for (const reader of readers) {
    let held: AnchoredCheckpoint[];
    try {
      held = await reader.read();
    } catch (error) {
      unchecked.push(`${reader.describe}: ${(error as Error).message}`);
      continue;
    }
    const mine: AnchoredCheckpoint[] = [];
    for (const a of held) {
      if (a.malformed) {
        report({ kind: "anchor mismatch", leafIndex: null, message: `${a.where} is not a checkpoint record (${a.malformed})` });
        continue;
      }
      if (a.origin !== options.origin) {
        // The chain account may anchor other logs too; a file or witness is this log's alone.
        if (a.sink !== "chain")
          report({
            kind: "anchor mismatch",
            leafIndex: null,
            message: `${a.where} names another log (${a.origin}), not ${options.origin}`,
          });
        continue;
      }
      if (a.note !== null && options.publicKey) {
        const opened = verifyNote(a.note, options.origin, options.publicKey);
        const body = opened.ok ? parseCheckpoint(opened.text) : null;
        if (!body || body.treeSize !== a.treeSize || !body.rootHash.equals(a.rootHash)) {
          report({
            kind: "anchor mismatch",
            leafIndex: firstLeafOf(a.treeSize),
            message: `${a.where} disagrees with what the log signed for the checkpoint of size ${a.treeSize}: ${opened.ok ? "its record says another size or root than its signed note" : opened.reason}`,
          });
          continue;
        }
      }
      mine.push(a);
    }
    anchored.push(...mine);
    summaries.push({
      sink: reader.sink,
      describe: reader.describe,
      checkpoints: mine.length,
      largest: mine.length > 0 ? Math.max(...mine.map((a) => a.treeSize)) : null,
    });
  }
  return { anchored, summaries, unchecked };
}

/**
 * Truncation and rollback against the anchors: the log must reach every anchored size and have the
 * anchored root there. One problem per sink (its largest disagreement), so the report says which
 * anchors caught it.
 */
export function compareWithAnchors(
  anchored: AnchoredCheckpoint[],
  size: number,
  rootAt: Map<number, Digest>,
  trusted: AuditCheckpointRow[],
  report: (p: Problem) => void,
) {
  const bySink = new Map<string, AnchoredCheckpoint[]>();
  for (const a of anchored) bySink.set(a.sink, [...(bySink.get(a.sink) ?? []), a]);
  // Sizes at which the log is known good: where its root equals an anchored or signed root.
  const good = new Set<number>([0]);
  for (const a of anchored) if (a.treeSize <= size && rootAt.get(a.treeSize) === toDigest(a.rootHash)) good.add(a.treeSize);
  for (const c of trusted) if (c.treeSize <= size && rootAt.get(c.treeSize) === toDigest(c.rootHash)) good.add(c.treeSize);
  const lastGoodBelow = (n: number) => Math.max(...[...good].filter((g) => g < n));
  for (const [, list] of bySink) {
    const sorted = [...list].sort((a, b) => b.treeSize - a.treeSize);
    const cut = sorted.find((a) => a.treeSize > size);
    if (cut) {
      report({
        kind: "truncated",
        leafIndex: size,
        message: `the log ends at ${size} leaves but the checkpoint of size ${cut.treeSize} anchored in ${cut.where} covers more: leaves ${size}..${cut.treeSize - 1} were removed${size === 0 ? " (the log is empty: wiped)" : ""}`,
      });
      continue;
    }
    const diverged = sorted.find((a) => rootAt.get(a.treeSize) !== toDigest(a.rootHash));
    if (!diverged) continue;
    // The stored checkpoint of that size agrees with the anchor: the leaves, not the history, differ,
    // which the leaf and checkpoint checks have already named exactly.
    if (trusted.some((c) => c.treeSize === diverged.treeSize && c.rootHash.equals(diverged.rootHash))) continue;
    const from = lastGoodBelow(diverged.treeSize);
    report({
      kind: "rolled back",
      leafIndex: from,
      message: `the log has ${diverged.treeSize} leaves but not the root anchored for that size in ${diverged.where}: its history was replaced (restored from an older state, or rewritten) somewhere among leaves ${from}..${diverged.treeSize - 1}`,
    });
  }
}

/** Rows the database marks as confirmed anchors must be found in the sink they name (the witness keeps only its latest). */
export async function checkClaimedAnchors(
  db: Db,
  readers: AnchorReader[],
  anchored: AnchoredCheckpoint[],
  firstLeafOf: (size: number) => number,
  report: (p: Problem) => void,
): Promise<number> {
  const rows = await db.select().from(auditAnchors).where(eq(auditAnchors.status, "confirmed"));
  const read = new Set(readers.map((r) => r.sink));
  const held = new Set(anchored.map((a) => `${a.sink} ${a.treeSize} ${a.reference ?? ""}`));
  for (const row of rows) {
    if (row.sink === "witness" || !read.has(row.sink)) continue;
    if (!held.has(`${row.sink} ${row.treeSize} ${row.reference ?? ""}`)) {
      report({
        kind: "anchor mismatch",
        leafIndex: firstLeafOf(row.treeSize),
        message: `the database records the checkpoint of size ${row.treeSize} as anchored (${row.sink}: ${row.reference ?? "no reference"}), but the ${row.sink} anchor holds no such checkpoint`,
      });
    }
  }
  return rows.length;
}

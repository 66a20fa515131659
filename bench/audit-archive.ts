// bench:audit's archive round trip (issue 19, retention): every event of the bench log moved to archive
// files as if 91 days had passed under the standard class (90 days), what the files and what stays in the
// database cost per event, and audit:verify reading every event back from the files.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import pino from "pino";
import type { Db } from "@/lib/db/client";
import { archiveExpired } from "@/lib/audit/archive";
import { rowsOf } from "@/lib/audit/tree-store";
import type { VerifyReport } from "@/lib/audit/verify";
import { retentionClasses } from "@/lib/core/retention";
import { fmt, progress } from "./lib";

const DAY_MS = 86_400_000;

/** Archives the whole log, prints the figures, verifies it from the archives with `verify`, and removes the files. */
export async function printArchiveRoundTrip(db: Db, events: number, verify: (archiveDir: string) => Promise<VerifyReport>): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-bench-archive-"));
  try {
    const bar = progress("  archiving");
    const started = performance.now();
    const result = await archiveExpired(db, {
      dir,
      retention: retentionClasses.standard,
      readRetention: retentionClasses.standard,
      now: new Date(Date.now() + 91 * DAY_MS),
      onProgress: (done) => bar.update(done, events),
      logger: pino({ level: "silent" }),
    });
    const seconds = (performance.now() - started) / 1000;
    bar.clear();
    const fileBytes = result.files.reduce((n, f) => n + f.bytes, 0);
    await db.execute(sql`vacuum full audit_event_rows`);
    await db.execute(sql`vacuum (analyze) audit_leaves, audit_nodes`);
    const [sizes] = rowsOf<{ events: string; tree: string }>(
      await db.execute(sql`select (pg_total_relation_size('audit_event_rows') + pg_total_relation_size('audit_contexts') + pg_total_relation_size('audit_subjects'))::text as events,
        (pg_total_relation_size('audit_leaves') + pg_total_relation_size('audit_nodes'))::text as tree`),
    );
    const report = await verify(dir);
    console.log(`Archive round trip (standard class, 90 days; the log as it would be 91 days on):`);
    console.log(
      `  archived ${fmt(result.events)} events to ${result.files.length} files in ${fmt(seconds, 1)} s = ${fmt(result.events / seconds)} events/s; the files: ${fmt(fileBytes / result.events, 1)} bytes per event (gzip JSONL, ${fmt(fileBytes / 1048576, 1)} MB)`,
    );
    console.log(
      `  left in the database: leaves and nodes ${fmt(Number(sizes?.tree) / events, 1)} bytes per event; the events' tables (audit_event_rows and its two dictionaries) ${fmt(Number(sizes?.events) / 1024, 0)} kB after VACUUM FULL`,
    );
    console.log(
      `  audit:verify reading every event back from the archives: ${fmt(report.seconds, 2)} s = ${fmt(report.treeSize / report.seconds)} events/s (${report.ok ? "OK" : `FAILED: ${report.first?.message ?? ""}`}; ${fmt(report.archived.read)} of ${fmt(report.archived.events)} archived events read)`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

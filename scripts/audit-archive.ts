// npm run audit:archive [-- --dry-run] — moves audit events past their retention class
// (LATCHKEY_AUDIT_RETENTION, LATCHKEY_AUDIT_READ_RETENTION) from the database to gzip JSONL archive files in
// LATCHKEY_AUDIT_ARCHIVE_DIR (lib/audit/archive.ts). Their leaves stay, so checkpoints, proofs and
// `npm run audit:verify` (which reads the files back) keep passing. The sequencer does the same every
// LATCHKEY_AUDIT_ARCHIVE_INTERVAL_SECONDS; this runs one pass now, e.g. from cron when that is 0.
import { Command } from "commander";
import { archiveExpired, countExpired } from "@/lib/audit/archive";
import { describeRetention } from "@/lib/core/retention";
import { env } from "@/lib/env";
import { fail, openCli, progress } from "./cli";

async function main() {
  const program = new Command()
    .name("audit:archive")
    .description("Move audit events past their retention to archive files")
    .option("--dry-run", "count what would move, and move nothing")
    .addHelpText(
      "after",
      `
Settings (environment, see README "Retention and archives"):
  LATCHKEY_AUDIT_RETENTION       every event's class: ledger (7 years, default), standard (90 days), or 400d / 10y
  LATCHKEY_AUDIT_READ_RETENTION  successful reads' class (default: LATCHKEY_AUDIT_RETENTION)
  LATCHKEY_AUDIT_ARCHIVE_DIR     where the files go (default: <LATCHKEY_DATA_DIR>/audit-archive)
  DATABASE_URL                   the log's database (unset: the embedded one in LATCHKEY_DATA_DIR)`,
    )
    .parse();
  const options = program.opts<{ dryRun?: boolean }>();
  const { database } = await openCli();
  try {
    const { auditArchive } = env();
    const classes = `retention ${auditArchive.retention.name} (${describeRetention(auditArchive.retention)}), successful reads ${auditArchive.readRetention.name} (${describeRetention(auditArchive.readRetention)})`;
    const due = await countExpired(database.db, auditArchive);
    if (options.dryRun || due.events === 0) {
      console.log(
        due.events === 0
          ? `Nothing is past retention: ${classes}.`
          : `${due.events.toLocaleString("en-US")} events are past retention (${due.reads.toLocaleString("en-US")} of them successful reads; the oldest from ${due.oldest?.toISOString()}): ${classes}. They would move to ${auditArchive.dir}. Nothing moved (--dry-run).`,
      );
      return;
    }
    const report = progress("events");
    const result = await archiveExpired(database.db, { ...auditArchive, onProgress: (done) => report(done, due.events) });
    if (process.stdout.isTTY) process.stdout.write("\n");
    if (!result.ran) {
      console.log("Another process is archiving the log now; nothing done.");
      return;
    }
    const bytes = result.files.reduce((n, f) => n + f.bytes, 0);
    console.log(
      `Archived ${result.events.toLocaleString("en-US")} events to ${result.files.length} file${result.files.length === 1 ? "" : "s"} (${(bytes / 1e6).toFixed(1)} MB) in ${auditArchive.dir}: ${classes}.`,
    );
    for (const f of result.files) console.log(`  ${f.file}: leaves ${f.firstLeaf}..${f.lastLeaf}, ${f.events} events`);
    if (result.refused > 0) {
      console.error(
        `${result.refused} events past retention no longer hash to their leaf and were left in the database: run npm run audit:verify.`,
      );
      process.exitCode = 1;
    }
  } catch (error) {
    fail(error);
  } finally {
    await database.close();
  }
}

void main();

// npm run audit:verify [-- --key <verifier key>] [--no-anchors] — recomputes the audit log from the
// database and checks every leaf, every checkpoint's signature and root, and the log against every
// configured anchor read back from the anchor itself (the anchor file, the witness, the chain). Exits 1
// naming the first bad leaf index and what is wrong with it; 2 when the log verifies but an anchor
// could not be read. Events moved to archive files past their retention (npm run audit:archive) are read
// back from LATCHKEY_AUDIT_ARCHIVE_DIR and checked like the rest. It verifies under the origin the log was created with: a LATCHKEY_URL changed since
// is reported as a configuration fact, not as tampering. Without --key it uses the log's own key
// (unsealed through the keyring); pass the key published at /api/v1/audit/public-key to verify
// independently of it.
import { Command } from "commander";
import { verifyFromConfig } from "@/lib/audit/verify-command";
import { env } from "@/lib/env";
import { fail, openCli, progress } from "./cli";

async function main() {
  const program = new Command()
    .name("audit:verify")
    .option("--key <verifier>", "note verifier key (name+keyid+base64) to check checkpoint signatures with")
    .option("--no-anchors", "skip reading the anchors (file, witness, chain)")
    .parse();
  const options = program.opts<{ key?: string; anchors: boolean }>();
  const { database, vault } = await openCli();
  try {
    const config = env();
    const { report, origin, keySource, notes } = await verifyFromConfig(database.db, vault.dataKeys, config, {
      key: options.key,
      anchors: options.anchors,
      onProgress: progress("leaves"),
    });
    if (process.stdout.isTTY) process.stdout.write("\n");
    console.log(`Verified audit log ${origin.origin} (${database.driver}; key from ${keySource === "given" ? "--key" : keySource})`);
    for (const note of notes) console.log(`Note: ${note}`);
    const rate = report.seconds > 0 ? Math.round(report.treeSize / report.seconds) : report.treeSize;
    console.log(
      `${report.treeSize.toLocaleString("en-US")} leaves, ${report.checkpoints} checkpoints, ${report.anchors} confirmed anchors checked in ${report.seconds.toFixed(2)} s (${rate.toLocaleString("en-US")} leaves/s)`,
    );
    const { archived } = report;
    if (archived.files > 0 && !archived.unavailable) {
      console.log(
        `  archives: ${archived.read.toLocaleString("en-US")} of ${archived.events.toLocaleString("en-US")} archived events read back from ${archived.filesRead} of ${archived.files} file${archived.files === 1 ? "" : "s"} in ${env().auditArchive.dir}`,
      );
    }
    for (const file of archived.rewritten) {
      console.log(
        `Note: archive ${file} is not the bytes written (recompressed or copied by a tool?); every entry in it still hashes to its leaf.`,
      );
    }
    if (archived.strays.length > 0) {
      console.log(
        `Note: ${archived.strays.length} file${archived.strays.length === 1 ? "" : "s"} in ${env().auditArchive.dir} that the log does not list (left by an interrupted run, whose events stayed in the database, or another log's): ${archived.strays.join(", ")}`,
      );
    }
    for (const a of report.anchored) {
      console.log(
        `  ${a.describe}: ${a.checkpoints} checkpoint${a.checkpoints === 1 ? "" : "s"} of this log${a.largest === null ? "" : `, largest ${a.largest}`}`,
      );
    }
    if (!report.ok) {
      const first = report.first;
      console.error(`\nTAMPERED: ${first?.kind ?? "problem"} at leaf ${first?.leafIndex ?? "?"}: ${first?.message ?? ""}`);
      for (const p of report.problems.slice(1, 10)) console.error(`  also: ${p.kind} at leaf ${p.leafIndex ?? "?"}: ${p.message}`);
      process.exitCode = 1;
      return;
    }
    if (report.unchecked.length > 0) {
      for (const u of report.unchecked) console.error(`Not checked: ${u}`);
      console.error("INCOMPLETE: the database verifies, but not every anchor could be read.");
      process.exitCode = 2;
      return;
    }
    console.log("OK: every event, checkpoint and anchor verifies.");
  } catch (error) {
    fail(error);
  } finally {
    await database.close();
  }
}

void main();

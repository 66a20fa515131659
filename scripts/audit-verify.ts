// npm run audit:verify [-- --key <verifier key>] — recomputes the audit log from the database and checks
// every leaf, every checkpoint's signature and root, and every anchor. Exits 1 naming the first bad leaf
// index and what is wrong with it. Without --key it verifies against the log's own key (unsealed through
// the keyring); pass the key published at /api/v1/audit/public-key to verify independently of it.
import { Command } from "commander";
import { loadCheckpointSigner } from "@/lib/audit/signing-key";
import { parseVerifierKey } from "@/lib/audit/note";
import { verifyLog } from "@/lib/audit/verify";
import { env } from "@/lib/env";
import { fail, openCli, progress } from "./cli";

async function main() {
  const program = new Command()
    .name("audit:verify")
    .option("--key <verifier>", "note verifier key (name+keyid+base64) to check checkpoint signatures with")
    .option("--no-anchors", "skip checking the anchor file")
    .parse();
  const options = program.opts<{ key?: string; anchors: boolean }>();
  const { database, vault } = await openCli();
  try {
    const config = env();
    let origin = config.auditOrigin;
    let publicKey: Buffer;
    if (options.key) {
      const parsed = parseVerifierKey(options.key);
      if (!parsed) throw new Error("--key is not a valid note verifier key (name+keyid+base64)");
      ({ name: origin, publicKey } = parsed);
    } else {
      publicKey = (await loadCheckpointSigner(database.db, vault.dataKeys, origin)).publicKey;
    }
    console.log(`Verifying audit log ${origin} (${database.driver})`);
    const report = await verifyLog(database.db, {
      publicKey,
      origin,
      anchorFile: options.anchors ? config.anchorFile : undefined,
      onProgress: progress("leaves"),
    });
    if (process.stdout.isTTY) process.stdout.write("\n");
    const rate = report.seconds > 0 ? Math.round(report.treeSize / report.seconds) : report.treeSize;
    console.log(
      `${report.treeSize.toLocaleString("en-US")} leaves, ${report.checkpoints} checkpoints, ${report.anchors} confirmed anchors checked in ${report.seconds.toFixed(2)} s (${rate.toLocaleString("en-US")} leaves/s)`,
    );
    if (report.ok) {
      console.log("OK: every event, checkpoint and anchor verifies.");
      return;
    }
    const first = report.first;
    console.error(`\nTAMPERED: ${first?.kind ?? "problem"} at leaf ${first?.leafIndex ?? "?"}: ${first?.message ?? ""}`);
    for (const p of report.problems.slice(1, 10)) console.error(`  also: ${p.kind} at leaf ${p.leafIndex ?? "?"}: ${p.message}`);
    process.exitCode = 1;
  } catch (error) {
    fail(error);
  } finally {
    await database.close();
  }
}

void main();

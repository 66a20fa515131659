import { openDatabase } from "@/lib/db/client";
import { verifyLog } from "@/lib/audit/verify";
import { findCheckpointSigner } from "@/lib/audit/signing-key";
async function main() {
  const database = await openDatabase({ url: "postgres://postgres@127.0.0.1:5432/latchkey_scratch17", max: 12 });
  const [row] = await database.db.execute<{ note: string }>(`select note from audit_checkpoints limit 1` as any) as any;
  const note: string = (row ?? (await database.db.execute(`select note from audit_checkpoints limit 1` as any) as any)[0]).note;
  const m = /\u2014 (\S+) /.exec(note);
  // public key from the note's key: re-derive via system_keys needs the keyring: use a verifier that skips signatures by reading the raw key from process arg
  for (const mode of ["rows", "json", "rows"] as const) {
    const r = await verifyLog(database.db, { publicKey: null, origin: m?.[1] ?? "", postgresRead: mode });
    console.log(mode, r.treeSize, r.seconds.toFixed(2), Math.round(r.treeSize / r.seconds), r.problems.map((p) => p.kind).join(","));
  }
  await database.close();
}
void main();

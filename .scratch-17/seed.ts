import { openDatabase } from "@/lib/db/client";
import { syntheticEvent } from "@/bench/audit-events";
import { toAuditRow } from "@/lib/audit/events";
import { insertEventRows } from "@/lib/audit/event-json";
import { Sequencer } from "@/lib/audit/sequencer";
import { loadCheckpointSigner } from "@/lib/audit/signing-key";
import { buildVault, localKeyring } from "@/test/vault";
import pino from "pino";
async function main() {
  const N = Number(process.argv[2] ?? 200000);
  const database = await openDatabase({ url: "postgres://postgres@127.0.0.1:5432/latchkey_scratch17", max: 4 });
  const { db } = database;
  const { dataKeys } = buildVault(db, await localKeyring(), { logger: pino({ level: "silent" }) });
  const sequencer = new Sequencer({ db, signer: () => loadCheckpointSigner(db, dataKeys, "p/audit"), sinks: [], logger: pino({ level: "silent" }) });
  for (let i = 0; i < N; i += 5000) {
    await insertEventRows(db, Array.from({ length: Math.min(5000, N - i) }, (_, j) => { const e = syntheticEvent(i + j); return toAuditRow({ actor: { kind: e.actorKind, id: e.actorId }, source: { kind: e.sourceKind, ip: e.sourceIp, userAgent: e.sourceUserAgent }, action: e.action, target: e.target, details: e.details, occurredAt: new Date() }); }));
  }
  await sequencer.runUntilIdle({ forceCheckpoint: true });
  await database.close();
}
void main();

import { openBackend } from "@/bench/lib";
import { syntheticEvent } from "@/bench/audit-events";
import { toAuditRow } from "@/lib/audit/events";
import { insertEventRows } from "@/lib/audit/event-json";
import { Sequencer } from "@/lib/audit/sequencer";
import { loadCheckpointSigner } from "@/lib/audit/signing-key";
import { verifyLog } from "@/lib/audit/verify";
import { buildVault, localKeyring } from "@/test/vault";
import pino from "pino";

async function main() {
  const N = Number(process.argv[2] ?? 100000);
  const { database, drop } = await openBackend({ max: 12 });
  const { db } = database;
  try {
    const { dataKeys } = buildVault(db, await localKeyring(), { logger: pino({ level: "silent" }) });
    const sequencer = new Sequencer({ db, signer: () => loadCheckpointSigner(db, dataKeys, "p/audit"), sinks: [], logger: pino({ level: "silent" }) });
    let t = performance.now();
    for (let i = 0; i < N; i += 5000) {
      await insertEventRows(db, Array.from({ length: Math.min(5000, N - i) }, (_, j) => { const e = syntheticEvent(i + j); return toAuditRow({ actor: { kind: e.actorKind, id: e.actorId }, source: { kind: e.sourceKind, ip: e.sourceIp, userAgent: e.sourceUserAgent }, action: e.action, target: e.target, details: e.details, occurredAt: new Date() }); }));
    }
    console.log("insert", (performance.now() - t) / 1000);
    t = performance.now();
    await sequencer.runUntilIdle({ forceCheckpoint: true });
    console.log("sequence", (performance.now() - t) / 1000);
    const pk = (await sequencer.signer()).publicKey;
    const client = (db as any).$client;
    t = performance.now();
    let bytes = 0, chunks = 0;
    for await (const c of await client.unsafe(`copy (select l.leaf_index, l.event_id, encode(l.leaf_hash, 'hex'), e.id, floor(extract(epoch from e.occurred_at) * 1000)::bigint, e.actor_kind, e.actor_id, e.action, e.target, e.extension_id, e.org_id, e.source_kind, e.source_ip, e.source_user_agent, e.outcome, e.details from audit_leaves l left join audit_events e on e.id = l.event_id where l.leaf_index >= 0 and l.leaf_index < ${N} order by l.leaf_index) to stdout`).readable()) { bytes += c.length; chunks++; }
    console.log("copy only", (performance.now() - t) / 1000, bytes, chunks);
    for (const mode of ["copy", "json", "copy"] as const) {
      const r = await verifyLog(db, { publicKey: pk, origin: "p/audit", postgresRead: mode });
      console.log(mode, r.ok, r.treeSize, r.seconds.toFixed(2), Math.round(r.treeSize / r.seconds));
    }
  } finally { await database.close(); await drop(); }
}
void main();

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
    for (let i = 0; i < N; i += 5000) {
      await insertEventRows(db, Array.from({ length: Math.min(5000, N - i) }, (_, j) => { const e = syntheticEvent(i + j); return toAuditRow({ actor: { kind: e.actorKind, id: e.actorId }, source: { kind: e.sourceKind, ip: e.sourceIp, userAgent: e.sourceUserAgent }, action: e.action, target: e.target, details: e.details, occurredAt: new Date() }); }));
    }
    await sequencer.runUntilIdle({ forceCheckpoint: true });
    const client = (db as any).$client;
    const page = 50000;
    const cols = `l.leaf_index, l.event_id, encode(l.leaf_hash, 'hex'), e.id, floor(extract(epoch from e.occurred_at) * 1000)::bigint, e.actor_kind, e.actor_id, e.action, e.target, e.extension_id, e.org_id, e.source_kind, e.source_ip, e.source_user_agent, e.outcome, e.details::text`;
    for (const mode of ["values", "raw", "json", "values"]) {
      const t = performance.now();
      let n = 0;
      for (let from = 0; from < N; from += page) {
        const where = `from audit_leaves l left join audit_events e on e.id = l.event_id where l.leaf_index >= ${from} and l.leaf_index < ${from + page} order by l.leaf_index`;
        if (mode === "values") { const rows = await client.unsafe(`select ${cols} ${where}`).values(); n += rows.length; }
        if (mode === "raw") { const rows = await client.unsafe(`select ${cols} ${where}`).raw(); n += rows.length; }
        if (mode === "json") { const [r] = await client.unsafe(`select coalesce(json_agg(json_build_array(${cols}) order by l.leaf_index), '[]')::text as page from audit_leaves l left join audit_events e on e.id = l.event_id where l.leaf_index >= ${from} and l.leaf_index < ${from + page}`); n += JSON.parse(r.page).length; }
      }
      console.log(mode, n, ((performance.now() - t) / 1000).toFixed(2), Math.round(n / ((performance.now() - t) / 1000)));
    }
    const pk = (await sequencer.signer()).publicKey;
    const r = await verifyLog(db, { publicKey: pk, origin: "p/audit", postgresRead: "json" });
    console.log("verify json", r.ok, r.seconds.toFixed(2), Math.round(r.treeSize / r.seconds));
  } finally { await database.close(); await drop(); }
}
void main();

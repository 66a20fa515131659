// npm run bench:audit [-- --writes N --events N --db-events N] — what tamper evidence costs and how fast
// the log verifies, printed for a closing note (no assertions):
//  1. audited vault writes per second with the sequencer running (default interval and checkpoints),
//     next to the same writes with sequencing off, alternating off/on/off so drift shows; the ratio;
//  2. verification speed of the pure path over --events synthetic events (canonical JSON, leaf hash,
//     tree rebuild, root compare), single-threaded;
//  3. a database-backed `audit:verify` pass over --db-events sequenced events (and the sequencing rate).
// Runs on a throwaway database on DATABASE_URL's server (or PGlite when it cannot be reached).
import pino from "pino";
import { Worker } from "node:worker_threads";
import { FileAnchorSink } from "@/lib/audit/anchors";
import { canonicalizer, entryLeafHash, type EntryEvent } from "@/lib/audit/entry";
import { toAuditRow } from "@/lib/audit/events";
import { Frontier, type Hash } from "@/lib/audit/merkle";
import { Sequencer } from "@/lib/audit/sequencer";
import { loadCheckpointSigner } from "@/lib/audit/signing-key";
import { verifyLog } from "@/lib/audit/verify";
import { SecretValue } from "@/lib/crypto";
import { auditEvents } from "@/lib/db/schema";
import { buildVault, localKeyring, seedOwners, uiContext } from "@/test/vault";
import { syntheticEvent } from "./audit-events";
import { fmt, openBackend, parseFlags, peakRssMb, progress, runConcurrent } from "./lib";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const flags = parseFlags({ writes: 2_000, events: 1_000_000, "db-events": 100_000 });
const CONCURRENCY = 8;
const ORIGIN = "bench.latchkey.example/audit";

/** Recomputes the leaf hashes of events [0, total) in worker threads (one per core); packed 32-byte hashes. */
async function leafHashesInWorkers(total: number, workers: number): Promise<Buffer[]> {
  const file = path.resolve("bench/audit-worker.ts");
  const per = Math.ceil(total / workers);
  return Promise.all(
    Array.from(
      { length: workers },
      (_, w) =>
        new Promise<Buffer>((resolve, reject) => {
          // Workers do not inherit tsx's loader: register it for CommonJS first, then load the worker.
          const worker = new Worker(`require("tsx/cjs"); require(${JSON.stringify(file)});`, {
            eval: true,
            workerData: { from: w * per, to: Math.min(total, (w + 1) * per) },
          });
          worker.once("message", (b: Uint8Array) => resolve(Buffer.from(b.buffer, b.byteOffset, b.byteLength)));
          worker.once("error", reject);
        }),
    ),
  );
}

async function main() {
  const { database, label, drop } = await openBackend({ max: 12 });
  const { db } = database;
  const anchorDir = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-bench-anchors-"));
  try {
    console.log(`bench:audit on ${label}, ${os.cpus().length} CPU cores, Node ${process.version}\n`);
    const keyring = await localKeyring();
    const { vault, dataKeys } = buildVault(db, keyring, { logger: pino({ level: "silent" }) });
    const owners = await seedOwners(db, "bench");
    const sequencer = new Sequencer({
      db,
      signer: () => loadCheckpointSigner(db, dataKeys, ORIGIN),
      origin: ORIGIN,
      sinks: [new FileAnchorSink(path.join(anchorDir, "anchors.jsonl"))],
    });
    await sequencer.signer();

    // 1. Audited writes with and without the sequencer.
    let n = 0;
    const write = () =>
      vault.set(
        uiContext(owners.userId),
        { extensionId: owners.extensionId, scope: "user", ownerId: owners.userId, name: `key_${n++ % 500}` },
        SecretValue.from(`value-${n}`),
      );
    const phase = async (name: string) => {
      const bar = progress(`  ${name}`);
      const seconds = await runConcurrent(flags.writes, CONCURRENCY, () => write().then(() => undefined), bar.update);
      bar.clear();
      return flags.writes / seconds;
    };
    await runConcurrent(200, CONCURRENCY, () => write().then(() => undefined));
    await sequencer.runUntilIdle({ forceCheckpoint: true });
    const off1 = await phase("sequencing off");
    sequencer.start(1000);
    const on = await phase("sequencer on");
    const drainStart = performance.now();
    await sequencer.stop();
    await sequencer.runUntilIdle({ forceCheckpoint: true });
    const drainMs = performance.now() - drainStart;
    const off2 = await phase("sequencing off (again)");
    await sequencer.runUntilIdle({ forceCheckpoint: true });
    const off = (off1 + off2) / 2;
    console.log(
      `Audited vault writes (vault.set + its audit event in one transaction), ${fmt(flags.writes)} per phase, ${CONCURRENCY} concurrent:`,
    );
    console.log(`  sequencing off: ${fmt(off1)} /s, then ${fmt(off2)} /s (mean ${fmt(off)} /s)`);
    console.log(`  sequencer on (1 s interval, checkpoint every 2 s, file anchor): ${fmt(on)} /s`);
    console.log(`  ratio on/off: ${fmt(on / off, 2)}  (goal ≥ 0.80)`);
    console.log(`  backlog left when the writes ended, sequenced and checkpointed in ${fmt(drainMs)} ms\n`);

    // 2. The pure verification path over synthetic events.
    const canonical = await canonicalizer();
    const generated = performance.now();
    const events = Array.from({ length: flags.events }, (_, i) => syntheticEvent(i));
    const genSeconds = (performance.now() - generated) / 1000;
    const stored = new Frontier();
    const storedLeaves: Hash[] = new Array<Hash>(flags.events);
    for (let i = 0; i < events.length; i++) {
      const hash = entryLeafHash(canonical, events[i] as EntryEvent);
      storedLeaves[i] = hash;
      stored.append(hash);
    }
    const expectedRoot = stored.root();
    const started = performance.now();
    const rebuilt = new Frontier();
    let mismatches = 0;
    for (let i = 0; i < events.length; i++) {
      const hash = entryLeafHash(canonical, events[i] as EntryEvent);
      if (!hash.equals(storedLeaves[i] as Hash)) mismatches++;
      rebuilt.append(hash);
    }
    const ok = rebuilt.root().equals(expectedRoot) && mismatches === 0;
    const pureSeconds = (performance.now() - started) / 1000;
    const treeStart = performance.now();
    const fromLeaves = new Frontier();
    for (const leaf of storedLeaves) fromLeaves.append(leaf);
    const treeOk = fromLeaves.root().equals(expectedRoot);
    const treeSeconds = (performance.now() - treeStart) / 1000;
    console.log(
      `Verification, pure path (in memory, one thread): ${fmt(flags.events)} synthetic events (generated in ${fmt(genSeconds, 1)} s)`,
    );
    console.log(
      `  tree rebuild + root check from the leaf hashes alone: ${fmt(treeSeconds, 2)} s = ${fmt(flags.events / treeSeconds)} leaves/s (root ${treeOk ? "matches" : "MISMATCH"})`,
    );
    console.log(
      `  canonical JSON + leaf hash + compare + tree rebuild + root check: ${fmt(pureSeconds, 2)} s = ${fmt(flags.events / pureSeconds)} events/s  (goal ≥ 200,000; root ${ok ? "matches" : "MISMATCH"})`,
    );
    events.length = 0;

    const cores = os.cpus().length;
    const parallelStart = performance.now();
    const packed = await leafHashesInWorkers(flags.events, cores);
    const parallel = new Frontier();
    let parallelMismatches = 0;
    let index = 0;
    for (const part of packed) {
      for (let at = 0; at < part.length; at += 32, index++) {
        const hash = part.subarray(at, at + 32);
        if (!hash.equals(storedLeaves[index] as Hash)) parallelMismatches++;
        parallel.append(hash);
      }
    }
    const parallelOk = parallel.root().equals(expectedRoot) && parallelMismatches === 0;
    const parallelSeconds = (performance.now() - parallelStart) / 1000;
    console.log(
      `  the same with leaf hashing in ${cores} worker threads (start-up included): ${fmt(parallelSeconds, 2)} s = ${fmt(flags.events / parallelSeconds)} events/s (root ${parallelOk ? "matches" : "MISMATCH"})\n`,
    );
    storedLeaves.length = 0;

    // 3. Database-backed: sequence --db-events events, then verify the whole log from the database.
    const chunk = 2000;
    const insertStart = performance.now();
    for (let i = 0; i < flags["db-events"]; i += chunk) {
      const rows = Array.from({ length: Math.min(chunk, flags["db-events"] - i) }, (_, j) => {
        const e = syntheticEvent(i + j);
        return toAuditRow({
          actor: { kind: e.actorKind, id: e.actorId },
          source: { kind: e.sourceKind, ip: e.sourceIp, userAgent: e.sourceUserAgent },
          action: e.action,
          target: e.target,
          extensionId: owners.extensionId,
          orgId: owners.orgId,
          details: e.details,
          occurredAt: new Date(),
        });
      });
      await db.insert(auditEvents).values(rows);
    }
    const insertSeconds = (performance.now() - insertStart) / 1000;
    const seqStart = performance.now();
    const drained = await sequencer.runUntilIdle({ forceCheckpoint: true });
    const seqSeconds = (performance.now() - seqStart) / 1000;
    const bar = progress("  verifying");
    const report = await verifyLog(db, {
      publicKey: (await sequencer.signer()).publicKey,
      origin: ORIGIN,
      anchorFile: path.join(anchorDir, "anchors.jsonl"),
      onProgress: bar.update,
    });
    bar.clear();
    console.log(`Database-backed (${label}): ${fmt(flags["db-events"])} events inserted in ${fmt(insertSeconds, 1)} s`);
    console.log(
      `  sequencing backlog: ${fmt(drained.sequenced)} leaves in ${fmt(seqSeconds, 2)} s = ${fmt(drained.sequenced / seqSeconds)} leaves/s`,
    );
    console.log(
      `  audit:verify over the whole log (${fmt(report.treeSize)} leaves, ${report.checkpoints} checkpoints): ${fmt(report.seconds, 2)} s = ${fmt(report.treeSize / report.seconds)} events/s, ${report.ok ? "OK" : `FAILED: ${report.first?.message ?? ""}`}`,
    );
    console.log(`\nPeak RSS ${fmt(peakRssMb())} MB`);
  } finally {
    await database.close();
    await drop();
    fs.rmSync(anchorDir, { recursive: true, force: true });
  }
}

void main();

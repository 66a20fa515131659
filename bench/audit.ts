// npm run bench:audit [-- --writes N --events N --db-events N] — what tamper evidence costs and how fast
// the log verifies, printed for a closing note (no assertions):
//  1. audited vault writes per second with the sequencer running (default interval and checkpoints),
//     next to the same writes with sequencing off, alternating off/on/off so drift shows; the ratio;
//  2. verification speed of the pure path over --events synthetic events generated before the clock
//     starts (timed: canonical JSON, leaf hash, compare with the stored hash, tree rebuild, root compare),
//     on one thread (median of 3 passes), each step alone, and with leaf hashing in worker threads;
//  3. a database-backed `audit:verify` pass over --db-events sequenced events (default 1,000,000, the
//     figure the goal of ≥ 200,000 events/s is set for on PostgreSQL) printed beside that goal, and the
//     same pass reading json_agg pages (the PGlite way), plus the sequencing rate; then the bytes per
//     event of every audit relation and index (goal ≤ 400), what the admin overview's counts and the
//     sequencer's sweep for late commits cost (bench/audit-storage.ts); last, the archive round trip: the
//     whole log moved to archive files past retention and verified from them (bench/audit-archive.ts).
// Runs on a throwaway database on DATABASE_URL's server (or PGlite when it cannot be reached).
import { sql } from "drizzle-orm";
import pino from "pino";
import { Worker } from "node:worker_threads";
import { FileAnchorSink } from "@/lib/audit/anchors";
import { canonicalEntry, canonicalizer, entryLeafDigest, entryLeafHash, type EntryEvent } from "@/lib/audit/entry";
import { toAuditRow } from "@/lib/audit/events";
import { insertEventRows } from "@/lib/audit/event-json";
import { Frontier, toDigest, type Digest } from "@/lib/audit/merkle";
import { Sequencer } from "@/lib/audit/sequencer";
import { loadCheckpointSigner } from "@/lib/audit/signing-key";
import { verifyLog } from "@/lib/audit/verify";
import { SecretValue } from "@/lib/crypto";
import { buildVault, localKeyring, seedOwners, uiContext } from "@/test/vault";
import { syntheticEvent } from "./audit-events";
import type { ChunkMessage, WorkerPlan } from "./audit-worker";
import { fmt, openBackend, parseFlags, peakRssMb, progress, runConcurrent } from "./lib";
import { printBookkeeping, printStorage } from "./audit-storage";
import { printArchiveRoundTrip } from "./audit-archive";
import type { Db } from "@/lib/db/client";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const flags = parseFlags({ writes: 2_000, events: 1_000_000, "db-events": 1_000_000 });
const CONCURRENCY = 8;
const ORIGIN = "bench.latchkey.example/audit";

const CHUNK = 8192;

/**
 * The pure verification path with leaf hashing in `workers` threads, pipelined: the main thread folds
 * each chunk of leaf hashes into the tree (comparing every one with the stored hash) as soon as it
 * arrives, in order, while the workers hash later chunks. Worker start-up and their event generation
 * happen before the clock starts; what is timed is from "go" to the root compared.
 */
async function verifyInWorkers(storedLeaves: readonly Digest[], expectedRoot: Digest, workers: number) {
  const total = storedLeaves.length;
  const chunks = Math.ceil(total / CHUNK);
  const file = path.resolve("bench/audit-worker.ts");
  const startUp = performance.now();
  const threads = Array.from({ length: workers }, (_, worker) => {
    const plan: WorkerPlan = { worker, workers, chunkSize: CHUNK, total };
    // Workers do not inherit tsx's loader: register it for CommonJS first, then load the worker.
    return new Worker(`require("tsx/cjs"); require(${JSON.stringify(file)});`, { eval: true, workerData: plan });
  });
  try {
    await Promise.all(
      threads.map(
        (thread) =>
          new Promise<void>((resolve, reject) => {
            thread.once("message", () => resolve());
            thread.once("error", reject);
          }),
      ),
    );
    const startUpSeconds = (performance.now() - startUp) / 1000;
    const started = performance.now();
    const frontier = new Frontier();
    let mismatches = 0;
    await new Promise<void>((resolve, reject) => {
      const arrived = new Map<number, Buffer>();
      let next = 0;
      const fold = ({ chunk, hashes }: ChunkMessage) => {
        arrived.set(chunk, Buffer.from(hashes.buffer, hashes.byteOffset, hashes.byteLength));
        for (let ready = arrived.get(next); ready; ready = arrived.get(next)) {
          arrived.delete(next);
          for (let at = 0, i = next * CHUNK; at < ready.length; at += 32, i++) {
            const digest = ready.toString("latin1", at, at + 32);
            if (digest !== storedLeaves[i]) mismatches++;
            frontier.appendDigest(digest);
          }
          next++;
        }
        if (next === chunks) resolve();
      };
      for (const thread of threads) {
        thread.on("message", fold);
        thread.once("error", reject);
        thread.once("exit", (code) => {
          if (code !== 0) reject(new Error(`a bench worker exited with code ${code}`));
        });
        thread.postMessage("go");
      }
    });
    const ok = frontier.size === total && mismatches === 0 && frontier.rootDigest() === expectedRoot;
    return { seconds: (performance.now() - started) / 1000, startUpSeconds, ok };
  } finally {
    await Promise.all(threads.map((thread) => thread.terminate()));
  }
}

/** Seconds for fn over every index, and what it returned last, so the work cannot be optimized away. */
function timed<T>(count: number, fn: (i: number) => T): { seconds: number; last: T | undefined } {
  let last: T | undefined;
  const started = performance.now();
  for (let i = 0; i < count; i++) last = fn(i);
  return { seconds: (performance.now() - started) / 1000, last };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

type Owners = Awaited<ReturnType<typeof seedOwners>>;

/** 1. Audited writes with and without the sequencer. */
async function writesPhase(db: Db, vault: ReturnType<typeof buildVault>["vault"], owners: Owners, sequencer: Sequencer) {
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
}

/**
 * 2. The pure verification path over synthetic events, built before any clock starts. The "stored"
 * side is what the database would hand over: each leaf's hash and the signed root.
 */
async function purePhase() {
  const canonical = await canonicalizer();
  const generated = performance.now();
  const events = Array.from({ length: flags.events }, (_, i) => syntheticEvent(i));
  const genSeconds = (performance.now() - generated) / 1000;
  const storedLeaves = events.map((event) => toDigest(entryLeafHash(canonical, event)));
  const reference = new Frontier();
  for (const leaf of storedLeaves) reference.appendDigest(leaf);
  const expectedRoot = reference.rootDigest();

  // Timed: for every event canonical JSON + leaf hash + compare with its stored hash + append to the
  // tree, then the root compared with the signed one. Three passes; the median is the figure.
  const passes: number[] = [];
  let ok = true;
  for (let pass = 0; pass < 3; pass++) {
    const started = performance.now();
    const rebuilt = new Frontier();
    let mismatches = 0;
    for (let i = 0; i < events.length; i++) {
      const digest = entryLeafDigest(canonical, events[i] as EntryEvent);
      if (digest !== storedLeaves[i]) mismatches++;
      rebuilt.appendDigest(digest);
    }
    ok &&= mismatches === 0 && rebuilt.rootDigest() === expectedRoot;
    passes.push((performance.now() - started) / 1000);
  }
  const pureSeconds = median(passes);
  // The steps alone, over the same events, to show where the time goes.
  const jcs = timed(events.length, (i) => canonicalEntry(events[i] as EntryEvent));
  const leafOnly = timed(events.length, (i) => entryLeafDigest(canonical, events[i] as EntryEvent));
  const tree = timed(1, () => {
    const fromLeaves = new Frontier();
    for (const leaf of storedLeaves) fromLeaves.appendDigest(leaf);
    return fromLeaves.rootDigest() === expectedRoot;
  });
  const perEvent = (seconds: number) => `${fmt((seconds / events.length) * 1e6, 2)} µs/event`;
  console.log(
    `Verification, pure path (in memory): ${fmt(flags.events)} synthetic events, generated before timing (${fmt(genSeconds, 1)} s, not counted)`,
  );
  console.log(
    `  timed per event: canonical JSON (RFC 8785) + leaf hash SHA-256(0x00 ‖ JCS) + compare with the stored hash + tree append; then root compare`,
  );
  console.log(
    `  one thread: ${fmt(pureSeconds, 2)} s = ${fmt(flags.events / pureSeconds)} events/s, median of 3 passes (${passes.map((p) => fmt(flags.events / p)).join(", ")})  (goal ≥ 200,000; root ${ok ? "matches" : "MISMATCH"})`,
  );
  console.log(
    `  steps alone: canonical JSON ${perEvent(jcs.seconds)} (${jcs.last === undefined ? "SLOW PATH" : "fast path"}), canonical JSON + leaf hash ${perEvent(leafOnly.seconds)}, tree rebuild + root check ${perEvent(tree.seconds)} = ${fmt(flags.events / tree.seconds)} leaves/s (root ${tree.last ? "matches" : "MISMATCH"})`,
  );
  events.length = 0;

  const cores = os.cpus().length;
  const parallel = await verifyInWorkers(storedLeaves, expectedRoot, cores);
  console.log(
    `  leaf hashing in ${cores} worker threads, pipelined with the tree in the main thread: ${fmt(parallel.seconds, 2)} s = ${fmt(flags.events / parallel.seconds)} events/s (root ${parallel.ok ? "matches" : "MISMATCH"}; worker start-up and event generation, ${fmt(parallel.startUpSeconds, 1)} s, not counted)\n`,
  );
  storedLeaves.length = 0;
}

/**
 * 3. Database-backed: sequence --db-events events, then verify the whole log from the database, the
 * way `audit:verify` does (and, for comparison, reading json_agg pages as on PGlite).
 */
async function databasePhase(db: Db, owners: Owners, sequencer: Sequencer, anchorDir: string, label: string) {
  const chunk = 5000;
  const insertStart = performance.now();
  const insertBar = progress("  inserting");
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
    await insertEventRows(db, rows);
    insertBar.update(i + rows.length, flags["db-events"]);
  }
  insertBar.clear();
  const insertSeconds = (performance.now() - insertStart) / 1000;
  const seqStart = performance.now();
  const drained = await sequencer.runUntilIdle({ forceCheckpoint: true });
  const seqSeconds = (performance.now() - seqStart) / 1000;
  const verifyDb = async (postgresRead?: "json", archiveDir?: string) => {
    const bar = progress("  verifying");
    const report = await verifyLog(db, {
      publicKey: (await sequencer.signer()).publicKey,
      origin: ORIGIN,
      anchorFile: path.join(anchorDir, "anchors.jsonl"),
      onProgress: bar.update,
      postgresRead,
      archiveDir,
    });
    bar.clear();
    return report;
  };
  // What autovacuum does to a log soon after it is written (visibility and hint bits set, statistics
  // taken), so the timed pass measures reading a log, not the first read of freshly written pages.
  const vacuumStart = performance.now();
  await db.execute(sql`vacuum (analyze) audit_event_rows, audit_contexts, audit_subjects, audit_leaves`);
  const vacuumSeconds = (performance.now() - vacuumStart) / 1000;
  const report = await verifyDb();
  console.log(`Database-backed (${label}): ${fmt(flags["db-events"])} events inserted in ${fmt(insertSeconds, 1)} s`);
  console.log(`  vacuum (analyze) of the audit tables before verifying, as autovacuum would: ${fmt(vacuumSeconds, 1)} s (not counted)`);
  console.log(
    `  sequencing backlog: ${fmt(drained.sequenced)} leaves in ${fmt(seqSeconds, 2)} s = ${fmt(drained.sequenced / seqSeconds)} leaves/s`,
  );
  console.log(
    `  audit:verify over the whole log (${fmt(report.treeSize)} leaves, ${report.checkpoints} checkpoints, anchors read back): ${fmt(report.seconds, 2)} s = ${fmt(report.treeSize / report.seconds)} events/s  (goal ≥ 200,000 events/s on PostgreSQL; ${report.ok ? "OK" : `FAILED: ${report.first?.message ?? ""}`}; ${fmt(report.recanonicalized)} events canonicalized in full)`,
  );
  if (label.startsWith("PostgreSQL")) {
    const json = await verifyDb("json");
    console.log(
      `  the same, reading json_agg pages (the PGlite way) instead of packed pages: ${fmt(json.seconds, 2)} s = ${fmt(json.treeSize / json.seconds)} events/s (${json.ok ? "OK" : "FAILED"})`,
    );
  }
  await db.execute(sql`vacuum (analyze) audit_event_rows, audit_contexts, audit_subjects, audit_leaves, audit_nodes`);
  await printStorage(db, report.treeSize);
  await printBookkeeping(db, () => sequencer.signer());
  await printArchiveRoundTrip(db, report.treeSize, (dir) => verifyDb(undefined, dir));
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
      sinks: [new FileAnchorSink(path.join(anchorDir, "anchors.jsonl"))],
    });
    await sequencer.signer();
    await writesPhase(db, vault, owners, sequencer);
    // The database pass before the pure one, whose million in-memory events would leave this process a
    // heap that a fresh `audit:verify` does not have.
    await databasePhase(db, owners, sequencer, anchorDir, label);
    await purePhase();
    console.log(`\nPeak RSS ${fmt(peakRssMb())} MB`);
  } finally {
    await database.close();
    await drop();
    fs.rmSync(anchorDir, { recursive: true, force: true });
  }
}

void main();

// Truncation, rollback and a full wipe caught against each kind of external anchor on its own: the
// chain (anvil, started here), an HTTP witness and the anchor file. The attacker edits what the
// database holds and, where it is local, the anchor file too; the anchor under test is out of reach.
import fs from "node:fs";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startLocalChain, type LocalChain } from "@/test/anvil";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { startWitness, type TestWitness } from "@/test/witness";
import { FileAnchorReader, HttpWitnessReader, HttpWitnessSink, type AnchorReader, type AnchorSink } from "./anchors";
import { ORIGIN, appendEvents, auditFixture, chainAnchor } from "@/test/audit-fixtures";
import { verifyLog, type VerifyReport } from "./verify";

let database: TestDatabase;
let chain: LocalChain;
let witness: TestWitness;

beforeAll(async () => {
  [database, chain] = await Promise.all([openTestDatabase(), startLocalChain()]);
});
afterAll(async () => {
  await Promise.all([database.close(), chain.stop()]);
});

interface World {
  fixture: Awaited<ReturnType<typeof auditFixture>>;
  sinks: AnchorSink[];
  publicKey: Buffer;
  readers: Record<"chain" | "witness" | "file", AnchorReader>;
}
let world: World;

// 20 events in checkpoints of 8, 16 and 20 leaves, each anchored to the chain, the witness and the file.
beforeEach(async () => {
  const { db } = database;
  await db.execute(
    sql`truncate audit_anchors, audit_checkpoints, audit_leaves, audit_nodes, audit_event_rows, audit_contexts, audit_subjects, audit_log, system_keys, data_keys cascade`,
  );
  await witness?.close();
  witness = await startWitness();
  const fixture = await auditFixture(db);
  const anchor = await chainAnchor(db, fixture.dataKeys, chain, { confirmations: 1 });
  const sinks = [fixture.fileSink, new HttpWitnessSink(witness.url), anchor.sink];
  const sequencer = fixture.makeSequencer({ sinks });
  const recent = Date.now() - 60_000;
  for (const [from, count] of [
    [0, 8],
    [8, 8],
    [16, 4],
  ] as const) {
    await appendEvents(db, count, from, { occurredAt: new Date(recent + from * 1000) });
    await sequencer.tick({ forceCheckpoint: true });
  }
  await sequencer.anchorPending();
  world = {
    fixture,
    sinks,
    publicKey: (await sequencer.signer()).publicKey,
    readers: { chain: anchor.reader, witness: new HttpWitnessReader(witness.url), file: new FileAnchorReader(fixture.anchorFile) },
  };
});

const verifyAgainst = (kind: keyof World["readers"], publicKey = world.publicKey) =>
  verifyLog(database.db, { publicKey, origin: ORIGIN, anchors: [world.readers[kind]] });
const firstProblem = (report: VerifyReport) => ({ ok: report.ok, kind: report.first?.kind, leafIndex: report.first?.leafIndex });

/** The database as it was after `size` leaves: later leaves, events, nodes, checkpoints and anchor rows gone. */
async function cutTo(size: number) {
  const { db } = database;
  await db.execute(sql`delete from audit_anchors where tree_size > ${size}`);
  await db.execute(sql`delete from audit_checkpoints where tree_size > ${size}`);
  await db.execute(sql`delete from audit_nodes where (idx + 1) * (1::bigint << level) > ${size}`);
  await db.execute(sql`delete from audit_events where id in (select event_id from audit_leaves where leaf_index >= ${size})`);
  await db.execute(sql`delete from audit_leaves where leaf_index >= ${size}`);
}

/** The local anchor file made to agree with a database cut to `size` (what an attacker with the disk does). */
function cutAnchorFile(size: number) {
  const file = world.fixture.anchorFile;
  const kept = fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line && (JSON.parse(line) as { tree_size: number }).tree_size <= size);
  fs.writeFileSync(file, kept.map((l) => `${l}\n`).join(""));
}

describe.each(["chain", "witness", "file"] as const)("against the %s anchor", (kind) => {
  it("passes the untouched log", async () => {
    const report = await verifyAgainst(kind);
    expect(report).toMatchObject({ ok: true, treeSize: 20 });
    expect(report.anchored[0]).toMatchObject({ sink: kind, largest: 20 });
  });

  it("catches the tail cut with its checkpoints, anchor rows and (unless it is the anchor) the anchor file", async () => {
    await cutTo(12);
    if (kind !== "file") cutAnchorFile(12);
    const report = await verifyAgainst(kind);
    expect(firstProblem(report)).toEqual({ ok: false, kind: "truncated", leafIndex: 12 });
    expect(report.first?.message).toContain("size 20 anchored in");
  });

  it("catches a rollback: the database restored to 16 leaves and continued with other events", async () => {
    await cutTo(16);
    if (kind !== "file") cutAnchorFile(16);
    // The app goes on after the restore: four new events, signed as size 20 again and handed to every
    // anchor (the witness refuses it: it already holds another size 20).
    await appendEvents(database.db, 4, 40, { occurredAt: new Date() });
    await world.fixture.makeSequencer({ sinks: world.sinks }).tick({ forceCheckpoint: true });
    const report = await verifyAgainst(kind);
    expect(firstProblem(report)).toEqual({ ok: false, kind: "rolled back", leafIndex: 16 });
    expect(report.first?.message).toContain("among leaves 16..19");
  });

  it("catches a full wipe of the database (and of the anchor file, unless it is the anchor)", async () => {
    await database.db.execute(
      sql`truncate audit_anchors, audit_checkpoints, audit_leaves, audit_nodes, audit_event_rows, audit_contexts, audit_subjects, audit_log, system_keys cascade`,
    );
    if (kind !== "file") fs.rmSync(world.fixture.anchorFile);
    const report = await verifyAgainst(kind);
    expect(firstProblem(report)).toEqual({ ok: false, kind: "truncated", leafIndex: 0 });
    expect(report.first?.message).toContain("wiped");
  });
});

// audit:verify against each way a database can be tampered with: every kind is named with the first bad
// leaf index, the way an operator reading the report needs it.
import fs from "node:fs";
import { generateKeyPairSync } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { auditCheckpoints, auditEvents, auditLeaves } from "@/lib/db/schema";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { canonicalizer, entryLeafHash } from "./entry";
import { insertEventRows } from "./event-json";
import { toAuditRow } from "./events";
import { formatCheckpoint, parseCheckpoint, rawPublicKey, signNote } from "./note";
import { ORIGIN, appendEvents, auditFixture, sampleEvent, seedThreeCheckpoints } from "@/test/audit-fixtures";
import { verifyLog, type VerifyReport } from "./verify";

let database: TestDatabase;
let fixture: Awaited<ReturnType<typeof auditFixture>>;
let publicKey: Buffer;

beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await database.close();
});

// 20 events in three signed checkpoints (sizes 8, 16, 20), each anchored to the file.
beforeEach(async () => {
  ({ fixture, publicKey } = await seedThreeCheckpoints(database.db));
});

const verify = () => verifyLog(database.db, { publicKey, origin: ORIGIN, anchorFile: fixture.anchorFile });
const eventAt = async (leafIndex: number) => {
  const [leaf] = await database.db.select().from(auditLeaves).where(eq(auditLeaves.leafIndex, leafIndex));
  if (!leaf) throw new Error(`no leaf ${leafIndex}`);
  return leaf.eventId;
};
const firstProblem = (report: VerifyReport) => ({ ok: report.ok, kind: report.first?.kind, leafIndex: report.first?.leafIndex });

/** Rewrites the stored leaf hash of `leafIndex` to match its (edited) event, as an attacker covering tracks would. */
async function recomputeLeafHash(leafIndex: number) {
  const canonical = await canonicalizer();
  const [event] = await database.db
    .select()
    .from(auditEvents)
    .where(eq(auditEvents.id, await eventAt(leafIndex)));
  if (!event) throw new Error("no event");
  await database.db
    .update(auditLeaves)
    .set({ leafHash: entryLeafHash(canonical, event) })
    .where(eq(auditLeaves.leafIndex, leafIndex));
}

/** Swaps two leaf rows whole (event and stored hash move together). */
async function swapLeafRows(a: number, b: number) {
  await database.db.execute(sql`update audit_leaves set leaf_index = -1 where leaf_index = ${a}`);
  await database.db.execute(sql`update audit_leaves set leaf_index = ${a} where leaf_index = ${b}`);
  await database.db.execute(sql`update audit_leaves set leaf_index = ${b} where leaf_index = -1`);
}

describe("audit:verify", () => {
  it("passes an untouched log, checkpoints and anchors", async () => {
    const report = await verify();
    expect(report).toMatchObject({ ok: true, treeSize: 20, checkpoints: 3, anchors: 3, problems: [] });
    expect(report.anchored).toEqual([expect.objectContaining({ sink: "file", checkpoints: 3, largest: 20 })]);
  });

  describe("altered", () => {
    it("names the leaf of one changed field", async () => {
      await database.db.execute(sql`update audit_events set target = 'ext.something_else' where id = ${await eventAt(5)}`);
      expect(firstProblem(await verify())).toEqual({ ok: false, kind: "altered", leafIndex: 5 });
    });

    it("names the exact leaf when its stored hash was recomputed to match the edit", async () => {
      await database.db.execute(sql`update audit_events set outcome = 'failure' where id = ${await eventAt(12)}`);
      await recomputeLeafHash(12);
      const report = await verify();
      expect(firstProblem(report)).toEqual({ ok: false, kind: "altered", leafIndex: 12 });
      expect(report.first?.message).toContain("size 16");
    });

    it("names the last leaf of an odd-sized checkpoint when its hash was recomputed", async () => {
      await appendEvents(database.db, 1, 20, { occurredAt: new Date() });
      await fixture.sequencer.tick({ forceCheckpoint: true });
      await database.db.execute(sql`update audit_events set action = 'secret.read' where id = ${await eventAt(20)}`);
      await recomputeLeafHash(20);
      expect(firstProblem(await verify())).toEqual({ ok: false, kind: "altered", leafIndex: 20 });
    });
  });

  describe("missing", () => {
    it("names a deleted event", async () => {
      await database.db.execute(sql`delete from audit_events where id = ${await eventAt(7)}`);
      expect(firstProblem(await verify())).toEqual({ ok: false, kind: "missing", leafIndex: 7 });
    });

    it("names a removed leaf row", async () => {
      await database.db.execute(sql`delete from audit_leaves where leaf_index = 11`);
      expect(firstProblem(await verify())).toEqual({ ok: false, kind: "missing", leafIndex: 11 });
    });
  });

  describe("reordered", () => {
    it("names two events swapped between their leaves", async () => {
      const [a, b] = [await eventAt(3), await eventAt(4)];
      await database.db.execute(sql`update audit_leaves set event_id = -1 where leaf_index = 3`);
      await database.db.execute(sql`update audit_leaves set event_id = ${a} where leaf_index = 4`);
      await database.db.execute(sql`update audit_leaves set event_id = ${b} where leaf_index = 3`);
      expect(firstProblem(await verify())).toEqual({ ok: false, kind: "reordered", leafIndex: 3 });
    });

    it("names neighbouring leaf rows swapped whole (hashes moved with them)", async () => {
      await swapLeafRows(12, 13);
      expect(firstProblem(await verify())).toEqual({ ok: false, kind: "reordered", leafIndex: 12 });
    });

    it("names distant leaf rows swapped whole, not 'altered'", async () => {
      await swapLeafRows(3, 9);
      const report = await verify();
      expect(firstProblem(report)).toEqual({ ok: false, kind: "reordered", leafIndex: 3 });
      expect(report.first?.message).toContain("leaf 9");
    });
  });

  describe("inserted", () => {
    it("names a back-dated event row written with the next id and no leaf", async () => {
      await insertEventRows(database.db, [toAuditRow(sampleEvent(50, { occurredAt: new Date(Date.now() - 3600_000) }))]);
      expect(firstProblem(await verify())).toEqual({ ok: false, kind: "inserted", leafIndex: 20 });
    });

    it("names a back-dated event once the sequencer has logged it", async () => {
      await insertEventRows(database.db, [toAuditRow(sampleEvent(50, { occurredAt: new Date(Date.now() - 3600_000) }))]);
      await fixture.sequencer.tick({ forceCheckpoint: true });
      expect(firstProblem(await verify())).toEqual({ ok: false, kind: "inserted", leafIndex: 20 });
    });

    it("names a back-dated event given an old id", async () => {
      const id = (await eventAt(2)) + 1000;
      await insertEventRows(database.db, [{ ...toAuditRow(sampleEvent(50, { occurredAt: new Date(Date.now() - 3600_000) })), id: -id }]);
      expect(firstProblem(await verify())).toEqual({ ok: false, kind: "inserted", leafIndex: 20 });
    });

    it("names a forged event spliced into the middle with the later leaves shifted, not 'altered'", async () => {
      const { db } = database;
      const canonical = await canonicalizer();
      const [forgedId] = await insertEventRows(db, [toAuditRow(sampleEvent(77))]);
      const [forged] = await db
        .select()
        .from(auditEvents)
        .where(eq(auditEvents.id, forgedId ?? 0));
      if (!forged) throw new Error("insert failed");
      await db.execute(sql`update audit_leaves set leaf_index = -(leaf_index + 1) where leaf_index >= 10`);
      await db.execute(sql`update audit_leaves set leaf_index = -leaf_index where leaf_index < 0`);
      await db.insert(auditLeaves).values({ leafIndex: 10, eventId: forged.id, leafHash: entryLeafHash(canonical, forged) });
      expect(firstProblem(await verify())).toEqual({ ok: false, kind: "inserted", leafIndex: 10 });
    });

    it("does not flag a legitimate late commit", async () => {
      const { db } = database;
      const [top] = await appendEvents(db, 1, 30, { occurredAt: new Date() });
      if (!top) throw new Error("no event");
      await db.execute(sql`select setval(pg_get_serial_sequence('audit_event_rows', 'id'), ${top.id + 1})`);
      await appendEvents(db, 1, 31, { occurredAt: new Date() });
      await fixture.sequencer.tick({ forceCheckpoint: true });
      await insertEventRows(db, [{ ...toAuditRow(sampleEvent(32, { occurredAt: new Date() })), id: top.id + 1 }]);
      await fixture.sequencer.tick({ forceCheckpoint: true });
      expect(await verify()).toMatchObject({ ok: true, treeSize: 23 });
    });
  });

  describe("truncated", () => {
    it("names the first removed leaf when the tail is cut under a signed checkpoint", async () => {
      await database.db.execute(sql`delete from audit_events where id in (select event_id from audit_leaves where leaf_index >= 15)`);
      await database.db.execute(sql`delete from audit_leaves where leaf_index >= 15`);
      const report = await verify();
      expect(firstProblem(report)).toEqual({ ok: false, kind: "truncated", leafIndex: 15 });
      expect(report.first?.message).toContain("leaves 15..19 were removed");
    });

    it("names it from the anchor file when the checkpoints and anchor rows were cut too", async () => {
      const { db } = database;
      await db.execute(sql`delete from audit_anchors where tree_size > 8`);
      await db.execute(sql`delete from audit_checkpoints where tree_size > 8`);
      await db.execute(sql`delete from audit_nodes`);
      await db.execute(sql`delete from audit_events where id in (select event_id from audit_leaves where leaf_index >= 8)`);
      await db.execute(sql`delete from audit_leaves where leaf_index >= 8`);
      const report = await verify();
      expect(firstProblem(report)).toEqual({ ok: false, kind: "truncated", leafIndex: 8 });
      expect(report.first?.message).toContain("anchors.jsonl line 3");
    });
  });

  describe("forged checkpoint", () => {
    it("names a checkpoint whose signature was changed", async () => {
      const [checkpoint] = await database.db.select().from(auditCheckpoints).where(eq(auditCheckpoints.treeSize, 16));
      if (!checkpoint) throw new Error("no checkpoint");
      const lines = checkpoint.note.split("\n");
      const sig = lines[lines.length - 2] ?? "";
      const forged = sig.slice(0, -6) + (sig.at(-6) === "A" ? "B" : "A") + sig.slice(-5);
      await database.db
        .update(auditCheckpoints)
        .set({ note: checkpoint.note.replace(sig, forged) })
        .where(eq(auditCheckpoints.treeSize, 16));
      const report = await verify();
      expect(firstProblem(report)).toEqual({ ok: false, kind: "forged checkpoint", leafIndex: 8 });
      expect(report.first?.message).toContain("size 16");
    });

    it("names a checkpoint re-signed by another key over a rewritten root", async () => {
      const [checkpoint] = await database.db.select().from(auditCheckpoints).where(eq(auditCheckpoints.treeSize, 20));
      const body = parseCheckpoint(checkpoint?.note.slice(0, checkpoint.note.indexOf("\n\n") + 1) ?? "");
      if (!body) throw new Error("no checkpoint");
      const { privateKey, publicKey: otherPublic } = generateKeyPairSync("ed25519");
      const rootHash = Buffer.alloc(32, 7);
      const note = signNote(formatCheckpoint({ ...body, rootHash }), ORIGIN, privateKey, rawPublicKey(otherPublic));
      await database.db.update(auditCheckpoints).set({ note, rootHash }).where(eq(auditCheckpoints.treeSize, 20));
      expect(firstProblem(await verify())).toEqual({ ok: false, kind: "forged checkpoint", leafIndex: 16 });
    });
  });

  describe("anchor mismatch", () => {
    it("names an anchor file line whose root was edited", async () => {
      const text = fs.readFileSync(fixture.anchorFile, "utf8").split("\n");
      const record = JSON.parse(text[1] ?? "{}") as { root_hash: string };
      record.root_hash = record.root_hash.replace(/^./, (c) => (c === "0" ? "1" : "0"));
      text[1] = JSON.stringify(record);
      fs.writeFileSync(fixture.anchorFile, text.join("\n"));
      const report = await verify();
      expect(firstProblem(report)).toEqual({ ok: false, kind: "anchor mismatch", leafIndex: 8 });
      expect(report.first?.message).toContain("anchors.jsonl line 2");
    });

    it("names a confirmed anchor the anchor file no longer holds", async () => {
      const text = fs.readFileSync(fixture.anchorFile, "utf8").split("\n");
      fs.writeFileSync(fixture.anchorFile, [text[0], text[2], ""].join("\n"));
      const report = await verify();
      expect(firstProblem(report)).toEqual({ ok: false, kind: "anchor mismatch", leafIndex: 8 });
      expect(report.first?.message).toContain("size 16");
    });
  });
});

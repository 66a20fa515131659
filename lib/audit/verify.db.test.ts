import fs from "node:fs";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { auditCheckpoints, auditEvents, auditLeaves } from "@/lib/db/schema";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { canonicalizer, entryLeafHash } from "./entry";
import { toAuditRow } from "./events";
import { ORIGIN, appendEvents, auditFixture, sampleEvent, seedThreeCheckpoints } from "./test-helpers";
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

describe("audit:verify", () => {
  it("passes an untouched log, checkpoints and anchors", async () => {
    const report = await verify();
    expect(report).toMatchObject({ ok: true, treeSize: 20, checkpoints: 3, anchors: 3, problems: [] });
  });

  it("catches one changed field and names its leaf", async () => {
    await database.db.execute(sql`update audit_events set target = 'ext.something_else' where id = ${await eventAt(5)}`);
    expect(firstProblem(await verify())).toEqual({ ok: false, kind: "altered", leafIndex: 5 });
  });

  it("catches a deleted event and a deleted leaf", async () => {
    await database.db.execute(sql`delete from audit_events where id = ${await eventAt(7)}`);
    expect(firstProblem(await verify())).toEqual({ ok: false, kind: "missing", leafIndex: 7 });
  });

  it("catches a removed leaf row", async () => {
    await database.db.execute(sql`delete from audit_leaves where leaf_index = 11`);
    expect(firstProblem(await verify())).toEqual({ ok: false, kind: "missing", leafIndex: 11 });
  });

  it("catches two events swapped in the log order", async () => {
    const [a, b] = [await eventAt(3), await eventAt(4)];
    await database.db.execute(sql`update audit_leaves set event_id = -1 where leaf_index = 3`);
    await database.db.execute(sql`update audit_leaves set event_id = ${a} where leaf_index = 4`);
    await database.db.execute(sql`update audit_leaves set event_id = ${b} where leaf_index = 3`);
    expect(firstProblem(await verify())).toEqual({ ok: false, kind: "reordered", leafIndex: 3 });
  });

  it("catches two whole leaf rows swapped (hashes moved with them) through the signed tree", async () => {
    await database.db.execute(sql`update audit_leaves set leaf_index = -1 where leaf_index = 12`);
    await database.db.execute(sql`update audit_leaves set leaf_index = 12 where leaf_index = 13`);
    await database.db.execute(sql`update audit_leaves set leaf_index = 13 where leaf_index = -1`);
    expect(firstProblem(await verify())).toEqual({ ok: false, kind: "reordered", leafIndex: 12 });
  });

  it("catches a truncated tail", async () => {
    await database.db.execute(sql`delete from audit_events where id in (select event_id from audit_leaves where leaf_index >= 15)`);
    await database.db.execute(sql`delete from audit_leaves where leaf_index >= 15`);
    expect(firstProblem(await verify())).toEqual({ ok: false, kind: "missing", leafIndex: 15 });
  });

  it("catches a forged, backdated event once the sequencer has logged it", async () => {
    const { db } = database;
    const id = (await eventAt(2)) + 1000;
    await db.insert(auditEvents).values({ ...toAuditRow(sampleEvent(50, { occurredAt: new Date(Date.now() - 3600_000) })), id: -id });
    // Before sequencing it is already flagged as an event missing from the log.
    expect(firstProblem(await verify())).toEqual({ ok: false, kind: "inserted", leafIndex: 20 });
    await fixture.sequencer.tick({ forceCheckpoint: true });
    expect(firstProblem(await verify())).toEqual({ ok: false, kind: "inserted", leafIndex: 20 });
  });

  it("catches a forged event spliced into the middle with the later leaves shifted and rehashed", async () => {
    const { db } = database;
    const canonical = await canonicalizer();
    const [forged] = await db
      .insert(auditEvents)
      .values(toAuditRow(sampleEvent(77)))
      .returning();
    if (!forged) throw new Error("insert failed");
    await db.execute(sql`update audit_leaves set leaf_index = -(leaf_index + 1) where leaf_index >= 10`);
    await db.execute(sql`update audit_leaves set leaf_index = -leaf_index where leaf_index < 0`);
    await db.insert(auditLeaves).values({ leafIndex: 10, eventId: forged.id, leafHash: entryLeafHash(canonical, forged) });
    expect(firstProblem(await verify())).toEqual({ ok: false, kind: "inserted", leafIndex: 10 });
  });

  it("catches a forged checkpoint signature", async () => {
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
    expect(firstProblem(report)).toEqual({ ok: false, kind: "bad signature", leafIndex: 8 });
    expect(report.first?.message).toContain("size 16");
  });

  it("catches an edited anchor file", async () => {
    const text = fs.readFileSync(fixture.anchorFile, "utf8").split("\n");
    const record = JSON.parse(text[1] ?? "{}") as { root_hash: string };
    record.root_hash = record.root_hash.replace(/^./, (c) => (c === "0" ? "1" : "0"));
    text[1] = JSON.stringify(record);
    fs.writeFileSync(fixture.anchorFile, text.join("\n"));
    const report = await verify();
    expect(firstProblem(report)).toEqual({ ok: false, kind: "anchor mismatch", leafIndex: 8 });
  });

  it("does not flag a legitimate late commit", async () => {
    const { db } = database;
    const [top] = await appendEvents(db, 1, 30, { occurredAt: new Date() });
    if (!top) throw new Error("no event");
    await db.execute(sql`select setval(pg_get_serial_sequence('audit_events', 'id'), ${top.id + 1})`);
    await appendEvents(db, 1, 31, { occurredAt: new Date() });
    await fixture.sequencer.tick({ forceCheckpoint: true });
    await db.insert(auditEvents).values({ ...toAuditRow(sampleEvent(32, { occurredAt: new Date() })), id: top.id + 1 });
    await fixture.sequencer.tick({ forceCheckpoint: true });
    expect(await verify()).toMatchObject({ ok: true, treeSize: 23 });
  });
});

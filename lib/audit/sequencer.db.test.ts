import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { asc, eq, sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  auditAnchors,
  auditCheckpoints,
  auditDailyCounts,
  auditEvents,
  auditLeaves,
  auditNodes,
  auditSequencerState,
  systemKeys,
} from "@/lib/db/schema";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { HttpWitnessSink, readAnchorFile } from "./anchors";
import { canonicalizer, entryLeafHash } from "./entry";
import { rootOf, verifyInclusion } from "./merkle";
import { parseCheckpoint, verifyNote } from "./note";
import { loadCheckpointSigner } from "./signing-key";
import { ORIGIN, appendEvents, auditFixture, sampleEvent } from "@/test/audit-fixtures";
import { insertEventRows } from "./event-json";
import { toAuditRow } from "./events";
import { storedInclusionProof } from "./tree-store";
import { dailyAuditActivity } from "./activity";

let database: TestDatabase;

beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await database.close();
});

async function reset() {
  const { db } = database;
  await db.execute(
    sql`truncate audit_anchors, audit_checkpoints, audit_leaves, audit_nodes, audit_event_rows, audit_contexts, audit_subjects, audit_daily_counts, audit_sequencer_state, system_keys, data_keys restart identity cascade`,
  );
}

describe("the sequencer", () => {
  it("gives committed events consecutive leaves and signs a checkpoint whose root matches them", async () => {
    await reset();
    const { db } = database;
    const { sequencer, anchorFile } = await auditFixture(db);
    await appendEvents(db, 37);
    const result = await sequencer.runUntilIdle({ forceCheckpoint: true });
    expect(result).toMatchObject({ leader: true, sequenced: 37, treeSize: 37, checkpoint: 37 });

    const leaves = await db.select().from(auditLeaves).orderBy(asc(auditLeaves.leafIndex));
    expect(leaves.map((l) => l.leafIndex)).toEqual(Array.from({ length: 37 }, (_, i) => i));
    const events = await db.select().from(auditEvents).orderBy(asc(auditEvents.id));
    expect(leaves.map((l) => l.eventId)).toEqual(events.map((e) => e.id));
    const canonical = await canonicalizer();
    const recomputed = events.map((e) => entryLeafHash(canonical, e));
    expect(leaves.map((l) => l.leafHash.toString("hex"))).toEqual(recomputed.map((h) => h.toString("hex")));

    const [checkpoint] = await db.select().from(auditCheckpoints);
    if (!checkpoint) throw new Error("no checkpoint");
    const signer = await sequencer.signer();
    const opened = verifyNote(checkpoint.note, ORIGIN, signer.publicKey);
    expect(opened.ok).toBe(true);
    const body = opened.ok ? parseCheckpoint(opened.text) : null;
    expect(body?.treeSize).toBe(37);
    expect(body?.rootHash.equals(rootOf(recomputed))).toBe(true);

    // Inclusion proofs from the stored tree verify against the signed root.
    for (const index of [0, 17, 36]) {
      const proof = await storedInclusionProof(db, index, 37);
      expect(verifyInclusion(index, 37, recomputed[index] as Buffer, proof, checkpoint.rootHash)).toBe(true);
    }

    // The file anchor holds the same checkpoint, and its record is confirmed with the line's offset.
    const lines = await readAnchorFile(anchorFile);
    expect(lines.map((l) => l.record?.tree_size)).toEqual([37]);
    expect(lines[0]?.record?.root_hash).toBe(checkpoint.rootHash.toString("hex"));
    const [anchor] = await db.select().from(auditAnchors);
    expect(anchor).toMatchObject({ treeSize: 37, sink: "file", status: "confirmed", reference: "anchors.jsonl@0" });
  });

  it("appends later events to the same tree across sequencer restarts, checkpointing only after the interval", async () => {
    await reset();
    const { db } = database;
    const { makeSequencer } = await auditFixture(db, { checkpointIntervalMs: 60_000 });
    const first = makeSequencer();
    await appendEvents(db, 5);
    await first.tick();
    await appendEvents(db, 6, 5);
    const t0 = new Date();
    // A fresh process resumes from the stored frontier.
    const second = makeSequencer();
    expect(await second.tick({ now: t0 })).toMatchObject({ sequenced: 6, treeSize: 11, checkpoint: null });
    await appendEvents(db, 1, 11);
    expect(await second.tick({ now: new Date(t0.getTime() + 61_000) })).toMatchObject({ sequenced: 1, treeSize: 12, checkpoint: 12 });
    const canonical = await canonicalizer();
    const events = await db.select().from(auditEvents).orderBy(asc(auditEvents.id));
    const [checkpoint] = await db.select().from(auditCheckpoints).where(eq(auditCheckpoints.treeSize, 12));
    expect(checkpoint?.rootHash.equals(rootOf(events.map((e) => entryLeafHash(canonical, e))))).toBe(true);
  });

  it("sequences a late commit (an id below ones already sequenced) instead of skipping it", async () => {
    await reset();
    const { db } = database;
    const { sequencer, makeSequencer } = await auditFixture(db);
    const [a] = await appendEvents(db, 1);
    if (!a) throw new Error("no event");
    // Ids a+1 (taken by a transaction still open) and a+2 (committed): only a+2 is visible yet.
    await db.execute(sql`select setval(pg_get_serial_sequence('audit_event_rows', 'id'), ${a.id + 1})`);
    await appendEvents(db, 1, 1);
    await sequencer.tick();
    expect((await db.select().from(auditLeaves)).map((l) => l.eventId).sort()).toEqual([a.id, a.id + 2]);
    // The slow transaction commits now.
    await insertEventRows(db, [{ ...(await lateRow()), id: a.id + 1 }]);
    await sequencer.tick();
    const leaves = await db.select().from(auditLeaves).orderBy(asc(auditLeaves.leafIndex));
    expect(leaves.map((l) => l.eventId)).toEqual([a.id, a.id + 2, a.id + 1]);

    // Past the gap window, the periodic sweep still finds one that commits very late.
    await db.execute(sql`select setval(pg_get_serial_sequence('audit_event_rows', 'id'), ${a.id + 10})`);
    await appendEvents(db, 1, 3);
    const sweeper = makeSequencer({ gapWindowMs: 60_000, sweepIntervalMs: 30_000 });
    const start = Date.now();
    await sweeper.tick({ now: new Date(start) });
    await insertEventRows(db, [{ ...(await lateRow()), id: a.id + 5 }]);
    await sweeper.tick({ now: new Date(start + 60_001) });
    const ids = (await db.select().from(auditLeaves).orderBy(asc(auditLeaves.leafIndex))).map((l) => l.eventId);
    expect(ids.slice(-2)).toEqual([a.id + 11, a.id + 5]);
  });

  it("counts each sequenced event once, by UTC day, extension and outcome, a late commit too", async () => {
    await reset();
    const { db } = database;
    const { makeSequencer } = await auditFixture(db, { batchSize: 2, gapWindowMs: 1000, sweepIntervalMs: 60_000 });
    const sequencer = makeSequencer();
    const day1 = new Date("2026-11-29T23:59:59Z");
    const day2 = new Date("2026-11-30T00:00:00Z");
    const extensionId = "0d6e1f36-6a0b-4b6f-9a55-8f0b3c1a2d44";
    await appendEvents(db, 3, 0, { occurredAt: day1 });
    await appendEvents(db, 2, 3, { occurredAt: day2, outcome: "failure" });
    const [last] = await appendEvents(db, 1, 5, { occurredAt: day2, extensionId });
    if (!last) throw new Error("no event");
    // Id last+1 is taken by a transaction that commits only after the gap window: the sweep finds it.
    await db.execute(sql`select setval(pg_get_serial_sequence('audit_event_rows', 'id'), ${last.id + 1})`);
    await appendEvents(db, 1, 6, { occurredAt: day2 });
    const t0 = Date.UTC(2026, 10, 30, 12);
    while ((await sequencer.tick({ now: new Date(t0) })).sequenced > 0);
    await insertEventRows(db, [{ ...toAuditRow(sampleEvent(7, { occurredAt: day1, outcome: "denied" })), id: last.id + 1 }]);
    await sequencer.tick({ now: new Date(t0 + 5000) }); // past the gap window, before the next sweep
    expect(await db.select().from(auditLeaves)).toHaveLength(7);
    await sequencer.tick({ now: new Date(t0 + 61_000) });
    expect(await sequencer.tick({ now: new Date(t0 + 121_000) })).toMatchObject({ sequenced: 0, treeSize: 8 });

    const counts = await db
      .select({
        day: auditDailyCounts.day,
        extensionId: auditDailyCounts.extensionId,
        outcome: auditDailyCounts.outcome,
        events: auditDailyCounts.events,
      })
      .from(auditDailyCounts)
      .orderBy(auditDailyCounts.day, auditDailyCounts.outcome, auditDailyCounts.extensionId);
    expect(counts).toEqual([
      { day: "2026-11-29", extensionId: null, outcome: "denied", events: 1 },
      { day: "2026-11-29", extensionId: null, outcome: "success", events: 3 },
      { day: "2026-11-30", extensionId: null, outcome: "failure", events: 2 },
      { day: "2026-11-30", extensionId, outcome: "success", events: 1 },
      { day: "2026-11-30", extensionId: null, outcome: "success", events: 1 },
    ]);
    // The overview reads these counts, and an event not sequenced yet shows at once.
    await appendEvents(db, 1, 8, { occurredAt: day2, outcome: "denied" });
    const days = await dailyAuditActivity(db, { kind: "all" }, { days: 2, now: day2 });
    expect(days).toEqual([
      { day: "2026-11-29", success: 3, failure: 0, denied: 1 },
      { day: "2026-11-30", success: 2, failure: 2, denied: 1 },
    ]);
  });

  it("sweeps only above its mark, moving the mark past an id that never commits once no transaction can hold it", async () => {
    await reset();
    const { db } = database;
    const { makeSequencer } = await auditFixture(db);
    const sequencer = makeSequencer({ gapWindowMs: 1000, sweepIntervalMs: 60_000 });
    const sweptTo = async () => (await db.select().from(auditSequencerState))[0]?.sweptTo ?? 0;
    const [a] = await appendEvents(db, 1);
    if (!a) throw new Error("no event");
    // Id a+1 was handed out to a transaction that rolled back: it never commits.
    await db.execute(sql`select setval(pg_get_serial_sequence('audit_event_rows', 'id'), ${a.id + 1})`);
    await appendEvents(db, 1, 1);
    const t0 = Date.UTC(2026, 10, 30, 12);
    await sequencer.tick({ now: new Date(t0) });
    expect(await sweptTo()).toBe(a.id); // held below the missing id: its transaction may still be running
    await sequencer.tick({ now: new Date(t0 + 30_000) });
    expect(await sweptTo()).toBe(a.id); // no sweep between two sweep intervals
    await sequencer.tick({ now: new Date(t0 + 60_000) });
    expect(await sweptTo()).toBe(a.id + 2); // no transaction writing events at the first sweep is still running

    // Below the mark nothing is read again: an event written there now (as no transaction can) stays
    // unsequenced, while one above the mark is found by the next sweep.
    await insertEventRows(db, [{ ...toAuditRow(sampleEvent(5)), id: a.id + 1 }]);
    await db.execute(sql`select setval(pg_get_serial_sequence('audit_event_rows', 'id'), ${a.id + 3})`);
    await appendEvents(db, 1, 2);
    await sequencer.tick({ now: new Date(t0 + 61_000) });
    await insertEventRows(db, [{ ...toAuditRow(sampleEvent(6)), id: a.id + 3 }]);
    await sequencer.tick({ now: new Date(t0 + 63_000) });
    await sequencer.tick({ now: new Date(t0 + 120_000) });
    const ids = (await db.select().from(auditLeaves).orderBy(asc(auditLeaves.leafIndex))).map((l) => l.eventId);
    expect(ids).toEqual([a.id, a.id + 2, a.id + 4, a.id + 3]);
  });

  it.skipIf(process.env.TEST_DB_DRIVER !== "postgres")(
    "keeps the mark below an id whose transaction is still open, and sequences its event when it commits",
    async () => {
      await reset();
      const { db, url } = database;
      const { makeSequencer } = await auditFixture(db);
      const sequencer = makeSequencer({ gapWindowMs: 1000, sweepIntervalMs: 60_000 });
      const other = postgres(url ?? "", { max: 1, onnotice: () => {} });
      try {
        const slow = await other.reserve();
        await slow`begin`;
        const [open] = await slow<{ id: string }[]>`
          insert into audit_events (actor_kind, actor_id, action, target, source_kind, outcome)
          values ('user', 'user-slow', 'secret.set', 'ext.slow', 'ui', 'success') returning id::text`;
        const slowId = Number(open?.id);
        await appendEvents(db, 2, 1);
        const t0 = Date.UTC(2026, 10, 30, 12);
        for (let sweep = 0; sweep < 4; sweep++) await sequencer.tick({ now: new Date(t0 + sweep * 60_000) });
        expect((await db.select().from(auditSequencerState))[0]?.sweptTo ?? 0).toBe(slowId - 1);
        await slow`commit`;
        slow.release();
        await sequencer.tick({ now: new Date(t0 + 240_000) });
        const ids = (await db.select().from(auditLeaves).orderBy(asc(auditLeaves.leafIndex))).map((l) => l.eventId);
        expect(ids).toEqual([slowId + 1, slowId + 2, slowId]);
      } finally {
        await other.end({ timeout: 0 });
      }
    },
  );

  it("stores the nodes under each complete 16-leaf subtree in its level-4 row, and every proof still verifies", async () => {
    await reset();
    const { db } = database;
    const { makeSequencer } = await auditFixture(db, { batchSize: 5 });
    const sequencer = makeSequencer();
    await appendEvents(db, 37);
    // Batches of 5 leaves: subtrees complete in a batch other than the one that started them.
    expect(await sequencer.runUntilIdle({ forceCheckpoint: true })).toMatchObject({ treeSize: 37, checkpoint: 37 });
    const rows = await db.select().from(auditNodes).orderBy(asc(auditNodes.level), asc(auditNodes.idx));
    // Subtrees [0, 16) and [16, 32) packed; [32, 37)'s two level-1 nodes and one level-2 node have rows.
    expect(rows.filter((r) => r.level < 4).map((r) => `${r.level}:${r.idx}`)).toEqual(["1:16", "1:17", "2:8"]);
    expect(rows.filter((r) => r.level === 4).map((r) => [r.idx, r.below?.length])).toEqual([
      [0, 14 * 32],
      [1, 14 * 32],
    ]);
    const canonical = await canonicalizer();
    const events = await db.select().from(auditEvents).orderBy(asc(auditEvents.id));
    const hashes = events.map((e) => entryLeafHash(canonical, e));
    const root = rootOf(hashes);
    for (let index = 0; index < 37; index++) {
      const proof = await storedInclusionProof(db, index, 37);
      expect(verifyInclusion(index, 37, hashes[index] as Buffer, proof, root)).toBe(true);
    }
  });

  it("lets only one of two concurrent sequencers write each leaf, and count each event", async () => {
    await reset();
    const { db } = database;
    const { makeSequencer } = await auditFixture(db, { batchSize: 50 });
    await appendEvents(db, 400);
    const [one, two] = [makeSequencer(), makeSequencer()];
    await Promise.all([one.runUntilIdle(), two.runUntilIdle(), one.runUntilIdle(), two.runUntilIdle()]);
    await one.runUntilIdle();
    const leaves = await db.select().from(auditLeaves).orderBy(asc(auditLeaves.leafIndex));
    expect(leaves).toHaveLength(400);
    expect(new Set(leaves.map((l) => l.eventId)).size).toBe(400);
    expect(leaves.at(-1)?.leafIndex).toBe(399);
    // Each event counted once, whichever sequencer wrote its leaf.
    const counted = await db.select({ events: sql<string>`sum(${auditDailyCounts.events})::text` }).from(auditDailyCounts);
    expect(Number(counted[0]?.events)).toBe(400);
  });

  it("keeps the signing key sealed and reloads the same key", async () => {
    await reset();
    const { db } = database;
    const { sequencer, dataKeys } = await auditFixture(db);
    const signer = await sequencer.signer();
    const again = await loadCheckpointSigner(db, dataKeys, ORIGIN);
    expect(again.publicKey.equals(signer.publicKey)).toBe(true);
    const [row] = await db.select().from(systemKeys).where(eq(systemKeys.purpose, "audit-checkpoint"));
    expect(row?.ciphertext.length).toBeGreaterThan(32);
    expect(signer.verifierKey).toMatch(/^test\.latchkey\.example\/audit\+[0-9a-f]{8}\+[A-Za-z0-9+/]+=*$/);
  });
});

describe("anchors", () => {
  it("posts checkpoints to an HTTP witness, records failures and retries them", async () => {
    await reset();
    const { db } = database;
    const received: { tree_size: number; root_hash: string; note: string }[] = [];
    let healthy = false;
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        if (!healthy) {
          res.writeHead(503).end();
          return;
        }
        received.push(JSON.parse(body) as (typeof received)[number]);
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ reference: `receipt-${received.length}` }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/witness`;
    try {
      const { sequencer, anchorFile } = await auditFixture(db, { extraSinks: [new HttpWitnessSink(url, 2000)] });
      await appendEvents(db, 3);
      await sequencer.tick({ forceCheckpoint: true });
      const failed = await db.select().from(auditAnchors).where(eq(auditAnchors.sink, "witness"));
      expect(failed[0]).toMatchObject({ status: "failed", attempts: 1, lastError: "witness answered 503" });
      // The file sink does not depend on the witness.
      expect((await readAnchorFile(anchorFile)).length).toBe(1);

      // Retried after its backoff (5 s after a first failure), not before.
      healthy = true;
      const failedAt = failed[0]?.updatedAt ?? new Date();
      await sequencer.anchorPending(new Date(failedAt.getTime() + 4000));
      expect(received).toHaveLength(0);
      await sequencer.anchorPending(new Date(failedAt.getTime() + 5000));
      const [confirmed] = await db.select().from(auditAnchors).where(eq(auditAnchors.sink, "witness"));
      expect(confirmed).toMatchObject({ status: "confirmed", attempts: 2, reference: "receipt-1" });
      const [checkpoint] = await db.select().from(auditCheckpoints);
      expect(received[0]?.tree_size).toBe(3);
      expect(received[0]?.root_hash).toBe(checkpoint?.rootHash.toString("hex"));
      expect(received[0]?.note).toBe(checkpoint?.note);
      expect(fs.existsSync(anchorFile)).toBe(true);
    } finally {
      server.close();
    }
  });
});

async function lateRow() {
  const { toAuditRow } = await import("./events");
  const { sampleEvent } = await import("@/test/audit-fixtures");
  return toAuditRow(sampleEvent(99));
}

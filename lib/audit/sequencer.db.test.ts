import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { asc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditAnchors, auditCheckpoints, auditEvents, auditLeaves, systemKeys } from "@/lib/db/schema";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { HttpWitnessSink, readAnchorFile } from "./anchors";
import { canonicalizer, entryLeafHash } from "./entry";
import { rootOf, verifyInclusion } from "./merkle";
import { parseCheckpoint, verifyNote } from "./note";
import { loadCheckpointSigner } from "./signing-key";
import { ORIGIN, appendEvents, auditFixture } from "@/test/audit-fixtures";
import { storedInclusionProof } from "./tree-store";

let database: TestDatabase;

beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await database.close();
});

async function reset() {
  const { db } = database;
  await db.execute(sql`truncate audit_anchors, audit_checkpoints, audit_leaves, audit_nodes, audit_events, system_keys, data_keys cascade`);
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
    await db.execute(sql`select setval(pg_get_serial_sequence('audit_events', 'id'), ${a.id + 1})`);
    await appendEvents(db, 1, 1);
    await sequencer.tick();
    expect((await db.select().from(auditLeaves)).map((l) => l.eventId).sort()).toEqual([a.id, a.id + 2]);
    // The slow transaction commits now.
    await db.insert(auditEvents).values({ ...(await lateRow()), id: a.id + 1 });
    await sequencer.tick();
    const leaves = await db.select().from(auditLeaves).orderBy(asc(auditLeaves.leafIndex));
    expect(leaves.map((l) => l.eventId)).toEqual([a.id, a.id + 2, a.id + 1]);

    // Past the gap window, the periodic sweep still finds one that commits very late.
    await db.execute(sql`select setval(pg_get_serial_sequence('audit_events', 'id'), ${a.id + 10})`);
    await appendEvents(db, 1, 3);
    const sweeper = makeSequencer({ gapWindowMs: 60_000, sweepIntervalMs: 30_000 });
    const start = Date.now();
    await sweeper.tick({ now: new Date(start) });
    await db.insert(auditEvents).values({ ...(await lateRow()), id: a.id + 5 });
    await sweeper.tick({ now: new Date(start + 60_001) });
    const ids = (await db.select().from(auditLeaves).orderBy(asc(auditLeaves.leafIndex))).map((l) => l.eventId);
    expect(ids.slice(-2)).toEqual([a.id + 11, a.id + 5]);
  });

  it("lets only one of two concurrent sequencers write each leaf", async () => {
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

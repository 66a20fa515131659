// The chain anchor end to end against a local EVM chain (anvil, started here): checkpoints published
// through viem, pending until N blocks deep, failed and retried (a replacement transaction when one is
// stuck), one transaction per interval; audit:verify reads the roots back from the chain and catches a
// database rewritten and re-signed with the log's own key.
import fs from "node:fs";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { auditAnchors, auditLeaves } from "@/lib/db/schema";
import { startLocalChain, type LocalChain } from "@/test/anvil";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { FileAnchorReader } from "./anchors";
import { verifyContentHash } from "@/lib/audit/proofs";
import { anchorContractOf, ChainAnchorSink, CHECKPOINT_EVENT } from "./chain";
import { ORIGIN, appendEvents, auditFixture, chainAnchor } from "@/test/audit-fixtures";
import { verifyLog } from "./verify";
import { judge, readPasted, type InclusionAnswer } from "./verify-pasted";

let database: TestDatabase;
let chain: LocalChain;

beforeAll(async () => {
  [database, chain] = await Promise.all([openTestDatabase(), startLocalChain()]);
});
afterAll(async () => {
  await Promise.all([database.close(), chain.stop()]);
});
beforeEach(async () => {
  await database.db.execute(
    sql`truncate audit_anchors, audit_checkpoints, audit_leaves, audit_nodes, audit_event_rows, audit_contexts, audit_subjects, audit_log, system_keys, data_keys cascade`,
  );
  await chain.client.setAutomine(true);
});

const chainRow = async (treeSize: number) => {
  const [row] = await database.db
    .select()
    .from(auditAnchors)
    .where(and(eq(auditAnchors.sink, "chain"), eq(auditAnchors.treeSize, treeSize)));
  return row;
};

/** The Checkpoint events an account put on the chain, decoded by viem. */
async function anchoredOnChain(account: `0x${string}`) {
  const logs = await chain.client.getLogs({
    address: anchorContractOf({}, account),
    event: CHECKPOINT_EVENT,
    fromBlock: 0n,
    toBlock: "latest",
  });
  return logs.map((l) => ({
    treeSize: Number(l.args.treeSize),
    root: l.args.rootHash,
    submitter: l.args.submitter,
    tx: l.transactionHash,
  }));
}

describe("the chain anchor", () => {
  it("anchors a checkpoint, confirms it after N blocks, verifies against the chain, then catches a rewritten database", async () => {
    const { db } = database;
    const fixture = await auditFixture(db);
    const anchor = await chainAnchor(db, fixture.dataKeys, chain);
    const sequencer = fixture.makeSequencer({ sinks: [fixture.fileSink, anchor.sink] });
    await appendEvents(db, 8, 0, { occurredAt: new Date() });
    await sequencer.tick({ forceCheckpoint: true });

    // Sent: pending. Anvil mines it at once, but 1 block deep of the 3 asked for is still pending.
    const sent = await chainRow(8);
    expect(sent).toMatchObject({ status: "pending", attempts: 1, reference: expect.stringMatching(/^0x[0-9a-f]{64}$/) });
    await sequencer.anchorPending();
    const mined = await chainRow(8);
    expect(mined).toMatchObject({ status: "pending", reference: sent?.reference, attempts: 1 });
    expect(mined?.blockNumber).toBeGreaterThan(0);
    await chain.client.mine({ blocks: 2 });
    await sequencer.anchorPending();
    expect(await chainRow(8)).toMatchObject({
      status: "confirmed",
      reference: sent?.reference,
      blockNumber: mined?.blockNumber,
      attempts: 1,
    });

    // What is on chain: this log's origin, size and root, sent by the log's own account.
    const checkpoint = await sequencer.signer();
    const [onChain] = await anchoredOnChain(anchor.account.address);
    expect(onChain).toMatchObject({ treeSize: 8, submitter: anchor.account.address, tx: sent?.reference });

    // What the public /verify page is given for an event, and checks in the browser: included in the
    // signed checkpoint, whose root is in this block and transaction.
    const [leaf] = await db.select().from(auditLeaves).where(eq(auditLeaves.leafIndex, 5));
    const answer = await verifyContentHash(db, leaf?.leafHash.toString("hex") ?? "", { chainId: chain.chainId });
    expect(answer.chain).toMatchObject({
      chain_id: chain.chainId,
      tree_size: 8,
      status: "confirmed",
      transaction: sent?.reference,
      block_number: mined?.blockNumber,
    });
    const pasted = await readPasted(leaf?.leafHash.toString("hex") ?? "");
    if (pasted.kind === "invalid") throw new Error(pasted.message);
    const key = { origin: ORIGIN, public_key: checkpoint.publicKey.toString("base64"), key_id: checkpoint.keyId };
    expect(await judge(pasted, answer as InclusionAnswer, key)).toMatchObject({
      verdict: "included",
      leafIndex: 5,
      treeSize: 8,
      chain: { chainId: chain.chainId, treeSize: 8, status: "confirmed", transaction: sent?.reference, blockNumber: mined?.blockNumber },
    });

    const readers = [anchor.reader, new FileAnchorReader(fixture.anchorFile)];
    const clean = await verifyLog(db, { publicKey: checkpoint.publicKey, origin: ORIGIN, anchors: readers });
    expect(clean).toMatchObject({ ok: true, treeSize: 8, anchors: 2 });
    expect(clean.anchored).toContainEqual(expect.objectContaining({ sink: "chain", checkpoints: 1, largest: 8 }));

    // An insider with the keyring rewrites an event and rebuilds everything the database and the anchor
    // file hold, re-signed with the log's own key: only the chain still has the old root.
    await db.execute(sql`update audit_events set target = 'ext.rewritten' where id = (select min(id) + 3 from audit_events)`);
    await db.execute(sql`truncate audit_anchors, audit_checkpoints, audit_leaves, audit_nodes`);
    fs.rmSync(fixture.anchorFile);
    await fixture.makeSequencer({ sinks: [fixture.fileSink] }).tick({ forceCheckpoint: true });
    const rewritten = await verifyLog(db, { publicKey: checkpoint.publicKey, origin: ORIGIN, anchors: readers });
    expect({ ok: rewritten.ok, kind: rewritten.first?.kind, leafIndex: rewritten.first?.leafIndex }).toEqual({
      ok: false,
      kind: "rolled back",
      leafIndex: 0,
    });
    expect(rewritten.first?.message).toContain(`transaction ${sent?.reference}`);
  });

  it("costs one transaction per interval however many checkpoints are signed, and anchors a quiet log's tail", async () => {
    const { db } = database;
    const fixture = await auditFixture(db);
    const anchor = await chainAnchor(db, fixture.dataKeys, chain, { intervalMs: 3_600_000, confirmations: 1 });
    const sequencer = fixture.makeSequencer({ sinks: [fixture.fileSink, anchor.sink] });
    const t0 = Date.now();
    const at = (minutes: number) => new Date(t0 + minutes * 60_000);
    // 30 checkpoints over 58 minutes: the first is anchored, the rest wait for the hour.
    for (let i = 0; i < 30; i++) {
      await appendEvents(db, 2, i * 2, { occurredAt: at(i * 2) });
      await sequencer.tick({ forceCheckpoint: true, now: at(i * 2) });
    }
    expect((await anchoredOnChain(anchor.account.address)).map((a) => a.treeSize)).toEqual([2]);
    // The hour is up: the latest checkpoint (60 leaves) goes out, with no new event needed.
    await sequencer.tick({ now: at(61) });
    await sequencer.tick({ now: at(62) });
    expect((await anchoredOnChain(anchor.account.address)).map((a) => a.treeSize)).toEqual([2, 60]);
    const rows = await db.select().from(auditAnchors).where(eq(auditAnchors.sink, "chain"));
    expect(rows.map((r) => [r.treeSize, r.status])).toEqual([
      [2, "confirmed"],
      [60, "confirmed"],
    ]);
    // Every checkpoint still went to the file.
    expect(fs.readFileSync(fixture.anchorFile, "utf8").trim().split("\n")).toHaveLength(30);
  });

  it("fails a transaction not mined in time and replaces it on retry (same nonce, one anchor on chain)", async () => {
    const { db } = database;
    const fixture = await auditFixture(db);
    const anchor = await chainAnchor(db, fixture.dataKeys, chain, { timeoutMs: 120_000 });
    const sequencer = fixture.makeSequencer({ sinks: [anchor.sink] });
    await chain.client.setAutomine(false);
    const t0 = new Date();
    await appendEvents(db, 5, 0, { occurredAt: t0 });
    await sequencer.tick({ forceCheckpoint: true, now: t0 });
    const first = await chainRow(5);
    expect(first).toMatchObject({ status: "pending", blockNumber: null, attempts: 1 });

    await sequencer.anchorPending(new Date(t0.getTime() + 60_000));
    expect((await chainRow(5))?.status).toBe("pending");
    await sequencer.anchorPending(new Date(t0.getTime() + 121_000));
    const failed = await chainRow(5);
    expect(failed).toMatchObject({
      status: "failed",
      attempts: 2,
      lastError: `anchor transaction ${first?.reference} was not mined within 120 s`,
    });

    // Not before the backoff (10 s after a second failed attempt); then a replacement with a higher fee.
    await sequencer.anchorPending(new Date(t0.getTime() + 130_000));
    expect((await chainRow(5))?.status).toBe("failed");
    await sequencer.anchorPending(new Date(t0.getTime() + 131_000));
    const replaced = await chainRow(5);
    expect(replaced).toMatchObject({ status: "pending", attempts: 3 });
    expect(replaced?.reference).not.toBe(first?.reference);
    // The replacement reuses the stuck transaction's nonce, so at most one of them can ever be mined.
    const replacement = await chain.client.getTransaction({ hash: replaced?.reference as `0x${string}` });
    expect(replacement.nonce).toBe(1); // nonce 0 deployed the anchor contract

    await chain.client.mine({ blocks: 3 });
    await sequencer.anchorPending(new Date(t0.getTime() + 132_000));
    expect(await chainRow(5)).toMatchObject({ status: "confirmed", reference: replaced?.reference });
    expect((await anchoredOnChain(anchor.account.address)).map((a) => [a.treeSize, a.tx])).toEqual([[5, replaced?.reference]]);
  });

  it("records an unreachable chain as failed with the reason, and retries it", async () => {
    const { db } = database;
    const fixture = await auditFixture(db);
    const { account } = await chainAnchor(db, fixture.dataKeys, chain);
    const down = new ChainAnchorSink(
      { rpcUrl: "http://127.0.0.1:9", chainId: chain.chainId, confirmations: 1, intervalMs: 0, timeoutMs: 60_000 },
      async () => account,
    );
    const sequencer = fixture.makeSequencer({ sinks: [down] });
    const t0 = new Date();
    await appendEvents(db, 2, 0, { occurredAt: t0 });
    await sequencer.tick({ forceCheckpoint: true, now: t0 });
    const failed = await chainRow(2);
    expect(failed).toMatchObject({ status: "failed", attempts: 1, nextAttemptAt: new Date(t0.getTime() + 5000) });
    expect(failed?.lastError).toMatch(/HTTP request failed|fetch failed|ECONNREFUSED/);
    await sequencer.anchorPending(new Date(t0.getTime() + 5000));
    expect(await chainRow(2)).toMatchObject({ status: "failed", attempts: 2, nextAttemptAt: new Date(t0.getTime() + 15_000) });
  });
});

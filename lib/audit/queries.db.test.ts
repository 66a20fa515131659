import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLeaves } from "@/lib/db/schema";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { seedOwners } from "@/test/vault";
import { AuditApiError, consistencyFor, listCheckpoints, proofFor, verifyContentHash } from "@/lib/audit/proofs";
import { verifyRow } from "./browser-verify";
import { auditEventsResponse } from "@/lib/http/audit-viewer";
import { rootOf, verifyConsistency, verifyInclusion } from "./merkle";
import { PublisherPseudonyms } from "./pseudonyms";
import { listAuditEvents, type AuditRow } from "./queries";
import { appendEvents, auditFixture } from "@/test/audit-fixtures";

let database: TestDatabase;
let a: Awaited<ReturnType<typeof seedOwners>>;
let b: Awaited<ReturnType<typeof seedOwners>>;
let pubA: string;

beforeAll(async () => {
  database = await openTestDatabase();
  const { db } = database;
  a = await seedOwners(db, "qa");
  b = await seedOwners(db, "qb");
  const [row] = await db
    .execute(sql`select publisher_id from extensions where id = ${a.extensionId}`)
    .then((r) => (Array.isArray(r) ? (r as { publisher_id: string }[]) : ((r as { rows: { publisher_id: string }[] }).rows ?? [])));
  pubA = row?.publisher_id ?? "";
  // Publisher A's extension: 6 events by user A; publisher B's: 4 events by user B, one denied.
  await appendEvents(db, 6, 0, { extensionId: a.extensionId, actor: { kind: "user", id: a.userId }, target: "ext.client_secret" });
  await appendEvents(db, 3, 10, { extensionId: b.extensionId, actor: { kind: "user", id: b.userId } });
  await appendEvents(db, 1, 20, {
    extensionId: b.extensionId,
    actor: { kind: "user", id: b.userId },
    outcome: "denied",
    action: "secret.read",
  });
  const { sequencer } = await auditFixture(db);
  await sequencer.tick({ forceCheckpoint: true });
  await appendEvents(db, 1, 30, { extensionId: a.extensionId, actor: { kind: "user", id: a.userId }, target: "=cmd|'/c calc'!A1" });
});
afterAll(async () => {
  await database.close();
});

const targets = (rows: AuditRow[]) => rows.map((r) => r.extension?.id);
const pseudonymsOf = (publisherId: string) => new PublisherPseudonyms(publisherId, randomBytes(64));

describe("audit viewer queries", () => {
  it("scopes a publisher's tab to its own extension, even when asked for another's", async () => {
    const { db } = database;
    const mine = await listAuditEvents(
      db,
      { kind: "extension", extensionId: a.extensionId, publisherIds: [pubA], pseudonyms: pseudonymsOf(pubA) },
      {},
    );
    expect(mine.rows).toHaveLength(7);
    expect(new Set(targets(mine.rows))).toEqual(new Set([a.extensionId]));
    const theirs = await listAuditEvents(
      db,
      { kind: "extension", extensionId: b.extensionId, publisherIds: [pubA], pseudonyms: pseudonymsOf(pubA) },
      {},
    );
    expect(theirs.rows).toHaveLength(0);
  });

  it("shows an end user only their own actions, newest first, with names", async () => {
    const page = await listAuditEvents(database.db, { kind: "actor", actorKind: "user", actorId: b.userId }, {});
    expect(page.rows).toHaveLength(4);
    expect(page.rows.every((r) => r.actor.id === b.userId && r.actor.name === "U")).toBe(true);
    expect(page.rows.map((r) => r.id)).toEqual([...page.rows.map((r) => r.id)].sort((x, y) => y - x));
  });

  it("filters by action prefix and outcome, and pages with a cursor without gaps or repeats", async () => {
    const { db } = database;
    const denied = await listAuditEvents(db, { kind: "all" }, { outcome: "denied" });
    expect(denied.rows.map((r) => r.action)).toEqual(["secret.read"]);
    const rotates = await listAuditEvents(db, { kind: "all" }, { action: "secret.rot" });
    expect(rotates.rows.every((r) => r.action === "secret.rotate")).toBe(true);
    const seen: number[] = [];
    let cursor: number | undefined;
    do {
      const page = await listAuditEvents(db, { kind: "all" }, {}, { cursor, limit: 3 });
      seen.push(...page.rows.map((r) => r.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(11);
    expect(new Set(seen).size).toBe(11);
  });

  it("gives each checkpointed row a proof the browser verifier accepts; later rows are pending", async () => {
    const page = await listAuditEvents(database.db, { kind: "all" }, {});
    const [newest, ...older] = page.rows;
    expect(newest?.proof).toBeNull();
    expect(page.checkpoint?.tree_size).toBe(10);
    for (const row of older) {
      expect(row.proof?.tree_size).toBe(10);
      expect(await verifyRow(row.entry, row.leaf_index ?? -1, row.proof ?? { tree_size: 0, root_hash: "", proof_path: [] })).toBe(true);
      expect(row.anchors[0]).toMatchObject({ sink: "file", status: "confirmed" });
    }
  });

  it("exports the filtered set as CSV (formula cells neutralized) and JSONL", async () => {
    const { db } = database;
    const scope = { kind: "extension" as const, extensionId: a.extensionId, publisherIds: [pubA], pseudonyms: pseudonymsOf(pubA) };
    const csv = await (await auditEventsResponse(db, scope, new URL("http://x/?format=csv"))).text();
    const lines = csv.trim().split("\r\n");
    expect(lines[0]).toMatch(/^id,occurred_at,actor_kind/);
    expect(lines).toHaveLength(8);
    expect(csv).toContain(`'=cmd|'/c calc'!A1`);
    const jsonl = await (await auditEventsResponse(db, scope, new URL("http://x/?format=jsonl&outcome=success"))).text();
    const rows = jsonl
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as AuditRow);
    expect(rows).toHaveLength(7);
    const bad = await auditEventsResponse(db, scope, new URL("http://x/?outcome=maybe"));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: "invalid_request" } });
  });
});

describe("audit API", () => {
  it("proves inclusion and consistency against the signed checkpoint", async () => {
    const { db } = database;
    const leaves = (await db.select().from(auditLeaves).orderBy(auditLeaves.leafIndex)).map((l) => l.leafHash);
    const proof = await proofFor(db, 3);
    expect(proof.tree_size).toBe(10);
    expect(proof.checkpoint?.tree_size).toBe(10);
    const root = Buffer.from(proof.root_hash, "hex");
    expect(root.equals(rootOf(leaves.slice(0, 10)))).toBe(true);
    expect(
      verifyInclusion(
        3,
        10,
        leaves[3] as Buffer,
        proof.proof_path.map((h) => Buffer.from(h, "hex")),
        root,
      ),
    ).toBe(true);

    const c = await consistencyFor(db, 4, 10);
    expect(
      verifyConsistency(
        4,
        10,
        Buffer.from(c.from_root, "hex"),
        Buffer.from(c.to_root, "hex"),
        c.proof_path.map((h) => Buffer.from(h, "hex")),
      ),
    ).toBe(true);
    const checkpoints = await listCheckpoints(db);
    expect(checkpoints.checkpoints[0]).toMatchObject({ tree_size: 10, anchors: [{ sink: "file", status: "confirmed" }] });
  });

  it("verifies a content hash with its proof, checkpoint and anchor, and refuses bad input with codes", async () => {
    const { db } = database;
    const [leaf] = await db
      .select()
      .from(auditLeaves)
      .where(sql`${auditLeaves.leafIndex} = 7`);
    const result = await verifyContentHash(db, leaf?.leafHash.toString("hex") ?? "");
    expect(result).toMatchObject({ verified: true, leaf_index: 7, tree_size: 10, anchor: { sink: "file", status: "confirmed" } });
    await expect(verifyContentHash(db, "00".repeat(32))).rejects.toMatchObject({ code: "not_found" });
    await expect(verifyContentHash(db, "xyz")).rejects.toBeInstanceOf(AuditApiError);
    await expect(proofFor(db, 10)).rejects.toMatchObject({ code: "invalid_request" });
    await expect(proofFor(db, 0, 999)).rejects.toMatchObject({ code: "tree_size_out_of_range" });
  });
});

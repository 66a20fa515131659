// Retention: events past their class's period move to archive files and leave the database, while their
// leaves stay, so every checkpoint, inclusion proof and audit:verify still passes, and verification reads
// the archive too (an archive file altered, cut or gone is reported at its leaf).
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import serialize from "canonicalize";
import { asc, count, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { auditArchives, auditEvents, auditLeaves } from "@/lib/db/schema";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { ORIGIN, appendEvents, auditFixture } from "@/test/audit-fixtures";
import { parseEnv } from "@/lib/env";
import { sequencerState } from "./activity";
import { archiveExpired, type ArchiveSettings } from "./archive";
import { createSequencerFromEnv } from "./from-env";
import { verifyInclusion } from "./merkle";
import { proofFor } from "./proofs";
import { retentionClasses } from "@/lib/core/retention";
import { verifyLog } from "./verify";

let database: TestDatabase;
let fixture: Awaited<ReturnType<typeof auditFixture>>;
let publicKey: Buffer;
let dir: string;

beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await database.close();
});

const OLD = Date.UTC(2020, 0, 1);
const NOW = new Date(Date.now());

// 20 events in two signed, anchored checkpoints: leaves 0..9 dated 2020 (the even ones successful reads,
// leaf 8 a denied read), leaves 10..19 a minute old.
beforeEach(async () => {
  await database.db.execute(
    sql`truncate audit_archives, audit_anchors, audit_checkpoints, audit_leaves, audit_nodes, audit_event_rows, audit_contexts, audit_subjects, audit_log, audit_daily_counts, audit_sequencer_state, system_keys, data_keys cascade`,
  );
  fixture = await auditFixture(database.db);
  for (let i = 0; i < 10; i++) {
    const read = i % 2 === 0;
    await appendEvents(database.db, 1, i, {
      occurredAt: new Date(OLD + i * 1000),
      ...(read ? { action: "secret.read", outcome: i === 8 ? "denied" : "success" } : {}),
    });
  }
  await fixture.sequencer.tick({ forceCheckpoint: true, now: new Date(OLD + 20_000) });
  await appendEvents(database.db, 10, 10, { occurredAt: new Date(NOW.getTime() - 60_000) });
  await fixture.sequencer.tick({ forceCheckpoint: true });
  publicKey = (await fixture.sequencer.signer()).publicKey;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-archive-"));
});

const settings = (overrides: Partial<ArchiveSettings> = {}): ArchiveSettings => ({
  dir,
  retention: retentionClasses.standard,
  readRetention: retentionClasses.standard,
  ...overrides,
});
const verify = (archiveDir: string | null = dir) =>
  verifyLog(database.db, { publicKey, origin: ORIGIN, anchorFile: fixture.anchorFile, archiveDir: archiveDir ?? undefined });
const eventsLeft = async () => (await database.db.select({ n: count() }).from(auditEvents))[0]?.n;
const archiveFile = async () => {
  const [row] = await database.db.select().from(auditArchives).orderBy(asc(auditArchives.id)).limit(1);
  if (!row) throw new Error("no archive");
  return path.join(dir, row.file);
};
const readLines = (file: string) =>
  zlib
    .gunzipSync(fs.readFileSync(file))
    .toString("utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { entry: Record<string, unknown>; leaf_hash: string; leaf_index: number });
const writeLines = (file: string, lines: unknown[]) =>
  fs.writeFileSync(file, zlib.gzipSync(lines.map((l) => JSON.stringify(l) + "\n").join("")));

describe("archiving events past retention", () => {
  it("moves their bodies to a gzip JSONL file whose entries hash to their leaves, and the log still verifies", async () => {
    const result = await archiveExpired(database.db, { ...settings(), now: NOW });
    expect(result).toMatchObject({ events: 10, refused: 0, ran: true });
    expect(result.files).toEqual([expect.objectContaining({ firstLeaf: 0, lastLeaf: 9, events: 10 })]);
    expect(await eventsLeft()).toBe(10);
    expect((await database.db.select({ n: count() }).from(auditLeaves))[0]?.n).toBe(20);

    // Each line stands on its own: SHA-256(0x00 ‖ JCS(entry)) is the leaf hash the database keeps.
    const lines = readLines(await archiveFile());
    expect(lines.map((l) => l.leaf_index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const line of lines) {
      const [leaf] = await database.db.select().from(auditLeaves).where(eq(auditLeaves.leafIndex, line.leaf_index));
      const hash = crypto
        .createHash("sha256")
        .update(Buffer.concat([Buffer.from([0]), Buffer.from(serialize(line.entry) as string, "utf8")]))
        .digest("hex");
      expect(hash).toBe(leaf?.leafHash.toString("hex"));
      expect(line.leaf_hash).toBe(hash);
    }
    expect(lines[3]?.entry).toMatchObject({ target: "ext.key_3", occurred_at: new Date(OLD + 3000).toISOString() });

    const report = await verify();
    expect(report).toMatchObject({ ok: true, treeSize: 20, problems: [], archived: { files: 1, events: 10, read: 10 } });
    // What /admin shows.
    expect((await sequencerState(database.db)).archived).toEqual({ events: 10, files: 1, newestAt: new Date(OLD + 9000) });

    // An archived event's inclusion proof still leads to the signed root.
    const proof = await proofFor(database.db, 3);
    const leafHash = Buffer.from(lines[3]?.leaf_hash ?? "", "hex");
    expect(
      verifyInclusion(
        3,
        proof.tree_size,
        leafHash,
        proof.proof_path.map((h) => Buffer.from(h, "hex")),
        Buffer.from(proof.root_hash, "hex"),
      ),
    ).toBe(true);

    // Nothing more is past retention: a second run moves nothing.
    expect(await archiveExpired(database.db, { ...settings(), now: NOW })).toMatchObject({ events: 0, files: [] });
  });

  it("keeps each class for its own period: successful reads for 90 days, the rest and denied reads for 7 years", async () => {
    const ledgerWithStandardReads = settings({ retention: retentionClasses.ledger });
    const result = await archiveExpired(database.db, { ...ledgerWithStandardReads, now: NOW });
    expect(result.events).toBe(4);
    expect(readLines(await archiveFile()).map((l) => l.leaf_index)).toEqual([0, 2, 4, 6]);
    expect(await eventsLeft()).toBe(16);
    expect(await verify()).toMatchObject({ ok: true, archived: { files: 1, events: 4, read: 4 } });

    // Seven years after 2020 the ledger class expires too: the rest of the old leaves go to a second file,
    // whose leaf range overlaps the first one's.
    const later = new Date(Date.UTC(2027, 0, 2));
    const second = await archiveExpired(database.db, { ...ledgerWithStandardReads, now: later });
    expect(second.files).toEqual([expect.objectContaining({ firstLeaf: 1, lastLeaf: 9, events: 6 })]);
    expect(await eventsLeft()).toBe(10);
    expect(await verify()).toMatchObject({ ok: true, archived: { files: 2, events: 10, read: 10 } });
  });

  it("keeps successful reads longer when their class is the longer one", async () => {
    const result = await archiveExpired(database.db, {
      ...settings({ retention: retentionClasses.standard, readRetention: retentionClasses.ledger }),
      now: NOW,
    });
    // Leaves 1, 3, 5, 7, 9 (secret.rotate) and 8 (a denied read) are past 90 days; the successful reads are not past 7 years.
    expect(readLines(await archiveFile()).map((l) => l.leaf_index)).toEqual([1, 3, 5, 7, 8, 9]);
    expect(result.events).toBe(6);
  });

  it("writes files of at most the batch size, each listed once, and two archivers at once archive each event once", async () => {
    const [a, b] = await Promise.all([
      archiveExpired(database.db, { ...settings(), now: NOW, batch: 3 }),
      archiveExpired(database.db, { ...settings(), now: NOW, batch: 3 }),
    ]);
    expect((a?.events ?? 0) + (b?.events ?? 0)).toBe(10);
    const rows = await database.db.select().from(auditArchives);
    expect(rows.map((r) => r.events).sort()).toEqual([1, 3, 3, 3]);
    expect(fs.readdirSync(dir).sort()).toEqual(rows.map((r) => r.file).sort());
    expect(await verify()).toMatchObject({ ok: true, archived: { files: 4, events: 10, read: 10 } });
  });

  it("fills a file from several pages", async () => {
    const result = await archiveExpired(database.db, { ...settings(), now: NOW, batch: 4, page: 3 });
    expect(result.files.map((f) => [f.firstLeaf, f.lastLeaf, f.events])).toEqual([
      [0, 3, 4],
      [4, 7, 4],
      [8, 9, 2],
    ]);
    expect(readLines(await archiveFile()).map((l) => l.leaf_index)).toEqual([0, 1, 2, 3]);
    expect(await verify()).toMatchObject({ ok: true, archived: { files: 3, events: 10, read: 10 } });
  });

  it("removes the file and keeps the events when the transaction that lists it does not commit", async () => {
    await database.db.execute(sql`create function refuse_delete() returns trigger language plpgsql as $$
      begin raise exception 'deletes refused for this test'; end $$`);
    await database.db.execute(
      sql`create trigger refuse_delete before delete on audit_event_rows for each row execute function refuse_delete()`,
    );
    try {
      await expect(archiveExpired(database.db, { ...settings(), now: NOW })).rejects.toThrow(/Failed query: delete from audit_event_rows/);
    } finally {
      await database.db.execute(sql`drop trigger refuse_delete on audit_event_rows`);
      await database.db.execute(sql`drop function refuse_delete()`);
    }
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(await eventsLeft()).toBe(20);
    expect(await database.db.select().from(auditArchives)).toEqual([]);
    expect(await verify()).toMatchObject({ ok: true, archived: { files: 0 } });
  });

  it("says which directory cannot be written, and why, and moves nothing", async () => {
    const notADirectory = path.join(dir, "a-file");
    fs.writeFileSync(notADirectory, "");
    await expect(archiveExpired(database.db, { ...settings({ dir: notADirectory }), now: NOW })).rejects.toThrow(
      `Cannot write audit archives to ${notADirectory} (LATCHKEY_AUDIT_ARCHIVE_DIR): a file is in the way of the directory. Nothing was moved.`,
    );
    expect(await eventsLeft()).toBe(20);
  });

  it("leaves an event that no longer hashes to its leaf in the database, where verification names it", async () => {
    const [leaf] = await database.db.select().from(auditLeaves).where(eq(auditLeaves.leafIndex, 5));
    await database.db.execute(sql`update audit_events set target = 'ext.covered_up' where id = ${leaf?.eventId ?? 0}`);
    const result = await archiveExpired(database.db, { ...settings(), now: NOW });
    expect(result).toMatchObject({ events: 9, refused: 1 });
    expect(
      await database.db
        .select({ target: auditEvents.target })
        .from(auditEvents)
        .where(eq(auditEvents.id, leaf?.eventId ?? 0)),
    ).toEqual([{ target: "ext.covered_up" }]);
    expect((await verify()).first).toMatchObject({ kind: "altered", leafIndex: 5 });
  });
});

describe("archiving from the configuration", () => {
  it("the sequencer archives what LATCHKEY_AUDIT_RETENTION puts past retention, once per interval", async () => {
    const config = parseEnv({
      LATCHKEY_DATA_DIR: dir,
      LATCHKEY_AUDIT_RETENTION: "400d",
      LATCHKEY_AUDIT_ARCHIVE_DIR: path.join(dir, "archive"),
      LATCHKEY_AUDIT_ARCHIVE_INTERVAL_SECONDS: "3600",
    });
    const schedule = createSequencerFromEnv(database.db, fixture.dataKeys, config).archive;
    await schedule?.ifDue(NOW);
    expect(await eventsLeft()).toBe(10);
    expect(fs.readdirSync(path.join(dir, "archive"))).toHaveLength(1);
    // Within the hour nothing runs; an hour later it runs again (and finds nothing more to move).
    expect(schedule?.ifDue(new Date(NOW.getTime() + 3_599_000))).toBeUndefined();
    await expect(schedule?.ifDue(new Date(NOW.getTime() + 3_600_000))).resolves.toBeUndefined();
  });

  it("refuses a retention that is not a class or a period, naming the setting", () => {
    expect(() => parseEnv({ LATCHKEY_AUDIT_RETENTION: "forever" })).toThrow(
      /LATCHKEY_AUDIT_RETENTION: must be ledger \(7 years\), standard \(90 days\), or a period such as 400d or 10y/,
    );
    expect(() => parseEnv({ LATCHKEY_AUDIT_READ_RETENTION: "0d" })).toThrow(
      /LATCHKEY_AUDIT_READ_RETENTION: must be at least 1 day \(it is 0d\)/,
    );
    expect(() => parseEnv({ LATCHKEY_AUDIT_RETENTION: "36501d" })).toThrow(
      /LATCHKEY_AUDIT_RETENTION: must be at most 36,500 days \(it is 36501d\)/,
    );
    // Blank is the default; case and spaces do not matter.
    expect(parseEnv({ LATCHKEY_AUDIT_RETENTION: "" }).auditArchive.retention).toEqual(retentionClasses.ledger);
    expect(parseEnv({ LATCHKEY_AUDIT_RETENTION: " Standard ", LATCHKEY_AUDIT_READ_RETENTION: "7Y" }).auditArchive).toMatchObject({
      retention: retentionClasses.standard,
      readRetention: { name: "7y", amount: 7, unit: "years" },
    });
  });
});

describe("verifying archived events", () => {
  beforeEach(async () => {
    await archiveExpired(database.db, { ...settings(), now: NOW });
  });

  it("names the leaf of an entry altered in the archive", async () => {
    const file = await archiveFile();
    const lines = readLines(file);
    (lines[6] as { entry: Record<string, unknown> }).entry.target = "ext.innocent";
    writeLines(file, lines);
    const report = await verify();
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([expect.objectContaining({ kind: "altered", leafIndex: 6 })]);
    // Its bytes changed, but the file is not merely "rewritten": an entry in it fails.
    expect(report.archived.rewritten).toEqual([]);
  });

  it("takes a file recompressed with the same entries as intact, and says its bytes changed", async () => {
    const file = await archiveFile();
    fs.writeFileSync(file, zlib.gzipSync(zlib.gunzipSync(fs.readFileSync(file)), { level: 1 }));
    const report = await verify();
    expect(report).toMatchObject({ ok: true, problems: [], archived: { read: 10, rewritten: [path.basename(file)] } });
  });

  it("names files in the directory that the log does not list", async () => {
    const file = await archiveFile();
    const stray = "audit-leaves-0-9-0badc0de.jsonl.gz";
    fs.copyFileSync(file, path.join(dir, stray));
    expect((await verify()).archived).toMatchObject({ strays: [stray], filesRead: 1 });
  });

  it("names the leaf of an entry removed from the archive, and the file", async () => {
    const file = await archiveFile();
    writeLines(
      file,
      readLines(file).filter((l) => l.leaf_index !== 4),
    );
    const report = await verify();
    expect(report.ok).toBe(false);
    expect(report.problems).toContainEqual(
      expect.objectContaining({ kind: "missing", leafIndex: 0, message: expect.stringContaining("holds 9 entries where 10 were written") }),
    );
    expect(report.problems).toContainEqual(
      expect.objectContaining({
        kind: "missing",
        leafIndex: 4,
        message: expect.stringContaining(`archive ${path.basename(file)} does not hold it either`),
      }),
    );
  });

  it("reports an archive file that is gone from its directory", async () => {
    fs.rmSync(await archiveFile());
    const gone = await verify();
    expect(gone.first).toMatchObject({
      kind: "missing",
      leafIndex: 0,
      message: expect.stringMatching(/leaves 0\.\.9, 10 events\) is not in /),
    });
    expect(gone.archived).toMatchObject({ files: 1, filesRead: 0, read: 0 });
  });

  it("reports the archives unread, not the log tampered, without a directory or with one that does not exist", async () => {
    for (const archiveDir of [null, path.join(dir, "no-such-directory")]) {
      const report = await verify(archiveDir);
      expect(report).toMatchObject({ ok: true, problems: [], archived: { read: 0 } });
      expect(report.unchecked).toEqual([expect.stringMatching(/^archives: .*so the 10 archived events in 1 files were not read/)]);
    }
  });
});

// Audit events are stored as rows holding ids into two dictionaries (who and from where; what was acted
// on) and read through the view audit_events (migration 0011, issue 19). Every value must read back
// exactly, repeated values must be stored once, two writers adding the same new value at once must both
// commit, a row written to the view by hand must change only that event, a rewritten dictionary row must
// be caught at the first leaf that uses it, and the events a database held before the upgrade must read
// back, and hash, exactly as they were.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "@/lib/db/client";
import { findMigrationsFolder, migrateDatabase } from "@/lib/db/migrations";
import { auditEvents, type AuditEventRow } from "@/lib/db/schema";
import type { Db } from "@/lib/db/client";
import { createEmptyPostgresDatabase, openTestDatabase, type TestDatabase } from "@/test/db";
import { ORIGIN, sampleEvent, seedThreeCheckpoints } from "@/test/audit-fixtures";
import { rowsOf } from "./tree-store";
import { canonicalizer, entryLeafHash } from "./entry";
import { insertEventRows } from "./event-json";
import { toAuditRow } from "./events";
import { verifyLog } from "./verify";

const onPostgres = process.env.TEST_DB_DRIVER === "postgres";
let database: TestDatabase;

beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await database.close();
});

const count = async (db: Db, table: string) =>
  Number(rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from ${sql.identifier(table)}`))[0]?.n);

async function reset(db: Db) {
  await db.execute(sql`truncate audit_leaves, audit_nodes, audit_event_rows, audit_contexts, audit_subjects, audit_daily_counts cascade`);
}

describe("audit events in dictionaries", () => {
  it("reads every value back exactly and keeps each context and subject once", async () => {
    const { db } = database;
    await reset(db);
    const awkward = sampleEvent(0, {
      actor: { kind: "extension", id: 'ext-ünïcødé-🔑 "quoted" \\ back' },
      source: { kind: "api", ip: null, userAgent: "agent\u001fwith\u0001controls" },
      action: "secret.read",
      target: "user.api_key",
      extensionId: null,
      orgId: null,
      details: { nested: { list: [1, 2.5, "x"] }, é: "ü" },
    });
    // 60 events: 3 users from one browser, 2 actions on 10 targets of one extension.
    const ordinary = Array.from({ length: 60 }, (_, i) =>
      sampleEvent(i, { target: `ext.key_${Math.floor(i / 6)}`, extensionId: "0d6e1f36-6a0b-4b6f-9a55-8f0b3c1a2d44" }),
    );
    const inputs = [awkward, ...ordinary].map(toAuditRow);
    const ids = await insertEventRows(db, inputs);
    expect(ids).toHaveLength(61);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);

    const read = await db.select().from(auditEvents).orderBy(auditEvents.id);
    const expected: AuditEventRow[] = inputs.map((row, i) => ({
      id: ids[i] as number,
      occurredAt: row.occurredAt as Date,
      actorKind: row.actorKind,
      actorId: row.actorId,
      action: row.action,
      target: row.target,
      extensionId: row.extensionId ?? null,
      orgId: row.orgId ?? null,
      sourceKind: row.sourceKind,
      sourceIp: row.sourceIp ?? null,
      sourceUserAgent: row.sourceUserAgent ?? null,
      outcome: row.outcome,
      details: row.details as Record<string, unknown>,
    }));
    expect(read).toEqual(expected);
    // The awkward event's context and subject, then 3 users × 1 source and 2 actions × 10 targets.
    expect(await count(db, "audit_contexts")).toBe(1 + 3);
    expect(await count(db, "audit_subjects")).toBe(1 + 20);

    // A second batch with nothing new adds no dictionary row.
    await insertEventRows(db, ordinary.slice(0, 30).map(toAuditRow));
    expect(await count(db, "audit_contexts")).toBe(4);
    expect(await count(db, "audit_subjects")).toBe(21);
    expect(await count(db, "audit_event_rows")).toBe(91);
  });

  it("lets a row written to the view by hand change that event only", async () => {
    const { db } = database;
    await reset(db);
    const ids = await insertEventRows(
      db,
      [0, 2, 4].map((i) => toAuditRow(sampleEvent(i, { target: "ext.shared" }))),
    );
    const [inserted] = rowsOf<{ id: string }>(
      await db.execute(sql`insert into audit_events (actor_kind, actor_id, action, target, source_kind, outcome)
        values ('system', 'system:ops', 'secret.set', 'ext.shared', 'cli', 'success') returning id::text as id`),
    );
    expect(Number(inserted?.id)).toBeGreaterThan(ids.at(-1) as number);
    await db.execute(sql`update audit_events set target = 'ext.changed', source_ip = '198.51.100.7' where id = ${ids[1]}`);
    await db.execute(sql`delete from audit_events where id = ${ids[2]}`);

    const rows = await db.select().from(auditEvents).orderBy(auditEvents.id);
    expect(rows.map((r) => [r.id, r.target, r.sourceIp, r.actorId])).toEqual([
      [ids[0], "ext.shared", "127.0.0.1", "user-0"],
      [ids[1], "ext.changed", "198.51.100.7", "user-2"],
      [Number(inserted?.id), "ext.shared", null, "system:ops"],
    ]);
    expect(rows[2]?.details).toEqual({});
  });

  it("catches a rewritten dictionary row at the first leaf that uses it", async () => {
    const { db } = database;
    const { fixture, publicKey } = await seedThreeCheckpoints(db);
    const signed = await db.select().from(auditEvents).orderBy(auditEvents.id);
    // sampleEvent's actors are user-0, user-1, user-2 in turn: user-1 first acts in the second event.
    const firstOfUser1 = signed.findIndex((e) => e.actorId === "user-1");
    expect(firstOfUser1).toBe(1);
    const verify = () => verifyLog(db, { publicKey, origin: ORIGIN, anchorFile: fixture.anchorFile });
    expect((await verify()).ok).toBe(true);
    // A second verification reads the dictionaries again: the first one's reading is not reused.
    await db.execute(sql`update audit_contexts set source_ip = '198.51.100.66' where actor_id = 'user-1'`);
    const report = await verify();
    expect(report.ok).toBe(false);
    expect(report.first).toMatchObject({ kind: "altered", leafIndex: firstOfUser1 });
  });

  it("reports an event whose subject row is gone as missing at its leaf", async () => {
    const { db } = database;
    const { fixture, publicKey } = await seedThreeCheckpoints(db);
    // A subject of its own for the event at leaf 5, then that row deleted.
    const [leaf5] = rowsOf<{ id: string }>(await db.execute(sql`select event_id::text as id from audit_leaves where leaf_index = 5`));
    await db.execute(sql`update audit_events set target = 'ext.only_here' where id = ${Number(leaf5?.id)}`);
    await db.execute(sql`delete from audit_subjects where target = 'ext.only_here'`);
    const report = await verifyLog(db, { publicKey, origin: ORIGIN, anchorFile: fixture.anchorFile });
    expect(report.first).toMatchObject({ kind: "missing", leafIndex: 5 });
    expect(report.first?.message).toContain("or the context or subject row it names, was deleted");
  });

  it.runIf(onPostgres)("lets two transactions add the same new context at once, both committing", async () => {
    const { db } = database;
    await reset(db);
    const event = toAuditRow(sampleEvent(1, { actor: { kind: "user", id: "user-racing" }, target: "ext.race" }));
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    // The first transaction adds the context and holds it uncommitted.
    const first = db.transaction(async (tx) => {
      const ids = await insertEventRows(tx as unknown as Db, [event]);
      await held;
      return ids;
    });
    await waitFor(async () => (await uncommittedContexts(db)) === 1);
    // The second finds no committed row, tries to add it, and waits on the first's unique key.
    const second = insertEventRows(db, [event]);
    await waitFor(async () => (await lockWaiters(db)) === 1);
    release();
    const [[a], [b]] = await Promise.all([first, second]);
    expect(b).toBeGreaterThan(a as number);
    expect(await count(db, "audit_contexts")).toBe(1);
    const both = await db.select().from(auditEvents).where(eq(auditEvents.actorId, "user-racing"));
    expect(both.map((e) => e.id)).toEqual([a, b]);
  });
});

/** Contexts added by a transaction not yet committed, as the lock on their key shows (PostgreSQL only). */
async function uncommittedContexts(db: Db): Promise<number> {
  const [row] = rowsOf<{ n: number }>(
    await db.execute(sql`select count(*)::int as n from pg_locks l join pg_stat_activity a using (pid)
      where l.locktype = 'relation' and l.relation = 'audit_contexts'::regclass and l.mode = 'RowExclusiveLock'
        and a.state = 'idle in transaction'`),
  );
  return Number(row?.n);
}

/** Backends of this database waiting for another transaction to end. */
async function lockWaiters(db: Db): Promise<number> {
  const [row] = rowsOf<{ n: number }>(
    await db.execute(sql`select count(*)::int as n from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock' and wait_event = 'transactionid'`),
  );
  return Number(row?.n);
}

/** Asks `ready` again, query after query, until it holds (no timer: each answer is the next event). */
async function waitFor(ready: () => Promise<boolean>): Promise<void> {
  for (let asked = 0; asked < 10_000; asked++) if (await ready()) return;
  throw new Error("the other transaction never reached the expected state");
}

describe("upgrading a database that holds events", () => {
  it("reads the events logged before migration 0011 back unchanged, hashing to the same leaves", async () => {
    const full = findMigrationsFolder();
    const before = fs.mkdtempSync(path.join(os.tmpdir(), "latchkey-before-0011-"));
    fs.cpSync(full, before, { recursive: true });
    const journalFile = path.join(before, "meta", "_journal.json");
    const journal = JSON.parse(fs.readFileSync(journalFile, "utf8")) as { entries: { tag: string }[] };
    journal.entries = journal.entries.filter((e) => e.tag < "0011");
    fs.writeFileSync(journalFile, JSON.stringify(journal));

    const old = await openAt(before);
    try {
      const { db } = old.database;
      // Written as the previous release wrote them: straight into the audit_events table.
      for (let i = 0; i < 12; i++) {
        const e = toAuditRow(sampleEvent(i, i % 4 === 3 ? { source: { kind: "worker", ip: null, userAgent: null }, orgId: null } : {}));
        await db.execute(sql`insert into audit_events (occurred_at, actor_kind, actor_id, action, target, extension_id, org_id,
          source_kind, source_ip, source_user_agent, outcome, details)
          values (${(e.occurredAt as Date).toISOString()}, ${e.actorKind}, ${e.actorId}, ${e.action}, ${e.target}, ${e.extensionId ?? null},
            ${e.orgId ?? null}, ${e.sourceKind}, ${e.sourceIp ?? null}, ${e.sourceUserAgent ?? null}, ${e.outcome}, ${JSON.stringify(e.details)}::json)`);
      }
      const canonical = await canonicalizer();
      const hashesBefore = rowsOf<Record<string, unknown>>(await db.execute(sql`select * from audit_events order by id`));
      const leavesBefore = hashesBefore.map((r) => entryLeafHash(canonical, oldRow(r)).toString("hex"));

      await migrateDatabase(db, full, old.migrate);
      const after = await db.select().from(auditEvents).orderBy(auditEvents.id);
      expect(after.map((e) => entryLeafHash(canonical, e).toString("hex"))).toEqual(leavesBefore);
      expect(await count(db, "audit_contexts")).toBe(3 + 3);
      // The id sequence goes on from where it was.
      const [next] = await insertEventRows(db, [toAuditRow(sampleEvent(12))]);
      expect(next).toBe(13);
    } finally {
      await old.close();
      fs.rmSync(before, { recursive: true, force: true });
    }
  });
});

/** A row of the old audit_events table (snake_case, as the driver returns it) as an event. */
function oldRow(r: Record<string, unknown>): AuditEventRow {
  return {
    id: Number(r.id),
    occurredAt: new Date(r.occurred_at as string),
    actorKind: r.actor_kind as AuditEventRow["actorKind"],
    actorId: r.actor_id as string,
    action: r.action as string,
    target: r.target as string,
    extensionId: (r.extension_id as string | null) ?? null,
    orgId: (r.org_id as string | null) ?? null,
    sourceKind: r.source_kind as AuditEventRow["sourceKind"],
    sourceIp: (r.source_ip as string | null) ?? null,
    sourceUserAgent: (r.source_user_agent as string | null) ?? null,
    outcome: r.outcome as AuditEventRow["outcome"],
    details: (typeof r.details === "string" ? JSON.parse(r.details) : r.details) as Record<string, unknown>,
  };
}

/** A new database migrated with the migrations in `folder`, on this run's backend, and its migrator. */
async function openAt(folder: string) {
  let database: Database;
  let drop = async () => {};
  let migrate: Parameters<typeof migrateDatabase>[2];
  if (onPostgres) {
    const empty = await createEmptyPostgresDatabase(process.env.DATABASE_URL as string);
    database = await openDatabase({ url: empty.url, migrationsFolder: folder, max: 2 });
    drop = empty.drop;
    const { migrate: postgresMigrate } = await import("drizzle-orm/postgres-js/migrator");
    migrate = (db, config) => postgresMigrate(db as never, config);
  } else {
    database = await openDatabase({ pgliteDir: "memory://", migrationsFolder: folder });
    const { migrate: pgliteMigrate } = await import("drizzle-orm/pglite/migrator");
    migrate = (db, config) => pgliteMigrate(db as never, config);
  }
  return {
    database,
    migrate,
    async close() {
      await database.close();
      await drop();
    },
  };
}

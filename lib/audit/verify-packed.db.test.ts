// Verification on PostgreSQL hashes each event's entry as written from its packed row and its two
// dictionaries (verify-packed.ts) and canonicalizes in full only what that text cannot settle. Events of every shape must verify, the fast
// text must be the canonical one for ordinary events (nothing canonicalized again), and no value may pass
// itself off as another: quotes, backslashes and separators inside values, nulls turned into empty
// strings, rewritten details and impossible times are each caught at their leaf. On PGlite the same
// events go through the json_agg reader and must reach the same verdicts.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { ORIGIN, auditFixture, sampleEvent } from "@/test/audit-fixtures";
import { toAuditRow, type AuditEventInput } from "./events";
import { insertEventRows } from "./event-json";
import { verifyLog, type VerifyReport } from "./verify";
import { postgresClient } from "./verify-packed";

let database: TestDatabase;
let fixture: Awaited<ReturnType<typeof auditFixture>>;
let publicKey: Buffer;
let packed: boolean;

beforeAll(async () => {
  database = await openTestDatabase();
  packed = postgresClient(database.db) !== null;
});
afterAll(async () => {
  await database.close();
});

/** Ordinary events: nulls in each nullable column, unicode, nested and empty details; nothing that needs an escape. */
const ordinary = (i: number): AuditEventInput => {
  const shapes: Partial<AuditEventInput>[] = [
    {},
    { source: { kind: "worker", ip: null, userAgent: null }, orgId: null, extensionId: null },
    { actor: { kind: "extension", id: "ext-ünïcødé-🔑" }, target: "user.api_key", details: {} },
    { details: { nested: { list: [1, 2.5, -0, 1e21, "x"], flag: true, none: null }, é: "ü", a: "line" } },
    { source: { kind: "api", ip: "2001:db8::1", userAgent: null }, details: { scopes: ["read", "write"] } },
  ];
  return sampleEvent(i, {
    occurredAt: new Date(Date.now() - 30_000 + i),
    extensionId: "0d6e1f36-6a0b-4b6f-9a55-8f0b3c1a2d44",
    orgId: "3f2a1b0c-1d2e-4f50-8a6b-7c8d9e0f1a2b",
    ...shapes[i % shapes.length],
  });
};

/** Values that need an escape in the entry, or hold the reader's separators. */
const awkward = (i: number): AuditEventInput =>
  sampleEvent(i, {
    occurredAt: new Date(Date.now() - 30_000 + i),
    action: 'secret."set"',
    target: "C:\\keys\\new",
    actor: { kind: "user", id: "line\nbreak\ttab" },
    source: { kind: "ui", ip: "127.0.0.1", userAgent: "agent\u001fwith\u001eseparators" },
    details: { note: 'a "quoted" \\ value', control: "\u0001" },
  });

async function seed(events: AuditEventInput[]) {
  await database.db.execute(
    sql`truncate audit_anchors, audit_checkpoints, audit_leaves, audit_nodes, audit_event_rows, audit_contexts, audit_subjects, audit_log, system_keys, data_keys cascade`,
  );
  fixture = await auditFixture(database.db);
  await insertEventRows(database.db, events.map(toAuditRow));
  await fixture.sequencer.tick({ forceCheckpoint: true });
  publicKey = (await fixture.sequencer.signer()).publicKey;
}

const verify = (pageSize?: number) => verifyLog(database.db, { publicKey, origin: ORIGIN, anchorFile: fixture.anchorFile, pageSize });
const verdict = (report: VerifyReport) => ({
  ok: report.ok,
  first: report.first ? `${report.first.kind}@${report.first.leafIndex}` : null,
});
const eventAtLeaf = (leafIndex: number) => sql`(select event_id from audit_leaves where leaf_index = ${leafIndex})`;

describe("verification of every event shape", () => {
  it("hashes ordinary events as the server writes them, canonicalizing none again", async () => {
    await seed(Array.from({ length: 25 }, (_, i) => ordinary(i)));
    for (const pageSize of [undefined, 4]) {
      const report = await verify(pageSize);
      expect(verdict(report)).toEqual({ ok: true, first: null });
      expect(report.treeSize).toBe(25);
      expect(report.recanonicalized).toBe(packed ? 0 : 25);
    }
  });

  it("verifies events whose values need escapes or hold separators, reading only those as columns", async () => {
    await seed([...Array.from({ length: 6 }, (_, i) => ordinary(i)), awkward(6), ...Array.from({ length: 5 }, (_, i) => ordinary(7 + i))]);
    const report = await verify(4);
    expect(verdict(report)).toEqual({ ok: true, first: null });
    // Only the awkward event is read as columns and canonicalized in full (on PGlite, every event is).
    expect(report.recanonicalized).toBe(packed ? 1 : 12);
  });

  it("accepts details rewritten in another JSON form that says the same, canonicalizing that event", async () => {
    await seed(Array.from({ length: 10 }, (_, i) => ordinary(i)));
    await database.db.execute(sql`update audit_events set details = '{ "byteLength" : 10 }'::json where id = ${eventAtLeaf(0)}`);
    const report = await verify();
    expect(verdict(report)).toEqual({ ok: true, first: null });
    expect(report.recanonicalized).toBe(packed ? 1 : 10);
  });
});

describe("tampering the fast text cannot hide", () => {
  beforeEach(async () => {
    await seed([
      ...Array.from({ length: 8 }, (_, i) => ordinary(i)),
      // Each needs one escape in its entry, and nothing else: its altered twin below would write the same text.
      { ...ordinary(8), action: 'secret."set"' },
      { ...ordinary(9), actor: { kind: "user", id: "a\u0001b" } },
      ...Array.from({ length: 6 }, (_, i) => ordinary(10 + i)),
    ]);
  });

  const cases: [name: string, leaf: number, change: string][] = [
    ["a quote replaced by a backslash and a quote (its escape, written out)", 8, `action = 'secret.\\"set\\"'`],
    ["a control character replaced by its escape written out", 9, `actor_id = 'a\\u0001b'`],
    ["a value holding a separator and a made-up record", 2, `source_user_agent = E'vitest\\x1f1\\x1f0\\x1f{"action":"x'`],
    ["a value holding a quote that closes its string", 1, `target = 'ext.key_1","v":1}'`],
    ["a null turned into an empty string", 1, `source_ip = ''`],
    ["a value turned into null", 0, `extension_id = null`],
    ["details that say something else", 5, `details = '{"byteLength":99}'::json`],
    ["a time that is not a time", 6, `occurred_at = 'infinity'`],
    ["a time a millisecond later", 7, `occurred_at = occurred_at + interval '1 millisecond'`],
  ];

  for (const [name, leaf, change] of cases) {
    it(`names ${name} as altered at its leaf`, async () => {
      await database.db.execute(
        sql.raw(`update audit_events set ${change} where id = (select event_id from audit_leaves where leaf_index = ${leaf})`),
      );
      for (const pageSize of [undefined, 3]) expect(verdict(await verify(pageSize))).toEqual({ ok: false, first: `altered@${leaf}` });
    });
  }
});

// audit:verify reads the log in pages of leaf indices, several in flight at once. Small pages must find
// exactly what one page finds, wherever a page boundary falls relative to the tampering.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { ORIGIN, auditFixture, seedThreeCheckpoints } from "@/test/audit-fixtures";
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

const verify = (pageSize?: number) => verifyLog(database.db, { publicKey, origin: ORIGIN, anchorFile: fixture.anchorFile, pageSize });
const summary = (report: VerifyReport) => ({
  ok: report.ok,
  treeSize: report.treeSize,
  problems: report.problems.map((p) => `${p.kind}@${p.leafIndex}`),
});

/** The same verdict from pages of 3 (more pages than are ever in flight) and of 1 as from one page. */
async function expectSameVerdictPaged(expected: { ok: boolean; first: string | null }) {
  const whole = await verify(1000);
  expect({ ok: whole.ok, first: whole.first ? `${whole.first.kind}@${whole.first.leafIndex}` : null }).toEqual(expected);
  for (const pageSize of [1, 3, 7]) expect(summary(await verify(pageSize))).toEqual(summary(whole));
}

const leafEvent = (leafIndex: number) => sql`(select event_id from audit_leaves where leaf_index = ${leafIndex})`;

describe("audit:verify in pages", () => {
  it("passes an untouched log", async () => {
    await expectSameVerdictPaged({ ok: true, first: null });
    expect((await verify(3)).treeSize).toBe(20);
  });

  it("names an edited event in a later page", async () => {
    await database.db.execute(sql`update audit_events set target = 'ext.elsewhere' where id = ${leafEvent(14)}`);
    await expectSameVerdictPaged({ ok: false, first: "altered@14" });
  });

  it("names a leaf row removed at the start of a page", async () => {
    await database.db.execute(sql`delete from audit_leaves where leaf_index = 6`);
    await expectSameVerdictPaged({ ok: false, first: "missing@6" });
  });

  it("names every leaf row of a whole page removed", async () => {
    await database.db.execute(sql`delete from audit_leaves where leaf_index between 9 and 11`);
    await expectSameVerdictPaged({ ok: false, first: "missing@9" });
  });

  it("names a deleted event", async () => {
    await database.db.execute(sql`delete from audit_events where id = ${leafEvent(19)}`);
    await expectSameVerdictPaged({ ok: false, first: "missing@19" });
  });
});

// The SIEM export: leaves in order after a cursor, each line carrying its leaf index, its hash and the
// entry that hashes to it, so a collector resumes where it stopped and can check every line.
import { createHash } from "node:crypto";
import canonicalize from "canonicalize";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { exportLeaves } from "./export";
import { appendEvents, auditFixture, seedThreeCheckpoints } from "@/test/audit-fixtures";

let database: TestDatabase;
let fixture: Awaited<ReturnType<typeof auditFixture>>;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await database.close();
});
beforeEach(async () => {
  ({ fixture } = await seedThreeCheckpoints(database.db));
});

const leafHashOf = (entry: unknown) =>
  createHash("sha256")
    .update(Buffer.concat([Buffer.of(0), Buffer.from(canonicalize(entry) ?? "", "utf8")]))
    .digest("hex");

describe("the SIEM export", () => {
  it("pages through the log by leaf index, each line verifiable on its own", async () => {
    const first = await exportLeaves(database.db, -1, 7);
    expect(first.lines.map((l) => l.leaf_index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(first).toMatchObject({ next: 6, treeSize: 20 });
    for (const line of first.lines) expect(line.leaf_hash).toBe(leafHashOf(line.entry));
    expect(first.lines[3]?.entry).toMatchObject({ v: 1, target: "ext.key_3", action: "secret.rotate", details: { byteLength: 13 } });

    const rest = await exportLeaves(database.db, first.next);
    expect(rest.lines.map((l) => l.leaf_index)).toEqual(Array.from({ length: 13 }, (_, i) => 7 + i));
    expect(rest.next).toBe(19);
  });

  it("answers nothing new with the same cursor, and resumes once more events are sequenced", async () => {
    const idle = await exportLeaves(database.db, 19);
    expect(idle).toMatchObject({ lines: [], next: 19, treeSize: 20 });
    await appendEvents(database.db, 3, 20, { occurredAt: new Date() });
    await fixture.sequencer.tick({ forceCheckpoint: true });
    const resumed = await exportLeaves(database.db, idle.next);
    expect(resumed.lines.map((l) => [l.leaf_index, l.entry?.target])).toEqual([
      [20, "ext.key_20"],
      [21, "ext.key_21"],
      [22, "ext.key_22"],
    ]);
  });
});

// The admin overview's figures against a real database: audit events per UTC day (also one publisher's
// extension, never another's), how many events wait for the sequencer and which checkpoint is anchored,
// and connection health by provider with "degraded" for an active connection whose refreshes fail.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dailyAuditActivity, sequencerState } from "@/lib/audit/activity";
import { appendEvents, auditFixture } from "@/test/audit-fixtures";
import { extensions, oauthConnections } from "@/lib/db/schema";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { seedOwners } from "@/test/vault";
import { connectionHealthByProvider, listConnections, platformCounts } from "./overview";

let database: TestDatabase;
let owners: Awaited<ReturnType<typeof seedOwners>>;
let publisherId = "";
const now = new Date("2026-11-30T19:47:10.000Z");
const at = (iso: string) => new Date(iso);

beforeAll(async () => {
  database = await openTestDatabase();
  const { db } = database;
  owners = await seedOwners(db, "ov");
  const [ext] = await db.select().from(extensions).where(eq(extensions.id, owners.extensionId));
  publisherId = ext?.publisherId ?? "";
  // Today (UTC): 3 successes on the extension, 1 failure on the other one; yesterday just before
  // midnight UTC: 1 denied; 31 days ago: outside the window.
  await appendEvents(db, 3, 0, { extensionId: owners.extensionId, occurredAt: at("2026-11-30T08:00:00Z") });
  await appendEvents(db, 1, 3, { extensionId: owners.otherExtensionId, outcome: "failure", occurredAt: at("2026-11-30T09:00:00Z") });
  await appendEvents(db, 1, 4, { extensionId: owners.extensionId, outcome: "denied", occurredAt: at("2026-11-29T23:59:59Z") });
  await appendEvents(db, 1, 5, { extensionId: owners.extensionId, occurredAt: at("2026-10-30T12:00:00Z") });
});
afterAll(async () => {
  await database.close();
});

describe(`admin overview on ${process.env.TEST_DB_DRIVER ?? "pglite"}`, () => {
  it("counts audit events per UTC day over the last 30 days, every day present", async () => {
    const days = await dailyAuditActivity(database.db, { kind: "all" }, { days: 30, now });
    expect(days).toHaveLength(30);
    expect(days[0]?.day).toBe("2026-11-01");
    expect(days.at(-1)).toEqual({ day: "2026-11-30", success: 3, failure: 1, denied: 0 });
    expect(days.at(-2)).toEqual({ day: "2026-11-29", success: 0, failure: 0, denied: 1 });
    expect(days.reduce((n, d) => n + d.success + d.failure + d.denied, 0)).toBe(5);
  });

  it("counts one extension's events only for the publisher that owns it", async () => {
    const mine = await dailyAuditActivity(
      database.db,
      { kind: "extension", extensionId: owners.extensionId, publisherId },
      { days: 30, now },
    );
    expect(mine.at(-1)).toEqual({ day: "2026-11-30", success: 3, failure: 0, denied: 0 });
    const stranger = await dailyAuditActivity(
      database.db,
      { kind: "extension", extensionId: owners.extensionId, publisherId: "00000000-0000-4000-8000-000000000000" },
      { days: 30, now },
    );
    expect(stranger.every((d) => d.success + d.failure + d.denied === 0)).toBe(true);
  });

  it("reports events waiting for the sequencer and the latest anchored checkpoint", async () => {
    const { db } = database;
    const before = await sequencerState(db);
    expect(before).toMatchObject({ treeSize: 0, waiting: 6, latestCheckpoint: null, latestAnchored: null });
    expect(before.oldestWaitingAt?.toISOString()).toBe("2026-10-30T12:00:00.000Z");
    const { sequencer } = await auditFixture(db);
    await sequencer.tick({ forceCheckpoint: true });
    await appendEvents(db, 2, 6, { occurredAt: at("2026-11-30T10:00:00Z") });
    const after = await sequencerState(db);
    expect(after).toMatchObject({ treeSize: 6, waiting: 2 });
    expect(after.latestCheckpoint).toMatchObject({ treeSize: 6, anchors: [{ sink: "file", status: "confirmed" }] });
    expect(after.latestAnchored).toMatchObject({ treeSize: 6, sinks: ["file"] });
  });

  it("groups connections by provider and health, degraded being active with failing refreshes", async () => {
    const { db } = database;
    const base = { ownerKind: "org" as const, ownerId: owners.orgId, orgId: owners.orgId, clientExtensionId: owners.extensionId };
    await db.insert(oauthConnections).values([
      { ...base, providerId: "slack", providerName: "Slack" },
      { ...base, providerId: "slack", providerName: "Slack", clientExtensionId: owners.otherExtensionId, refreshFailures: 2 },
      { ...base, providerId: "github", providerName: "GitHub", status: "expired" },
    ]);
    expect(await connectionHealthByProvider(db)).toEqual([
      { providerId: "github", providerName: "GitHub", active: 0, degraded: 0, expired: 1, revoked: 0 },
      { providerId: "slack", providerName: "Slack", active: 1, degraded: 1, expired: 0, revoked: 0 },
    ]);
    const degraded = await listConnections(db, { providerId: "slack", health: "degraded" });
    expect(degraded.map((c) => [c.providerName, c.health, c.refreshFailures, c.orgName])).toEqual([["Slack", "degraded", 2, "Org"]]);
    expect(await platformCounts(db)).toMatchObject({ people: 1, orgs: 1, extensions: 2, connections: 3 });
  });
});

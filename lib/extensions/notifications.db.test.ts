import { and, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadUserActor, type UserActor } from "@/lib/auth/actor";
import { extensions, installations, notifications, organizations, secrets, users } from "@/lib/db/schema";
import { seedDemo } from "@/lib/demo/seed";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { buildVault, localKeyring } from "@/test/vault";
import { listNotifications, markRead, unreadCount } from "./notifications";
import { savePanelSecret, type PanelDeps } from "./panel-secrets";

let database: TestDatabase;
let deps: PanelDeps;
let eve: UserActor; // owner of Globex
let mo: UserActor; // plain member of Globex
let uma: UserActor; // owner of Initech, nothing installed there
let spotify: string;
let spotifyExtensionId: string;

const source = { kind: "ui" as const, ip: "127.0.0.1", userAgent: "vitest" };
const DAY_MS = 86_400_000;

beforeAll(async () => {
  database = await openTestDatabase();
  const { db } = database;
  await seedDemo(db);
  const { vault } = buildVault(db, await localKeyring());
  deps = { db, vault, baseUrl: "http://latchkey.test" };
  const actorOf = async (key: string) => {
    const [u] = await db.select().from(users).where(eq(users.demoKey, key));
    const actor = u ? await loadUserActor(db, u.id) : null;
    if (!actor) throw new Error(`demo user ${key} missing`);
    return actor;
  };
  [eve, mo, uma] = await Promise.all([actorOf("enduser"), actorOf("member"), actorOf("enduser2")]);
  const [globex] = await db.select().from(organizations).where(eq(organizations.slug, "globex"));
  const [row] = await db
    .select({ id: installations.id, extensionId: extensions.id })
    .from(installations)
    .innerJoin(extensions, eq(extensions.id, installations.extensionId))
    .where(and(eq(extensions.slug, "dev.imperal.spotify"), eq(installations.orgId, globex?.id ?? "")));
  if (!row) throw new Error("seeded Spotify installation in Globex missing");
  spotify = row.id;
  spotifyExtensionId = row.extensionId;
});
afterAll(async () => {
  await database.close();
});

/** Pretends the named secrets were last changed `days` ago (the vault stamps them with now). */
async function age(names: string[], days: number) {
  const then = new Date(Date.now() - days * DAY_MS);
  await database.db
    .update(secrets)
    .set({ lastSetAt: then, lastRotatedAt: then })
    .where(and(eq(secrets.extensionId, spotifyExtensionId), inArray(secrets.name, names)));
}

describe(`notifications (${process.env.TEST_DB_DRIVER ?? "pglite"})`, () => {
  it("computes rotation due from the secrets' last change and their rotation_hint_days, org secrets for admins only", async () => {
    await savePanelSecret(deps, { actor: eve, source }, spotify, "user.spotify_api_key", "sk-eve");
    await savePanelSecret(deps, { actor: eve, source }, spotify, "org.stripe_webhook_signing_secret", "whsec_globex");
    await savePanelSecret(deps, { actor: mo, source }, spotify, "user.spotify_api_key", "sk-mo");
    // Freshly set: nothing is due yet.
    expect(await listNotifications(database.db, eve)).toEqual([]);

    await age(["spotify_api_key", "stripe_webhook_signing_secret"], 100);
    const link = `/panel/extensions/${spotify}/settings/secrets`;
    expect((await listNotifications(database.db, eve)).map((n) => [n.kind, n.message, n.link, n.read])).toEqual(
      expect.arrayContaining([
        ["rotation_due", "Spotify: spotify_api_key is due for rotation (every 90 days)", link, false],
        ["rotation_due", "Spotify: stripe_webhook_signing_secret is due for rotation (every 90 days)", link, false],
      ]),
    );
    expect(await unreadCount(database.db, eve)).toBe(2);
    // Mo is a plain member: his own user secret only, never the organization's.
    expect((await listNotifications(database.db, mo)).map((n) => n.message)).toEqual([
      "Spotify: spotify_api_key is due for rotation (every 90 days)",
    ]);
    // Uma's organization has nothing installed: Globex's secrets are not hers to see.
    expect(await listNotifications(database.db, uma)).toEqual([]);

    // 89 days is within the 90-day hint.
    await age(["spotify_api_key", "stripe_webhook_signing_secret"], 89);
    expect(await unreadCount(database.db, eve)).toBe(0);
  });

  it("lists only the person's own stored notifications and marks only theirs read", async () => {
    const [eveNote, umaNote] = await database.db
      .insert(notifications)
      .values([
        {
          userId: eve.userId,
          kind: "connection_expired",
          subjectId: "c1",
          message: "Your Zoom connection expired.",
          link: "/panel/connections",
        },
        {
          userId: uma.userId,
          kind: "connection_degraded",
          subjectId: "c2",
          message: "Uma's GitHub is failing.",
          link: "/panel/connections",
        },
      ])
      .returning();
    if (!eveNote || !umaNote) throw new Error("insert returned nothing");

    expect((await listNotifications(database.db, eve)).map((n) => n.message)).toEqual(["Your Zoom connection expired."]);
    expect((await listNotifications(database.db, uma)).map((n) => n.message)).toEqual(["Uma's GitHub is failing."]);
    expect(await unreadCount(database.db, uma)).toBe(1);

    // Eve naming Uma's notification, or marking all of hers, leaves Uma's untouched.
    expect(await markRead(database.db, eve, umaNote.id)).toBe(0);
    expect(await markRead(database.db, eve, "rotation:anything")).toBe(0);
    expect(await markRead(database.db, eve, "all")).toBe(1);
    expect(await unreadCount(database.db, uma)).toBe(1);
    expect(await unreadCount(database.db, eve)).toBe(0);
    // A read notification stays listed (recently read), shown as read.
    expect((await listNotifications(database.db, eve)).map((n) => [n.id, n.read])).toEqual([[eveNote.id, true]]);

    expect(await markRead(database.db, uma, umaNote.id)).toBe(1);
    expect(await unreadCount(database.db, uma)).toBe(0);
  });
});

// The publisher dashboard's extension list against a real database: each card's latest version and
// installation count are that extension's own, not the subquery's rows compared with themselves.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { extensionVersions, extensions, installations, organizations, publishers } from "@/lib/db/schema";
import { seedDemo } from "@/lib/demo/seed";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { listPublisherExtensions } from "./queries";

let database: TestDatabase;

beforeAll(async () => {
  database = await openTestDatabase();
  await seedDemo(database.db);
});
afterAll(async () => {
  await database.close();
});

describe(`listPublisherExtensions on ${process.env.TEST_DB_DRIVER ?? "pglite"}`, () => {
  it("gives every card its own latest version and installation count", async () => {
    const { db } = database;
    const [acme] = await db.select().from(publishers).where(eq(publishers.slug, "acme-extensions"));
    const [initech] = await db.select().from(organizations).where(eq(organizations.slug, "initech"));
    const [spotify] = await db.select().from(extensions).where(eq(extensions.slug, "dev.imperal.spotify"));
    if (!acme || !initech || !spotify) throw new Error("demo data missing");
    // Spotify: installed in Globex by the demo, and now in Initech too, with a newer 1.1.0 uploaded later.
    const [v1] = await db.select().from(extensionVersions).where(eq(extensionVersions.extensionId, spotify.id));
    if (!v1) throw new Error("Spotify 1.0.0 missing");
    await db.insert(installations).values({ extensionId: spotify.id, orgId: initech.id, versionId: v1.id });
    await db.insert(extensionVersions).values({
      extensionId: spotify.id,
      version: "1.1.0",
      manifestYaml: "",
      manifest: {},
      createdAt: new Date(v1.createdAt.getTime() + 60_000),
    });

    const cards = await listPublisherExtensions(db, acme.id);
    expect(cards.map((c) => [c.name, c.latestVersion, c.installCount])).toEqual([
      // The provider and its consumer: Globex and Acme Sandbox. Zoom: a draft nobody installed.
      ["My Calendar", "1.0.0", 2],
      ["My OAuth Provider", "1.0.0", 2],
      ["Spotify", "1.1.0", 2],
      ["Zoom Integration", "1.0.0", 0],
    ]);
  });
});

import { eq } from "drizzle-orm";
import { DrizzleQueryError } from "drizzle-orm/errors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEmptyPostgresDatabase, openTestDatabase, type TestDatabase } from "@/test/db";
import { loadUserActor } from "@/lib/auth/actor";
import { listOrgInstallations, listPublisherExtensions } from "@/lib/extensions/queries";
import { openDatabase, DatabaseConnectError } from "./client";
import { extensions, installations, organizations, users } from "./schema";
import { demoPeople, seedDemo } from "@/lib/demo/seed";

let database: TestDatabase;

beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await database.close();
});

describe(`data layer on ${process.env.TEST_DB_DRIVER ?? "pglite"}`, () => {
  it("applies the migrations and seeds the demo data idempotently", async () => {
    const { db } = database;
    await seedDemo(db);
    await seedDemo(db);
    expect(await db.select().from(users)).toHaveLength(demoPeople.length);
    expect(await db.select().from(extensions)).toHaveLength(4);
    // Globex: Spotify, the provider and its consumer; Acme Sandbox: the provider and its consumer.
    expect(await db.select().from(installations)).toHaveLength(5);
  });

  it("resolves each demo person's roles", async () => {
    const { db } = database;
    const byKey = async (key: string) => {
      const [row] = await db.select().from(users).where(eq(users.demoKey, key));
      if (!row) throw new Error(`no ${key}`);
      return loadUserActor(db, row.id);
    };
    const publisher = await byKey("publisher");
    expect(publisher?.publishers.map((p) => p.slug)).toEqual(["acme-extensions"]);
    expect(publisher?.orgs).toEqual([]);
    const eve = await byKey("enduser");
    expect(eve?.orgs.map((o) => [o.slug, o.role])).toEqual([["globex", "owner"]]);
    const uma = await byKey("enduser2");
    expect(uma?.orgs.map((o) => o.slug)).toEqual(["initech"]);
    expect((await byKey("admin"))?.isPlatformAdmin).toBe(true);
    const dana = await byKey("developer");
    expect(dana?.publishers.map((p) => [p.slug, p.role])).toEqual([["acme-extensions", "member"]]);
    expect(dana?.orgs.map((o) => [o.slug, o.role])).toEqual([["acme-sandbox", "owner"]]);
    expect(await loadUserActor(db, "00000000-0000-4000-8000-000000000000")).toBeNull();
  });

  it("scopes tenant queries to their tenant", async () => {
    const { db } = database;
    const orgs = await db.select().from(organizations);
    const globex = orgs.find((o) => o.slug === "globex");
    const initech = orgs.find((o) => o.slug === "initech");
    if (!globex || !initech) throw new Error("demo orgs missing");
    expect((await listOrgInstallations(db, globex.id)).map((r) => r.name).sort()).toEqual(["My Calendar", "My OAuth Provider", "Spotify"]);
    expect(await listOrgInstallations(db, initech.id)).toEqual([]);
    const [ext] = await db.select().from(extensions);
    expect(await listPublisherExtensions(db, "00000000-0000-4000-8000-000000000000")).toEqual([]);
    expect(ext).toBeDefined();
  });

  it("refuses a second installation of the same extension in one organization", async () => {
    const { db } = database;
    const [existing] = await db.select().from(installations);
    if (!existing) throw new Error("no installation");
    const insert = db
      .insert(installations)
      .values({ extensionId: existing.extensionId, orgId: existing.orgId, versionId: existing.versionId });
    // drizzle wraps the driver's error; postgres.js' PostgresError and PGlite's DatabaseError both carry the
    // SQLSTATE in `code`: 23505 is unique_violation, not any other failure of the insert.
    const error: unknown = await insert.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DrizzleQueryError);
    expect((error as DrizzleQueryError).cause).toMatchObject({ code: "23505" });
    const same = await db.select().from(installations).where(eq(installations.extensionId, existing.extensionId));
    expect(same.filter((row) => row.orgId === existing.orgId).map((row) => row.id)).toEqual([existing.id]);
  });
});

describe("connection failures", () => {
  it("names DATABASE_URL and fails fast when the server cannot be reached", async () => {
    const started = Date.now();
    const attempt = openDatabase({ url: "postgres://nobody@127.0.0.1:1/nowhere" });
    await expect(attempt).rejects.toBeInstanceOf(DatabaseConnectError);
    await expect(attempt).rejects.toThrow(/DATABASE_URL \(127\.0\.0\.1:1\/nowhere\)/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe("concurrent start-up", () => {
  it.runIf(process.env.TEST_DB_DRIVER === "postgres")("lets several instances migrate the same fresh database at once", async () => {
    const fresh = await createEmptyPostgresDatabase(process.env.DATABASE_URL ?? "");
    try {
      const url = fresh.url;
      const instances = await Promise.all([openDatabase({ url }), openDatabase({ url }), openDatabase({ url })]);
      for (const instance of instances) {
        expect(await instance.db.select().from(users)).toEqual([]);
        await instance.close();
      }
    } finally {
      await fresh.drop();
    }
  });
});

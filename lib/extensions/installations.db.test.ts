import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadUserActor, type UserActor } from "@/lib/auth/actor";
import { auditEvents, extensionVersions, extensions, installations, organizations, publishers, users } from "@/lib/db/schema";
import { seedDemo } from "@/lib/demo/seed";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { providerAliases } from "@/lib/manifest/oauth";
import { installExtension, listCatalogue, uninstallExtension } from "./installations";

let database: TestDatabase;
let eve: UserActor;
let uma: UserActor;
let mo: UserActor;
let globexId: string;
let initechId: string;
const ids = new Map<string, string>();

const source = { kind: "ui" as const, ip: "127.0.0.1", userAgent: "vitest" };
const call = (actor: UserActor) => ({ actor, source });
const failure = async (p: Promise<unknown>) =>
  p.then(
    () => ({ code: "ok", message: "" }),
    (e: { code?: string; message?: string }) => ({ code: e.code ?? String(e), message: e.message ?? "" }),
  );
const idOf = (slug: string) => ids.get(slug) ?? "missing";

beforeAll(async () => {
  database = await openTestDatabase();
  const { db } = database;
  await seedDemo(db);
  const actorOf = async (key: string) => {
    const [u] = await db.select().from(users).where(eq(users.demoKey, key));
    const actor = u ? await loadUserActor(db, u.id) : null;
    if (!actor) throw new Error(key);
    return actor;
  };
  [eve, uma, mo] = await Promise.all([actorOf("enduser"), actorOf("enduser2"), actorOf("member")]);
  const orgs = await db.select().from(organizations);
  globexId = orgs.find((o) => o.slug === "globex")?.id ?? "";
  initechId = orgs.find((o) => o.slug === "initech")?.id ?? "";
  // A consumer that refuses to install without its provider (the demo consumer only prompts).
  const [publisher] = await db.select().from(publishers);
  if (!publisher) throw new Error("seed");
  const [strict] = await db
    .insert(extensions)
    .values({ publisherId: publisher.id, slug: "dev.test.strict-calendar", name: "Strict Calendar", status: "published" })
    .returning();
  if (!strict) throw new Error("insert");
  const manifest = {
    extension: { id: "dev.test.strict-calendar", name: "Strict Calendar", version: "1.0.0" },
    requires: { oauth_provider: { provider: "my-oauth", scopes: ["calendar.read"], on_missing: "error" } },
  };
  await db
    .insert(extensionVersions)
    .values({ extensionId: strict.id, version: "1.0.0", manifestYaml: "", manifest, publishedAt: new Date() });
  for (const e of await db.select().from(extensions)) ids.set(e.slug, e.id);
  // Demo mode publishes the provider once its partner credentials are set (lib/oauth/demo.ts).
  await db.update(extensions).set({ status: "published" }).where(eq(extensions.slug, "dev.kiket.ext.my-oauth"));
  await db
    .update(extensionVersions)
    .set({ publishedAt: new Date() })
    .where(eq(extensionVersions.extensionId, idOf("dev.kiket.ext.my-oauth")));
});
afterAll(async () => {
  await database.close();
});

describe(`installations (${process.env.TEST_DB_DRIVER ?? "pglite"})`, () => {
  it("offers published extensions the organization has not installed, never drafts", async () => {
    const initech = await listCatalogue(database.db, initechId);
    expect(initech.map((c) => c.slug).sort()).toEqual([
      "dev.imperal.spotify",
      "dev.kiket.ext.my-calendar",
      "dev.kiket.ext.my-oauth",
      "dev.test.strict-calendar",
    ]);
    expect((await listCatalogue(database.db, globexId)).map((c) => c.slug)).toEqual(["dev.test.strict-calendar"]);
  });

  it("lets an org owner install, pinned to the newest published version, audited with the user and ui source", async () => {
    const { db } = database;
    const spotify = idOf("dev.imperal.spotify");
    // A newer published version and a newer unpublished one: the install pins the published 1.1.0.
    await db.insert(extensionVersions).values([
      { extensionId: spotify, version: "1.1.0", manifestYaml: "", manifest: {}, publishedAt: new Date(Date.now() + 1000) },
      { extensionId: spotify, version: "2.0.0-draft", manifestYaml: "", manifest: {}, publishedAt: null },
    ]);
    const result = await installExtension(db, call(uma), initechId, spotify);
    expect(result.version).toBe("1.1.0");
    const [row] = await db.select().from(installations).where(eq(installations.id, result.installation.id));
    expect(row).toMatchObject({ orgId: initechId, installedBy: uma.userId, setupStep: 0 });
    const events = await db.select().from(auditEvents).where(eq(auditEvents.action, "extension.install"));
    expect(events.map((e) => [e.actorKind, e.actorId, e.sourceKind, e.target, e.orgId])).toEqual([
      ["user", uma.userId, "ui", "dev.imperal.spotify", initechId],
    ]);
    expect((await listCatalogue(db, initechId)).map((c) => c.slug)).not.toContain("dev.imperal.spotify");
    expect(await failure(installExtension(db, call(uma), initechId, spotify))).toMatchObject({ code: "already_installed" });
  });

  it("refuses a plain member and a person from another organization, changing nothing", async () => {
    const { db } = database;
    const strict = idOf("dev.test.strict-calendar");
    expect(await failure(installExtension(db, call(mo), globexId, strict))).toMatchObject({ code: "forbidden" });
    expect(await failure(installExtension(db, call(eve), initechId, idOf("dev.kiket.ext.my-calendar")))).toMatchObject({
      code: "forbidden",
    });
    const rows = await db
      .select()
      .from(installations)
      .where(and(eq(installations.orgId, initechId), eq(installations.extensionId, idOf("dev.kiket.ext.my-calendar"))));
    expect(rows).toEqual([]);
    expect(await db.select().from(auditEvents).where(eq(auditEvents.actorId, mo.userId))).toEqual([]);
  });

  it("refuses an extension whose required OAuth provider is missing, naming the provider, until it is installed", async () => {
    const { db } = database;
    const strict = idOf("dev.test.strict-calendar");
    const refused = await failure(installExtension(db, call(uma), initechId, strict));
    expect(refused.code).toBe("install_blocked");
    expect(refused.message).toContain('"my-oauth"');
    expect(await db.select().from(installations).where(eq(installations.extensionId, strict))).toEqual([]);
    await installExtension(db, call(uma), initechId, idOf("dev.kiket.ext.my-oauth"));
    await expect(installExtension(db, call(uma), initechId, strict)).resolves.toMatchObject({ version: "1.0.0" });
    // Globex already has the provider installed by the demo seed.
    await expect(installExtension(db, call(eve), globexId, strict)).resolves.toMatchObject({ version: "1.0.0" });
  });

  it("refuses unknown and draft extensions as not found", async () => {
    const { db } = database;
    expect(await failure(installExtension(db, call(uma), initechId, idOf("dev.mycompany.zoom-integration")))).toMatchObject({
      code: "not_found",
    });
    expect(await failure(installExtension(db, call(uma), initechId, "not-a-uuid"))).toMatchObject({ code: "not_found" });
  });

  it("matches a provider by its provider_id or its extension id's last segment", () => {
    const manifest = { extension: { provides: { oauth_provider: { provider_id: "my-provider" } } } };
    expect(providerAliases(manifest, "dev.kiket.ext.my-oauth")).toEqual(["my-provider", "my-oauth"]);
    expect(providerAliases({}, "dev.kiket.ext.my-oauth")).toEqual([]);
  });

  it("refuses to uninstall a provider while an installed consumer depends on it, naming the consumers", async () => {
    const { db } = database;
    const installationOf = async (slug: string) =>
      (
        await db
          .select({ id: installations.id })
          .from(installations)
          .where(and(eq(installations.orgId, globexId), eq(installations.extensionId, idOf(slug))))
      )[0]?.id ?? "";
    const provider = await installationOf("dev.kiket.ext.my-oauth");
    expect(await failure(uninstallExtension(db, call(mo), provider))).toMatchObject({ code: "forbidden" });
    expect(await failure(uninstallExtension(db, call(uma), provider))).toMatchObject({ code: "not_found" });
    const blocked = await failure(uninstallExtension(db, call(eve), provider));
    expect(blocked.code).toBe("uninstall_blocked");
    expect(blocked.message).toContain("My Calendar");
    expect(blocked.message).toContain("Strict Calendar");
    await uninstallExtension(db, call(eve), await installationOf("dev.kiket.ext.my-calendar"));
    await uninstallExtension(db, call(eve), await installationOf("dev.test.strict-calendar"));
    await expect(uninstallExtension(db, call(eve), provider)).resolves.toMatchObject({ name: "My OAuth Provider" });
    expect(await installationOf("dev.kiket.ext.my-oauth")).toBe("");
    const events = await db.select().from(auditEvents).where(eq(auditEvents.action, "extension.uninstall"));
    expect(events).toHaveLength(3);
    expect(events.every((e) => e.actorId === eve.userId && e.orgId === globexId)).toBe(true);
  });
});

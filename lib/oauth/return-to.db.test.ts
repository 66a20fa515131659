// Where an OAuth flow sends the browser back to (issue 12, item 1): through a real authorization server
// (node-oidc-provider on loopback), a `return_to` that normalises to another host is refused before any
// state is stored, and a path on this site comes back from the callback exactly as it was given.
// Runs on PGlite, and on PostgreSQL when DATABASE_URL is set.
import { and, eq } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadUserActor, type UserActor } from "@/lib/auth/actor";
import { SecretValue } from "@/lib/crypto";
import { extensionVersions, extensions, installations, oauthStates, organizations, users } from "@/lib/db/schema";
import { seedDemo } from "@/lib/db/seed-demo";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { completeConsent, startTestProvider, type TestProvider } from "@/test/oidc";
import { buildVault, localKeyring } from "@/test/vault";
import { clearDiscoveryCache } from "./client";
import { OAuthError } from "./errors";
import { OAuthService } from "./service";

const BASE = "http://latchkey.test";
const source = { kind: "ui" as const, ip: "127.0.0.1", userAgent: "vitest" };

let database: TestDatabase;
let provider: TestProvider;
let oauth: OAuthService;
let eve: UserActor;
let calendar = "";

const start = (returnTo: string | null) =>
  oauth.start({ providerId: "my-provider", installationId: calendar, fieldKey: "", scopes: [], returnTo, binding: null }, eve, source);

const stateRows = async () => (await database.db.select().from(oauthStates).where(eq(oauthStates.userId, eve.userId))).length;

beforeAll(async () => {
  provider = await startTestProvider({ redirectUri: `${BASE}/api/oauth/my-provider/callback` });
  database = await openTestDatabase();
  const { db } = database;
  await seedDemo(db, { oauthIssuer: provider.issuer });
  const { vault } = buildVault(db, await localKeyring(), { logger: pino({ level: "silent" }) });
  oauth = new OAuthService({ db, vault, baseUrl: BASE, logger: pino({ level: "silent" }) });

  const [u] = await db.select().from(users).where(eq(users.demoKey, "enduser"));
  const actor = u ? await loadUserActor(db, u.id) : null;
  if (!actor) throw new Error("Eve is not seeded");
  eve = actor;

  // The demo provider extension's client is the test provider's registered client; publish it.
  const [providerExt] = await db.select().from(extensions).where(eq(extensions.slug, "dev.kiket.ext.my-oauth"));
  if (!providerExt) throw new Error("provider extension is not seeded");
  const system = { actor: { kind: "system" as const, id: "test" }, source };
  const ref = (name: string) => ({ extensionId: providerExt.id, scope: "ext" as const, ownerId: providerExt.id, name });
  await vault.set(system, ref("my_client_id"), SecretValue.from(provider.client.client_id));
  await vault.set(system, ref("my_client_secret"), SecretValue.from(provider.client.client_secret));
  await db.update(extensions).set({ status: "published" }).where(eq(extensions.id, providerExt.id));
  await db.update(extensionVersions).set({ publishedAt: new Date() }).where(eq(extensionVersions.extensionId, providerExt.id));

  const [row] = await db
    .select({ id: installations.id })
    .from(installations)
    .innerJoin(extensions, eq(extensions.id, installations.extensionId))
    .innerJoin(organizations, eq(organizations.id, installations.orgId))
    .where(and(eq(extensions.slug, "dev.kiket.ext.my-calendar"), eq(organizations.slug, "globex")));
  if (!row) throw new Error("Globex's calendar installation is not seeded");
  calendar = row.id;
}, 60_000);

afterAll(async () => {
  await provider?.close();
  await database?.close();
  clearDiscoveryCache();
});

describe("return_to through the authorize and callback steps", () => {
  it.each([
    // The examples: accepted before, they ended at http://evil.example/landing.
    "/.//evil.example/landing",
    "/..//evil.example/landing",
    "/%2e//evil.example/landing",
    "/./\\evil.example/landing",
    // The same with whitespace a URL parser drops, backslashes and encoded separators.
    "/\t/evil.example/landing",
    "/\r/evil.example/landing",
    "/\n/evil.example/landing",
    "/\\/evil.example/landing",
    "\\\\evil.example/landing",
    "/%2f%2fevil.example/landing",
    "/%5c%5cevil.example/landing",
    "javascript:alert(document.cookie)",
    "https://evil.example/landing",
    "//evil.example/landing",
  ])("refuses %j with invalid_return_to and stores no state", async (returnTo) => {
    const before = await stateRows();
    const error = await start(returnTo).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OAuthError);
    expect(error).toMatchObject({
      code: "invalid_return_to",
      status: 400,
      message: "return_to must be a path on this site, such as /panel/connections.",
    });
    expect(await stateRows()).toBe(before);
  });

  it("brings the browser back to a path on this site exactly as given", async () => {
    const setup = `/panel/extensions/${calendar}/setup?x=1`;
    const started = await start(setup);
    expect(started.returnTo).toBe(setup);
    const callbackUrl = await completeConsent(started.url.toString());
    const done = await oauth.complete({ providerId: "my-provider", callbackUrl, binding: started.binding }, eve, source);
    expect(done.returnTo).toBe(setup);
  });

  it("stores an absolute URL on this origin as its path", async () => {
    const started = await start(`${BASE}/panel/connections?tab=all`);
    expect(started.returnTo).toBe("/panel/connections?tab=all");
  });
});

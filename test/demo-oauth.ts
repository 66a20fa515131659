// A database seeded with the demo data whose provider extension (my-oauth) is wired to a real
// authorization server (node-oidc-provider on loopback) and published, with Eve (Globex) and Globex's
// My Calendar installation at hand: what OAuth flow tests start from.
import { and, eq } from "drizzle-orm";
import pino from "pino";
import { loadUserActor, type UserActor } from "@/lib/auth/actor";
import { SecretValue } from "@/lib/crypto";
import { extensionVersions, extensions, installations, organizations, users } from "@/lib/db/schema";
import { seedDemo } from "@/lib/demo/seed";
import { clearDiscoveryCache } from "@/lib/oauth/authorization-server";
import { OAuthService } from "@/lib/oauth/service";
import { openTestDatabase, type TestDatabase } from "./db";
import { startTestProvider, type TestProvider } from "./oidc";
import { buildVault, localKeyring } from "./vault";

export interface DemoOAuth {
  database: TestDatabase;
  provider: TestProvider;
  oauth: OAuthService;
  /** Eve Enduser, a member of Globex. */
  eve: UserActor;
  /** Globex's installation of My Calendar, which requires my-provider. */
  calendar: string;
  close(): Promise<void>;
}

/** Opens a test database with the demo data and a running provider for `my-provider` at `baseUrl`. */
export async function openDemoOAuth(baseUrl: string): Promise<DemoOAuth> {
  const provider = await startTestProvider({ redirectUri: `${baseUrl}/api/oauth/my-provider/callback` });
  const database = await openTestDatabase();
  const { db } = database;
  await seedDemo(db, { oauthIssuer: provider.issuer });
  const { vault } = buildVault(db, await localKeyring(), { logger: pino({ level: "silent" }) });
  const oauth = new OAuthService({ db, vault, baseUrl, logger: pino({ level: "silent" }) });

  const [u] = await db.select().from(users).where(eq(users.demoKey, "enduser"));
  const eve = u ? await loadUserActor(db, u.id) : null;
  if (!eve) throw new Error("Eve is not seeded");

  // The demo provider extension's client is the test provider's registered client; publish it.
  const [providerExt] = await db.select().from(extensions).where(eq(extensions.slug, "dev.kiket.ext.my-oauth"));
  if (!providerExt) throw new Error("provider extension is not seeded");
  const system = { actor: { kind: "system" as const, id: "test" }, source: { kind: "worker" as const } };
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

  return {
    database,
    provider,
    oauth,
    eve,
    calendar: row.id,
    async close() {
      await provider.close();
      await database.close();
      clearDiscoveryCache();
    },
  };
}

// The catalogue's contract suite: every built-in provider (lib/oauth/catalogue/<id>.ts) is played by its
// contract fixture (test/provider-fixtures/<id>.ts: the code-exchange, refresh, grant-gone, profile and
// revocation answers its documentation shows) on a loopback server reached at the catalogue's real URLs,
// and run through Latchkey's own code: connect (authorize → consent → callback), refresh, a runtime token
// request, disconnect (revocation at the provider where it has one), and a refresh answered "grant gone".
// A provider without a fixture fails here, so a new provider is a data file plus a fixture.
import { eq } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadUserActor, type UserActor } from "@/lib/auth/actor";
import { SecretValue } from "@/lib/crypto";
import {
  extensionVersions,
  extensions,
  installations,
  oauthConnections,
  orgMembers,
  organizations,
  publishers,
  users,
  type OAuthConnectionRow,
} from "@/lib/db/schema";
import type { Vault } from "@/lib/vault/vault";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { providerFixtures, routeProviderHosts, startProviderServer, type ProviderServer } from "@/test/provider-fixtures";
import { buildVault, localKeyring } from "@/test/vault";
import { catalogueEntries } from "@/lib/oauth/catalogue";
import { OAuthService } from "./service";
import { openToken } from "./token-seal";

const BASE = "http://latchkey.test";
const source = { kind: "ui" as const, ip: "127.0.0.1", userAgent: "vitest" };
const silent = pino({ level: "silent" });
const ids = catalogueEntries.map((e) => e.id);
/** Where each per-tenant endpoint parameter's value lives: Zendesk's subdomain beside the client id, Shopify's shop per organization. */
const PARAM_SCOPE: Record<string, "ext" | "org"> = { zendesk: "ext", shopify: "org" };

let database: TestDatabase;
let vault: Vault;
let oauth: OAuthService;
let actor: UserActor;
let orgId = "";
let extensionId = "";
let installationId = "";
let restoreFetch = () => {};
const servers = new Map<string, ProviderServer>();

const serverOf = (id: string) => {
  const found = servers.get(id);
  if (!found) throw new Error(`no fixture server for ${id}`);
  return found;
};

async function connect(providerId: string) {
  const started = await oauth.start(
    { providerId, installationId, fieldKey: providerId, scopes: [], returnTo: null, binding: null },
    actor,
    source,
  );
  const callbackUrl = await serverOf(providerId).consent(started.url);
  return oauth.complete({ providerId, callbackUrl, binding: started.binding }, actor, source);
}

async function connection(providerId: string): Promise<OAuthConnectionRow> {
  const [row] = await database.db.select().from(oauthConnections).where(eq(oauthConnections.providerId, providerId));
  if (!row) throw new Error(`no ${providerId} connection`);
  return row;
}

const refreshTokenOf = (row: OAuthConnectionRow) => openToken(vault.dataKeys, row, "refresh_token", row.refreshToken);
const accessTokenOf = (row: OAuthConnectionRow) => openToken(vault.dataKeys, row, "access_token", row.accessToken);

/** Makes the connection's token expire in `ms` (issued an hour ago), with no backoff pending. */
async function expireIn(row: OAuthConnectionRow, ms: number) {
  await database.db
    .update(oauthConnections)
    .set({ expiresAt: new Date(Date.now() + ms), issuedAt: new Date(Date.now() - 3600_000), nextAttemptAt: null })
    .where(eq(oauthConnections.id, row.id));
}

const refreshSoon = async (row: OAuthConnectionRow) => {
  await expireIn(row, 5_000);
  return oauth.refresher.refresh(row.id, { minValidityMs: 60_000 });
};

beforeAll(async () => {
  database = await openTestDatabase();
  ({ vault } = buildVault(database.db, await localKeyring(), { logger: silent }));
  oauth = new OAuthService({ db: database.db, vault, baseUrl: BASE, logger: silent });
  const fixtures = Object.values(providerFixtures);
  const started = await Promise.all(fixtures.map((f) => startProviderServer(f)));
  for (const server of started) servers.set(server.fixture.provider, server);
  restoreFetch = routeProviderHosts(started);

  const { db } = database;
  const [publisher] = await db.insert(publishers).values({ slug: "contract-pub", name: "Contract Publisher" }).returning();
  const [org] = await db.insert(organizations).values({ slug: "contract-org", name: "Contract Org" }).returning();
  const [person] = await db.insert(users).values({ email: "contract@example.test", name: "Casey" }).returning();
  if (!publisher || !org || !person) throw new Error("seed");
  orgId = org.id;
  await db.insert(orgMembers).values({ orgId: org.id, userId: person.id, role: "owner" });
  const [ext] = await db
    .insert(extensions)
    .values({ publisherId: publisher.id, slug: "dev.contract.everything", name: "Every Provider", status: "published" })
    .returning();
  if (!ext) throw new Error("extension");
  extensionId = ext.id;
  const params = catalogueEntries.flatMap((e) =>
    Object.keys(e.endpointParams ?? {}).map((param) => ({ id: e.id, param, scope: PARAM_SCOPE[e.id] ?? "ext", name: `${e.id}_${param}` })),
  );
  const manifest = {
    extension: { id: ext.slug, name: ext.name, version: "1.0.0" },
    credentials: {
      ext: [
        ...ids.flatMap((id) => [
          { key: `${id}_client_id`, label: `${id} client id`, type: "oauth_client_id", required: true },
          { key: `${id}_client_secret`, label: `${id} client secret`, type: "oauth_client_secret", required: true },
        ]),
        ...params.filter((p) => p.scope === "ext").map((p) => ({ key: p.name, label: `${p.id} ${p.param}` })),
      ],
    },
    secrets: params.filter((p) => p.scope === "org").map((p) => ({ name: p.name, scope: "org", description: `${p.id} ${p.param}` })),
    setup: [
      {
        secrets: {
          fields: ids.map((id) => ({
            key: id,
            label: `Connect ${id}`,
            obtain: {
              type: "oauth2",
              provider: id,
              client_id: `ext.${id}_client_id`,
              client_secret: `ext.${id}_client_secret`,
              scopes: providerFixtures[id]?.contract.scopes ?? [],
              store_as: `user.${id}_token`,
              ...(params.some((p) => p.id === id)
                ? { endpoint_params: Object.fromEntries(params.filter((p) => p.id === id).map((p) => [p.param, `${p.scope}.${p.name}`])) }
                : {}),
            },
          })),
        },
      },
    ],
  };
  const [version] = await db
    .insert(extensionVersions)
    .values({ extensionId: ext.id, version: "1.0.0", manifestYaml: "", manifest, publishedAt: new Date() })
    .returning();
  const [inst] = await db
    .insert(installations)
    .values({ extensionId: ext.id, orgId: org.id, versionId: version?.id ?? "" })
    .returning();
  installationId = inst?.id ?? "";
  const system = { actor: { kind: "system" as const, id: "test" }, source };
  const set = (scope: "ext" | "org", name: string, value: string) =>
    vault.set(
      { ...system, orgId: org.id },
      { extensionId: ext.id, scope, ownerId: scope === "ext" ? ext.id : org.id, name },
      SecretValue.from(value),
    );
  for (const server of started) {
    await set("ext", `${server.fixture.provider}_client_id`, server.client.clientId);
    await set("ext", `${server.fixture.provider}_client_secret`, server.client.clientSecret);
  }
  for (const p of params) await set(p.scope, p.name, providerFixtures[p.id]?.endpointParams?.[p.param] ?? "");
  const loaded = await loadUserActor(db, person.id);
  if (!loaded) throw new Error("actor");
  actor = loaded;
}, 60_000);

afterAll(async () => {
  restoreFetch();
  await Promise.all([...servers.values()].map((s) => s.close()));
  await database?.close();
});

describe(`contract: ${ids.length} catalogue providers`, () => {
  it("has at least 25 providers, and every fixture plays one of them", () => {
    expect(ids.length).toBeGreaterThanOrEqual(25);
    expect(new Set(ids).size).toBe(ids.length);
    expect(Object.keys(providerFixtures).filter((id) => !ids.includes(id))).toEqual([]);
  });

  describe.each(ids)("%s", (id) => {
    const entry = catalogueEntries.find((e) => e.id === id);

    it("has a contract fixture that plays what its catalogue data says", () => {
      const fixture = providerFixtures[id];
      expect(fixture, `${id} has no contract fixture: add test/provider-fixtures/${id}.ts`).toBeDefined();
      if (!fixture || !entry) return;
      expect(fixture.rotates, "rotation").toBe(entry.refreshTokens === "rotating");
      expect(fixture.refresh === undefined, "refresh tokens").toBe(entry.refreshTokens === "none");
      expect(fixture.revocation !== undefined, "revocation endpoint").toBe(entry.endpoints?.revoke !== undefined);
      expect(fixture.pkce === "absent", "PKCE").toBe(entry.pkce === "unsupported");
      expect(fixture.scopeSeparator ?? " ", "scope separator").toBe(entry.scopeSeparator ?? " ");
      expect(fixture.docs.length, "documentation").toBeGreaterThan(0);
      expect(entry.docs.length, "documentation").toBeGreaterThan(0);
    });

    it("connect → refresh → token request → revoke, and a grant-gone answer expires it", async () => {
      const fixture = providerFixtures[id];
      if (!fixture) throw new Error(`${id} has no contract fixture: add test/provider-fixtures/${id}.ts`);
      const server = serverOf(id);
      const { contract } = fixture;

      // Connect: the code exchange as documented, the grant, the account and the token lifetime as Latchkey reads them.
      await connect(id);
      let row = await connection(id);
      expect(row.status).toBe("active");
      expect(row.scopes).toEqual(contract.grant);
      expect([row.accountId, row.accountLabel]).toEqual(contract.account);
      expect(row.expiresAt && row.issuedAt ? Math.round((row.expiresAt.getTime() - row.issuedAt.getTime()) / 1000) : null).toBe(
        contract.expiresIn,
      );
      const firstAccess = await accessTokenOf(row);
      const firstRefresh = await refreshTokenOf(row);
      expect(server.liveAccessTokens()).toContain(firstAccess);
      if (fixture.refresh) expect(server.liveRefreshTokens()).toContain(firstRefresh);
      else expect(firstRefresh).toBeNull();

      // Refresh: a new access token; the refresh token rotated (the old one retired) or kept, as documented.
      const refreshed = await refreshSoon(row);
      if (fixture.refresh) {
        expect(refreshed.kind).toBe("refreshed");
        row = await connection(id);
        const access = await accessTokenOf(row);
        const refresh = await refreshTokenOf(row);
        expect(access).not.toBe(firstAccess);
        expect(server.liveAccessTokens()).toContain(access);
        if (fixture.rotates) {
          expect(refresh).not.toBe(firstRefresh);
          expect(server.liveRefreshTokens()).toContain(refresh);
          expect(server.liveRefreshTokens()).not.toContain(firstRefresh);
        } else {
          expect(refresh).toBe(firstRefresh);
          expect(server.liveRefreshTokens()).toContain(firstRefresh);
        }
        expect(row.scopes).toEqual(contract.grant);
      } else {
        expect(refreshed.kind).toBe("not_refreshable");
      }

      // A runtime token request: the connection's current token.
      row = await connection(id);
      const access = await accessTokenOf(row);
      const refresh = await refreshTokenOf(row);
      const token = await oauth.broker.getAccessToken({
        owner: { kind: "user", id: actor.userId, orgId },
        extensionId,
        installationId,
        provider: id,
        scopes: contract.scopes,
      });
      expect(token).toMatchObject({ ok: true, accessToken: access });

      // Disconnect: revoked at the provider the way it documents (its tokens stop working there), or noted.
      const revocations = server.stats().revocations;
      const result = await oauth.disconnect(actor, row.id, source);
      if (fixture.revocation) {
        expect(result).toEqual({ providerRevoked: true, revocationNote: null });
        expect(server.stats().revocations).toBe(revocations + 1);
        expect(server.liveAccessTokens()).not.toContain(access);
        if (refresh) expect(server.liveRefreshTokens()).not.toContain(refresh);
      } else {
        expect(result.providerRevoked).toBe(false);
        expect(result.revocationNote).toContain("no revocation endpoint");
      }
      expect(await connection(id)).toMatchObject({ status: "revoked", accessToken: null, refreshToken: null });

      // Grant gone: connected again, the person removes the app at the provider; the next refresh expires it.
      if (fixture.refresh) {
        await connect(id);
        row = await connection(id);
        server.revokeAll();
        expect(await refreshSoon(row)).toMatchObject({ kind: "expired", reason: contract.grantGoneCode });
        expect(await connection(id)).toMatchObject({ status: "expired", accessToken: null, refreshToken: null });
      }
    });
  });
});

// OAuth against what real providers answer (issue 13, kinds 1–6), through Latchkey's own connect, refresh
// and token-request code: each catalogue provider is played by a loopback server answering what its
// documentation says (test/provider-fixtures.ts), reached at the catalogue's real URLs. Token types Slack
// really sends; scope strings as GitHub and Microsoft answer them; Microsoft's multi-tenant ID tokens and
// one token per resource (and a resource that lacks consent, AADSTS65001, costing only its own scopes);
// answers that must never expire a grant or lose a refresh token; a provider's clock a little ahead; and
// whose account a connection is. Time is moved by rewriting a token's expiry; nothing sleeps.
import { eq } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadUserActor, type UserActor } from "@/lib/auth/actor";
import { SecretValue } from "@/lib/crypto";
import {
  auditEvents,
  extensionVersions,
  extensions,
  installations,
  oauthConnections,
  oauthResourceTokens,
  orgMembers,
  organizations,
  publishers,
  users,
  type OAuthConnectionRow,
} from "@/lib/db/schema";
import { RuntimeError } from "@/lib/runtime/errors";
import type { Vault } from "@/lib/vault/vault";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import {
  MICROSOFT_API,
  providerFixtures,
  routeProviderHosts,
  startProviderServer,
  type FixtureAnswer,
  type ProviderServer,
} from "@/test/provider-fixtures";
import { buildVault, localKeyring } from "@/test/vault";
import { CLOCK_TOLERANCE_SECONDS } from "@/lib/clock-skew";
import { MAX_TOKEN_BYTES } from "./provider-fetch";
import { OAuthError } from "./errors";
import { OAuthService } from "./service";
import { openToken } from "./token-seal";

const BASE = "http://latchkey.test";
const source = { kind: "ui" as const, ip: "127.0.0.1", userAgent: "vitest" };
const silent = pino({ level: "silent" });

/** The scopes each provider's setup field asks for. */
const FIELD_SCOPES: Record<string, string[]> = {
  slack: ["chat:write", "channels:read"],
  github: ["repo", "user:email"],
  microsoft: ["Mail.Read", `${MICROSOFT_API}/read`],
  spotify: ["user-read-private", "user-read-email"],
  zoom: ["user:read"],
};

let database: TestDatabase;
let vault: Vault;
let oauth: OAuthService;
let actor: UserActor;
let extensionId = "";
let installationId = "";
let restoreFetch = () => {};
const servers: Record<string, ProviderServer> = {};

const server = (id: string) => {
  const found = servers[id];
  if (!found) throw new Error(id);
  return found;
};

/** Start → consent at the provider → callback, as a person connecting `providerId` from the setup page. */
async function connect(providerId: string) {
  const started = await oauth.start(
    { providerId, installationId, fieldKey: providerId, scopes: [], returnTo: null, binding: null },
    actor,
    source,
  );
  const callbackUrl = await server(providerId).consent(started.url);
  return oauth.complete({ providerId, callbackUrl, binding: started.binding }, actor, source);
}

const failureCode = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e: unknown) => (e instanceof OAuthError ? e.code : `unexpected: ${String(e)}`),
  );

async function connection(providerId: string): Promise<OAuthConnectionRow> {
  const rows = await database.db.select().from(oauthConnections).where(eq(oauthConnections.providerId, providerId));
  const row = rows[0];
  if (!row) throw new Error(`no ${providerId} connection`);
  return row;
}

const refreshTokenOf = async (row: OAuthConnectionRow) => openToken(vault.dataKeys, row, "refresh_token", row.refreshToken);
const accessTokenOf = async (row: OAuthConnectionRow) => openToken(vault.dataKeys, row, "access_token", row.accessToken);

/** Makes the connection's own token expire in `ms`, issued an hour ago, with no backoff pending. */
async function expireIn(row: OAuthConnectionRow, ms: number) {
  await database.db
    .update(oauthConnections)
    .set({ expiresAt: new Date(Date.now() + ms), issuedAt: new Date(Date.now() - 3600_000), nextAttemptAt: null })
    .where(eq(oauthConnections.id, row.id));
}

const tokenRequest = (provider: string, scopes: string[]) => ({
  owner: { kind: "user" as const, id: actor.userId, orgId: actor.orgs[0]?.id ?? "" },
  extensionId,
  installationId,
  provider,
  scopes,
});

beforeAll(async () => {
  database = await openTestDatabase();
  ({ vault } = buildVault(database.db, await localKeyring(), { logger: silent }));
  oauth = new OAuthService({ db: database.db, vault, baseUrl: BASE, logger: silent });
  for (const [id, fixture] of Object.entries(providerFixtures)) servers[id] = await startProviderServer(fixture);
  restoreFetch = routeProviderHosts(Object.values(servers));

  const { db } = database;
  const [publisher] = await db.insert(publishers).values({ slug: "quirks-pub", name: "Quirks Publisher" }).returning();
  const [org] = await db.insert(organizations).values({ slug: "quirks-org", name: "Quirks Org" }).returning();
  const [person] = await db.insert(users).values({ email: "quirks@example.test", name: "Quinn" }).returning();
  if (!publisher || !org || !person) throw new Error("seed");
  await db.insert(orgMembers).values({ orgId: org.id, userId: person.id, role: "owner" });
  const [ext] = await db
    .insert(extensions)
    .values({ publisherId: publisher.id, slug: "dev.quirks.everything", name: "Everything", status: "published" })
    .returning();
  if (!ext) throw new Error("extension");
  extensionId = ext.id;
  const ids = Object.keys(providerFixtures);
  const manifest = {
    extension: { id: ext.slug, name: ext.name, version: "1.0.0" },
    credentials: {
      ext: ids.flatMap((id) => [
        { key: `${id}_client_id`, label: `${id} client id`, type: "oauth_client_id", required: true },
        { key: `${id}_client_secret`, label: `${id} client secret`, type: "oauth_client_secret", required: true },
      ]),
    },
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
              scopes: FIELD_SCOPES[id],
              store_as: `user.${id}_token`,
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
  for (const id of ids) {
    const { clientId, clientSecret } = server(id).client;
    await vault.set(system, { extensionId: ext.id, scope: "ext", ownerId: ext.id, name: `${id}_client_id` }, SecretValue.from(clientId));
    await vault.set(
      system,
      { extensionId: ext.id, scope: "ext", ownerId: ext.id, name: `${id}_client_secret` },
      SecretValue.from(clientSecret),
    );
  }
  const loaded = await loadUserActor(db, person.id);
  if (!loaded) throw new Error("actor");
  actor = loaded;
}, 60_000);

afterAll(async () => {
  restoreFetch();
  await Promise.all(Object.values(servers).map((s) => s.close()));
  await database?.close();
});

describe("kind 1: token types providers really send", () => {
  it("Slack's token_type bot connects, and the same answer on refresh refreshes", async () => {
    server("slack").answerNext({
      status: 200,
      body: {
        ok: true,
        access_token: "xoxe.xoxb-1-AAA",
        token_type: "bot",
        scope: "chat:write,channels:read",
        expires_in: 43200,
        refresh_token: "xoxe-1-RRR1",
      },
    });
    await connect("slack");
    const row = await connection("slack");
    expect(row.status).toBe("active");
    expect(await accessTokenOf(row)).toBe("xoxe.xoxb-1-AAA");
    expect(await refreshTokenOf(row)).toBe("xoxe-1-RRR1");

    await expireIn(row, 5_000);
    const outcome = await oauth.refresher.refresh(row.id, { minValidityMs: 60_000 });
    expect(outcome.kind).toBe("refreshed");
    const after = await connection("slack");
    expect(after.status).toBe("active");
    // The fixture's own refresh answer: token_type "bot", a rotated refresh token.
    expect(await accessTokenOf(after)).toMatch(/^xoxe\.xoxb-1-\d+$/);
    expect(await refreshTokenOf(after)).not.toBe("xoxe-1-RRR1");
    expect(server("slack").liveRefreshTokens()).toEqual([await refreshTokenOf(after)]);
  });

  it("a user token (token_type user) is accepted too", async () => {
    const row = await connection("slack");
    server("slack").answerNext((ctx) => ({
      status: 200,
      body: {
        ok: true,
        access_token: "xoxe.xoxp-1-USER",
        token_type: "user",
        scope: "chat:write",
        expires_in: 43200,
        refresh_token: ctx.refreshToken,
      },
    }));
    await expireIn(row, 5_000);
    expect((await oauth.refresher.refresh(row.id, { minValidityMs: 60_000 })).kind).toBe("refreshed");
    expect(await accessTokenOf(await connection("slack"))).toBe("xoxe.xoxp-1-USER");
  });

  it("an answer with no token_type at all is bearer", async () => {
    await connect("zoom");
    const row = await connection("zoom");
    server("zoom").answerNext({ status: 200, body: { access_token: "at-2", refresh_token: "rt-2", expires_in: 3600 } });
    await expireIn(row, 5_000);
    expect((await oauth.refresher.refresh(row.id, { minValidityMs: 60_000 })).kind).toBe("refreshed");
    const after = await connection("zoom");
    expect([after.status, await accessTokenOf(after), await refreshTokenOf(after)]).toEqual(["active", "at-2", "rt-2"]);
    expect(await oauth.broker.getAccessToken(tokenRequest("zoom", ["user:read"]))).toMatchObject({ ok: true, accessToken: "at-2" });
  });
});

describe("kind 2: scope strings", () => {
  it('GitHub\'s "scope":"repo,user:email" is stored as ["repo","user:email"], and repo is not missing', async () => {
    await connect("github");
    const row = await connection("github");
    expect(row.scopes).toEqual(["repo", "user:email"]);
    expect(await oauth.broker.connectionStatus(tokenRequest("github", ["repo"]))).toEqual({ connected: true, missingScopes: [] });
    const plan = await oauth.plan({ providerId: "github", installationId, fieldKey: "github", scopes: [] }, actor);
    expect(plan.missing).toEqual([]);
  });

  it("GitHub's `user` covers `user:email` (its documented scope hierarchy)", async () => {
    const row = await connection("github");
    await database.db
      .update(oauthConnections)
      .set({ scopes: ["repo", "user"] })
      .where(eq(oauthConnections.id, row.id));
    expect(await oauth.broker.connectionStatus(tokenRequest("github", ["user:email", "read:user"]))).toEqual({
      connected: true,
      missingScopes: [],
    });
    await database.db.update(oauthConnections).set({ scopes: row.scopes }).where(eq(oauthConnections.id, row.id));
  });
});

describe("kind 3: Microsoft multi-tenant, one token per resource", () => {
  it("connects through `common`: the ID token's issuer is checked as https://login.microsoftonline.com/{tid}/v2.0", async () => {
    const done = await connect("microsoft");
    expect(done.providerName).toBe("Microsoft");
    const row = await connection("microsoft");
    expect(row).toMatchObject({ status: "active", tokenResource: "https://graph.microsoft.com" });
    // Graph answered "https://graph.microsoft.com/mail.read"; consent also covered the API and the OIDC scopes.
    expect(row.scopes).toEqual(["Mail.Read", "openid", "profile", "email", "offline_access", `${MICROSOFT_API}/read`]);
    expect(row.accountId).toBe("OLu859SGc2Sr9ZsqbkG-QbeLgJlb41KcdiPoLYNpSFA");
  });

  it("an ID token whose issuer is another tenant than its own tid is refused, and nothing is stored", async () => {
    const before = await connection("microsoft");
    server("microsoft").answerNext(async (ctx) => {
      const answer = (await providerFixtures.microsoft?.codeExchange(ctx)) as FixtureAnswer;
      const body = answer.body as Record<string, unknown>;
      const forged = await ctx.idToken({
        nonce: ctx.nonce ?? "",
        iss: "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0",
      });
      return { ...answer, body: { ...body, id_token: forged } };
    });
    expect(await failureCode(connect("microsoft"))).toBe("token_exchange_failed");
    expect((await connection("microsoft")).tokenVersion).toBe(before.tokenVersion);
  });

  it("asking for api://<app-id>/read returns that resource's token (refreshed with its scope, kept sealed), never Graph's", async () => {
    const row = await connection("microsoft");
    const graphToken = await accessTokenOf(row);
    const refreshesBefore = server("microsoft").stats().refreshes;

    const api = await oauth.broker.getAccessToken(tokenRequest("microsoft", [`${MICROSOFT_API}/read`]));
    if (!api.ok) throw new Error(api.reason);
    expect(api.accessToken).not.toBe(graphToken);
    expect(api.scope).toBe(`${MICROSOFT_API}/read`.toLowerCase());
    const sent = server("microsoft")
      .requests.filter((r) => r.form.get("grant_type") === "refresh_token")
      .at(-1);
    expect(sent?.form.get("scope")).toBe(`openid profile email offline_access ${MICROSOFT_API}/read`);
    // Kept per resource: asked again, the same token without another refresh; Graph still gets Graph's.
    expect(await oauth.broker.getAccessToken(tokenRequest("microsoft", [`${MICROSOFT_API}/read`]))).toMatchObject({
      ok: true,
      accessToken: api.accessToken,
    });
    expect(server("microsoft").stats().refreshes).toBe(refreshesBefore + 1);
    expect(await oauth.broker.getAccessToken(tokenRequest("microsoft", ["Mail.Read"]))).toMatchObject({
      ok: true,
      accessToken: graphToken,
    });
    // Sealed: the token is nowhere in the stored row as text.
    const [stored] = await database.db.select().from(oauthResourceTokens).where(eq(oauthResourceTokens.connectionId, row.id));
    expect(stored?.accessToken.toString("latin1")).not.toContain(api.accessToken);
    // The refresh rotated the refresh token: the connection holds the new one, the old one is retired.
    const after = await connection("microsoft");
    expect(server("microsoft").liveRefreshTokens()).toContain(await refreshTokenOf(after));
    expect(server("microsoft").liveRefreshTokens()).not.toContain(await refreshTokenOf(row));
    // A Graph-only answer leaves the grant whole: the API scope is not "missing" later.
    expect(after.scopes).toEqual(row.scopes);
  });

  it("a Graph refresh answer merges into the grant; the API's token is still served", async () => {
    const row = await connection("microsoft");
    await expireIn(row, 5_000);
    expect((await oauth.refresher.refresh(row.id, { minValidityMs: 60_000 })).kind).toBe("refreshed");
    const sent = server("microsoft")
      .requests.filter((r) => r.form.get("grant_type") === "refresh_token")
      .at(-1);
    expect(sent?.form.get("scope")).toBe("Mail.Read openid profile email offline_access");
    expect((await connection("microsoft")).scopes).toEqual(row.scopes);
    expect(await oauth.broker.getAccessToken(tokenRequest("microsoft", [`${MICROSOFT_API}/read`]))).toMatchObject({ ok: true });
  });

  it("AADSTS65001 (consent_required) refreshing one resource's token: scopes_missing for it, the connection and its other resources stand", async () => {
    const row = await connection("microsoft");
    const graphToken = await accessTokenOf(row);
    const refreshToken = await refreshTokenOf(row);
    // The API's stored token has run out, so asking for it refreshes with the API's scope.
    await database.db
      .update(oauthResourceTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(oauthResourceTokens.connectionId, row.id));
    server("microsoft").answerNext({
      status: 400,
      body: {
        error: "invalid_grant",
        error_description:
          "AADSTS65001: The user or administrator has not consented to use the application with ID 'client-microsoft' named 'Latchkey'. Send an interactive authorization request for this user and resource.",
        error_codes: [65001],
        suberror: "consent_required",
      },
    });
    const apiScope = `${MICROSOFT_API}/read`;
    expect(await oauth.broker.getAccessToken(tokenRequest("microsoft", [apiScope]))).toEqual({
      ok: false,
      reason: "scopes_missing",
      missingScopes: [apiScope],
    });
    const after = await connection("microsoft");
    expect(after).toMatchObject({ status: "active", tokenVersion: row.tokenVersion });
    expect(after.scopes).toEqual(row.scopes.filter((s) => s !== apiScope));
    expect(await refreshTokenOf(after)).toBe(refreshToken);
    // Graph's token is still served; the API's scope is reported missing without asking Microsoft again.
    const refreshes = server("microsoft").stats().refreshes;
    expect(await oauth.broker.getAccessToken(tokenRequest("microsoft", ["Mail.Read"]))).toMatchObject({
      ok: true,
      accessToken: graphToken,
    });
    expect(await oauth.broker.connectionStatus(tokenRequest("microsoft", [apiScope]))).toEqual({
      connected: true,
      missingScopes: [apiScope],
    });
    expect(await oauth.broker.getAccessToken(tokenRequest("microsoft", [apiScope]))).toMatchObject({ reason: "scopes_missing" });
    expect(server("microsoft").stats().refreshes).toBe(refreshes);
    // Connecting again asks for the API's scope: consent adds it back.
    const plan = await oauth.plan({ providerId: "microsoft", installationId, fieldKey: "microsoft", scopes: [] }, actor);
    expect(plan.missing).toEqual([apiScope]);
    await connect("microsoft");
    expect((await connection("microsoft")).scopes).toContain(apiScope);
  });

  it("one request for two resources' scopes is refused with both named", async () => {
    const refused = await oauth.broker
      .getAccessToken(tokenRequest("microsoft", ["Mail.Read", `${MICROSOFT_API}/read`]))
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RuntimeError);
    expect(refused).toMatchObject({ code: "invalid_request", extra: { resources: ["https://graph.microsoft.com", MICROSOFT_API] } });
  });
});

describe("kind 4: answers that never expire a grant or lose a refresh token", () => {
  /** Refreshes Zoom's connection once with `answer`, and says what became of the grant. */
  async function refreshAnsweredWith(answer: FixtureAnswer | ((rotated: string) => FixtureAnswer)) {
    const row = await connection("zoom");
    await expireIn(row, 5_000);
    const oldRefresh = await refreshTokenOf(row);
    server("zoom").answerNext((ctx) => (typeof answer === "function" ? answer(ctx.refreshToken) : answer));
    const outcome = await oauth.refresher.refresh(row.id, { minValidityMs: 60_000 });
    const after = await connection("zoom");
    return {
      outcome: outcome.kind,
      status: after.status,
      backoffRecorded: after.refreshFailures === row.refreshFailures + 1 && (after.nextAttemptAt?.getTime() ?? 0) > Date.now(),
      refreshToken: await refreshTokenOf(after),
      accessToken: await accessTokenOf(after),
      oldRefresh,
      oldAccess: await accessTokenOf(row),
      lastError: after.lastError,
    };
  }

  /** After a kept grant, the next refresh (backoff over) works with the refresh token stored. */
  async function nextRefreshWorks() {
    const row = await connection("zoom");
    await expireIn(row, 5_000);
    return (await oauth.refresher.refresh(row.id, { minValidityMs: 60_000 })).kind;
  }

  const html = (status: number): FixtureAnswer => ({ status, body: "<html><body>Service unavailable</body></html>" });
  const unusable: [string, FixtureAnswer][] = [
    ["200 text/html", html(200)],
    [
      "200 application/json cut off mid-string",
      { status: 200, body: '{"access_token":"eyJhbGciOi', headers: { "content-type": "application/json" } },
    ],
    ["403 text/html", html(403)],
    ["an empty body", { status: 200, body: "", headers: { "content-type": "application/json" } }],
    ["JSON without access_token", { status: 200, body: { token_type: "bearer", expires_in: 3599 } }],
  ];

  it.each(unusable)("%s: backs off, keeps the grant and its refresh token", async (_name, answer) => {
    const result = await refreshAnsweredWith(answer);
    expect(result).toMatchObject({ outcome: "retry_later", status: "active", backoffRecorded: true });
    expect(result.refreshToken).toBe(result.oldRefresh);
    expect(result.accessToken).toBe(result.oldAccess);
    expect(await nextRefreshWorks()).toBe("refreshed");
  });

  it.each([
    ["negative", -3600],
    ["1e300", 1e300],
  ])("expires_in %s: backs off, keeps the grant, and stores the rotated refresh token from that same answer", async (_name, expiresIn) => {
    const result = await refreshAnsweredWith((rotated) => ({
      status: 200,
      body: { access_token: "at-unusable", token_type: "bearer", refresh_token: rotated, expires_in: expiresIn },
    }));
    expect(result).toMatchObject({ outcome: "retry_later", status: "active", backoffRecorded: true });
    expect(result.accessToken).toBe(result.oldAccess);
    expect(result.refreshToken).not.toBe(result.oldRefresh);
    // Zoom retired the old refresh token when it issued this one: the stored one is the live one.
    expect(server("zoom").liveRefreshTokens()).toEqual([result.refreshToken]);
    expect(await nextRefreshWorks()).toBe("refreshed");
  });

  it("expires_in 1e300 on demand: the extension hears provider_unavailable (not a 500), and the backoff holds", async () => {
    const row = await connection("zoom");
    await database.db
      .update(oauthConnections)
      .set({ expiresAt: new Date(Date.now() - 1000), issuedAt: new Date(Date.now() - 3600_000), nextAttemptAt: null })
      .where(eq(oauthConnections.id, row.id));
    server("zoom").answerNext((ctx) => ({
      status: 200,
      body: { access_token: "at-unusable", token_type: "bearer", refresh_token: ctx.refreshToken, expires_in: 1e300 },
    }));
    expect(await oauth.broker.getAccessToken(tokenRequest("zoom", ["user:read"]))).toMatchObject({
      ok: false,
      reason: "provider_unavailable",
    });
    const refreshes = server("zoom").stats().refreshes;
    expect(await oauth.broker.getAccessToken(tokenRequest("zoom", ["user:read"]))).toMatchObject({
      ok: false,
      reason: "provider_unavailable",
    });
    expect(server("zoom").stats().refreshes).toBe(refreshes);
    expect(await nextRefreshWorks()).toBe("refreshed");
  });

  it(`a token over ${MAX_TOKEN_BYTES} bytes is a provider error, not stored; the rotated refresh token is`, async () => {
    const huge = "A".repeat(20 * 1024 * 1024);
    const result = await refreshAnsweredWith((rotated) => ({
      status: 200,
      body: { access_token: huge, token_type: "bearer", refresh_token: rotated, expires_in: 3599 },
    }));
    expect(result).toMatchObject({ outcome: "retry_later", status: "active", backoffRecorded: true });
    expect(result.lastError).toContain("access_token");
    expect(result.accessToken).toBe(result.oldAccess);
    expect(server("zoom").liveRefreshTokens()).toEqual([result.refreshToken]);
    expect(await nextRefreshWorks()).toBe("refreshed");
  });

  it("an ID-token claim problem on refresh backs off and keeps the grant", async () => {
    const row = await connection("microsoft");
    const before = await refreshTokenOf(row);
    await expireIn(row, 5_000);
    server("microsoft").answerNext(async (ctx) => ({
      status: 200,
      body: {
        token_type: "Bearer",
        scope: "https://graph.microsoft.com/mail.read",
        expires_in: 3599,
        access_token: ctx.accessToken,
        refresh_token: ctx.refreshToken,
        id_token: await ctx.idToken({ aud: "someone-else" }),
      },
    }));
    expect((await oauth.refresher.refresh(row.id, { minValidityMs: 60_000 })).kind).toBe("retry_later");
    const after = await connection("microsoft");
    expect(after.status).toBe("active");
    // The answer rotated the refresh token in: it is the one kept.
    expect(await refreshTokenOf(after)).not.toBe(before);
    expect(server("microsoft").liveRefreshTokens()).toContain(await refreshTokenOf(after));
    expect(server("microsoft").liveRefreshTokens()).not.toContain(before);
    const kept = await database.db.select().from(auditEvents).where(eq(auditEvents.action, "oauth.refresh"));
    expect(kept.some((e) => (e.details as Record<string, unknown>).kept_refresh_token === true)).toBe(true);
  });

  it("only the grant-gone answer expires: Zoom's invalid_grant, Slack's HTTP-200 invalid_refresh_token", async () => {
    for (const id of ["zoom", "slack"]) {
      server(id).revokeAll();
      const row = await connection(id);
      await expireIn(row, 5_000);
      const outcome = await oauth.refresher.refresh(row.id, { minValidityMs: 60_000 });
      expect(outcome).toMatchObject({ kind: "expired", reason: id === "zoom" ? "invalid_grant" : "invalid_refresh_token" });
      expect(await connection(id)).toMatchObject({ status: "expired", accessToken: null, refreshToken: null });
    }
  });
});

describe("kind 6: clock skew in a provider's ID token", () => {
  /** Connects Microsoft again with an ID token whose time claims are `skew` seconds off this host's clock. */
  const connectWithSkew = (skew: number) => {
    server("microsoft").answerNext(async (ctx) => {
      const answer = (await providerFixtures.microsoft?.codeExchange(ctx)) as FixtureAnswer;
      const now = Math.floor(Date.now() / 1000) + skew;
      const idToken = await ctx.idToken({ nonce: ctx.nonce ?? "", iat: now, nbf: now, exp: now + 3600 });
      return { ...answer, body: { ...(answer.body as Record<string, unknown>), id_token: idToken } };
    });
    return failureCode(connect("microsoft"));
  };

  it(`accepts an ID token minted ${CLOCK_TOLERANCE_SECONDS - 15} s ahead (nbf in the future) and one that expired ${CLOCK_TOLERANCE_SECONDS - 15} s ago`, async () => {
    // oauth4webapi's own default tolerance is 30 s: 45 s ahead passes only with Latchkey's.
    expect(await connectWithSkew(CLOCK_TOLERANCE_SECONDS - 15)).toBe("ok");
    expect(await connectWithSkew(-(3600 + CLOCK_TOLERANCE_SECONDS - 15))).toBe("ok");
  });

  it(`refuses an ID token minted ${CLOCK_TOLERANCE_SECONDS + 60} s ahead, storing nothing`, async () => {
    const before = await connection("microsoft");
    expect(await connectWithSkew(CLOCK_TOLERANCE_SECONDS + 60)).toBe("token_exchange_failed");
    expect((await connection("microsoft")).tokenVersion).toBe(before.tokenVersion);
  });
});

describe("kind 5: whose account it is", () => {
  it("each provider's account id and label come from its own profile fields", async () => {
    await connect("spotify");
    await connect("zoom");
    await connect("slack");
    const account = async (id: string) => {
      const row = await connection(id);
      return [row.accountId, row.accountLabel];
    };
    expect(await account("github")).toEqual(["583231", "octocat"]);
    expect(await account("spotify")).toEqual(["wizzler", "email@example.com"]);
    expect(await account("zoom")).toEqual(["KDcuGIm1QgePTO8WbOqwIQ", "jchill@example.com"]);
    // Slack has no profile endpoint for a bot install: the workspace, from oauth.v2.access's team.
    expect(await account("slack")).toEqual(["T9TK3CUKW", "Slack Softball Team"]);
    expect(await account("microsoft")).toEqual(["OLu859SGc2Sr9ZsqbkG-QbeLgJlb41KcdiPoLYNpSFA", "MeganB@contoso.example"]);
    // GitHub's REST API was asked with its documented media type and a User-Agent.
    const profileRead = server("github").requests.find((r) => r.path === "api.github.com/user");
    expect(profileRead?.headers).toMatchObject({ accept: "application/vnd.github+json", "user-agent": "Latchkey" });
  });
});

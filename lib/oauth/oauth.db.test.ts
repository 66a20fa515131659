// OAuth connections end to end against a real authorization server (node-oidc-provider on loopback,
// refresh-token rotation on): connect, attacks on the flow, shared connections and scopes, single-flight
// refresh across refreshers, invalid_grant vs 5xx, store_as, disconnect with RFC 7009 revocation, and
// tenant isolation. Runs on PGlite, and on PostgreSQL (separate connections racing for the refresh lease) when DATABASE_URL is set.
import { createHash } from "node:crypto";
import { and, eq } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadUserActor, type UserActor } from "@/lib/auth/actor";
import { SecretValue } from "@/lib/crypto";
import {
  auditEvents,
  extensionVersions,
  extensions,
  installations,
  notifications,
  oauthConnections,
  oauthStates,
  organizations,
  users,
} from "@/lib/db/schema";
import { seedDemo } from "@/lib/demo/seed";
import type { Vault } from "@/lib/vault/vault";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { completeConsent, startTestProvider, type TestProvider } from "@/test/oidc";
import { buildVault, localKeyring } from "@/test/vault";
import { clearDiscoveryCache } from "./authorization-server";
import { OAuthError } from "./errors";
import { Refresher } from "./refresh";
import { sealVerifier } from "./token-seal";
import { OAuthService } from "./service";

const BASE = "http://latchkey.test";
const source = { kind: "ui" as const, ip: "127.0.0.1", userAgent: "vitest" };
const silent = pino({ level: "silent" });

let database: TestDatabase;
let provider: TestProvider;
let vault: Vault;
let oauth: OAuthService;
let eve: UserActor;
let mo: UserActor;
let uma: UserActor;
const inst = { calendar: "", providerExt: "", notes: "", initechCalendar: "" };
let calendarExtensionId = "";

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e: unknown) => (e instanceof OAuthError ? e.code : `unexpected: ${String(e)}`),
  );

/** Runs the whole flow for one person: start, sign in and consent at the provider, callback. */
async function connect(actor: UserActor, installationId = inst.calendar, fieldKey = "", scopes: string[] = []) {
  const started = await oauth.start(
    { providerId: "my-provider", installationId, fieldKey, scopes, returnTo: null, binding: null },
    actor,
    source,
  );
  const callbackUrl = await completeConsent(started.url.toString());
  return oauth.complete({ providerId: "my-provider", callbackUrl, binding: started.binding }, actor, source);
}

async function connectionOf(ownerId: string) {
  const [row] = await database.db.select().from(oauthConnections).where(eq(oauthConnections.ownerId, ownerId));
  if (!row) throw new Error(`no connection for ${ownerId}`);
  return row;
}

const tokenRequest = (actor: UserActor, installationId = inst.calendar, scopes = ["calendar.read"]) => ({
  owner: { kind: "user" as const, id: actor.userId, orgId: actor.orgs[0]?.id ?? "" },
  extensionId: calendarExtensionId,
  installationId,
  provider: "my-oauth",
  scopes,
});

/** Makes the stored access token look like it expires in `ms` (issued an hour ago). */
async function expireIn(connectionId: string, ms: number) {
  await database.db
    .update(oauthConnections)
    .set({ expiresAt: new Date(Date.now() + ms), issuedAt: new Date(Date.now() - 3600_000), nextAttemptAt: null })
    .where(eq(oauthConnections.id, connectionId));
}

beforeAll(async () => {
  provider = await startTestProvider({ redirectUri: `${BASE}/api/oauth/my-provider/callback` });
  database = await openTestDatabase();
  const { db } = database;
  await seedDemo(db, { oauthIssuer: provider.issuer });
  ({ vault } = buildVault(db, await localKeyring(), { logger: silent }));
  oauth = new OAuthService({ db, vault, baseUrl: BASE, logger: silent });

  const actorOf = async (key: string) => {
    const [u] = await db.select().from(users).where(eq(users.demoKey, key));
    const actor = u ? await loadUserActor(db, u.id) : null;
    if (!actor) throw new Error(key);
    return actor;
  };
  [eve, mo, uma] = await Promise.all([actorOf("enduser"), actorOf("member"), actorOf("enduser2")]);
  const [globex] = await db.select().from(organizations).where(eq(organizations.slug, "globex"));
  const [initech] = await db.select().from(organizations).where(eq(organizations.slug, "initech"));
  if (!globex || !initech) throw new Error("orgs");

  // The provider extension's client is the test provider's registered client; publish it.
  const [providerExt] = await db.select().from(extensions).where(eq(extensions.slug, "dev.kiket.ext.my-oauth"));
  if (!providerExt) throw new Error("provider ext");
  const system = { actor: { kind: "system" as const, id: "test" }, source };
  const setExt = (extensionId: string, name: string, value: string) =>
    vault.set(system, { extensionId, scope: "ext", ownerId: extensionId, name }, SecretValue.from(value));
  await setExt(providerExt.id, "my_client_id", provider.client.client_id);
  await setExt(providerExt.id, "my_client_secret", provider.client.client_secret);
  await db.update(extensions).set({ status: "published" }).where(eq(extensions.id, providerExt.id));
  await db.update(extensionVersions).set({ publishedAt: new Date() }).where(eq(extensionVersions.extensionId, providerExt.id));

  // A consumer with its own OAuth app (a setup field, obtain: oauth2) storing the token at org level.
  const [publisher] = await db.select({ id: extensions.publisherId }).from(extensions).limit(1);
  const [notes] = await db
    .insert(extensions)
    .values({ publisherId: publisher?.id ?? "", slug: "dev.test.notes", name: "Notes", status: "published" })
    .returning();
  if (!notes) throw new Error("notes");
  const notesManifest = {
    extension: { id: "dev.test.notes", name: "Notes", version: "1.0.0" },
    credentials: {
      ext: [
        { key: "notes_client_id", label: "Client id", type: "oauth_client_id", required: true },
        { key: "notes_client_secret", label: "Client secret", type: "oauth_client_secret", required: true },
      ],
    },
    setup: [
      {
        secrets: {
          fields: [
            {
              key: "files",
              label: "My Service files",
              obtain: {
                type: "oauth2",
                provider: "my-provider",
                client_id: "ext.notes_client_id",
                client_secret: "ext.notes_client_secret",
                scopes: ["files.read"],
                store_as: "org.files_token",
              },
            },
          ],
        },
      },
    ],
  };
  const [notesVersion] = await db
    .insert(extensionVersions)
    .values({ extensionId: notes.id, version: "1.0.0", manifestYaml: "", manifest: notesManifest, publishedAt: new Date() })
    .returning();
  await setExt(notes.id, "notes_client_id", provider.client.client_id);
  await setExt(notes.id, "notes_client_secret", provider.client.client_secret);
  const [notesInst] = await db
    .insert(installations)
    .values({ extensionId: notes.id, orgId: globex.id, versionId: notesVersion?.id ?? "" })
    .returning();
  inst.notes = notesInst?.id ?? "";

  const rows = await db
    .select({ id: installations.id, slug: extensions.slug, orgId: installations.orgId, versionId: installations.versionId })
    .from(installations)
    .innerJoin(extensions, eq(extensions.id, installations.extensionId));
  inst.calendar = rows.find((r) => r.slug === "dev.kiket.ext.my-calendar" && r.orgId === globex.id)?.id ?? "";
  calendarExtensionId = (await db.select().from(extensions).where(eq(extensions.slug, "dev.kiket.ext.my-calendar")))[0]?.id ?? "";
  inst.providerExt = rows.find((r) => r.slug === "dev.kiket.ext.my-oauth")?.id ?? "";
  // Initech installs the calendar too, but not the provider.
  const calendar = rows.find((r) => r.slug === "dev.kiket.ext.my-calendar");
  const [initechCalendar] = await db
    .insert(installations)
    .values({
      extensionId: (await db.select().from(extensions).where(eq(extensions.slug, "dev.kiket.ext.my-calendar")))[0]?.id ?? "",
      orgId: initech.id,
      versionId: calendar?.versionId ?? "",
    })
    .returning();
  inst.initechCalendar = initechCalendar?.id ?? "";
}, 60_000);

afterAll(async () => {
  await provider?.close();
  await database?.close();
  clearDiscoveryCache();
});

beforeEach(() => provider.reset());

describe("connecting through the authorization server", () => {
  it("stores one sealed connection with the aggregated scopes, the account and an audit event", async () => {
    const done = await connect(eve);
    expect(done.returnTo).toBe("/panel/connections");
    const row = await connectionOf(eve.userId);
    expect(row).toMatchObject({ ownerKind: "user", providerId: "my-provider", status: "active", accountLabel: "demo.user@example.test" });
    // openid + email (provider defaults) + calendar.read (the installed consumer's need), as granted.
    expect(row.scopes).toEqual(expect.arrayContaining(["openid", "email", "calendar.read"]));
    expect(row.refreshToken).not.toBeNull();

    const token = await oauth.broker.getAccessToken(tokenRequest(eve));
    if (!token.ok) throw new Error(token.reason);
    // The stored bytes are ciphertext: the token appears in no column of the row.
    const raw = JSON.stringify(row, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString("latin1") : v));
    expect(raw).not.toContain(token.accessToken);
    // And the token is real: the provider's userinfo endpoint accepts it.
    const me = await fetch(`${provider.issuer}/me`, { headers: { authorization: `Bearer ${token.accessToken}` } });
    expect(me.status).toBe(200);

    const events = await database.db.select().from(auditEvents).where(eq(auditEvents.action, "oauth.connect"));
    expect(events.some((e) => e.actorId === eve.userId && e.sourceKind === "ui")).toBe(true);
    expect(JSON.stringify(events)).not.toContain(token.accessToken);
    // Handing the token to the extension is audited as a read with the extension as actor.
    await vault.reads.flush();
    const reads = await database.db.select().from(auditEvents).where(eq(auditEvents.action, "oauth.token_read"));
    expect(reads.map((e) => [e.actorKind, e.actorId, e.target])).toEqual([["extension", calendarExtensionId, "oauth:my-provider"]]);
    expect(JSON.stringify(reads)).not.toContain(token.accessToken);
  });

  it("shares the person's connection: connecting again replaces tokens, not the connection", async () => {
    const before = await connectionOf(eve.userId);
    await connect(eve, inst.providerExt);
    const after = await connectionOf(eve.userId);
    expect(after.id).toBe(before.id);
    expect(after.tokenVersion).toBe(before.tokenVersion + 1);
  });

  it("asks only for what is missing when a consumer needs more scopes", async () => {
    const plan = await oauth.plan(
      { providerId: "my-provider", installationId: inst.calendar, fieldKey: "", scopes: ["calendar.write"] },
      eve,
    );
    expect(plan.missing).toEqual(["calendar.write"]);
    expect(plan.granted).toEqual(expect.arrayContaining(["calendar.read"]));
    const started = await oauth.start(
      { providerId: "my-provider", installationId: inst.calendar, fieldKey: "", scopes: ["calendar.write"], returnTo: null, binding: null },
      eve,
      source,
    );
    // The request carries the union, so the new token still covers what was granted before.
    expect(started.url.searchParams.get("scope")?.split(" ")).toEqual(
      expect.arrayContaining(["calendar.read", "calendar.write", "openid"]),
    );
    expect(started.url.searchParams.get("code_challenge_method")).toBe("S256");
    // The PKCE verifier is stored sealed: its challenge's preimage is nowhere in the row as text.
    const stateHash = createHash("sha256")
      .update(started.url.searchParams.get("state") ?? "")
      .digest("hex");
    const [state] = await database.db.select().from(oauthStates).where(eq(oauthStates.stateHash, stateHash));
    expect(state?.codeVerifier.toString("latin1")).not.toMatch(/[A-Za-z0-9_-]{43}/);
    expect(started.url.searchParams.get("nonce")).toBeTruthy();
    expect(started.url.searchParams.get("redirect_uri")).toBe(`${BASE}/api/oauth/my-provider/callback`);
  });
});

describe("attacks on the flow are refused and store nothing", () => {
  const start = (actor: UserActor, returnTo: string | null = null) =>
    oauth.start(
      { providerId: "my-provider", installationId: inst.calendar, fieldKey: "", scopes: [], returnTo, binding: null },
      actor,
      source,
    );

  it("a replayed state", async () => {
    const started = await start(eve);
    const callbackUrl = await completeConsent(started.url.toString());
    await oauth.complete({ providerId: "my-provider", callbackUrl, binding: started.binding }, eve, source);
    const version = (await connectionOf(eve.userId)).tokenVersion;
    expect(await codeOf(oauth.complete({ providerId: "my-provider", callbackUrl, binding: started.binding }, eve, source))).toBe(
      "state_invalid",
    );
    expect((await connectionOf(eve.userId)).tokenVersion).toBe(version);
  });

  it("a state from another session: another person, or the same person in another browser", async () => {
    const started = await start(eve);
    const callbackUrl = await completeConsent(started.url.toString());
    expect(await codeOf(oauth.complete({ providerId: "my-provider", callbackUrl, binding: started.binding }, mo, source))).toBe(
      "state_session_mismatch",
    );
    const again = await start(eve);
    const url2 = await completeConsent(again.url.toString());
    expect(await codeOf(oauth.complete({ providerId: "my-provider", callbackUrl: url2, binding: "x".repeat(43) }, eve, source))).toBe(
      "state_session_mismatch",
    );
    expect(await database.db.select().from(oauthConnections).where(eq(oauthConnections.ownerId, mo.userId))).toEqual([]);
  });

  it("a callback without state", async () => {
    const started = await start(eve);
    const callbackUrl = await completeConsent(started.url.toString());
    callbackUrl.searchParams.delete("state");
    expect(await codeOf(oauth.complete({ providerId: "my-provider", callbackUrl, binding: started.binding }, eve, source))).toBe(
      "state_missing",
    );
  });

  it("a PKCE verifier that does not match the challenge", async () => {
    const version = (await connectionOf(eve.userId)).tokenVersion;
    const started = await start(eve);
    const callbackUrl = await completeConsent(started.url.toString());
    // Another verifier than the one the challenge was made from, sealed as Latchkey would seal it.
    const stateHash = createHash("sha256")
      .update(started.url.searchParams.get("state") ?? "")
      .digest("hex");
    const dek = await vault.dataKeys.forWrite();
    await database.db
      .update(oauthStates)
      .set({ codeVerifier: sealVerifier(dek, stateHash, eve.userId, "a".repeat(43)), dekId: dek.id })
      .where(eq(oauthStates.stateHash, stateHash));
    expect(await codeOf(oauth.complete({ providerId: "my-provider", callbackUrl, binding: started.binding }, eve, source))).toBe(
      "token_exchange_failed",
    );
    expect((await connectionOf(eve.userId)).tokenVersion).toBe(version);
  });

  it("return_to outside the site", async () => {
    for (const evil of ["https://evil.example", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "/panel\r\nLocation: x"]) {
      expect(await codeOf(start(eve, evil))).toBe("invalid_return_to");
    }
    expect((await start(eve, "/panel/extensions/x/setup?step=2")).returnTo).toBe("/panel/extensions/x/setup?step=2");
  });

  it("a code the provider issued to another client", async () => {
    const version = (await connectionOf(eve.userId)).tokenVersion;
    const ours = await start(eve);
    // The other client's own, valid authorization code (with its own PKCE challenge).
    const other = new URL(ours.url);
    other.searchParams.set("client_id", provider.otherClient.client_id);
    other.searchParams.set("redirect_uri", provider.otherClient.redirect_uri);
    const theirs = await completeConsent(other.toString());
    const forged = new URL(`${BASE}/api/oauth/my-provider/callback`);
    forged.searchParams.set("code", theirs.searchParams.get("code") ?? "");
    forged.searchParams.set("state", theirs.searchParams.get("state") ?? "");
    forged.searchParams.set("iss", provider.issuer);
    expect(await codeOf(oauth.complete({ providerId: "my-provider", callbackUrl: forged, binding: ours.binding }, eve, source))).toBe(
      "token_exchange_failed",
    );
    expect((await connectionOf(eve.userId)).tokenVersion).toBe(version);
  });

  it("denied consent and an expired state", async () => {
    const denied = await start(eve);
    const deniedUrl = await completeConsent(denied.url.toString(), { deny: true });
    const error = await oauth
      .complete({ providerId: "my-provider", callbackUrl: deniedUrl, binding: denied.binding }, eve, source)
      .catch((e: OAuthError) => e);
    expect(error).toMatchObject({ code: "access_denied" });
    expect((error as OAuthError).retryPath).toContain(`/api/oauth/my-provider/authorize?installation=${inst.calendar}`);

    const late = await start(eve);
    const lateUrl = await completeConsent(late.url.toString());
    await database.db
      .update(oauthStates)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(oauthStates.userId, eve.userId));
    expect(await codeOf(oauth.complete({ providerId: "my-provider", callbackUrl: lateUrl, binding: late.binding }, eve, source))).toBe(
      "state_expired",
    );
  });

  it("an org-owned connection started by a plain member", async () => {
    expect(
      await codeOf(
        oauth.start(
          { providerId: "my-provider", installationId: inst.notes, fieldKey: "files", scopes: [], returnTo: null, binding: null },
          mo,
          source,
        ),
      ),
    ).toBe("forbidden");
  });
});

describe("refresh", () => {
  it("20 concurrent token requests near expiry make exactly one refresh, and all get the new token", async () => {
    const row = await connectionOf(eve.userId);
    await expireIn(row.id, 5_000);
    const results = await Promise.all(Array.from({ length: 20 }, () => oauth.broker.getAccessToken(tokenRequest(eve))));
    expect(provider.stats().refreshToken).toBe(1);
    expect(provider.stats().refreshTokenReuse).toBe(0);
    const tokens = new Set(results.map((r) => (r.ok ? r.accessToken : r.reason)));
    expect(tokens.size).toBe(1);
    const after = await connectionOf(eve.userId);
    expect(after.tokenVersion).toBe(row.tokenVersion + 1);
    expect(after.lastRefreshedAt).not.toBeNull();
  });

  it("two refreshers (as two processes would) racing on one connection refresh it once, through the lease", async () => {
    const row = await connectionOf(eve.userId);
    await expireIn(row.id, 5_000);
    const a = new Refresher({ db: database.db, vault, baseUrl: BASE, logger: silent });
    const b = new Refresher({ db: database.db, vault, baseUrl: BASE, logger: silent });
    const outcomes = await Promise.all([a.refresh(row.id, { minValidityMs: 60_000 }), b.refresh(row.id, { minValidityMs: 60_000 })]);
    expect(outcomes.map((o) => o.kind).sort()).toEqual(["fresh", "refreshed"]);
    expect(provider.stats().refreshToken).toBe(1);
    // The rotated refresh token was stored: the next refresh uses it without a reuse error.
    await expireIn(row.id, 5_000);
    expect((await a.refresh(row.id, { minValidityMs: 60_000 })).kind).toBe("refreshed");
    expect(provider.stats().refreshTokenReuse).toBe(0);
  });

  it("a provider 500 leaves the connection active and backs off; the current token is served while it lasts", async () => {
    const row = await connectionOf(eve.userId);
    await expireIn(row.id, 20_000);
    provider.failNext(1, 500);
    const served = await oauth.broker.getAccessToken(tokenRequest(eve));
    expect(served.ok).toBe(true);
    const after = await connectionOf(eve.userId);
    expect(after).toMatchObject({ status: "active", refreshFailures: 1 });
    expect(after.nextAttemptAt?.getTime()).toBeGreaterThan(Date.now());
    // Expired and still backing off: the extension hears "try later", and the provider is not hammered.
    await database.db
      .update(oauthConnections)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(oauthConnections.id, row.id));
    const later = await oauth.broker.getAccessToken(tokenRequest(eve));
    expect(later).toMatchObject({ ok: false, reason: "provider_unavailable" });
    expect(provider.stats().refreshToken).toBe(1);
    expect(await database.db.select().from(notifications).where(eq(notifications.kind, "connection_expired"))).toEqual([]);
    // Once the backoff passes, the same refresh token still works (the 500 consumed nothing).
    await expireIn(row.id, 5_000);
    expect((await oauth.broker.getAccessToken(tokenRequest(eve))).ok).toBe(true);
    expect(await connectionOf(eve.userId)).toMatchObject({ status: "active", refreshFailures: 0, lastError: null });
  });

  it("the background pass refreshes what is about to expire", async () => {
    const row = await connectionOf(eve.userId);
    await expireIn(row.id, 60_000);
    const counts = await oauth.refreshDue();
    expect(counts.refreshed).toBe(1);
    expect(provider.stats().refreshToken).toBe(1);
  });

  it("a revoked grant (invalid_grant) expires the connection, notifies once and audits; reconnecting restores it", async () => {
    const row = await connectionOf(eve.userId);
    provider.revokeGrants();
    await expireIn(row.id, 5_000);
    expect(await oauth.broker.getAccessToken(tokenRequest(eve))).toMatchObject({ ok: false, reason: "connection_expired" });
    expect(await oauth.broker.getAccessToken(tokenRequest(eve))).toMatchObject({ ok: false, reason: "connection_expired" });
    const expired = await connectionOf(eve.userId);
    expect(expired).toMatchObject({ status: "expired", accessToken: null, refreshToken: null });
    const notes = await database.db.select().from(notifications).where(eq(notifications.userId, eve.userId));
    expect(notes.filter((n) => n.kind === "connection_expired")).toHaveLength(1);
    expect(notes[0]?.link).toBe("/panel/connections");
    const audit = await database.db.select().from(auditEvents).where(eq(auditEvents.action, "oauth.expire"));
    expect(audit).toHaveLength(1);

    await connect(eve);
    expect(await connectionOf(eve.userId)).toMatchObject({ status: "active" });
    const restored = await database.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, eve.userId), eq(notifications.kind, "connection_restored")));
    expect(restored).toHaveLength(1);
  });
});

describe("setup fields with store_as, tenants and disconnect", () => {
  it("an org connection writes store_as for the extension, refreshes keep it current, and disconnect deletes it", async () => {
    const [globex] = await database.db.select().from(organizations).where(eq(organizations.slug, "globex"));
    const [notes] = await database.db.select().from(extensions).where(eq(extensions.slug, "dev.test.notes"));
    const done = await connect(eve, inst.notes, "files");
    expect(done.returnTo).toBe(`/panel/extensions/${inst.notes}/setup`);
    const row = await connectionOf(globex?.id ?? "");
    expect(row).toMatchObject({ ownerKind: "org", clientExtensionId: notes?.id });
    const address = { extensionId: notes?.id ?? "", scope: "org" as const, ownerId: globex?.id ?? "", name: "files_token" };
    const ctx = { actor: { kind: "system" as const, id: "test" }, source };
    const first = (await vault.read(ctx, address))?.reveal();
    expect(first).toBeTruthy();

    await expireIn(row.id, 5_000);
    expect((await oauth.refresher.refresh(row.id, { minValidityMs: 60_000 })).kind).toBe("refreshed");
    const second = (await vault.read(ctx, address))?.reveal();
    expect(second).toBeTruthy();
    expect(second).not.toBe(first);

    // A member sees the org's connection but cannot disconnect it.
    expect((await oauth.list(mo)).some((c) => c.id === row.id && !c.canManage)).toBe(true);
    expect(await codeOf(oauth.disconnect(mo, row.id, source))).toBe("forbidden");

    const result = await oauth.disconnect(eve, row.id, source);
    expect(result.providerRevoked).toBe(true);
    expect(provider.stats().revocations).toBe(1);
    expect(await connectionOf(globex?.id ?? "")).toMatchObject({ status: "revoked", accessToken: null, refreshToken: null });
    expect(await vault.read(ctx, address)).toBeNull();
    // The revoked token no longer works at the provider.
    const me = await fetch(`${provider.issuer}/me`, { headers: { authorization: `Bearer ${second}` } });
    expect(me.status).toBe(401);
  });

  it("another organization's person never sees or uses someone else's connection", async () => {
    expect((await oauth.list(uma)).map((c) => c.id)).toEqual([]);
    const eveRow = await connectionOf(eve.userId);
    expect(await codeOf(oauth.disconnect(uma, eveRow.id, source))).toBe("not_found");
    // Uma's own installation in Initech has no provider installed: no connection, no token.
    expect(await oauth.broker.getAccessToken(tokenRequest(uma, inst.initechCalendar))).toMatchObject({
      ok: false,
      reason: "connection_missing",
    });
    // A token request for Eve's installation with Uma as the user finds nothing of Eve's either.
    expect(await oauth.broker.getAccessToken({ ...tokenRequest(uma), owner: { kind: "user", id: uma.userId, orgId: "" } })).toMatchObject({
      ok: false,
      reason: "connection_missing",
    });
  });

  it("lists what each connection is used by, and disconnect revokes a personal connection at the provider", async () => {
    const [mine] = (await oauth.list(eve)).filter((c) => c.ownerKind === "user");
    expect(mine?.usedBy.map((u) => u.extensionName)).toEqual(expect.arrayContaining(["My Calendar"]));
    const result = await oauth.disconnect(eve, mine?.id ?? "", source);
    expect(result.providerRevoked).toBe(true);
    expect(provider.stats().revocations).toBe(1);
    expect(await oauth.broker.getAccessToken(tokenRequest(eve))).toMatchObject({ ok: false, reason: "connection_expired" });
    const audit = await database.db.select().from(auditEvents).where(eq(auditEvents.action, "oauth.revoke"));
    expect(audit.at(-1)).toMatchObject({ actorId: eve.userId, sourceKind: "ui" });
  });
});

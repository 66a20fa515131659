import { and, eq, sql } from "drizzle-orm";
import { SignJWT, base64url, decodeJwt, decodeProtectedHeader, generateKeyPair } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DekCache, KeyringUnavailableError, SecretValue, type Keyring } from "@/lib/crypto";
import { auditEvents, dataKeys as dataKeysTable, orgMembers, users } from "@/lib/db/schema";
import { DataKeys } from "@/lib/crypto/data-keys";
import { Vault } from "@/lib/vault/vault";
import { ReadRecorder } from "@/lib/audit/read-recorder";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { buildVault, localKeyring, uiContext } from "@/test/vault";
import { runtimeApi, MAX_BODY_BYTES, type RuntimeApi } from "./api";
import type { RuntimeDeps } from "./deps";
import { prepareDispatch, mintRuntimeToken } from "./dispatch";
import { RuntimeError } from "./errors";
import { seedRuntimeFixture, type RuntimeFixture } from "@/test/runtime-fixtures";
import { noConnections, type OAuthBroker } from "./oauth-broker";
import { SigningKeys } from "./signing-keys";
import { mintTestToken } from "./test-token";
import { connectUrl } from "@/lib/extensions/installation-urls";
import { RUNTIME_TOKEN_TYPE, signRuntimeClaims, type TokenClaimsInput } from "./tokens";
import { closeRuntimeServers, inProcess, overHttp, type RuntimeTransport } from "@/test/runtime-http";

const BASE = "http://latchkey.test";
let database: TestDatabase;
let keyring: Keyring;
let fx: RuntimeFixture;
let deps: RuntimeDeps;
let api: RuntimeApi;
let reads: ReadRecorder;

// A fresh database with the fixture and the values set through the panel, for each describe below (the
// tests write, delete and change memberships, so each way in starts from the same state).
async function setUp() {
  database = await openTestDatabase();
  keyring = await localKeyring();
  fx = await seedRuntimeFixture(database.db);
  const built = buildVault(database.db, keyring);
  reads = built.reads;
  deps = {
    db: database.db,
    vault: built.vault,
    keys: new SigningKeys({ db: database.db, dataKeys: built.dataKeys, maxTokenTtlSeconds: 900 }),
    baseUrl: BASE,
    tokenTtlSeconds: 600,
    oauth: noConnections,
    // The tests act as the one proxy in front of Latchkey: the right-most X-Forwarded-For is the client.
    trustedProxyHops: 1,
  };
  api = runtimeApi(deps);
  // What the publisher and the end users have set through the panel.
  const { vault } = built;
  const addr = (extensionId: string, scope: "ext" | "org" | "user", ownerId: string, name: string) => ({
    extensionId,
    scope,
    ownerId,
    name,
  });
  await vault.set(uiContext(fx.u1), addr(fx.alphaId, "ext", fx.alphaId, "client_id"), SecretValue.from("alpha-client-id"));
  await vault.set(uiContext(fx.u1), addr(fx.alphaId, "user", fx.u1, "api_key"), SecretValue.from("u1-alpha-key"));
  await vault.set(uiContext(fx.u1), addr(fx.alphaId, "org", fx.org1, "team_key"), SecretValue.from("org1-team-key"));
  await vault.set(uiContext(fx.u3), addr(fx.alphaId, "org", fx.org2, "team_key"), SecretValue.from("org2-team-key"));
  await vault.set(uiContext(fx.u3), addr(fx.alphaId, "user", fx.u3, "api_key"), SecretValue.from("u3-alpha-key"));
}

async function tearDown() {
  await closeRuntimeServers();
  await database.close();
}

// Every test of the API runs both ways in: in process (Next's route handlers) and over HTTP through the
// lean path server.mjs serves the runtime routes with. The tests act as the one trusted proxy (hops 1).
const transports: [string, RuntimeTransport][] = [
  ["in process", inProcess],
  ["over HTTP, lean path", overHttp({ baseUrl: BASE, trustedProxyHops: 1 })],
];
let send: RuntimeTransport = inProcess;

const sign = async (overrides: Partial<TokenClaimsInput> = {}) =>
  (
    await signRuntimeClaims(deps.keys, BASE, {
      installationId: fx.alphaOrg1,
      extensionId: fx.alphaId,
      orgId: fx.org1,
      userId: fx.u1,
      ttlSeconds: 600,
      ...overrides,
    })
  ).token;

const call = (method: string, path: string, token: string | null, body?: unknown, headers: Record<string, string> = {}, via = api) =>
  send(
    via,
    new Request(`${BASE}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        "user-agent": "vitest-runtime",
        ...headers,
      },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    }),
  );

async function errorOf(response: Response): Promise<{ code: string; message: string } & Record<string, unknown>> {
  const body = (await response.json()) as { error?: { code: string; message: string } };
  if (!body.error) throw new Error(`expected an error body, got ${JSON.stringify(body)}`);
  return body.error;
}

const endpoints = [
  ["list", "GET", "/api/v1/secrets", undefined],
  ["get", "GET", "/api/v1/secrets/user.api_key", undefined],
  ["meta", "GET", "/api/v1/secrets/user.api_key/meta", undefined],
  ["put", "PUT", "/api/v1/secrets/user.refresh_token", { value: "rt-written-by-extension" }],
  ["delete", "DELETE", "/api/v1/secrets/user.refresh_token", undefined],
  ["readiness", "GET", "/api/v1/readiness", undefined],
  ["oauth", "POST", "/api/v1/oauth/token", { provider: "my-oauth", scopes: ["calendar.read"] }],
] as const;
type Endpoint = (typeof endpoints)[number][0];

const all = (status: number): Record<Endpoint, number> => ({
  list: status,
  get: status,
  meta: status,
  put: status,
  delete: status,
  readiness: status,
  oauth: status,
});

describe.each(transports)(`runtime API on ${process.env.TEST_DB_DRIVER ?? "pglite"}, %s`, (_name, transport) => {
  beforeAll(async () => {
    send = transport;
    await setUp();
  });
  afterAll(tearDown);

  it("authorization matrix: every endpoint × every kind of token", async () => {
    const good = await sign();
    const payload = decodeJwt(good);
    const { kid } = decodeProtectedHeader(good);
    const enc = (o: object) => base64url.encode(JSON.stringify(o));
    const otherKey = await generateKeyPair("ES256");
    const [h, , s] = good.split(".");
    const tokens: Record<string, string | null> = {
      right: good,
      "same org, other user": await sign({ userId: fx.u2 }),
      "other extension (Beta, same org and user)": await sign({ installationId: fx.betaOrg1, extensionId: fx.betaId }),
      "no user": await sign({ userId: null }),
      "read-only scopes": await sign({ scopes: ["secrets:read"] }),
      "claims another org (validly signed)": await sign({ orgId: fx.org2, userId: fx.u3 }),
      "user outside the org (validly signed)": await sign({ userId: fx.u3 }),
      "claims another extension for the installation (validly signed)": await sign({ extensionId: fx.betaId }),
      "installation that does not exist": await sign({ installationId: "00000000-0000-4000-8000-000000000000" }),
      expired: (
        await signRuntimeClaims(
          deps.keys,
          BASE,
          { installationId: fx.alphaOrg1, extensionId: fx.alphaId, orgId: fx.org1, userId: fx.u1, ttlSeconds: 1 },
          new Date(Date.now() - 120_000),
        )
      ).token,
      "signed by another key": await new SignJWT(payload)
        .setProtectedHeader({ alg: "ES256", kid, typ: RUNTIME_TOKEN_TYPE })
        .sign(otherKey.privateKey),
      "alg none": `${enc({ alg: "none", kid, typ: RUNTIME_TOKEN_TYPE })}.${enc(payload)}.`,
      "tampered claims": `${h}.${enc({ ...payload, installation: fx.alphaOrg2, org: fx.org2, sub: `installation:${fx.alphaOrg2}` })}.${s}`,
      "no token": null,
    };
    const expected: Record<string, Record<Endpoint, number>> = {
      right: { list: 200, get: 200, meta: 200, put: 200, delete: 200, readiness: 200, oauth: 409 },
      "same org, other user": { list: 200, get: 404, meta: 200, put: 200, delete: 200, readiness: 200, oauth: 409 },
      "other extension (Beta, same org and user)": { list: 200, get: 404, meta: 200, put: 403, delete: 403, readiness: 200, oauth: 403 },
      "no user": { list: 200, get: 403, meta: 403, put: 403, delete: 403, readiness: 200, oauth: 409 },
      "read-only scopes": { list: 200, get: 200, meta: 200, put: 403, delete: 403, readiness: 403, oauth: 403 },
      "claims another org (validly signed)": all(403),
      "user outside the org (validly signed)": all(403),
      "claims another extension for the installation (validly signed)": all(403),
      "installation that does not exist": all(403),
      expired: all(401),
      "signed by another key": all(401),
      "alg none": all(401),
      "tampered claims": all(401),
      "no token": all(401),
    };
    const actual: Record<string, Record<string, number>> = {};
    for (const [label, token] of Object.entries(tokens)) {
      actual[label] = {};
      for (const [name, method, path, body] of endpoints) {
        const response = await call(method, path, token, body);
        (actual[label] as Record<string, number>)[name] = response.status;
        const text = await response.text();
        // No response to a caller that is not u1 on Alpha in Org One ever carries u1's value.
        if (label !== "right" && label !== "read-only scopes") expect(text).not.toContain("u1-alpha-key");
        expect(text).not.toContain("org2-team-key");
        expect(response.headers.get("cache-control")).toBe("no-store");
      }
    }
    expect(actual).toEqual(expected);
  });

  it("serves the right owner's value and nobody else's", async () => {
    const get = async (token: string, ref: string) => {
      const response = await call("GET", `/api/v1/secrets/${ref}`, token);
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    expect(await get(await sign(), "user.api_key")).toEqual({ status: 200, body: { ref: "user.api_key", value: "u1-alpha-key" } });
    // A bare name resolves when it is declared in exactly one scope.
    expect((await get(await sign(), "api_key")).body.value).toBe("u1-alpha-key");
    expect((await get(await sign(), "org.team_key")).body.value).toBe("org1-team-key");
    expect((await get(await sign(), "ext.client_id")).body.value).toBe("alpha-client-id");
    // Org Two's installation of the same extension sees Org Two's values.
    const org2 = await mintRuntimeToken(deps, { installationId: fx.alphaOrg2, userId: fx.u3 });
    expect((await get(org2.token, "org.team_key")).body.value).toBe("org2-team-key");
    expect((await get(org2.token, "user.api_key")).body.value).toBe("u3-alpha-key");
    // Beta declares user.api_key too, but its own: Alpha's value never crosses over.
    const beta = await sign({ installationId: fx.betaOrg1, extensionId: fx.betaId });
    expect(await get(beta, "user.api_key")).toMatchObject({ status: 404, body: { error: { code: "secret_not_set" } } });
    expect((await get(beta, "ext.client_id")).body).toMatchObject({ error: { code: "secret_not_declared" } });
  });

  it("enforces declarations, write modes and size limits with the agreed codes", async () => {
    const token = await sign();
    const expectError = async (response: Promise<Response>, status: number, code: string) => {
      const r = await response;
      expect(r.status).toBe(status);
      const error = await errorOf(r);
      expect(error.code).toBe(code);
      return error;
    };
    await expectError(call("GET", "/api/v1/secrets/user.not_declared", token), 403, "secret_not_declared");
    await expectError(call("GET", "/api/v1/secrets/user.BAD-NAME", token), 400, "invalid_secret_ref");
    const forbidden = await expectError(call("PUT", "/api/v1/secrets/user.api_key", token, { value: "x" }), 403, "secret_write_forbidden");
    expect(forbidden.message).toBe("user.api_key has write_mode='user'; only the panel can write");
    await expectError(call("DELETE", "/api/v1/secrets/user.api_key", token), 403, "secret_write_forbidden");
    await expectError(call("PUT", "/api/v1/secrets/ext.client_id", token, { value: "x" }), 403, "secret_write_forbidden");
    await expectError(call("DELETE", "/api/v1/secrets/ext.client_id", token), 403, "secret_write_forbidden");
    // The user-mode value is untouched by the refused writes.
    const still = await call("GET", "/api/v1/secrets/user.api_key", token);
    expect(((await still.json()) as { value: string }).value).toBe("u1-alpha-key");

    const tooBig = await expectError(
      call("PUT", "/api/v1/secrets/org.webhook_secret", token, { value: "w".repeat(201) }),
      413,
      "secret_value_too_large",
    );
    expect(tooBig.max_bytes).toBe(200);
    const ok = await call("PUT", "/api/v1/secrets/org.webhook_secret", token, { value: "w".repeat(200) });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ ref: "org.webhook_secret", is_set: true });

    await expectError(call("PUT", "/api/v1/secrets/org.webhook_secret", token, "x".repeat(MAX_BODY_BYTES + 1)), 413, "payload_too_large");
    await expectError(call("PUT", "/api/v1/secrets/org.webhook_secret", token, "{not json"), 400, "invalid_request");
    await expectError(call("PUT", "/api/v1/secrets/org.webhook_secret", token, { value: 42 }), 400, "invalid_request");
    await expectError(
      call("PUT", "/api/v1/secrets/org.webhook_secret", token, "v", { "content-type": "text/plain" }),
      415,
      "unsupported_media_type",
    );
    await expectError(call("GET", "/api/v1/secrets/user.refresh_token", token), 404, "secret_not_set");
    await expectError(call("PATCH", "/api/v1/secrets/user.refresh_token", token), 405, "method_not_allowed");
  });

  it("writes and deletes as the extension, audited with the extension as actor", async () => {
    const token = await sign();
    const put = await call("PUT", "/api/v1/secrets/user.refresh_token", token, { value: "rt-1" }, { "x-forwarded-for": "203.0.113.9" });
    expect(put.status).toBe(200);
    const meta = (await (await call("GET", "/api/v1/secrets/user.refresh_token/meta", token)).json()) as Record<string, unknown>;
    expect(meta).toMatchObject({ ref: "user.refresh_token", is_set: true, write_mode: "extension", byte_length: 4, max_bytes: 4096 });
    expect(JSON.stringify(meta)).not.toContain("rt-1");
    const read = await call("GET", "/api/v1/secrets/user.refresh_token", token);
    expect(await read.json()).toMatchObject({ value: "rt-1" });
    const del = await call("DELETE", "/api/v1/secrets/user.refresh_token", token);
    expect(await del.json()).toEqual({ ref: "user.refresh_token", was_set: true });
    const again = await call("DELETE", "/api/v1/secrets/user.refresh_token", token);
    expect(await again.json()).toEqual({ ref: "user.refresh_token", was_set: false });

    await reads.flush();
    const events = await database.db
      .select()
      .from(auditEvents)
      // The authorization matrix's refusals are audited too, as denied (issue 12 item 10); these are the operations.
      .where(
        and(eq(auditEvents.extensionId, fx.alphaId), eq(auditEvents.target, "user.refresh_token"), eq(auditEvents.outcome, "success")),
      );
    const byAction = (action: string) => events.filter((e) => e.action === action);
    expect(byAction("secret.set").some((e) => e.sourceIp === "203.0.113.9")).toBe(true);
    for (const action of ["secret.set", "secret.read", "secret.delete"]) {
      expect(byAction(action).length).toBeGreaterThan(0);
      for (const e of byAction(action)) {
        expect(e).toMatchObject({ actorKind: "extension", actorId: fx.alphaId, sourceKind: "api", orgId: fx.org1 });
      }
    }
    expect(byAction("secret.read").every((e) => e.sourceUserAgent === "vitest-runtime")).toBe(true);
    expect(JSON.stringify(events)).not.toContain("rt-1");
  });

  it("lists declared secrets with statuses, never values", async () => {
    const response = await call("GET", "/api/v1/secrets", await sign());
    const text = await response.text();
    for (const value of ["u1-alpha-key", "org1-team-key", "alpha-client-id"]) expect(text).not.toContain(value);
    const { secrets } = JSON.parse(text) as { secrets: { ref: string; is_set: boolean | null; write_mode: string }[] };
    expect(secrets.map((s) => s.ref).sort()).toEqual([
      "ext.client_id",
      "org.team_key",
      "org.webhook_secret",
      "user.api_key",
      "user.refresh_token",
    ]);
    expect(secrets.find((s) => s.ref === "user.api_key")).toMatchObject({ is_set: true, write_mode: "user" });
    expect(secrets.find((s) => s.ref === "ext.client_id")).toMatchObject({ is_set: true, write_mode: "publisher" });
    const noUser = (await (await call("GET", "/api/v1/secrets", await sign({ userId: null }))).json()) as {
      secrets: { ref: string; is_set: boolean | null }[];
    };
    expect(noUser.secrets.find((s) => s.ref === "user.api_key")?.is_set).toBeNull();
  });

  it("readiness reports required secrets not set and the missing connection, with where to fix them", async () => {
    const settings = `${BASE}/panel/extensions/${fx.alphaOrg1}/settings/secrets`;
    const u2 = (await (await call("GET", "/api/v1/readiness", await sign({ userId: fx.u2 }))).json()) as Record<string, unknown>;
    expect(u2).toEqual({
      ready: false,
      missing: [
        { ref: "user.api_key", reason: "secret_not_set", settings_url: settings },
        {
          ref: "oauth:my-oauth",
          reason: "connection_missing",
          settings_url: connectUrl(BASE, fx.alphaOrg1, "my-oauth", ["calendar.read", "calendar.write"]),
          scopes: ["calendar.read", "calendar.write"],
        },
      ],
    });
    const noUser = (await (await call("GET", "/api/v1/readiness", await sign({ userId: null }))).json()) as {
      missing: { ref: string; reason: string }[];
    };
    expect(noUser.missing[0]).toMatchObject({ ref: "user.api_key", reason: "user_context_required" });
    // Org Two has no partner credential problem (ext is shared) but its own org secret is set too.
    const u3 = await readinessVia(fx.alphaOrg2, fx.u3);
    expect(u3.missing.map((m) => m.ref)).toEqual(["oauth:my-oauth"]);
  });

  it("the dispatch gate refuses until ready, then mints a token for the call", async () => {
    const connected: OAuthBroker = {
      ...noConnections,
      async connectionStatus() {
        return { connected: true, missingScopes: [] };
      },
    };
    const gated = { ...deps, oauth: connected };
    const refused = await prepareDispatch(gated, { installationId: fx.alphaOrg1, userId: fx.u2 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RuntimeError);
    expect((refused as RuntimeError).code).toBe("installation_not_ready");
    expect((refused as RuntimeError).extra.missing).toEqual([expect.objectContaining({ ref: "user.api_key", reason: "secret_not_set" })]);
    // The user pastes the key in the panel; now dispatch goes ahead.
    await deps.vault.set(
      uiContext(fx.u2),
      { extensionId: fx.alphaId, scope: "user", ownerId: fx.u2, name: "api_key" },
      SecretValue.from("u2-key"),
    );
    const minted = await prepareDispatch(gated, { installationId: fx.alphaOrg1, userId: fx.u2 });
    expect(decodeJwt(minted.token)).toMatchObject({ user: fx.u2, installation: fx.alphaOrg1 });
    // Minting refuses a user who is not in the installation's organization.
    await expect(mintRuntimeToken(deps, { installationId: fx.alphaOrg1, userId: fx.u3 })).rejects.toMatchObject({
      code: "installation_access_denied",
    });
  });

  it("oauth/token: needs_reauthorization with the connect URL today, the broker's token once connections exist", async () => {
    const token = await sign();
    const r = await call("POST", "/api/v1/oauth/token", token, { provider: "my-oauth", scopes: ["calendar.read"] });
    expect(r.status).toBe(409);
    const error = await errorOf(r);
    expect(error).toMatchObject({ code: "needs_reauthorization", reason: "connection_missing", missing_scopes: ["calendar.read"] });
    expect(String(error.connect_url)).toBe(
      `${BASE}/panel/connections/connect?provider=my-oauth&installation=${fx.alphaOrg1}&scopes=calendar.read`,
    );
    expect((await errorOf(await call("POST", "/api/v1/oauth/token", token, { provider: "my-oauth", scopes: ["mail.read"] }))).code).toBe(
      "oauth_scope_not_declared",
    );
    expect((await errorOf(await call("POST", "/api/v1/oauth/token", token, { provider: "github" }))).code).toBe(
      "oauth_provider_not_declared",
    );
    expect((await errorOf(await call("POST", "/api/v1/oauth/token", token, { scopes: [] }))).code).toBe("invalid_request");

    const broker: OAuthBroker = {
      ...noConnections,
      async getAccessToken(request) {
        expect(request.owner).toEqual({ kind: "user", id: fx.u1, orgId: fx.org1 });
        return { ok: true, accessToken: "at-123", expiresAt: new Date("2030-01-01T00:00:00Z"), scope: request.scopes.join(" ") };
      },
    };
    const withBroker = runtimeApi({ ...deps, oauth: broker });
    const ok = await send(
      withBroker,
      new Request(`${BASE}/api/v1/oauth/token`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ provider: "my-oauth" }),
      }),
    );
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({
      access_token: "at-123",
      expires_at: "2030-01-01T00:00:00.000Z",
      scope: "calendar.read calendar.write",
    });
  });

  it("fails closed with vault_unavailable when the KMS is down, leaking nothing", async () => {
    const down: Keyring = {
      kind: "local",
      currentKekId: () => keyring.currentKekId(),
      generateDataKey: async () => {
        throw new KeyringUnavailableError("KMS unreachable (test)");
      },
      unwrapDataKey: async () => {
        throw new KeyringUnavailableError("KMS unreachable (test)");
      },
      rewrapDataKey: async () => {
        throw new KeyringUnavailableError("KMS unreachable (test)");
      },
      listKeks: async () => [],
    };
    // A fresh process whose DEK cache is cold; token verification needs no KMS (public keys only).
    const dataKeys = new DataKeys(database.db, down, new DekCache({ maxEntries: 10, ttlMs: 60_000 }), { maxValues: 10, maxAgeMs: 60_000 });
    const vault = new Vault({ db: database.db, dataKeys, reads: new ReadRecorder(database.db), graceMs: 0 });
    const outage = runtimeApi({ ...deps, vault });
    const token = await sign();
    const request = (method: string, body?: unknown) =>
      new Request(`${BASE}/api/v1/secrets/org.webhook_secret`, {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    const read = await send(outage, request("GET"));
    expect(read.status).toBe(503);
    const text = await read.text();
    expect(JSON.parse(text)).toMatchObject({ error: { code: "vault_unavailable" } });
    expect(text).not.toContain("wwww");
    const write = await send(outage, request("PUT", { value: "new" }));
    expect(write.status).toBe(503);
    // Nothing changed: the healthy API still reads the old value.
    const healthy = await call("GET", "/api/v1/secrets/org.webhook_secret", token);
    expect(((await healthy.json()) as { value: string }).value).toBe("w".repeat(200));
  });

  it("locks a removed member out: at once by default, within the context cache window when one is set", async () => {
    const [member] = await database.db
      .insert(users)
      .values({ email: `leaver-${Date.now()}@example.com`, name: "Leaver" })
      .returning();
    if (!member) throw new Error("seed failed");
    await database.db.insert(orgMembers).values({ orgId: fx.org1, userId: member.id });
    const token = await sign({ userId: member.id });
    let now = new Date();
    const cached = runtimeApi({ ...deps, contextCacheMs: 60_000, now: () => now });
    const list = (which: RuntimeApi) =>
      send(which, new Request(`${BASE}/api/v1/secrets`, { headers: { authorization: `Bearer ${token}` } })).then((r) => r.status);
    expect(await list(api)).toBe(200);
    const cachedAt = now.getTime();
    expect(await list(cached)).toBe(200);
    await database.db.delete(orgMembers).where(and(eq(orgMembers.orgId, fx.org1), eq(orgMembers.userId, member.id)));
    expect(await list(api)).toBe(403);
    // Inside the window the cached API still answers from the membership it saw; from its end on, it looks again.
    now = new Date(cachedAt + 60_000 - 1);
    expect(await list(cached)).toBe(200);
    now = new Date(cachedAt + 60_000);
    expect(await list(cached)).toBe(403);
  });

  it("serves the JWKS", async () => {
    const response = await call("GET", "/.well-known/jwks.json", null);
    const { keys } = (await response.json()) as { keys: { kid: string; d?: string }[] };
    expect(keys.map((k) => k.kid)).toContain((await deps.keys.current()).kid);
    expect(keys.every((k) => k.d === undefined)).toBe(true);
  });

  // Last: it breaks the data key every value of this database is under.
  it("answers a data key that no longer unwraps with 500 secret_integrity_failure, naming no key", async () => {
    await database.db.execute(sql`update data_keys set wrapped = decode(repeat('00', length(wrapped)), 'hex')`);
    // A process whose data-key cache is cold, as after a restart.
    const dataKeys = new DataKeys(database.db, keyring, new DekCache({ maxEntries: 10, ttlMs: 60_000 }), {
      maxValues: 10,
      maxAgeMs: 60_000,
    });
    const restarted = runtimeApi({
      ...deps,
      vault: new Vault({ db: database.db, dataKeys, reads: new ReadRecorder(database.db), graceMs: 0 }),
    });
    const response = await call("GET", "/api/v1/secrets/user.api_key", await sign(), undefined, {}, restarted);
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({
      error: { code: "secret_integrity_failure", message: "The stored value failed its integrity check and was not returned." },
    });
    const [row] = await database.db.select({ id: dataKeysTable.id, kekId: dataKeysTable.kekId }).from(dataKeysTable);
    expect(text).not.toContain(row?.id ?? "no data key");
    expect(text).not.toContain(row?.kekId ?? "no KEK");
  });
});

// Not an API request: runs once.
describe(`test tokens on ${process.env.TEST_DB_DRIVER ?? "pglite"}`, () => {
  beforeAll(setUp);
  afterAll(tearDown);
  it("mints a test token only for a publisher member who administers the org, and audits it", async () => {
    const { loadUserActor } = await import("@/lib/auth/actor");
    const { publisherMembers, extensions } = await import("@/lib/db/schema");
    const [ext] = await database.db.select().from(extensions).where(eq(extensions.id, fx.alphaId));
    const ui = { kind: "ui" as const, ip: "127.0.0.1" };
    const actor = async (id: string) => {
      const loaded = await loadUserActor(database.db, id);
      if (!loaded) throw new Error("user missing");
      return loaded;
    };
    // u1 owns Org One but is not in Alpha's publisher yet: refused.
    await expect(mintTestToken(deps, await actor(fx.u1), fx.alphaOrg1, ui)).rejects.toMatchObject({ code: "installation_access_denied" });
    await database.db.insert(publisherMembers).values({ publisherId: ext?.publisherId ?? "", userId: fx.u1 });
    await database.db.insert(publisherMembers).values({ publisherId: ext?.publisherId ?? "", userId: fx.u2 });
    const minted = await mintTestToken(deps, await actor(fx.u1), fx.alphaOrg1, ui);
    expect(decodeJwt(minted.token)).toMatchObject({ user: fx.u1, installation: fx.alphaOrg1 });
    // u2 is in the publisher but only a plain member of Org One; u3 administers Org Two, not Org One.
    await expect(mintTestToken(deps, await actor(fx.u2), fx.alphaOrg1, ui)).rejects.toMatchObject({ code: "installation_access_denied" });
    await expect(mintTestToken(deps, await actor(fx.u3), fx.alphaOrg1, ui)).rejects.toMatchObject({ code: "installation_access_denied" });
    const [event] = await database.db.select().from(auditEvents).where(eq(auditEvents.action, "runtime_token.mint"));
    expect(event).toMatchObject({ actorKind: "user", actorId: fx.u1, sourceKind: "ui", orgId: fx.org1, extensionId: fx.alphaId });
    expect(JSON.stringify(event)).not.toContain(minted.token);
  });
});

async function readinessVia(installationId: string, userId: string) {
  const minted = await mintRuntimeToken(deps, { installationId, userId });
  return (await (await call("GET", "/api/v1/readiness", minted.token)).json()) as { ready: boolean; missing: { ref: string }[] };
}

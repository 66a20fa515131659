// Issue 12 item 10: a refused publish, an oversized value, a denied read and invalid runtime tokens left
// no `failure`/`denied` event, so the viewer's Failure and Denied filters showed nothing. Each now leaves
// exactly its event (never the value), written outside the refused change's transaction; 200 invalid
// tokens from one address leave one event that counts them, not 200 events.
// Runs on PGlite, and on PostgreSQL when DATABASE_URL is set.
import fs from "node:fs";
import path from "node:path";
import { inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadUserActor, type UserActor } from "@/lib/auth/actor";
import { auditEvents, publisherMembers, publishers, type AuditEventRow } from "@/lib/db/schema";
import { savePanelSecret } from "@/lib/extensions/panel-secrets";
import { publishExtension } from "@/lib/extensions/publish";
import { uploadManifest } from "@/lib/extensions/upload-manifest";
import { AuthFailureGuard, RateLimit } from "@/lib/http/rate-limit";
import { runtimeApi, type RuntimeApi } from "@/lib/runtime/api";
import { seedRuntimeFixture, type RuntimeFixture } from "@/test/runtime-fixtures";
import { noConnections } from "@/lib/runtime/oauth-broker";
import { SigningKeys } from "@/lib/runtime/signing-keys";
import { signRuntimeClaims } from "@/lib/runtime/tokens";
import type { Vault } from "@/lib/vault/vault";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { buildVault, localKeyring } from "@/test/vault";
import { AuthFailureLog, UNAUTHENTICATED_ACTOR } from "./failures";
import { listAuditEvents } from "./queries";
import type { ReadRecorder } from "./read-recorder";

const BASE = "http://latchkey.test";
const zoomYaml = fs.readFileSync(path.join(import.meta.dirname, "../manifest/fixtures/zoom-partner-credentials.yaml"), "utf8");
const OVERSIZED = "k".repeat(65); // user.api_key is declared with max_bytes: 64

let database: TestDatabase;
let vault: Vault;
let reads: ReadRecorder;
let keys: SigningKeys;
let fx: RuntimeFixture;
let u1: UserActor;
let clock = new Date("2026-11-20T10:00:00Z");
let failures: AuthFailureLog;
let api: RuntimeApi;

beforeAll(async () => {
  database = await openTestDatabase();
  ({ vault, reads } = buildVault(database.db, await localKeyring()));
  keys = new SigningKeys({ db: database.db, dataKeys: vault.dataKeys, maxTokenTtlSeconds: 900 });
  fx = await seedRuntimeFixture(database.db);
  const actor = await loadUserActor(database.db, fx.u1);
  if (!actor) throw new Error("u1 missing");
  u1 = actor;
  failures = new AuthFailureLog(reads, { now: () => clock, timer: false });
  api = runtimeApi({
    db: database.db,
    vault,
    keys,
    baseUrl: BASE,
    tokenTtlSeconds: 600,
    oauth: noConnections,
    trustedProxyHops: 1,
    tokenFailures: new AuthFailureGuard(new RateLimit({ name: "token-failures", limit: 30, windowSeconds: 300 }), failures),
  });
});

afterAll(async () => {
  await database?.close();
});

/** Every refusal event written so far (after the batching recorder's flush). */
async function refusals(): Promise<AuditEventRow[]> {
  await reads.flush();
  return database.db
    .select()
    .from(auditEvents)
    .where(inArray(auditEvents.outcome, ["failure", "denied"]))
    .orderBy(auditEvents.id);
}

const runtimeCall = (path: string, token: string, headers: Record<string, string> = {}) =>
  api.handle(new Request(`${BASE}${path}`, { headers: { authorization: `Bearer ${token}`, "user-agent": "vitest-ext", ...headers } }));

describe("refusals leave their audit event", () => {
  it("a refused publish: extension.publish, failure, by the publisher, naming what is missing", async () => {
    const [publisher] = await database.db.insert(publishers).values({ slug: "acme-fail", name: "Acme" }).returning();
    if (!publisher) throw new Error("publisher insert");
    await database.db.insert(publisherMembers).values({ publisherId: publisher.id, userId: fx.u1, role: "owner" });
    const pat = await loadUserActor(database.db, fx.u1);
    if (!pat) throw new Error("actor");
    const call = { actor: pat, source: { kind: "ui" as const, ip: "203.0.113.5", userAgent: "vitest" } };
    const { extension } = await uploadManifest(database.db, call, { yaml: zoomYaml });
    const before = (await refusals()).length;

    await expect(publishExtension({ db: database.db, vault }, call, extension.id)).rejects.toMatchObject({ code: "publish_blocked" });

    const events = (await refusals()).slice(before);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actorKind: "user",
      actorId: fx.u1,
      action: "extension.publish",
      target: "dev.mycompany.zoom-integration@1.0.0",
      extensionId: extension.id,
      outcome: "failure",
      sourceKind: "ui",
      sourceIp: "203.0.113.5",
      details: { code: "publish_blocked", version: "1.0.0", missing: ["Zoom OAuth Client ID", "Zoom OAuth Client Secret"] },
    });
  });

  it("an oversized value from the panel: secret.set, failure, by the end user, with its length and the limit, not the value", async () => {
    const before = (await refusals()).length;
    const source = { kind: "ui" as const, ip: "198.51.100.23", userAgent: "vitest" };
    await expect(
      savePanelSecret({ db: database.db, vault, baseUrl: BASE }, { actor: u1, source }, fx.alphaOrg1, "user.api_key", OVERSIZED),
    ).rejects.toMatchObject({
      code: "secret_value_too_large",
    });

    const events = (await refusals()).slice(before);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actorKind: "user",
      actorId: fx.u1,
      action: "secret.set",
      target: "user.api_key",
      extensionId: fx.alphaId,
      orgId: fx.org1,
      outcome: "failure",
      sourceIp: "198.51.100.23",
      details: { scope: "user", owner: fx.u1, code: "secret_value_too_large", byte_length: 65, max_bytes: 64 },
    });
    expect(JSON.stringify(events)).not.toContain(OVERSIZED);
    // Nothing was stored.
    expect(await vault.status({ extensionId: fx.alphaId, scope: "user", ownerId: fx.u1, name: "api_key" })).toBeNull();
  });

  it("a denied read: an extension reading a secret it did not declare gets 403 and leaves secret.read, denied", async () => {
    const before = (await refusals()).length;
    const { token } = await signRuntimeClaims(keys, BASE, {
      installationId: fx.betaOrg1,
      extensionId: fx.betaId,
      orgId: fx.org1,
      userId: fx.u1,
      ttlSeconds: 600,
    });
    // Alpha declares org.team_key; Beta, installed in the same organization, does not.
    const response = await runtimeCall("/api/v1/secrets/org.team_key", token, { "x-forwarded-for": "6.6.6.6, 192.0.2.44" });
    expect(response.status).toBe(403);
    expect((await response.json()).error.code).toBe("secret_not_declared");

    const events = (await refusals()).slice(before);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      actorKind: "extension",
      actorId: fx.betaId,
      action: "secret.read",
      target: "org.team_key",
      extensionId: fx.betaId,
      orgId: fx.org1,
      outcome: "denied",
      sourceKind: "api",
      sourceIp: "192.0.2.44",
      sourceUserAgent: "vitest-ext",
      details: { code: "secret_not_declared", installation: fx.betaOrg1 },
    });
  });

  it("200 invalid runtime tokens from one address: 401 up to the limit, then 429, and one auth.failure event counting all 200", async () => {
    const before = (await refusals()).length;
    const from = { "x-forwarded-for": "6.6.6.6, 203.0.113.66" };
    const statuses: number[] = [];
    let lastRefusal: Response | undefined;
    for (let i = 0; i < 200; i++) {
      const response = await runtimeCall("/api/v1/secrets", `forged.token.${i}`, from);
      statuses.push(response.status);
      if (response.status === 429) lastRefusal = response;
    }
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(30).every((s) => s === 429)).toBe(true);
    expect(Number(lastRefusal?.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await lastRefusal?.json()).error.code).toBe("rate_limited");
    // Another address is not held back by this one's failures, and a valid token from the limited
    // address itself still works: only failures are refused, so a flood cannot lock good callers out.
    expect((await runtimeCall("/api/v1/secrets", "forged", { "x-forwarded-for": "198.51.100.99" })).status).toBe(401);
    const { token: valid } = await signRuntimeClaims(keys, BASE, {
      installationId: fx.betaOrg1,
      extensionId: fx.betaId,
      orgId: fx.org1,
      userId: fx.u1,
      ttlSeconds: 600,
    });
    expect((await runtimeCall("/api/v1/secrets", valid, from)).status).toBe(200);

    failures.flush({ all: true });
    const events = (await refusals()).slice(before).filter((e) => e.action === "auth.failure");
    expect(events).toHaveLength(2); // one per address
    const attacker = events.find((e) => e.sourceIp === "203.0.113.66");
    expect(attacker).toMatchObject({
      actorKind: UNAUTHENTICATED_ACTOR.kind,
      actorId: UNAUTHENTICATED_ACTOR.id,
      target: "runtime_token",
      outcome: "failure",
      extensionId: null,
      orgId: null,
      sourceKind: "api",
      sourceUserAgent: "vitest-ext",
      details: { count: 200, window_seconds: 60 },
    });
    const reasons = (attacker?.details as { reasons: Record<string, number> }).reasons;
    expect(Object.values(reasons).reduce((a, b) => a + b, 0)).toBe(200);
    expect(JSON.stringify(events)).not.toContain("forged.token");
  });

  it("starts a new event once the window has passed, so a long attack grows the log by one event per minute", async () => {
    const before = (await refusals()).length;
    const from = { "x-forwarded-for": "203.0.113.77" };
    for (let i = 0; i < 5; i++) await runtimeCall("/api/v1/readiness", "forged", from);
    clock = new Date(clock.getTime() + 61_000);
    for (let i = 0; i < 3; i++) await runtimeCall("/api/v1/readiness", "forged", from);
    failures.flush({ all: true });
    const events = (await refusals())
      .slice(before)
      .filter((e) => e.action === "auth.failure" && e.sourceIp === "203.0.113.77")
      .map((e) => (e.details as { count: number }).count);
    expect(events).toEqual([5, 3]);
  });
});

describe("the viewers' filters", () => {
  it("show the refusals under Failure and Denied", async () => {
    await reads.flush();
    const shown = async (outcome: "failure" | "denied") =>
      (await listAuditEvents(database.db, { kind: "all" }, { outcome }, { limit: 200 })).rows.map((r) => `${r.action} ${r.target}`);
    expect(await shown("denied")).toEqual(["secret.read org.team_key"]);
    expect(new Set(await shown("failure"))).toEqual(
      new Set(["extension.publish dev.mycompany.zoom-integration@1.0.0", "secret.set user.api_key", "auth.failure runtime_token"]),
    );
  });
});

// The refresh lease (issue 13, kind 7): no database transaction is open while a provider's token endpoint
// answers, single flight still holds across refreshers (as across processes), a lease whose holder went
// quiet is taken over once it has expired (by an injected clock), and a refresh that lost the
// compare-and-set on the token version never overwrites the winner's tokens. A loopback token endpoint
// holds its answers until the test releases them, so nothing here sleeps.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { and, eq, sql } from "drizzle-orm";
import pino from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SecretValue } from "@/lib/crypto";
import { auditEvents, extensionVersions, extensions, oauthConnections, organizations, publishers, users } from "@/lib/db/schema";
import type { Vault } from "@/lib/vault/vault";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { buildVault, localKeyring } from "@/test/vault";
import { Refresher } from "./refresh";
import { REFRESH_LEASE_MS } from "./refresh-lease";
import type { RefreshOutcome } from "./refresh-policy";
import { openToken, sealTokens } from "./token-seal";

const CLIENT = { id: "lease-client", secret: "lease-secret" };
const driver = process.env.TEST_DB_DRIVER ?? "pglite";

/**
 * A token endpoint (refresh_token grant) that answers at once, or, while `hold` is on, keeps each request
 * waiting until `release()`. Refresh tokens rotate; with `strict`, one presented twice is invalid_grant.
 */
async function startTokenEndpoint() {
  const state = { hold: false, strict: false, requests: 0, spent: new Set<string>() };
  const waiting: (() => void)[] = [];
  let onArrival: (() => void) | null = null;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const presented = new URLSearchParams(Buffer.concat(chunks).toString("utf8")).get("refresh_token") ?? "";
      const n = ++state.requests;
      const reused = state.spent.has(presented);
      state.spent.add(presented);
      const answer = () => {
        const [status, body] =
          state.strict && reused
            ? [400, { error: "invalid_grant", error_description: "refresh token already used" }]
            : [200, { access_token: `at-${n}`, token_type: "Bearer", expires_in: 3600, refresh_token: `rt-${n}` }];
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (!state.hold) return answer();
      waiting.push(answer);
      onArrival?.();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    state,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Resolves once a request is being held. */
    arrival: () => new Promise<void>((resolve) => (onArrival = resolve)),
    release() {
      for (const answer of waiting.splice(0)) answer();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let database: TestDatabase;
let vault: Vault;
let endpoint: Awaited<ReturnType<typeof startTokenEndpoint>>;
let connectionId = "";
const logs: { level: number; msg: string; [key: string]: unknown }[] = [];
const logger = pino({ level: "warn" }, { write: (line: string) => void logs.push(JSON.parse(line)) });
const deps = () => ({ db: database.db, vault, baseUrl: "http://latchkey.test", logger });

/** A refresher as another process would have one, with its own clock (ms ahead of real time) and waiting. */
function refresher(name: string, clock: { aheadMs: number } = { aheadMs: 0 }, wait?: (ms: number) => Promise<void>) {
  return new Refresher(deps(), { kind: "worker" }, { name, now: () => new Date(Date.now() + clock.aheadMs), ...(wait ? { wait } : {}) });
}

async function connection() {
  const [row] = await database.db.select().from(oauthConnections).where(eq(oauthConnections.id, connectionId));
  if (!row) throw new Error("connection missing");
  return row;
}

const storedRefreshToken = async () => {
  const row = await connection();
  return openToken(vault.dataKeys, row, "refresh_token", row.refreshToken);
};

beforeAll(async () => {
  database = await openTestDatabase();
  endpoint = await startTokenEndpoint();
  ({ vault } = buildVault(database.db, await localKeyring(), { logger: pino({ level: "silent" }) }));
  const { db } = database;
  const [publisher] = await db.insert(publishers).values({ slug: "lease-pub", name: "Lease Publisher" }).returning();
  const [ext] = await db
    .insert(extensions)
    .values({ publisherId: publisher?.id ?? "", slug: "dev.lease.provider", name: "Lease Provider", status: "published" })
    .returning();
  const [org] = await db.insert(organizations).values({ slug: "lease-org", name: "Lease Org" }).returning();
  const [person] = await db.insert(users).values({ email: "lease@example.test", name: "Lease" }).returning();
  if (!ext || !org || !person) throw new Error("seed failed");
  const manifest = {
    extension: { id: ext.slug, name: ext.name, version: "1.0.0" },
    credentials: {
      ext: [
        { key: "client_id", label: "Client id", type: "oauth_client_id", required: true },
        { key: "client_secret", label: "Client secret", type: "oauth_client_secret", required: true },
      ],
    },
    provides: {
      oauth_provider: {
        provider_id: "lease-provider",
        display_name: "Lease Provider",
        endpoints: { authorize: `${endpoint.url}/authorize`, token: `${endpoint.url}/token` },
      },
    },
  };
  await db.insert(extensionVersions).values({ extensionId: ext.id, version: "1.0.0", manifestYaml: "", manifest, publishedAt: new Date() });
  const system = { actor: { kind: "system" as const, id: "test" }, source: { kind: "cli" as const } };
  for (const [name, value] of [
    ["client_id", CLIENT.id],
    ["client_secret", CLIENT.secret],
  ] as const) {
    await vault.set(system, { extensionId: ext.id, scope: "ext", ownerId: ext.id, name }, SecretValue.from(value));
  }
  const [row] = await db
    .insert(oauthConnections)
    .values({
      ownerKind: "user",
      ownerId: person.id,
      orgId: org.id,
      providerId: "lease-provider",
      providerName: "Lease Provider",
      clientExtensionId: ext.id,
      scopes: ["read"],
      connectedBy: person.id,
    })
    .returning();
  connectionId = row?.id ?? "";
});

afterAll(async () => {
  await endpoint?.close();
  await database?.close();
});

// Every test starts from an active connection holding refresh token rt-0, expiring in 5 s, no lease.
beforeEach(async () => {
  Object.assign(endpoint.state, { hold: false, strict: false, requests: 0, spent: new Set<string>() });
  logs.length = 0;
  const row = await connection();
  const version = row.tokenVersion + 1;
  const sealed = sealTokens(await vault.dataKeys.forWrite(), row, version, { accessToken: "at-0", refreshToken: "rt-0" });
  await database.db
    .update(oauthConnections)
    .set({
      ...sealed,
      status: "active",
      tokenVersion: version,
      expiresAt: new Date(Date.now() + 5_000),
      issuedAt: new Date(Date.now() - 3600_000),
      refreshFailures: 0,
      nextAttemptAt: null,
      lastError: null,
      refreshLeaseHolder: null,
      refreshLeaseUntil: null,
    })
    .where(eq(oauthConnections.id, connectionId));
});

describe(`the refresh lease on ${driver}`, () => {
  it("holds no transaction or row lock while the token endpoint answers: the same row can be written meanwhile", async () => {
    const before = await connection();
    endpoint.state.hold = true;
    const arrived = endpoint.arrival();
    const worker = refresher("worker-1");
    let settled = false;
    const pending = worker.refresh(connectionId, { minValidityMs: 60_000 }).finally(() => (settled = true));
    await arrived;

    // The provider has the request and has not answered. With a transaction open across the call, this
    // write would wait for it (row lock on PostgreSQL; the single connection on PGlite) and never finish.
    const [renamed] = await database.db
      .update(oauthConnections)
      .set({ accountLabel: "renamed while refreshing" })
      .where(eq(oauthConnections.id, connectionId))
      .returning();
    expect(renamed?.refreshLeaseHolder).toMatch(/^worker-1#[0-9a-f]{8}$/);
    expect((renamed?.refreshLeaseUntil?.getTime() ?? 0) - Date.now()).toBeGreaterThan(REFRESH_LEASE_MS - 5_000);
    expect(await database.db.select({ n: sql<number>`count(*)::int` }).from(auditEvents)).toHaveLength(1);
    if (driver === "postgres") {
      // No other session holds any lock on the table: a lock taken in a transaction lasts until it ends.
      const [locks] = await database.db
        .select({ n: sql<number>`count(*)::int` })
        .from(sql`pg_locks l join pg_class c on c.oid = l.relation`)
        .where(sql`c.relname = 'oauth_connections' and l.pid <> pg_backend_pid()`);
      expect(locks?.n).toBe(0);
    }
    expect(settled).toBe(false);

    endpoint.release();
    const outcome = await pending;
    expect(outcome.kind).toBe("refreshed");
    const after = await connection();
    expect(after).toMatchObject({
      accountLabel: "renamed while refreshing",
      tokenVersion: before.tokenVersion + 1,
      refreshLeaseHolder: null,
      refreshLeaseUntil: null,
    });
    expect(await storedRefreshToken()).toBe("rt-1");
  }, 20_000);

  it("another process's background pass skips a leased connection; a caller on demand waits for the holder's answer", async () => {
    endpoint.state.hold = true;
    const arrived = endpoint.arrival();
    const holder = refresher("process-a");
    const first = holder.refresh(connectionId, { minValidityMs: 60_000 });
    await arrived;

    expect(await refresher("process-b").refresh(connectionId, { minValidityMs: 60_000, skipLocked: true })).toMatchObject({
      kind: "fresh",
    });
    // A caller whose wait ends only after a whole lease hears "retry later", not a second provider call.
    const patient = { aheadMs: 0 };
    const gaveUp = await refresher("process-c", patient, async () => void (patient.aheadMs += REFRESH_LEASE_MS)).refresh(connectionId, {
      minValidityMs: 60_000,
    });
    expect(gaveUp).toMatchObject({ kind: "retry_later", reason: "another refresh of this connection is in flight" });

    // This one's wait lasts until the holder has its answer and has written it.
    const waiter = refresher("process-d", { aheadMs: 0 }, async () => {
      endpoint.release();
      await first;
    });
    const waited = await waiter.refresh(connectionId, { minValidityMs: 60_000 });
    expect((await first).kind).toBe("refreshed");
    expect(waited.kind).toBe("fresh");
    expect(waited.row?.tokenVersion).toBe((await first).row?.tokenVersion);
    expect(endpoint.state.requests).toBe(1);
  });

  it("an expired lease is taken over by another worker, and the old holder's late answer does not overwrite the winner's", async () => {
    const before = await connection();
    endpoint.state.hold = true;
    const arrived = endpoint.arrival();
    const slow = refresher("paused-worker");
    const late = slow.refresh(connectionId, { minValidityMs: 60_000 });
    await arrived; // answered rt-1 once released

    // 31 s later the lease (30 s) has ended by the holder's clock, but another host's clock may be up to
    // 60 s ahead of it: still the holder's. 91 s later it is free to take over.
    const soon = await refresher("worker-2", { aheadMs: 31_000 }).refresh(connectionId, { minValidityMs: 60_000, skipLocked: true });
    expect(soon.kind).toBe("fresh");
    expect(endpoint.state.requests).toBe(1);
    endpoint.state.hold = false;
    const takeover = await refresher("worker-3", { aheadMs: REFRESH_LEASE_MS + 61_000 }).refresh(connectionId, {
      minValidityMs: 60_000,
      skipLocked: true,
    });
    expect(takeover.kind).toBe("refreshed");
    expect(await storedRefreshToken()).toBe("rt-2");

    endpoint.release();
    const lost = await late;
    expect(lost.kind).toBe("fresh");
    const after = await connection();
    expect(after.tokenVersion).toBe(before.tokenVersion + 1);
    expect(await storedRefreshToken()).toBe("rt-2");
    expect(await openToken(vault.dataKeys, after, "access_token", after.accessToken)).toBe("at-2");
    expect(after.refreshLeaseHolder).toBeNull();

    const discarded = await database.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, "oauth.refresh"), eq(auditEvents.outcome, "failure")));
    expect(discarded.map((e) => e.details)).toEqual([
      { connection: connectionId, discarded: "lost_race", rotated: true, grant_lost: false },
    ]);
    expect(logs.map((l) => l.msg)).toContain(
      "oauth refresh answer discarded: another refresh wrote the connection first (this one's lease had expired)",
    );
  });

  it("a loser holding a rotated refresh token after the winner expired the connection says so (error log, audit)", async () => {
    endpoint.state.strict = true;
    endpoint.state.hold = true;
    const arrived = endpoint.arrival();
    const late = refresher("paused-worker").refresh(connectionId, { minValidityMs: 60_000 });
    await arrived; // spends rt-0 and will answer rt-1

    // The takeover presents rt-0 again: a strict provider answers invalid_grant, and that write stands.
    endpoint.state.hold = false;
    const takeover: RefreshOutcome = await refresher("worker-3", { aheadMs: REFRESH_LEASE_MS + 61_000 }).refresh(connectionId, {
      minValidityMs: 60_000,
    });
    expect(takeover).toMatchObject({ kind: "expired", reason: "invalid_grant" });

    endpoint.release();
    expect(await late).toMatchObject({ kind: "expired" });
    expect(await connection()).toMatchObject({ status: "expired", refreshToken: null });
    const error = logs.find((l) => l.level === 50);
    expect(error).toMatchObject({
      msg: "oauth refresh answer discarded after the connection was expired by another refresh; its rotated refresh token is lost",
      connection: connectionId,
      rotated: true,
      current_status: "expired",
    });
    expect(JSON.stringify(logs)).not.toContain("rt-1");
  });
});

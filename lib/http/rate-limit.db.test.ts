// Issue 12 item 8 on a real database: the limits shared by every app instance (the `rate_limits` table
// through rate-limiter-flexible's RateLimiterDrizzle), 200 bad publisher API tokens answered 429 with
// Retry-After past the limit, and the public verify endpoint limited per address.
// Runs on PGlite, and on PostgreSQL when DATABASE_URL is set.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Database } from "@/lib/db/client";
import { rateLimits } from "@/lib/db/schema";
import { parseEnv } from "@/lib/env";
import type { Vault } from "@/lib/vault/vault";
import { openTestDatabase, type TestDatabase } from "@/test/db";
import { buildVault, localKeyring } from "@/test/vault";
import { buildRequestGuards, RateLimit, type RequestGuards } from "./rate-limit";

type Route = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

let database: TestDatabase;
let me: Route;
let verify: Route;

const slots = globalThis as unknown as {
  latchkeyDb?: Promise<Database>;
  latchkeyVault?: Promise<Vault>;
  latchkeyRequestGuards?: Promise<RequestGuards>;
};

beforeAll(async () => {
  // The handlers read the process's settings (env()); with DATABASE_URL set (CI) demo mode is off by default and
  // would ask for a sign-in configuration, so this process runs in demo mode whichever driver is under test.
  vi.stubEnv("LATCHKEY_DEMO", "true");
  database = await openTestDatabase();
  const { vault } = buildVault(database.db, await localKeyring());
  // The handlers reach the database, vault and limits through their process-wide getters; hand them this test's.
  slots.latchkeyDb = Promise.resolve(database);
  slots.latchkeyVault = Promise.resolve(vault);
  // The default settings behind one trusted proxy, counted in this database as with DATABASE_URL set.
  slots.latchkeyRequestGuards = Promise.resolve(
    buildRequestGuards(parseEnv({ LATCHKEY_TRUSTED_PROXY_HOPS: "1" }), { db: database.db, events: vault.reads }),
  );
  me = ((await import("@/app/api/v1/publisher/me/route")) as unknown as { GET: Route }).GET;
  verify = ((await import("@/app/api/v1/audit/verify/route")) as unknown as { POST: Route }).POST;
});

afterAll(async () => {
  await database?.close();
});

const noParams = { params: Promise.resolve({}) };

describe("limits counted in the database", () => {
  it("are one budget for every app instance", async () => {
    const policy = { name: "shared-test", limit: 5, windowSeconds: 60 };
    const instanceA = RateLimit.forDatabase(policy, database.db);
    const instanceB = RateLimit.forDatabase(policy, database.db);
    for (let i = 0; i < 3; i++) expect((await instanceA.hit("203.0.113.9")).limited).toBe(false);
    for (let i = 0; i < 2; i++) expect((await instanceB.hit("203.0.113.9")).limited).toBe(false);
    const refused = await instanceA.hit("203.0.113.9");
    expect(refused).toMatchObject({ limited: true, remaining: 0 });
    expect(refused.resetSeconds).toBeGreaterThan(0);
    expect(refused.resetSeconds).toBeLessThanOrEqual(60);
    expect((await instanceB.check("203.0.113.9")).limited).toBe(true);
    const [row] = await database.db.select().from(rateLimits).where(eq(rateLimits.key, "shared-test:203.0.113.9"));
    expect(row?.points).toBe(6);
    expect(row?.expire?.getTime()).toBeGreaterThan(Date.now());
  });
});

describe("the publisher API", () => {
  it("answers 200 bad tokens from one address with 401 up to the limit, then 429 with Retry-After", async () => {
    const statuses: number[] = [];
    let refusal: Response | undefined;
    for (let i = 0; i < 200; i++) {
      const response = await me(
        new Request("http://latchkey.test/api/v1/publisher/me", {
          headers: { authorization: `Bearer lk_pub_forged${i}`, "x-forwarded-for": "6.6.6.6, 203.0.113.50" },
        }),
        noParams,
      );
      statuses.push(response.status);
      if (response.status === 429) refusal = response;
    }
    expect(statuses.slice(0, 30)).toEqual(Array(30).fill(401));
    expect(statuses.slice(30)).toEqual(Array(170).fill(429));
    const retryAfter = Number(refusal?.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(300);
    expect(refusal?.headers.get("ratelimit-policy")).toBe('"token-failures";q=30;w=300');
    expect(refusal?.headers.get("ratelimit")).toBe(`"token-failures";r=0;t=${retryAfter}`);
    const body = (await refusal?.json()) as { error: { code: string; message: string; request_id: string; retry_after_seconds: number } };
    expect(body.error).toMatchObject({ code: "rate_limited", retry_after_seconds: retryAfter });
    expect(body.error.message).toMatch(/^Too many failed authentications from your address \(30 in 5 minutes\)\./);
    expect(body.error.request_id).toBe(refusal?.headers.get("x-request-id"));
    // The left-most entry is the client's own claim and changes nothing: the proxy-appended one is the key.
    const spoofed = await me(
      new Request("http://latchkey.test/api/v1/publisher/me", {
        headers: { authorization: "Bearer lk_pub_forged", "x-forwarded-for": "198.51.100.1, 203.0.113.50" },
      }),
      noParams,
    );
    expect(spoofed.status).toBe(429);
    const other = await me(
      new Request("http://latchkey.test/api/v1/publisher/me", {
        headers: { authorization: "Bearer lk_pub_forged", "x-forwarded-for": "203.0.113.51" },
      }),
      noParams,
    );
    expect(other.status).toBe(401);
  });
});

describe("the public verify endpoint", () => {
  it("answers 60 calls a minute from one address, then 429 with Retry-After", async () => {
    const ask = (address: string) =>
      verify(
        new Request("http://latchkey.test/api/v1/audit/verify", {
          method: "POST",
          headers: { "content-type": "application/json", "x-forwarded-for": address },
          body: JSON.stringify({ content_hash: "0".repeat(64) }),
        }),
        noParams,
      );
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push((await ask("192.0.2.10")).status);
    expect(statuses).toEqual(Array(60).fill(404)); // no such leaf: answered, not limited
    const refused = await ask("192.0.2.10");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(refused.headers.get("ratelimit-policy")).toBe('"audit-verify";q=60;w=60');
    expect((await refused.json()).error.code).toBe("rate_limited");
    expect((await ask("192.0.2.11")).status).toBe(404);
  });
});

// Issue 12 item 8: 100 authorize calls by one person stored 100 pending OAuth state rows. Pending flows
// per person are capped (LATCHKEY_OAUTH_MAX_PENDING_FLOWS, default 10) with a message that says what to
// do, and expired states are swept when a flow starts. Through a real authorization server
// (node-oidc-provider on loopback). Runs on PGlite, and on PostgreSQL when DATABASE_URL is set.
import { and, eq, gt, lt } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { UserActor } from "@/lib/auth/actor";
import { oauthStates } from "@/lib/db/schema";
import type { TestDatabase } from "@/test/db";
import { openDemoOAuth, type DemoOAuth } from "@/test/demo-oauth";
import { OAuthError } from "./errors";
import { DEFAULT_MAX_PENDING_FLOWS } from "./flow";
import { OAuthService } from "./service";

const BASE = "http://latchkey.test";
const source = { kind: "ui" as const, ip: "127.0.0.1", userAgent: "vitest" };

let database: TestDatabase;
let oauth: OAuthService;
let eve: UserActor;
let calendar = "";

const start = (service = oauth) =>
  service.start(
    { providerId: "my-provider", installationId: calendar, fieldKey: "", scopes: [], returnTo: null, binding: null },
    eve,
    source,
  );

const pendingRows = async () =>
  (
    await database.db
      .select()
      .from(oauthStates)
      .where(and(eq(oauthStates.userId, eve.userId), gt(oauthStates.expiresAt, new Date())))
  ).length;

let fixture: DemoOAuth | undefined;

beforeAll(async () => {
  fixture = await openDemoOAuth(BASE);
  ({ database, oauth, eve, calendar } = fixture);
}, 60_000);

afterAll(async () => {
  await fixture?.close();
});

describe("pending OAuth flows per person", () => {
  it("caps 100 authorize calls at 10 pending states, refusing the rest with what to do", async () => {
    const results = [];
    for (let i = 0; i < 100; i++) {
      results.push(
        await start().then(
          (started) => ({ ok: true as const, url: started.url }),
          (error: unknown) => ({ ok: false as const, error }),
        ),
      );
    }
    expect(DEFAULT_MAX_PENDING_FLOWS).toBe(10);
    expect(results.filter((r) => r.ok)).toHaveLength(10);
    expect(results.slice(0, 10).every((r) => r.ok)).toBe(true);
    const refused = results.slice(10);
    expect(refused).toHaveLength(90);
    for (const r of refused) {
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      expect(r.error).toBeInstanceOf(OAuthError);
      expect(r.error).toMatchObject({
        code: "too_many_pending_flows",
        status: 429,
        message:
          "You have 10 connection attempts in progress that were never finished. Finish one in the tab where you started it, " +
          "or try again in 10 minutes, when the oldest expires.",
      });
    }
    expect(await pendingRows()).toBe(10);
  });

  it("sweeps expired states when a flow starts, which frees the person's budget", async () => {
    // Ten minutes later: every pending state has expired.
    await database.db
      .update(oauthStates)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(oauthStates.userId, eve.userId));
    await start();
    expect(await pendingRows()).toBe(1);
    const expired = await database.db.select().from(oauthStates).where(lt(oauthStates.expiresAt, new Date()));
    expect(expired).toEqual([]);
  });

  it("follows the configured cap, and lets no racing starts past it", async () => {
    const strict = new OAuthService({ ...oauth.deps, maxPendingFlows: 3 });
    const raced = await Promise.allSettled(Array.from({ length: 8 }, () => start(strict)));
    expect(raced.filter((r) => r.status === "fulfilled").length).toBeLessThanOrEqual(2); // one is already pending
    expect(await pendingRows()).toBeLessThanOrEqual(3);
    const refusals = raced.flatMap((r) => (r.status === "rejected" ? [r.reason as OAuthError] : []));
    expect(refusals.length).toBeGreaterThanOrEqual(6);
    expect(refusals.every((e) => e.code === "too_many_pending_flows")).toBe(true);
  });
});

// Where an OAuth flow sends the browser back to (issue 12, item 1): through a real authorization server
// (node-oidc-provider on loopback), a `return_to` that normalises to another host is refused before any
// state is stored, and a path on this site comes back from the callback exactly as it was given.
// Runs on PGlite, and on PostgreSQL when DATABASE_URL is set.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { UserActor } from "@/lib/auth/actor";
import { oauthStates } from "@/lib/db/schema";
import type { TestDatabase } from "@/test/db";
import { openDemoOAuth, type DemoOAuth } from "@/test/demo-oauth";
import { completeConsent } from "@/test/oidc";
import { OAuthError } from "./errors";
import { OAuthService } from "./service";

const BASE = "http://latchkey.test";
const source = { kind: "ui" as const, ip: "127.0.0.1", userAgent: "vitest" };

let database: TestDatabase;
let oauth: OAuthService;
let eve: UserActor;
let calendar = "";

const start = (returnTo: string | null) =>
  oauth.start({ providerId: "my-provider", installationId: calendar, fieldKey: "", scopes: [], returnTo, binding: null }, eve, source);

const stateRows = async () => (await database.db.select().from(oauthStates).where(eq(oauthStates.userId, eve.userId))).length;

let fixture: DemoOAuth | undefined;

beforeAll(async () => {
  fixture = await openDemoOAuth(BASE);
  ({ database, oauth, eve, calendar } = fixture);
}, 60_000);

afterAll(async () => {
  await fixture?.close();
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

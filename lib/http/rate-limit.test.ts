// Issue 12 item 8: 200 bad demo sign-ins were all answered 401, never 429. The limits count per client
// address, refuse past the limit with 429, Retry-After and the RateLimit fields, and open again when the
// window ends (time is moved with fake timers, never waited for).
import { afterEach, describe, expect, it, vi } from "vitest";
import { limitDemoSignIn, rateLimitedSignInMessage } from "@/lib/auth/options";
import { parseEnv } from "@/lib/env";
import { AuthFailureGuard, buildRequestGuards, RateLimit, RateLimitedError, rateLimitHeaders, waitInWords } from "./rate-limit";
import { errorResponse } from "./respond";

afterEach(() => {
  vi.useRealTimers();
});

const policy = { name: "test-policy", limit: 3, windowSeconds: 60 };

describe("RateLimit", () => {
  it("allows the limit, refuses the next hit with the time left, and opens again when the window ends", async () => {
    vi.useFakeTimers({ now: new Date("2026-11-20T10:00:00Z") });
    const limit = new RateLimit(policy);
    for (let i = 1; i <= 3; i++) expect(await limit.hit("203.0.113.9")).toMatchObject({ limited: false, remaining: 3 - i });
    vi.advanceTimersByTime(20_000);
    const refused = await limit.hit("203.0.113.9");
    expect(refused).toMatchObject({ limited: true, remaining: 0, resetSeconds: 40 });
    // Another address has its own budget.
    expect(await limit.hit("198.51.100.7")).toMatchObject({ limited: false, remaining: 2 });
    vi.advanceTimersByTime(40_001);
    expect(await limit.hit("203.0.113.9")).toMatchObject({ limited: false, remaining: 2 });
  });

  it("checks without counting", async () => {
    const limit = new RateLimit(policy);
    expect(await limit.check("k")).toMatchObject({ limited: false, remaining: 3, resetSeconds: 0 });
    await limit.hit("k", 3);
    expect(await limit.check("k")).toMatchObject({ limited: true, remaining: 0 });
    expect(await limit.check("k")).toMatchObject({ limited: true, remaining: 0 });
  });
});

describe("a 429 answer", () => {
  it("carries Retry-After, the draft-09 RateLimit fields and the rate_limited error body", async () => {
    const state = { policy, remaining: 0, resetSeconds: 42, limited: true };
    const response = errorResponse(
      new RateLimitedError(state, "Too many requests from your address. Try again in 42 seconds."),
      "req-429-1",
    );
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("42");
    expect(response.headers.get("ratelimit-policy")).toBe('"test-policy";q=3;w=60');
    expect(response.headers.get("ratelimit")).toBe('"test-policy";r=0;t=42');
    expect(response.headers.get("x-request-id")).toBe("req-429-1");
    expect(await response.json()).toEqual({
      error: {
        code: "rate_limited",
        message: "Too many requests from your address. Try again in 42 seconds.",
        request_id: "req-429-1",
        retry_after_seconds: 42,
      },
    });
  });

  it("never says Retry-After: 0", () => {
    expect(rateLimitHeaders({ policy, remaining: 0, resetSeconds: 0, limited: true })["Retry-After"]).toBe("1");
    expect(rateLimitHeaders({ policy, remaining: 2, resetSeconds: 10, limited: false })).not.toHaveProperty("Retry-After");
  });

  it("says the wait in words", () => {
    expect(waitInWords(1)).toBe("1 second");
    expect(waitInWords(42)).toBe("42 seconds");
    expect(waitInWords(299)).toBe("5 minutes");
  });
});

describe("AuthFailureGuard", () => {
  it("answers failures past the limit with 429, counted per address, and never consults it for valid tokens", async () => {
    const guard = new AuthFailureGuard(new RateLimit({ name: "token-failures", limit: 30, windowSeconds: 300 }));
    const attacker = { kind: "api" as const, ip: "203.0.113.9", userAgent: "curl" };
    for (let i = 0; i < 30; i++) {
      await expect(guard.failed("runtime_token", attacker, "The token's signature does not verify.")).resolves.toBeUndefined();
    }
    const refusal = await guard.failed("runtime_token", attacker, "The token's signature does not verify.").then(
      () => null,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(RateLimitedError);
    expect((refusal as RateLimitedError).message).toMatch(
      /^Too many failed authentications from your address \(30 in 5 minutes\)\. Wait \d+ (seconds|minutes) before trying another token; valid tokens keep working\.$/,
    );
    expect((refusal as RateLimitedError).responseHeaders()["Retry-After"]).toMatch(/^\d+$/);
    // Another address has its own budget.
    await expect(guard.failed("runtime_token", { kind: "api", ip: "198.51.100.7" }, "bad")).resolves.toBeUndefined();
  });
});

describe("the limit settings", () => {
  it("have documented defaults", () => {
    const config = parseEnv({});
    expect(config.LATCHKEY_RATE_LIMIT_TOKEN_FAILURES).toEqual({ limit: 30, windowSeconds: 300 });
    expect(config.LATCHKEY_RATE_LIMIT_SIGN_IN).toEqual({ limit: 20, windowSeconds: 60 });
    expect(config.LATCHKEY_RATE_LIMIT_AUDIT_VERIFY).toEqual({ limit: 60, windowSeconds: 60 });
    expect(config.LATCHKEY_OAUTH_MAX_PENDING_FLOWS).toBe(10);
  });

  it.each(["30", "0/60", "30/0", "30 per minute", "30/100000", "-1/60"])("refuse %j, naming the variable and the format", (value) => {
    expect(() => parseEnv({ LATCHKEY_RATE_LIMIT_SIGN_IN: value })).toThrow(/LATCHKEY_RATE_LIMIT_SIGN_IN: must be <count>\/<seconds>/);
  });

  it("read <count>/<seconds>", () => {
    expect(parseEnv({ LATCHKEY_RATE_LIMIT_AUDIT_VERIFY: " 5 / 10 " }).LATCHKEY_RATE_LIMIT_AUDIT_VERIFY).toEqual({
      limit: 5,
      windowSeconds: 10,
    });
  });
});

describe("demo sign-in", () => {
  const attempt = (person: string, headers: Record<string, string> = {}) =>
    new Request("http://localhost:3000/api/auth/callback/demo", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams({ person, csrfToken: "t", callbackUrl: "/panel", json: "true" }),
    });

  it("answers 429 with Retry-After once an address made 20 attempts in a minute, and the sign-in page says why", async () => {
    const guards = buildRequestGuards(parseEnv({}));
    const answers: (Response | null)[] = [];
    for (let i = 0; i < 200; i++) answers.push(await limitDemoSignIn(attempt(`nobody-${i}`), guards));
    // The first 20 go on to next-auth (which answers 401 for an unknown person); every later one is refused here.
    expect(answers.slice(0, 20).every((a) => a === null)).toBe(true);
    const refused = answers.slice(20);
    expect(refused.every((a) => a?.status === 429)).toBe(true);
    const last = refused.at(-1);
    const retryAfter = Number(last?.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(last?.headers.get("ratelimit-policy")).toBe('"sign-in";q=20;w=60');
    const body = (await last?.json()) as { url: string; error: { code: string; message: string } };
    expect(body.error.code).toBe("rate_limited");
    expect(body.error.message).toMatch(/^Too many sign-in attempts from your address\. Try again in \d+ seconds\.$/);
    // next-auth's client goes to `url`: the sign-in page, which shows the refusal.
    const page = new URL(body.url, "http://localhost:3000");
    expect(page.pathname).toBe("/signin");
    expect(page.searchParams.get("error")).toBe("RateLimited");
    expect(page.searchParams.get("callbackUrl")).toBe("/panel");
    expect(rateLimitedSignInMessage(page.searchParams.get("retry_after") ?? undefined)).toBe(
      `Too many sign-in attempts from your address. Try again in ${waitInWords(retryAfter)}.`,
    );
  });

  it("counts per address behind a trusted proxy, and leaves other next-auth routes alone", async () => {
    const guards = buildRequestGuards(parseEnv({ LATCHKEY_TRUSTED_PROXY_HOPS: "1", LATCHKEY_RATE_LIMIT_SIGN_IN: "2/60" }));
    const from = (ip: string) => attempt("publisher", { "x-forwarded-for": `6.6.6.6, ${ip}` });
    expect(await limitDemoSignIn(from("203.0.113.9"), guards)).toBeNull();
    expect(await limitDemoSignIn(from("203.0.113.9"), guards)).toBeNull();
    expect((await limitDemoSignIn(from("203.0.113.9"), guards))?.status).toBe(429);
    expect(await limitDemoSignIn(from("198.51.100.7"), guards)).toBeNull();
    const session = new Request("http://localhost:3000/api/auth/session", { headers: { "x-forwarded-for": "203.0.113.9" } });
    expect(await limitDemoSignIn(session, guards)).toBeNull();
  });
});

// How provider answers are classified (only a gone grant is fatal; 5xx, 429, network and client-app
// problems are retried), the quirk rewriting for providers that report errors with HTTP 200, backoff,
// the refresh window, and return_to. Against a loopback token endpoint that answers what each case needs.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalogue } from "./catalogue";
import { refreshTokens } from "./client";
import { ProviderRequestError } from "./provider-error";
import { OAuthError } from "./errors";
import { safeReturnTo } from "./flow";
import type { ProviderConfig } from "./provider-config";
import { backoffMs, needsRefresh } from "./refresh-policy";
import { resourceOf, scopesForResource } from "./scopes";

let server: http.Server;
let base = "";
let next: { status: number; body: unknown; headers?: Record<string, string> } = { status: 200, body: {} };
let lastBody = "";

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      lastBody = body;
      res.writeHead(next.status, { "content-type": "application/json", ...next.headers }).end(JSON.stringify(next.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const provider = (quirks: ProviderConfig["quirks"] = {}): ProviderConfig => ({
  id: "test",
  displayName: "Test",
  source: "catalogue",
  endpoints: { authorize: `${base}/authorize`, token: `${base}/token` },
  defaultScopes: [],
  quirks,
});
const secrets = { clientId: "client", clientSecret: "secret" };
/** A catalogue provider's quirks, with its endpoints on this file's loopback server. */
const fromCatalogue = (id: string): ProviderConfig => {
  const entry = catalogue.get(id);
  if (!entry) throw new Error(id);
  return { ...entry, endpoints: { authorize: `${base}/authorize`, token: `${base}/token` } };
};

async function refreshOutcome(p: ProviderConfig, scopes: string[] | null = null) {
  try {
    return await refreshTokens(p, secrets, "rt-1", scopes);
  } catch (error) {
    if (error instanceof ProviderRequestError) return { kind: error.kind, reason: error.reason, retryAfter: error.retryAfterSeconds };
    throw error;
  }
}

describe("classifying a refresh's failure", () => {
  it("invalid_grant is fatal; 500, 429 (with Retry-After) and a client-app problem are retried", async () => {
    next = { status: 400, body: { error: "invalid_grant" } };
    expect(await refreshOutcome(provider())).toMatchObject({ kind: "fatal", reason: "invalid_grant" });
    next = { status: 500, body: { error: "server_error" } };
    expect(await refreshOutcome(provider())).toMatchObject({ kind: "retryable" });
    next = { status: 429, body: { error: "slow_down" }, headers: { "retry-after": "30" } };
    expect(await refreshOutcome(provider())).toMatchObject({ kind: "retryable", retryAfter: 30 });
    next = { status: 401, body: { error: "invalid_client" } };
    expect(await refreshOutcome(provider())).toMatchObject({ kind: "retryable", reason: "invalid_client" });
    // RFC 6749 §5.2's 401 with a challenge is the client failing to authenticate: the grant is fine.
    next = {
      status: 401,
      body: { error: "invalid_client" },
      headers: { "www-authenticate": 'Basic realm="token", error="invalid_client"' },
    };
    expect(await refreshOutcome(provider())).toMatchObject({ kind: "retryable", reason: "invalid_client" });
    next = { status: 502, body: "<html>bad gateway</html>" };
    expect(await refreshOutcome(provider())).toMatchObject({ kind: "retryable" });
  });

  it("a provider that cannot be reached is retried, not expired", async () => {
    const closed = { ...provider(), endpoints: { authorize: "http://127.0.0.1:9/a", token: "http://127.0.0.1:9/token" } };
    expect(await refreshOutcome(closed)).toMatchObject({ kind: "retryable", reason: "network" });
  });

  it("reads Slack's and GitHub's HTTP-200 errors as the errors they are", async () => {
    next = { status: 200, body: { ok: false, error: "invalid_refresh_token" } };
    expect(await refreshOutcome(fromCatalogue("slack"))).toMatchObject({ kind: "fatal", reason: "invalid_refresh_token" });
    next = { status: 200, body: { error: "bad_refresh_token", error_description: "The refresh token passed is incorrect or expired." } };
    expect(await refreshOutcome(fromCatalogue("github"))).toMatchObject({ kind: "fatal", reason: "bad_refresh_token" });
    next = { status: 200, body: { ok: true, access_token: "xoxe-1", refresh_token: "xoxe-r2", token_type: "bearer", expires_in: 43200 } };
    expect(await refreshOutcome(fromCatalogue("slack"))).toMatchObject({ accessToken: "xoxe-1", refreshToken: "xoxe-r2" });
    // Another provider's word for a gone grant is only a refusal here: retried, the grant kept.
    next = { status: 400, body: { error: "bad_refresh_token" } };
    expect(await refreshOutcome(provider())).toMatchObject({ kind: "retryable", reason: "bad_refresh_token" });
  });

  it("keeps no refresh token when the answer has none (the caller keeps the old one), and Microsoft asks per resource", async () => {
    const microsoft = fromCatalogue("microsoft");
    next = { status: 200, body: { access_token: "at", token_type: "Bearer", expires_in: 3600, scope: "a b" } };
    const tokens = await refreshOutcome(microsoft, ["https://graph.microsoft.com/Mail.Read"]);
    expect(tokens).toMatchObject({ accessToken: "at", refreshToken: null, scopes: ["a", "b"] });
    expect(new URLSearchParams(lastBody).get("scope")).toBe("https://graph.microsoft.com/Mail.Read");
    expect(resourceOf(microsoft, "Mail.Read")).toBe("https://graph.microsoft.com");
    expect(resourceOf(microsoft, "api://my-api/read")).toBe("api://my-api");
    expect(resourceOf(microsoft, "offline_access")).toBeNull();
    // A refresh for one resource of a grant covering two sends that resource's scopes (and the OIDC ones) only.
    const grant = ["offline_access", "Mail.Read", "api://my-api/read", "User.Read"];
    expect(scopesForResource(microsoft, grant, "https://graph.microsoft.com")).toEqual(["offline_access", "Mail.Read", "User.Read"]);
    expect(scopesForResource(microsoft, grant, "api://my-api")).toEqual(["offline_access", "api://my-api/read"]);
  });
});

describe("the catalogue", () => {
  it("has the well-known providers with their quirks", () => {
    expect([...catalogue.keys()]).toEqual(
      expect.arrayContaining(["slack", "zoom", "github", "atlassian", "google", "microsoft", "spotify"]),
    );
    expect(catalogue.get("google")?.authorizeParams).toMatchObject({ access_type: "offline", prompt: "consent" });
    expect(catalogue.get("slack")?.quirks.okEnvelope).toBe(true);
    expect(catalogue.get("microsoft")?.quirks.onePerResource).toBe(true);
  });
});

describe("timing", () => {
  it("backs off exponentially with jitter, capped, and honours a longer Retry-After", () => {
    const mid = () => 0.5;
    expect(backoffMs(1, null, mid)).toBe(15_000);
    expect(backoffMs(3, null, mid)).toBe(60_000);
    expect(backoffMs(30, null, mid)).toBe(3_600_000);
    expect(backoffMs(1, 120, mid)).toBe(120_000);
    expect(backoffMs(1, null, () => 0)).toBe(12_000);
    expect(backoffMs(1, null, () => 1)).toBe(18_000);
  });

  it("refreshes within a minute of expiry, or in the second half of a short-lived token's life", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    const at = (s: number) => new Date(now + s * 1000);
    expect(needsRefresh({ expiresAt: at(30), issuedAt: at(-3600) }, 60_000, now)).toBe(true);
    expect(needsRefresh({ expiresAt: at(120), issuedAt: at(-3600) }, 60_000, now)).toBe(false);
    // A 20-second token is refreshed once 10 seconds are left, not on every use.
    expect(needsRefresh({ expiresAt: at(15), issuedAt: at(-5) }, 60_000, now)).toBe(false);
    expect(needsRefresh({ expiresAt: at(9), issuedAt: at(-11) }, 60_000, now)).toBe(true);
    expect(needsRefresh({ expiresAt: null, issuedAt: null }, 60_000, now)).toBe(false);
  });
});

describe("return_to", () => {
  it("accepts local paths only", () => {
    const base = "https://latchkey.example";
    expect(safeReturnTo("/panel/connections?x=1#y", base, "/f")).toBe("/panel/connections?x=1#y");
    expect(safeReturnTo(null, base, "/f")).toBe("/f");
    for (const bad of ["https://evil.example/", "//evil.example", "/\\evil.example", "evil", "javascript:alert(1)", "/a\nb"]) {
      expect(() => safeReturnTo(bad, base, "/f")).toThrow(OAuthError);
    }
  });
});

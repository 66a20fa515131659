// Proves the demo OAuth provider is a real authorization server for a standards client
// (oauth4webapi): code flow with PKCE, rotating refresh tokens with reuse detection, and the test
// switches (failNext, revokeGrants, counters, the HTTP control routes).
import * as oauth from "oauth4webapi";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import { completeConsent, startTestProvider, type TestClient, type TestProvider } from "@/test/oidc";

const REDIRECT_URI = "http://127.0.0.1:9/oauth/callback";
const SCOPE = "openid email offline_access calendar.read";

let provider: TestProvider;
let as: oauth.AuthorizationServer;

beforeAll(async () => {
  provider = await startTestProvider({ redirectUri: REDIRECT_URI, control: true });
  const issuer = new URL(provider.issuer);
  const discovery = await oauth.discoveryRequest(issuer, { [oauth.allowInsecureRequests]: true });
  as = await oauth.processDiscoveryResponse(issuer, discovery);
});

afterAll(async () => {
  await provider?.close();
});

const options = { [oauth.allowInsecureRequests]: true } as const;
const clientOf = (c: TestClient): oauth.Client => ({ client_id: c.client_id });

function authorizationEndpoint(server: oauth.AuthorizationServer): URL {
  if (!server.authorization_endpoint) throw new Error(`${server.issuer} publishes no authorization_endpoint`);
  return new URL(server.authorization_endpoint);
}

function refreshTokenOf(tokens: oauth.TokenEndpointResponse): string {
  if (!tokens.refresh_token) throw new Error("the token response carries no refresh_token");
  return tokens.refresh_token;
}

/** Runs the browser half of the code flow and returns what the client needs to redeem the code. */
async function authorize(opts: { deny?: boolean } = {}) {
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const url = authorizationEndpoint(as);
  url.search = new URLSearchParams({
    client_id: provider.client.client_id,
    redirect_uri: REDIRECT_URI,
    response_type: "code",
    scope: SCOPE,
    state,
    nonce,
    prompt: "consent",
    code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: "S256",
  }).toString();
  const callback = await completeConsent(url.href, { deny: opts.deny });
  return { callback, codeVerifier, state, nonce };
}

async function signIn() {
  const { callback, codeVerifier, state, nonce } = await authorize();
  const client = clientOf(provider.client);
  const params = oauth.validateAuthResponse(as, client, callback, state);
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    oauth.ClientSecretBasic(provider.client.client_secret),
    params,
    REDIRECT_URI,
    codeVerifier,
    options,
  );
  return oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce });
}

async function refresh(refreshToken: string) {
  const client = clientOf(provider.client);
  const response = await oauth.refreshTokenGrantRequest(
    as,
    client,
    oauth.ClientSecretPost(provider.client.client_secret),
    refreshToken,
    options,
  );
  return oauth.processRefreshTokenResponse(as, client, response);
}

/** The OAuth error code a rejected token request carried, or the HTTP status it failed with. */
async function failure(attempt: Promise<unknown>) {
  const error: unknown = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error instanceof oauth.ResponseBodyError) return { error: error.error, status: error.status };
  // oauth4webapi parses error bodies of 400/401 only; for other statuses the Response is the cause.
  if (error instanceof oauth.OperationProcessingError && error.cause instanceof Response) {
    const body = (await error.cause.json()) as { error?: string };
    return { error: body.error, status: error.cause.status };
  }
  throw new Error(`expected the token request to be rejected, got ${String(error)}`);
}

describe("demo OAuth provider", () => {
  it("publishes discovery for the code flow with PKCE S256 and the custom scopes", () => {
    expect(as.issuer).toBe(provider.issuer);
    expect(as.code_challenge_methods_supported).toEqual(["S256"]);
    expect(as.scopes_supported).toEqual(expect.arrayContaining(["calendar.read", "calendar.write", "files.read"]));
    expect(as.revocation_endpoint).toBe(`${provider.issuer}/token/revocation`);
  });

  it("issues tokens for an authorization code, with the requested scope granted", async () => {
    provider.reset();
    const tokens = await signIn();
    expect(tokens.access_token).toEqual(expect.any(String));
    expect(tokens.refresh_token).toEqual(expect.any(String));
    expect(tokens.scope?.split(" ")).toEqual(expect.arrayContaining(["openid", "email", "calendar.read"]));
    expect(oauth.getValidatedIdTokenClaims(tokens)?.sub).toBe("demo-user");

    const userinfo = await oauth.userInfoRequest(as, clientOf(provider.client), tokens.access_token, options);
    const claims = await oauth.processUserInfoResponse(as, clientOf(provider.client), "demo-user", userinfo);
    expect(claims.email).toBe("demo.user@example.test");
    expect(provider.stats()).toMatchObject({ authorizationCode: 1, userinfo: 1 });
  });

  it("denies with access_denied when the user cancels", async () => {
    const { callback, state } = await authorize({ deny: true });
    expect(callback.origin + callback.pathname).toBe(REDIRECT_URI);
    expect(() => oauth.validateAuthResponse(as, clientOf(provider.client), callback, state)).toThrow(
      expect.objectContaining({ error: "access_denied" }),
    );
  });

  it("rotates refresh tokens and detects reuse of a rotated one", async () => {
    const first = await signIn();
    provider.reset();
    const second = await refresh(refreshTokenOf(first));
    expect(second.refresh_token).toEqual(expect.any(String));
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.access_token).not.toBe(first.access_token);

    expect(await failure(refresh(refreshTokenOf(first)))).toEqual({ error: "invalid_grant", status: 400 });
    expect(provider.stats()).toMatchObject({ refreshToken: 2, refreshTokenReuse: 1 });
    // Reuse revokes the whole grant, as a stolen-token defence should.
    expect(await failure(refresh(refreshTokenOf(second)))).toEqual({ error: "invalid_grant", status: 400 });
  });

  it("fails the next token request on demand without consuming the refresh token", async () => {
    const tokens = await signIn();
    provider.reset();
    provider.failNext(1, 500);
    expect(await failure(refresh(refreshTokenOf(tokens)))).toEqual({ error: "server_error", status: 500 });
    const refreshed = await refresh(refreshTokenOf(tokens));
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(provider.stats()).toMatchObject({ refreshToken: 2, refreshTokenReuse: 0 });
  });

  it("answers invalid_grant from the provider itself after revokeGrants()", async () => {
    const tokens = await signIn();
    provider.revokeGrants();
    expect(await failure(refresh(refreshTokenOf(tokens)))).toEqual({ error: "invalid_grant", status: 400 });
  });

  it("revokes a refresh token at the revocation endpoint and counts the call", async () => {
    const tokens = await signIn();
    provider.reset();
    const client = clientOf(provider.client);
    const auth = oauth.ClientSecretBasic(provider.client.client_secret);
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, auth, refreshTokenOf(tokens), options));
    expect(provider.stats().revocations).toBe(1);
    expect(await failure(refresh(refreshTokenOf(tokens)))).toEqual({ error: "invalid_grant", status: 400 });
  });

  it("refuses a code redeemed by another client, or with the wrong PKCE verifier", async () => {
    const stolen = await authorize();
    const params = oauth.validateAuthResponse(as, clientOf(provider.client), stolen.callback, stolen.state);
    const other = provider.otherClient;
    const byOtherClient = oauth.authorizationCodeGrantRequest(
      as,
      clientOf(other),
      oauth.ClientSecretBasic(other.client_secret),
      params,
      REDIRECT_URI,
      stolen.codeVerifier,
      options,
    );
    expect(await failure(byOtherClient.then((r) => oauth.processAuthorizationCodeResponse(as, clientOf(other), r)))).toEqual({
      error: "invalid_grant",
      status: 400,
    });

    const fresh = await authorize();
    const freshParams = oauth.validateAuthResponse(as, clientOf(provider.client), fresh.callback, fresh.state);
    const wrongVerifier = oauth.authorizationCodeGrantRequest(
      as,
      clientOf(provider.client),
      oauth.ClientSecretBasic(provider.client.client_secret),
      freshParams,
      REDIRECT_URI,
      oauth.generateRandomCodeVerifier(),
      options,
    );
    expect(await failure(wrongVerifier.then((r) => oauth.processAuthorizationCodeResponse(as, clientOf(provider.client), r)))).toEqual({
      error: "invalid_grant",
      status: 400,
    });
  });

  it("refreshes after the access token expired", async () => {
    const shortLived = await startTestProvider({ redirectUri: REDIRECT_URI, accessTokenTtlSeconds: 1 });
    try {
      const issuer = new URL(shortLived.issuer);
      const server = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, options));
      const client = clientOf(shortLived.client);
      const codeVerifier = oauth.generateRandomCodeVerifier();
      const url = authorizationEndpoint(server);
      url.search = new URLSearchParams({
        client_id: client.client_id,
        redirect_uri: REDIRECT_URI,
        response_type: "code",
        scope: "openid calendar.read",
        code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: "S256",
      }).toString();
      const params = oauth.validateAuthResponse(server, client, await completeConsent(url.href), oauth.expectNoState);
      const auth = oauth.ClientSecretBasic(shortLived.client.client_secret);
      const tokens = await oauth.processAuthorizationCodeResponse(
        server,
        client,
        await oauth.authorizationCodeGrantRequest(server, client, auth, params, REDIRECT_URI, codeVerifier, options),
      );
      // A refresh token even without offline_access: the provider issues one to every such client.
      expect(tokens.expires_in).toBe(1);
      expect(tokens.refresh_token).toEqual(expect.any(String));

      // Past the token's one-second life by the provider's clock (Date), without waiting for it.
      vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + 1_001 });
      const expired = await oauth.userInfoRequest(server, client, tokens.access_token, options);
      expect(expired.status).toBe(401);

      const refreshed = await oauth.processRefreshTokenResponse(
        server,
        client,
        await oauth.refreshTokenGrantRequest(server, client, auth, refreshTokenOf(tokens), options),
      );
      const userinfo = await oauth.userInfoRequest(server, client, refreshed.access_token, options);
      expect(userinfo.status).toBe(200);
      expect(refreshed.scope?.split(" ")).toContain("calendar.read");
    } finally {
      vi.useRealTimers();
      await shortLived.close();
    }
  });

  it("answers the next tokens of one account as already expired when told to, then as usual", async () => {
    provider.reset();
    provider.expireNextTokens("someone-else", 5);
    provider.expireNextTokens("demo-user", 2);
    const first = await signIn();
    expect(first.expires_in).toBe(0);
    // The token itself still works at the provider (the client can read the profile it is for).
    const profile = await oauth.userInfoRequest(as, clientOf(provider.client), first.access_token, options);
    expect(profile.status).toBe(200);
    const second = await refresh(refreshTokenOf(first));
    expect(second.expires_in).toBe(0);
    const third = await refresh(refreshTokenOf(second));
    expect(third.expires_in).toBe(3600);
    expect(provider.stats()).toMatchObject({ authorizationCode: 1, refreshToken: 2, refreshTokenReuse: 0 });
    // reset() forgets what was asked.
    provider.expireNextTokens("demo-user", 1);
    provider.reset();
    expect((await signIn()).expires_in).toBe(3600);
  });

  it("exposes the switches over HTTP only when asked to", async () => {
    const base = provider.issuer;
    expect((await fetch(`${base}/__control/reset`, { method: "POST" })).status).toBe(204);
    expect((await fetch(`${base}/__control/fail?count=1&status=429`, { method: "POST" })).status).toBe(204);
    const tokenResponse = await fetch(`${base}/token`, { method: "POST", body: new URLSearchParams({ grant_type: "refresh_token" }) });
    expect(tokenResponse.status).toBe(429);
    expect(await tokenResponse.json()).toMatchObject({ error: "temporarily_unavailable" });
    expect(await (await fetch(`${base}/__control/stats`)).json()).toMatchObject({ refreshToken: 1 });
    expect((await fetch(`${base}/__control/revoke-grants`, { method: "POST" })).status).toBe(204);
    expect((await fetch(`${base}/__control/fail?count=-1`, { method: "POST" })).status).toBe(400);
    expect((await fetch(`${base}/__control/expire-tokens?account=demo-user&count=1`, { method: "POST" })).status).toBe(204);
    expect((await signIn()).expires_in).toBe(0);
    expect((await fetch(`${base}/__control/expire-tokens?count=1`, { method: "POST" })).status).toBe(400);

    const closed = await startTestProvider({ redirectUri: REDIRECT_URI });
    try {
      expect((await fetch(`${closed.issuer}/__control/stats`)).status).toBe(404);
    } finally {
      await closed.close();
    }
  });
});

describe("its sign-in and consent pages", () => {
  it("are Latchkey's own: labelled fields, no debug block, nothing loaded from elsewhere", async () => {
    const url = authorizationEndpoint(as);
    url.search = new URLSearchParams({
      client_id: provider.client.client_id,
      redirect_uri: REDIRECT_URI,
      response_type: "code",
      scope: SCOPE,
      code_challenge: await oauth.calculatePKCECodeChallenge(oauth.generateRandomCodeVerifier()),
      code_challenge_method: "S256",
    }).toString();
    const start = await fetch(url, { redirect: "manual" });
    const location = start.headers.get("location") ?? "";
    expect(location).toMatch(/^\/interaction\/[A-Za-z0-9_-]+$/);
    const cookie = start.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const login = await fetch(new URL(location, provider.issuer), { headers: { cookie } });
    const html = await login.text();
    expect(login.status).toBe(200);
    expect(html).toContain("<title>Sign in to My Service · Demo OAuth provider</title>");
    expect(html).toContain('<label for="login">Email or user name</label>');
    expect(html).toContain('<label for="password">Password</label>');
    expect(html).toContain(">Sign in</button>");
    expect(html).not.toContain("DEBUG");
    expect(html).not.toMatch(/@import|https?:\/\/(?!127\.0\.0\.1)/);
    // An unknown or expired interaction is a page that says so, not a stack trace.
    const stale = await fetch(new URL("/interaction/no-such-uid", provider.issuer));
    expect(stale.status).toBe(400);
    expect(await stale.text()).toContain("This sign-in has expired");
  });
});

// Loopback stand-ins for real OAuth providers, answering what each provider's documentation says its
// endpoints answer, so catalogue entries run through Latchkey's own connect, refresh, profile and revoke
// code with no network. A provider is data (ProviderFixture: the code-exchange, refresh, grant-gone and
// profile answers, its client authentication, whether it rotates refresh tokens); one server plays any of
// them with real protocol state: codes bound to client, redirect URI and PKCE challenge; refresh tokens
// that rotate and are refused once spent or revoked; profile endpoints that want a live access token.
//
// Catalogue endpoints keep their real URLs: `routeProviderHosts` makes fetch send a request for
// `https://slack.com/api/oauth.v2.access` to `http://127.0.0.1:<port>/slack.com/api/oauth.v2.access`
// (a hosts file, not a stub: the server still sees the documented path and decides the answer itself).
// A test can make the next token answer anything a provider has been seen to send (`answerNext`), to check
// how Latchkey copes; tokens in such an answer are learned as if issued.
import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { generateKeyPair, SignJWT, type JWTPayload } from "jose";

/** One HTTP answer: a JSON body (object) or raw text (string, sent as is). */
export interface FixtureAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** What a token answer is built from: the tokens the server just minted and the grant it is for. */
export interface GrantContext {
  accessToken: string;
  refreshToken: string;
  /** The scopes granted (code exchange) or asked for on refresh (null: the whole grant). */
  scopes: string[];
  /** The `scope` parameter of a refresh request, as sent. */
  requestedScope: string | null;
  clientId: string;
  /** An ID token for this grant, signed RS256 by the fixture (providers with OpenID Connect). */
  idToken(claims?: JWTPayload): Promise<string>;
  /** The nonce of the authorization request (code exchange only). */
  nonce: string | null;
}

/** A provider's documented behaviour, as data. */
export interface ProviderFixture {
  /** The catalogue id it plays. */
  provider: string;
  /** Token endpoint client authentication the provider documents: Basic (RFC 6749 §2.3.1) and/or form parameters. */
  clientAuth: ("basic" | "post")[];
  /** Whether a refresh answer carries a new refresh token that retires the old one. */
  rotates: boolean;
  /** Paths (host and path, no scheme) of the endpoints the catalogue entry names. */
  endpoints: { authorize: string; token: string; profile?: string; revoke?: string };
  /** Token strings the provider issues, numbered (`xoxe.xoxb-1-…` for Slack). */
  tokens(n: number): { access: string; refresh: string };
  codeExchange(ctx: GrantContext): FixtureAnswer | Promise<FixtureAnswer>;
  refresh(ctx: GrantContext): FixtureAnswer | Promise<FixtureAnswer>;
  /** The answer to a refresh token that is revoked, spent or expired. */
  grantGone: FixtureAnswer;
  /** The profile endpoint's answer for a live access token. */
  profile?: FixtureAnswer;
}

const json = (status: number, body: unknown): FixtureAnswer => ({ status, body });

/** Slack, https://api.slack.com/methods/oauth.v2.access (token rotation on). */
export const slack: ProviderFixture = {
  provider: "slack",
  clientAuth: ["basic", "post"],
  rotates: true,
  endpoints: { authorize: "slack.com/oauth/v2/authorize", token: "slack.com/api/oauth.v2.access" },
  tokens: (n) => ({ access: `xoxe.xoxb-1-${n}`, refresh: `xoxe-1-${n}` }),
  codeExchange: (ctx) => json(200, slackAnswer(ctx)),
  refresh: (ctx) => json(200, slackAnswer(ctx)),
  grantGone: json(200, { ok: false, error: "invalid_refresh_token" }),
};

function slackAnswer(ctx: GrantContext) {
  return {
    ok: true,
    app_id: "A0KRD7HC3",
    authed_user: { id: "U1234" },
    scope: ctx.scopes.join(","),
    token_type: "bot",
    access_token: ctx.accessToken,
    bot_user_id: "U0KRQLJ9H",
    team: { id: "T9TK3CUKW", name: "Slack Softball Team" },
    enterprise: null,
    is_enterprise_install: false,
    expires_in: 43200,
    refresh_token: ctx.refreshToken,
  };
}

/**
 * GitHub, https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps and
 * …/refreshing-user-access-tokens: comma-separated scopes, errors with HTTP 200, expiring user tokens.
 */
export const github: ProviderFixture = {
  provider: "github",
  clientAuth: ["post"],
  rotates: true,
  endpoints: {
    authorize: "github.com/login/oauth/authorize",
    token: "github.com/login/oauth/access_token",
    profile: "api.github.com/user",
  },
  tokens: (n) => ({ access: `ghu_16C7e42F292c6912E7710c838347Ae178B4a${n}`, refresh: `ghr_1B4a2e77838347a7E420ce178F2E7c6912E1${n}` }),
  codeExchange: (ctx) => json(200, githubAnswer(ctx)),
  refresh: (ctx) => json(200, githubAnswer(ctx)),
  grantGone: json(200, {
    error: "bad_refresh_token",
    error_description: "The refresh token passed is incorrect or expired.",
    error_uri: "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors",
  }),
  profile: json(200, { login: "octocat", id: 583231, node_id: "MDQ6VXNlcjU4MzIzMQ==", type: "User", site_admin: false }),
};

function githubAnswer(ctx: GrantContext) {
  return {
    access_token: ctx.accessToken,
    expires_in: 28800,
    refresh_token: ctx.refreshToken,
    refresh_token_expires_in: 15811200,
    scope: ctx.scopes.join(","),
    token_type: "bearer",
  };
}

/** A tenant of Microsoft Entra ID, and the app id of an API registered in it. */
export const MICROSOFT_TENANT = "9122040d-6c67-4c5b-b112-36a304b66dad";
export const MICROSOFT_API = "api://2d4d11a2-f814-46a7-890a-274a72a7309e";

/**
 * Microsoft identity platform v2, https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow,
 * through the multi-tenant `common` endpoint: the ID token's issuer is its tenant's, with `tid`; a token
 * request names one resource's scopes (AADSTS28000 otherwise) and is answered with them resource-qualified.
 */
export const microsoft: ProviderFixture = {
  provider: "microsoft",
  clientAuth: ["post", "basic"],
  rotates: true,
  endpoints: {
    authorize: "login.microsoftonline.com/common/oauth2/v2.0/authorize",
    token: "login.microsoftonline.com/common/oauth2/v2.0/token",
    profile: "graph.microsoft.com/oidc/userinfo",
  },
  tokens: (n) => ({ access: `eyJ0eXAiOiJKV1QiLCJub25jZSI6Im${n}`, refresh: `0.AXwAOdPzU2lKTUaBp-${n}` }),
  codeExchange: async (ctx) => {
    // Consent covered every resource asked for; the code's token is for the first one.
    const resource = microsoftResourceScopes(ctx.scopes, "first");
    if ("error" in resource) return json(400, resource.error);
    return json(200, {
      token_type: "Bearer",
      scope: [...resource.scopes, "openid", "profile", "email"].join(" "),
      expires_in: 3599,
      ext_expires_in: 3599,
      access_token: ctx.accessToken,
      refresh_token: ctx.refreshToken,
      id_token: await ctx.idToken(ctx.nonce ? { nonce: ctx.nonce } : {}),
    });
  },
  refresh: async (ctx) => {
    const resource = microsoftResourceScopes(ctx.requestedScope?.split(" ") ?? ctx.scopes, "refuse");
    if ("error" in resource) return json(400, resource.error);
    return json(200, {
      token_type: "Bearer",
      scope: resource.scopes.join(" "),
      expires_in: 3599,
      ext_expires_in: 3599,
      access_token: ctx.accessToken,
      refresh_token: ctx.refreshToken,
    });
  },
  grantGone: json(400, {
    error: "invalid_grant",
    error_description:
      "AADSTS70008: The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
    error_codes: [70008],
    timestamp: "2026-11-30 10:00:00Z",
    trace_id: "0000aaaa-11bb-cccc-dd22-eeeeee333333",
    correlation_id: "aaaa0000-bb11-2222-33cc-444444dddddd",
  }),
  profile: json(200, { sub: "OLu859SGc2Sr9ZsqbkG-QbeLgJlb41KcdiPoLYNpSFA", name: "Megan Bowen", email: "MeganB@contoso.example" }),
};

const OIDC = new Set(["openid", "profile", "email", "offline_access"]);

/**
 * Microsoft's reading of a scope list: one resource's scopes, resource-qualified and lowercased; with
 * several resources, the first one's (a code exchange) or AADSTS28000 (a token request).
 */
function microsoftResourceScopes(scopes: string[], mixed: "first" | "refuse"): { scopes: string[]; resource: string } | { error: unknown } {
  const qualified = scopes
    .filter((s) => !OIDC.has(s))
    .map((s) => (/^[a-z]+:\/\//i.test(s) ? s : `https://graph.microsoft.com/${s}`).toLowerCase());
  const resources = [...new Set(qualified.map((s) => s.slice(0, s.indexOf("/", s.indexOf("//") + 2))))];
  if (resources.length > 1 && mixed === "refuse") {
    return {
      error: {
        error: "invalid_scope",
        error_description:
          "AADSTS28000: Provided value for the input parameter scope is not valid because it contains more than one resource.",
        error_codes: [28000],
      },
    };
  }
  const resource = resources[0] ?? "https://graph.microsoft.com";
  return { scopes: qualified.filter((s) => s.startsWith(`${resource}/`)), resource };
}

/** Spotify, https://developer.spotify.com/documentation/web-api/tutorials/code-flow and …/refreshing-tokens. */
export const spotify: ProviderFixture = {
  provider: "spotify",
  clientAuth: ["basic"],
  // "A new refresh token might be returned too": this one keeps the old refresh token valid.
  rotates: false,
  endpoints: { authorize: "accounts.spotify.com/authorize", token: "accounts.spotify.com/api/token", profile: "api.spotify.com/v1/me" },
  tokens: (n) => ({ access: `NgCXRKc9ZaXiTTPA${n}`, refresh: `NgAagAHfVxDkSvCUm_SHo${n}` }),
  codeExchange: (ctx) =>
    json(200, {
      access_token: ctx.accessToken,
      token_type: "Bearer",
      scope: ctx.scopes.join(" "),
      expires_in: 3600,
      refresh_token: ctx.refreshToken,
    }),
  refresh: (ctx) => json(200, { access_token: ctx.accessToken, token_type: "Bearer", scope: ctx.scopes.join(" "), expires_in: 3600 }),
  grantGone: json(400, { error: "invalid_grant", error_description: "Invalid refresh token" }),
  profile: json(200, {
    country: "SE",
    display_name: "JM Wizzler",
    email: "email@example.com",
    external_urls: { spotify: "https://open.spotify.com/user/wizzler" },
    href: "https://api.spotify.com/v1/users/wizzler",
    id: "wizzler",
    product: "premium",
    type: "user",
    uri: "spotify:user:wizzler",
  }),
};

/** Zoom, https://developers.zoom.us/docs/integrations/oauth/ and GET /v2/users/me. */
export const zoom: ProviderFixture = {
  provider: "zoom",
  clientAuth: ["basic"],
  rotates: true,
  endpoints: {
    authorize: "zoom.us/oauth/authorize",
    token: "zoom.us/oauth/token",
    profile: "api.zoom.us/v2/users/me",
    revoke: "zoom.us/oauth/revoke",
  },
  tokens: (n) => ({ access: `eyJzdiI6IjAwMDAwMSIsImFsZyI6IkhTNTEyIn0.${n}`, refresh: `eyJzdiI6IjAwMDAwMSIsImFsZyI6IkhTNTEyIn0.r${n}` }),
  codeExchange: (ctx) =>
    json(200, {
      access_token: ctx.accessToken,
      token_type: "bearer",
      refresh_token: ctx.refreshToken,
      expires_in: 3599,
      scope: ctx.scopes.join(" "),
    }),
  refresh: (ctx) =>
    json(200, {
      access_token: ctx.accessToken,
      token_type: "bearer",
      refresh_token: ctx.refreshToken,
      expires_in: 3599,
      scope: ctx.scopes.join(" "),
    }),
  grantGone: json(400, { reason: "Invalid Token!", error: "invalid_grant" }),
  profile: json(200, {
    id: "KDcuGIm1QgePTO8WbOqwIQ",
    first_name: "Jill",
    last_name: "Chill",
    display_name: "Jill Chill",
    email: "jchill@example.com",
    type: 1,
    account_id: "q6gBJVO5TzexKYTb_I2rpg",
    status: "active",
  }),
};

/** Every fixture, by catalogue id. */
export const providerFixtures: Record<string, ProviderFixture> = { slack, github, microsoft, spotify, zoom };

/** A request the fixture server received, for assertions on what Latchkey sent. */
export interface ReceivedRequest {
  path: string;
  method: string;
  headers: http.IncomingHttpHeaders;
  form: URLSearchParams;
}

interface IssuedCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  scopes: string[];
  nonce: string | null;
}

type Override = FixtureAnswer | ((ctx: GrantContext) => FixtureAnswer | Promise<FixtureAnswer>);

export interface ProviderServer {
  fixture: ProviderFixture;
  /** http://127.0.0.1:<port>: where routeProviderHosts sends this provider's hosts. */
  url: string;
  client: { clientId: string; clientSecret: string };
  requests: ReceivedRequest[];
  /** Token requests by grant type. */
  stats(): { codeExchanges: number; refreshes: number; revocations: number; profileReads: number };
  /** Answers the next token request with this (after checking the client), learning any tokens in it. */
  answerNext(answer: Override): void;
  /** Refresh tokens issued and not yet spent or revoked. */
  liveRefreshTokens(): string[];
  /** Revokes every refresh token (the person removed the app at the provider). */
  revokeAll(): void;
  /** Consents at the authorization endpoint: returns the redirect back to the client (`?code&state`). */
  consent(authorizeUrl: URL | string): Promise<URL>;
  close(): Promise<void>;
}

/** Starts a loopback server playing `fixture` for one registered client. */
export async function startProviderServer(fixture: ProviderFixture): Promise<ProviderServer> {
  const client = { clientId: `client-${fixture.provider}`, clientSecret: randomBytes(18).toString("base64url") };
  const { privateKey } = await generateKeyPair("RS256");
  const codes = new Map<string, IssuedCode>();
  const live = new Map<string, { scopes: string[] }>();
  const accessTokens = new Set<string>();
  const requests: ReceivedRequest[] = [];
  const counts = { codeExchanges: 0, refreshes: 0, revocations: 0, profileReads: 0 };
  const overrides: Override[] = [];
  let minted = 0;
  let url = "";

  const idToken =
    (scopes: string[]) =>
    async (claims: JWTPayload = {}) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({
        ver: "2.0",
        iss: `https://login.microsoftonline.com/${MICROSOFT_TENANT}/v2.0`,
        sub: "OLu859SGc2Sr9ZsqbkG-QbeLgJlb41KcdiPoLYNpSFA",
        aud: client.clientId,
        iat: now,
        nbf: now,
        exp: now + 3600,
        tid: MICROSOFT_TENANT,
        oid: "00000000-0000-0000-66f3-3332eca7ea81",
        preferred_username: "MeganB@contoso.example",
        ...(scopes.includes("email") ? { email: "MeganB@contoso.example" } : {}),
        ...claims,
      })
        .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: "fixture" })
        .sign(privateKey);
    };

  /** Checks client authentication the way the provider documents it. */
  function authenticated(req: http.IncomingMessage, form: URLSearchParams): boolean {
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? "")?.[1];
    if (basic && fixture.clientAuth.includes("basic")) {
      const [id, secret] = Buffer.from(basic, "base64").toString("utf8").split(":").map(decodeURIComponent);
      return id === client.clientId && secret === client.clientSecret;
    }
    if (!basic && fixture.clientAuth.includes("post")) {
      return form.get("client_id") === client.clientId && form.get("client_secret") === client.clientSecret;
    }
    return false;
  }

  /** Learns the tokens an answer carries, as a provider would have issued them. */
  function learn(answer: FixtureAnswer, scopes: string[], spent: string | null) {
    if (answer.status !== 200) return;
    let body: unknown = answer.body;
    if (typeof body === "string") {
      try {
        body = JSON.parse(body);
      } catch {
        return;
      }
    }
    if (!body || typeof body !== "object") return;
    const { access_token: at, refresh_token: rt } = body as Record<string, unknown>;
    if (typeof at === "string") accessTokens.add(at);
    if (typeof rt === "string") {
      live.set(rt, { scopes });
      if (spent && fixture.rotates && spent !== rt) live.delete(spent);
    }
  }

  async function tokenAnswer(req: http.IncomingMessage, form: URLSearchParams): Promise<FixtureAnswer> {
    if (!authenticated(req, form)) return json(401, { error: "invalid_client", error_description: "Client authentication failed." });
    const grantType = form.get("grant_type");
    let scopes: string[];
    let nonce: string | null = null;
    let spent: string | null = null;
    if (grantType === "authorization_code") {
      counts.codeExchanges++;
      const code = codes.get(form.get("code") ?? "");
      codes.delete(form.get("code") ?? "");
      const verifier = form.get("code_verifier") ?? "";
      const challenge = createHash("sha256").update(verifier).digest("base64url");
      if (!code || code.redirectUri !== form.get("redirect_uri") || code.challenge !== challenge || code.clientId !== client.clientId) {
        return fixture.provider === "github" || fixture.provider === "slack"
          ? json(200, fixture.provider === "slack" ? { ok: false, error: "invalid_code" } : { error: "bad_verification_code" })
          : json(400, { error: "invalid_grant", error_description: "The authorization code is invalid." });
      }
      scopes = code.scopes;
      nonce = code.nonce;
    } else if (grantType === "refresh_token") {
      counts.refreshes++;
      spent = form.get("refresh_token") ?? "";
      const grant = live.get(spent);
      if (!grant) return fixture.grantGone;
      scopes = grant.scopes;
    } else {
      return json(400, { error: "unsupported_grant_type" });
    }
    const n = ++minted;
    const issued = fixture.tokens(n);
    const ctx: GrantContext = {
      accessToken: issued.access,
      refreshToken: issued.refresh,
      scopes,
      requestedScope: form.get("scope"),
      clientId: client.clientId,
      idToken: idToken(scopes),
      nonce,
    };
    const override = overrides.shift();
    const answer = override
      ? typeof override === "function"
        ? await override(ctx)
        : override
      : grantType === "authorization_code"
        ? await fixture.codeExchange(ctx)
        : await fixture.refresh(ctx);
    learn(answer, scopes, spent);
    return answer;
  }

  function send(res: http.ServerResponse, answer: FixtureAnswer, req: http.IncomingMessage) {
    const raw = typeof answer.body === "string";
    // GitHub answers form-encoded unless asked for JSON (its docs' Accept header).
    const formEncoded = fixture.provider === "github" && !raw && !(req.headers.accept ?? "").includes("json");
    const body = raw
      ? (answer.body as string)
      : formEncoded
        ? new URLSearchParams(answer.body as Record<string, string>).toString()
        : JSON.stringify(answer.body);
    res.writeHead(answer.status, {
      "content-type": raw
        ? "text/html; charset=utf-8"
        : formEncoded
          ? "application/x-www-form-urlencoded"
          : "application/json; charset=utf-8",
      ...answer.headers,
    });
    res.end(body);
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const target = new URL(req.url ?? "/", "http://fixture");
        const path = target.pathname.slice(1);
        const form = new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
        requests.push({ path, method: req.method ?? "GET", headers: req.headers, form });
        const { endpoints } = fixture;
        if (path === endpoints.authorize && req.method === "GET") {
          const q = target.searchParams;
          if (q.get("client_id") !== client.clientId || q.get("code_challenge_method") !== "S256") {
            return send(res, json(400, { error: "invalid_request" }), req);
          }
          const code = randomBytes(12).toString("hex");
          const separator = fixture.provider === "slack" ? "," : " ";
          codes.set(code, {
            clientId: client.clientId,
            redirectUri: q.get("redirect_uri") ?? "",
            challenge: q.get("code_challenge") ?? "",
            scopes: (q.get("scope") ?? "").split(separator).filter(Boolean),
            nonce: q.get("nonce"),
          });
          const back = new URL(q.get("redirect_uri") ?? "");
          back.searchParams.set("code", code);
          back.searchParams.set("state", q.get("state") ?? "");
          res.writeHead(302, { location: back.toString() }).end();
          return;
        }
        if (path === endpoints.token && req.method === "POST") return send(res, await tokenAnswer(req, form), req);
        if (path === endpoints.profile && req.method === "GET") {
          counts.profileReads++;
          const token = /^(?:Bearer|token) (.+)$/i.exec(req.headers.authorization ?? "")?.[1] ?? "";
          if (!accessTokens.has(token) || !fixture.profile) {
            res.writeHead(401, { "www-authenticate": 'Bearer error="invalid_token"' }).end();
            return;
          }
          return send(res, fixture.profile, req);
        }
        if (path === endpoints.revoke && req.method === "POST") {
          if (!authenticated(req, form)) return send(res, json(401, { error: "invalid_client" }), req);
          counts.revocations++;
          const token = form.get("token") ?? target.searchParams.get("token") ?? "";
          live.delete(token);
          accessTokens.delete(token);
          return send(res, json(200, { status: "success" }), req);
        }
        send(res, json(404, { error: "not_found" }), req);
      })().catch((error: unknown) => res.writeHead(500).end(String(error)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    fixture,
    url,
    client,
    requests,
    stats: () => ({ ...counts }),
    answerNext: (answer) => void overrides.push(answer),
    liveRefreshTokens: () => [...live.keys()],
    revokeAll: () => live.clear(),
    async consent(authorizeUrl) {
      const response = await fetch(authorizeUrl, { redirect: "manual" });
      const location = response.headers.get("location");
      if (response.status !== 302 || !location) throw new Error(`consent: ${response.status} ${await response.text()}`);
      return new URL(location);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Routes fetch requests for the fixtures' hosts to their loopback servers (every other URL is fetched as
 * usual). Returns the function that restores the original fetch.
 */
export function routeProviderHosts(servers: ProviderServer[]): () => void {
  const original = globalThis.fetch;
  const routes = new Map<string, string>();
  for (const server of servers) {
    for (const endpoint of Object.values(server.fixture.endpoints)) {
      routes.set(endpoint.slice(0, endpoint.indexOf("/")), server.url);
    }
  }
  globalThis.fetch = (input, init) => {
    const request = input instanceof Request ? input : null;
    const url = new URL(request ? request.url : input.toString());
    const base = url.protocol === "https:" ? routes.get(url.host) : undefined;
    if (!base) return original(input, init);
    const routed = `${base}/${url.host}${url.pathname}${url.search}`;
    return original(request ? new Request(routed, request) : routed, init);
  };
  return () => {
    globalThis.fetch = original;
  };
}

// Loopback stand-ins for real OAuth providers, answering what each provider's documentation says its
// endpoints answer, so catalogue entries run through Latchkey's own connect, refresh, profile and revoke
// code with no network. A provider is data (test/provider-fixtures/<id>.ts, a ProviderFixture: the
// code-exchange, refresh, grant-gone, profile and revocation answers, its client authentication, whether it
// rotates refresh tokens); one server plays any of them with real protocol state: codes bound to client,
// redirect URI and PKCE challenge; refresh tokens that rotate and are refused once spent or revoked;
// profile and revocation endpoints that take the token where the provider documents it.
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
import { airtable } from "./provider-fixtures/airtable";
import { asana } from "./provider-fixtures/asana";
import { atlassian } from "./provider-fixtures/atlassian";
import { bitbucket } from "./provider-fixtures/bitbucket";
import { box } from "./provider-fixtures/box";
import { calendly } from "./provider-fixtures/calendly";
import { discord } from "./provider-fixtures/discord";
import { docusign } from "./provider-fixtures/docusign";
import { dropbox } from "./provider-fixtures/dropbox";
import { github } from "./provider-fixtures/github";
import { gitlab } from "./provider-fixtures/gitlab";
import { google } from "./provider-fixtures/google";
import { hubspot } from "./provider-fixtures/hubspot";
import { intercom } from "./provider-fixtures/intercom";
import { linear } from "./provider-fixtures/linear";
import { linkedin } from "./provider-fixtures/linkedin";
import { mailchimp } from "./provider-fixtures/mailchimp";
import { microsoft } from "./provider-fixtures/microsoft";
import { notion } from "./provider-fixtures/notion";
import { pipedrive } from "./provider-fixtures/pipedrive";
import { quickbooks } from "./provider-fixtures/quickbooks";
import { salesforce } from "./provider-fixtures/salesforce";
import { shopify } from "./provider-fixtures/shopify";
import { slack } from "./provider-fixtures/slack";
import { spotify } from "./provider-fixtures/spotify";
import { xero } from "./provider-fixtures/xero";
import { zendesk } from "./provider-fixtures/zendesk";
import { zoom } from "./provider-fixtures/zoom";
import { json, invalidGrant, type FixtureAnswer, type GrantContext, type ProviderFixture } from "./provider-fixtures/types";

export type { FixtureAnswer, GrantContext, ProviderFixture } from "./provider-fixtures/types";
export { MICROSOFT_API, MICROSOFT_TENANT } from "./provider-fixtures/microsoft";

/** Every contract fixture, by the catalogue id it plays. */
export const providerFixtures: Record<string, ProviderFixture> = {
  airtable,
  asana,
  atlassian,
  bitbucket,
  box,
  calendly,
  discord,
  docusign,
  dropbox,
  github,
  gitlab,
  google,
  hubspot,
  intercom,
  linear,
  linkedin,
  mailchimp,
  microsoft,
  notion,
  pipedrive,
  quickbooks,
  salesforce,
  shopify,
  slack,
  spotify,
  xero,
  zendesk,
  zoom,
};

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
  challenge: string | null;
  scopes: string[];
  nonce: string | null;
}

type Override = FixtureAnswer | ((ctx: GrantContext) => FixtureAnswer | Promise<FixtureAnswer>);

export interface ProviderServer {
  fixture: ProviderFixture;
  /** http://127.0.0.1:<port>: where routeProviderHosts sends this provider's hosts. */
  url: string;
  /** The hosts this provider answers for (its endpoints' hosts, per-tenant parameters filled in). */
  hosts: string[];
  client: { clientId: string; clientSecret: string };
  requests: ReceivedRequest[];
  /** Token requests by grant type, and profile and revocation requests served. */
  stats(): { codeExchanges: number; refreshes: number; revocations: number; profileReads: number };
  /** Answers the next token request with this (after checking the client), learning any tokens in it. */
  answerNext(answer: Override): void;
  /** Refresh tokens issued and not yet spent or revoked. */
  liveRefreshTokens(): string[];
  /** Access tokens issued and not revoked (expiry is the client's business here). */
  liveAccessTokens(): string[];
  /** Revokes every grant (the person removed the app at the provider). */
  revokeAll(): void;
  /** Consents at the authorization endpoint: returns the redirect back to the client (`?code&state`). */
  consent(authorizeUrl: URL | string): Promise<URL>;
  close(): Promise<void>;
}

/** An endpoint's `host/path` as a matcher: `{access_token}`, `{token}` and `{client_id}` capture a path segment. */
function pathMatcher(template: string | undefined): ((path: string) => Record<string, string> | null) | null {
  if (!template) return null;
  const names: string[] = [];
  const source = template
    .split(/(\{[a-z_]+\})/)
    .map((part) => {
      const name = /^\{([a-z_]+)\}$/.exec(part)?.[1];
      if (!name) return part.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
      names.push(name);
      return "([^/]+)";
    })
    .join("");
  const pattern = new RegExp(`^${source}$`);
  return (path) => {
    const match = pattern.exec(path);
    return match ? Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(match[i + 1] ?? "")])) : null;
  };
}

/** Starts a loopback server playing `fixture` for one registered client. */
export async function startProviderServer(fixture: ProviderFixture): Promise<ProviderServer> {
  const client = { clientId: `client-${fixture.provider}`, clientSecret: randomBytes(18).toString("base64url") };
  const { privateKey } = await generateKeyPair("RS256");
  const fill = (template: string | undefined) =>
    template?.replace(/\{([a-z_]+)\}/g, (whole, name: string) => fixture.endpointParams?.[name] ?? whole);
  const endpoints = {
    authorize: fill(fixture.endpoints.authorize) ?? "",
    token: fill(fixture.endpoints.token) ?? "",
    profile: fill(fixture.endpoints.profile),
    revoke: fill(fixture.endpoints.revoke),
  };
  const matchProfile = pathMatcher(endpoints.profile);
  const matchRevoke = pathMatcher(endpoints.revoke);
  const codes = new Map<string, IssuedCode>();
  /** Live refresh tokens → the scopes and grant they are for; access tokens → their grant. */
  const live = new Map<string, { scopes: string[]; grant: number }>();
  const accessTokens = new Map<string, number>();
  const requests: ReceivedRequest[] = [];
  const counts = { codeExchanges: 0, refreshes: 0, revocations: 0, profileReads: 0 };
  const overrides: Override[] = [];
  let minted = 0;
  let grants = 0;
  let url = "";

  const idToken =
    (extra: JWTPayload) =>
    async (claims: JWTPayload = {}) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ ...fixture.idTokenClaims, aud: client.clientId, iat: now, nbf: now, exp: now + 3600, ...extra, ...claims })
        .setProtectedHeader({ alg: "RS256", typ: "JWT", kid: "fixture" })
        .sign(privateKey);
    };

  /** Checks client authentication the way the provider documents it. */
  function authenticated(req: http.IncomingMessage, form: URLSearchParams, allowed: ("basic" | "post")[]): boolean {
    const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? "")?.[1];
    if (basic && allowed.includes("basic")) {
      const [id, secret] = Buffer.from(basic, "base64").toString("utf8").split(":").map(decodeURIComponent);
      return id === client.clientId && secret === client.clientSecret;
    }
    if (!basic && allowed.includes("post")) {
      return form.get("client_id") === client.clientId && form.get("client_secret") === client.clientSecret;
    }
    return false;
  }

  /** Learns the tokens an answer carries, as a provider would have issued them for `grant`. */
  function learn(answer: FixtureAnswer, scopes: string[], spent: string | null, grant: number) {
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
    if (typeof at === "string") accessTokens.set(at, grant);
    if (typeof rt === "string") {
      live.set(rt, { scopes, grant });
      if (spent && fixture.rotates && spent !== rt) live.delete(spent);
    }
  }

  /** Revokes the grant `token` belongs to: its refresh and access tokens stop working. */
  function revokeGrant(token: string): boolean {
    const grant = live.get(token)?.grant ?? accessTokens.get(token);
    if (grant === undefined) return false;
    for (const [rt, g] of live) if (g.grant === grant) live.delete(rt);
    for (const [at, g] of accessTokens) if (g === grant) accessTokens.delete(at);
    return true;
  }

  async function tokenAnswer(req: http.IncomingMessage, form: URLSearchParams): Promise<FixtureAnswer> {
    if (!authenticated(req, form, fixture.clientAuth)) {
      return json(401, { error: "invalid_client", error_description: "Client authentication failed." });
    }
    const grantType = form.get("grant_type");
    let scopes: string[];
    let nonce: string | null = null;
    let spent: string | null = null;
    let grant: number;
    if (grantType === "authorization_code") {
      counts.codeExchanges++;
      const code = codes.get(form.get("code") ?? "");
      codes.delete(form.get("code") ?? "");
      const verifier = form.get("code_verifier");
      const challenge = verifier === null ? null : createHash("sha256").update(verifier).digest("base64url");
      if (!code || code.redirectUri !== form.get("redirect_uri") || code.challenge !== challenge || code.clientId !== client.clientId) {
        return fixture.invalidCode ?? invalidGrant("The authorization code is invalid.");
      }
      for (const [name, value] of Object.entries(fixture.codeExchangeRequires ?? {})) {
        if (form.get(name) !== value) return json(400, { error: "invalid_request", error_description: `${name}=${value} is required.` });
      }
      scopes = code.scopes;
      nonce = code.nonce;
      grant = ++grants;
    } else if (grantType === "refresh_token" && fixture.refresh) {
      counts.refreshes++;
      spent = form.get("refresh_token") ?? "";
      const held = live.get(spent);
      if (!held) return fixture.grantGone ?? invalidGrant();
      scopes = held.scopes;
      grant = held.grant;
    } else {
      return json(400, { error: "unsupported_grant_type" });
    }
    const n = ++minted;
    const issued = fixture.tokens(n);
    const ctx: GrantContext = {
      accessToken: issued.access,
      refreshToken: issued.refresh,
      spentRefreshToken: spent,
      scopes,
      requestedScope: form.get("scope"),
      clientId: client.clientId,
      idToken: idToken(scopes.includes("email") ? {} : { email: undefined }),
      nonce,
    };
    const override = overrides.shift();
    const answer = override
      ? typeof override === "function"
        ? await override(ctx)
        : override
      : grantType === "authorization_code"
        ? await fixture.codeExchange(ctx)
        : await (fixture.refresh as NonNullable<ProviderFixture["refresh"]>)(ctx);
    learn(answer, scopes, spent, grant);
    return answer;
  }

  /** The token a profile or revocation request presents: in its path, or in its header as the provider documents. */
  function presented(req: http.IncomingMessage, params: Record<string, string>, header = "authorization", prefix = "Bearer "): string {
    if (params.access_token) return params.access_token;
    const value = req.headers[header.toLowerCase()];
    const text = Array.isArray(value) ? (value[0] ?? "") : (value ?? "");
    return text.toLowerCase().startsWith(prefix.toLowerCase()) ? text.slice(prefix.length) : "";
  }

  async function revokeAnswer(req: http.IncomingMessage, form: URLSearchParams, body: string, params: Record<string, string>) {
    const revocation = fixture.revocation;
    if (!revocation || (revocation.method ?? "POST") !== req.method) return json(405, { error: "method_not_allowed" });
    if (params.client_id !== undefined && params.client_id !== client.clientId) return json(404, { error: "not_found" });
    if (revocation.clientAuth !== "none" && !authenticated(req, form, revocation.clientAuth)) {
      return json(401, { error: "invalid_client" });
    }
    let token = "";
    if (revocation.takes === "form") token = form.get("token") ?? new URL(req.url ?? "/", "http://fixture").searchParams.get("token") ?? "";
    if (revocation.takes === "path") token = params.token ?? "";
    if (revocation.takes === "bearer") token = presented(req, {}, revocation.header, revocation.prefix);
    if (revocation.takes === "json") {
      try {
        const parsed = JSON.parse(body) as Record<string, unknown>;
        token = String(parsed[revocation.tokenField ?? "token"] ?? "");
      } catch {
        return json(400, { error: "invalid_request", error_description: "The body is not JSON." });
      }
    }
    // RFC 7009 §2.2 answers 200 for an unknown token too; a bearer-authenticated endpoint refuses it.
    const known = revokeGrant(token);
    if (!known && revocation.takes === "bearer") return json(401, { error: "invalid_token" });
    counts.revocations++;
    return revocation.answer;
  }

  function send(res: http.ServerResponse, answer: FixtureAnswer, req: http.IncomingMessage) {
    if (answer.body === null || answer.body === undefined) {
      res.writeHead(answer.status, { ...answer.headers }).end();
      return;
    }
    const raw = typeof answer.body === "string";
    // GitHub answers form-encoded unless asked for JSON (its docs' Accept header).
    const formEncoded = fixture.formEncodedUnlessJson && !raw && !(req.headers.accept ?? "").includes("json");
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
        const body = Buffer.concat(chunks).toString("utf8");
        const form = new URLSearchParams((req.headers["content-type"] ?? "").includes("json") ? "" : body);
        requests.push({ path, method: req.method ?? "GET", headers: req.headers, form });
        if (path === endpoints.authorize && req.method === "GET") {
          const q = target.searchParams;
          const challenge = q.get("code_challenge");
          const pkceOk = fixture.pkce === "absent" ? challenge === null : challenge !== null && q.get("code_challenge_method") === "S256";
          if (q.get("client_id") !== client.clientId || !pkceOk) return send(res, json(400, { error: "invalid_request" }), req);
          const code = randomBytes(12).toString("hex");
          codes.set(code, {
            clientId: client.clientId,
            redirectUri: q.get("redirect_uri") ?? "",
            challenge,
            scopes: (q.get("scope") ?? "").split(fixture.scopeSeparator ?? " ").filter(Boolean),
            nonce: q.get("nonce"),
          });
          const back = new URL(q.get("redirect_uri") ?? "");
          back.searchParams.set("code", code);
          back.searchParams.set("state", q.get("state") ?? "");
          res.writeHead(302, { location: back.toString() }).end();
          return;
        }
        if (path === endpoints.token && req.method === "POST") return send(res, await tokenAnswer(req, form), req);
        const profileParams = matchProfile?.(path);
        if (profileParams && req.method === (fixture.profileRequest?.method ?? "GET")) {
          counts.profileReads++;
          const token = presented(req, profileParams, fixture.profileRequest?.header, fixture.profileRequest?.prefix);
          if (!accessTokens.has(token) || !fixture.profile) {
            res.writeHead(401, { "www-authenticate": 'Bearer error="invalid_token"' }).end();
            return;
          }
          return send(res, fixture.profile, req);
        }
        const revokeParams = matchRevoke?.(path);
        if (revokeParams) return send(res, await revokeAnswer(req, form, body, revokeParams), req);
        send(res, json(404, { error: "not_found" }), req);
      })().catch((error: unknown) => res.writeHead(500).end(String(error)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const hosts = [...new Set(Object.values(endpoints).flatMap((e) => (e ? [e.slice(0, e.indexOf("/"))] : [])))];

  return {
    fixture,
    url,
    hosts,
    client,
    requests,
    stats: () => ({ ...counts }),
    answerNext: (answer) => void overrides.push(answer),
    liveRefreshTokens: () => [...live.keys()],
    liveAccessTokens: () => [...accessTokens.keys()],
    revokeAll: () => {
      live.clear();
      accessTokens.clear();
    },
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
 *
 * @throws Error when two fixtures claim one host (one of them would silently never be reached)
 */
export function routeProviderHosts(servers: ProviderServer[]): () => void {
  const original = globalThis.fetch;
  const routes = new Map<string, ProviderServer>();
  for (const server of servers) {
    for (const host of server.hosts) {
      const claimed = routes.get(host);
      if (claimed && claimed !== server)
        throw new Error(`${host} is claimed by both ${claimed.fixture.provider} and ${server.fixture.provider}`);
      routes.set(host, server);
    }
  }
  globalThis.fetch = (input, init) => {
    const request = input instanceof Request ? input : null;
    const url = new URL(request ? request.url : input.toString());
    const base = url.protocol === "https:" ? routes.get(url.host)?.url : undefined;
    if (!base) return original(input, init);
    const routed = `${base}/${url.host}${url.pathname}${url.search}`;
    return original(request ? new Request(routed, request) : routed, init);
  };
  return () => {
    globalThis.fetch = original;
  };
}

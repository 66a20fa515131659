// The OAuth client side, over oauth4webapi: the authorization server's metadata (from the provider's
// declared endpoints or by OpenID Connect discovery), client authentication, and the quirks of
// non-conforming providers folded into a fetch wrapper so the protocol code itself stays standard.
import * as oauth from "oauth4webapi";
import { microsoftResourceOf } from "./catalogue";
import type { ProviderConfig } from "./providers";

/** Plain HTTP is accepted only on loopback (the demo provider and tests); anywhere else HTTPS. */
export function isLoopback(url: string): boolean {
  try {
    const { protocol, hostname } = new URL(url);
    return protocol === "http:" && (hostname === "127.0.0.1" || hostname === "localhost" || hostname === "[::1]");
  } catch {
    return false;
  }
}

const REQUEST_TIMEOUT_MS = 10_000;
const DISCOVERY_TTL_MS = 10 * 60_000;
const discovered = new Map<string, { as: oauth.AuthorizationServer; at: number }>();

export interface ClientSecrets {
  clientId: string;
  clientSecret: string;
}

/** Error classes the refresh logic and the flow act on. */
export type FailureKind = "fatal" | "retryable";

export class ProviderRequestError extends Error {
  constructor(
    readonly kind: FailureKind,
    /** The OAuth error code (invalid_grant, …) or a short description (http_503, network). */
    readonly reason: string,
    message: string,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = "ProviderRequestError";
  }
}

/**
 * OAuth error codes meaning the user's grant is gone for good (they must connect again). Not among them:
 * invalid_client / unauthorized_client, which say the client app's credentials are wrong (a publisher who
 * rotated the secret at the provider first) — every user's grant is still fine, so those are retried.
 */
const FATAL_ERRORS = new Set([
  "invalid_grant",
  "invalid_token",
  "access_denied",
  // Slack's and GitHub's words for a refresh token that is revoked or spent.
  "token_revoked",
  "invalid_refresh_token",
  "bad_refresh_token",
]);

function insecure(url: string) {
  return isLoopback(url) ? { [oauth.allowInsecureRequests]: true } : {};
}

/** Rewrites a non-conforming provider's responses into RFC 6749 shape before oauth4webapi reads them. */
function quirkFetch(provider: ProviderConfig): typeof fetch {
  const { okEnvelope, errorsWith200, multiTenantIssuer } = provider.quirks;
  return async (input, init) => {
    const response = await fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    if (!(okEnvelope || errorsWith200 || multiTenantIssuer) || response.status !== 200) return response;
    const body = (await response
      .clone()
      .json()
      .catch(() => null)) as Record<string, unknown> | null;
    if (!body) return response;
    const failed = (okEnvelope && body.ok === false) || (errorsWith200 && typeof body.error === "string");
    if (failed) {
      const error = typeof body.error === "string" ? body.error : "invalid_request";
      return Response.json({ error, error_description: body.error_description ?? error }, { status: 400 });
    }
    if (multiTenantIssuer && "id_token" in body) {
      // The ID token's issuer is the user's tenant; identity is read from userinfo instead.
      const { id_token: _idToken, ...rest } = body;
      return Response.json(rest, { status: 200, headers: response.headers });
    }
    return response;
  };
}

function requestOptions(provider: ProviderConfig, url: string) {
  return { ...insecure(url), [oauth.customFetch]: quirkFetch(provider), signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) };
}

/** The provider's authorization server metadata: declared endpoints, or discovery from its issuer. */
export async function authorizationServer(provider: ProviderConfig): Promise<oauth.AuthorizationServer> {
  if (provider.endpoints) {
    const e = provider.endpoints;
    return {
      issuer: provider.issuer ?? new URL(e.authorize).origin,
      authorization_endpoint: e.authorize,
      token_endpoint: e.token,
      ...(e.revoke ? { revocation_endpoint: e.revoke } : {}),
      ...(e.userinfo ? { userinfo_endpoint: e.userinfo } : {}),
    };
  }
  if (!provider.issuer)
    throw new ProviderRequestError("fatal", "no_endpoints", `${provider.displayName} declares neither endpoints nor an issuer.`);
  const cached = discovered.get(provider.issuer);
  if (cached && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached.as;
  const issuer = new URL(provider.issuer);
  const as = await classify(provider, async () => {
    const response = await oauth.discoveryRequest(issuer, { algorithm: "oidc", ...requestOptions(provider, provider.issuer as string) });
    return oauth.processDiscoveryResponse(issuer, response);
  });
  discovered.set(provider.issuer, { as, at: Date.now() });
  return as;
}

function clientAuth(provider: ProviderConfig, secrets: ClientSecrets): oauth.ClientAuth {
  return provider.quirks.clientAuth === "post"
    ? oauth.ClientSecretPost(secrets.clientSecret)
    : oauth.ClientSecretBasic(secrets.clientSecret);
}

const joinScopes = (provider: ProviderConfig, scopes: string[]) => scopes.join(provider.scopeSeparator ?? " ");

export function splitScopes(scope: string | undefined, separator = " "): string[] {
  return (scope ?? "")
    .split(separator === " " ? /\s+/ : new RegExp(`[${separator}\\s]+`))
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Runs a provider request, sorting its failure into fatal (grant gone) or retryable (try later). */
async function classify<T>(provider: ProviderConfig, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw toProviderError(provider, error);
  }
}

export function toProviderError(provider: ProviderConfig, error: unknown): ProviderRequestError {
  if (error instanceof ProviderRequestError) return error;
  const name = provider.displayName;
  if (error instanceof oauth.ResponseBodyError) {
    if (error.status >= 500 || error.status === 429 || error.error === "temporarily_unavailable" || error.error === "server_error") {
      return new ProviderRequestError(
        "retryable",
        error.error || `http_${error.status}`,
        `${name} is unavailable (${error.status} ${error.error}).`,
        retryAfter(error.response),
      );
    }
    // Only a grant that is gone (invalid_grant and equivalents) is fatal; any other refusal (invalid_scope,
    // invalid_request, …) is retried with backoff and leaves the connection active.
    const kind: FailureKind = FATAL_ERRORS.has(error.error) ? "fatal" : "retryable";
    return new ProviderRequestError(
      kind,
      error.error,
      `${name} refused the request: ${error.error}${error.error_description ? ` (${error.error_description})` : ""}.`,
    );
  }
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    return new ProviderRequestError("fatal", "invalid_token", `${name} refused the token (${error.status}).`);
  }
  if (error instanceof oauth.OperationProcessingError && error.cause instanceof Response) {
    const status = error.cause.status;
    if (status >= 500 || status === 429) {
      return new ProviderRequestError("retryable", `http_${status}`, `${name} is unavailable (HTTP ${status}).`, retryAfter(error.cause));
    }
    return new ProviderRequestError(
      "fatal",
      `http_${status}`,
      `${name} answered with an unexpected response (HTTP ${status}): ${error.message}`,
    );
  }
  if (error instanceof oauth.OperationProcessingError || error instanceof oauth.UnsupportedOperationError) {
    return new ProviderRequestError(
      "fatal",
      "invalid_response",
      `${name} answered with a response Latchkey cannot accept: ${error.message}`,
    );
  }
  // Network failures, timeouts, DNS: the provider may be back in a minute.
  const message = error instanceof Error ? error.message : String(error);
  return new ProviderRequestError("retryable", "network", `${name} could not be reached (${message}).`);
}

function retryAfter(response: Response | undefined): number | null {
  const header = response?.headers.get("retry-after");
  const seconds = header ? Number(header) : NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : null;
}

export interface AuthorizeRequest {
  redirectUri: string;
  scopes: string[];
  state: string;
  codeChallenge: string;
  nonce: string | null;
}

export async function authorizeUrl(provider: ProviderConfig, clientId: string, request: AuthorizeRequest): Promise<URL> {
  const as = await authorizationServer(provider);
  if (!as.authorization_endpoint)
    throw new ProviderRequestError("fatal", "no_endpoints", `${provider.displayName} has no authorization endpoint.`);
  const url = new URL(as.authorization_endpoint);
  const params: Record<string, string> = {
    ...provider.authorizeParams,
    response_type: "code",
    client_id: clientId,
    redirect_uri: request.redirectUri,
    state: request.state,
    code_challenge: request.codeChallenge,
    code_challenge_method: "S256",
  };
  if (request.scopes.length > 0) params.scope = joinScopes(provider, request.scopes);
  if (request.nonce) params.nonce = request.nonce;
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url;
}

export interface TokenSet {
  accessToken: string;
  refreshToken: string | null;
  expiresAt: Date | null;
  scopes: string[] | null;
  tokenType: string;
  idTokenSubject: string | null;
  idTokenEmail: string | null;
}

function toTokenSet(provider: ProviderConfig, response: oauth.TokenEndpointResponse): TokenSet {
  const claims = oauth.getValidatedIdTokenClaims(response);
  return {
    accessToken: response.access_token,
    refreshToken: response.refresh_token ?? null,
    expiresAt: typeof response.expires_in === "number" ? new Date(Date.now() + response.expires_in * 1000) : null,
    scopes: response.scope === undefined ? null : splitScopes(response.scope, provider.scopeSeparator),
    tokenType: response.token_type,
    idTokenSubject: claims?.sub ?? null,
    idTokenEmail: typeof claims?.email === "string" ? claims.email : null,
  };
}

/** Checks the authorization response (state, `iss` where sent, error) and exchanges the code (with the PKCE verifier). */
export async function exchangeCode(
  provider: ProviderConfig,
  secrets: ClientSecrets,
  callbackUrl: URL,
  expected: { state: string; redirectUri: string; codeVerifier: string; nonce: string | null },
): Promise<TokenSet> {
  const as = await authorizationServer(provider);
  const client: oauth.Client = { client_id: secrets.clientId };
  // Throws AuthorizationResponseError for error=…, and OperationProcessingError for a state or iss mismatch.
  const params = oauth.validateAuthResponse(as, client, callbackUrl, expected.state);
  return classify(provider, async () => {
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      clientAuth(provider, secrets),
      params,
      expected.redirectUri,
      expected.codeVerifier,
      requestOptions(provider, as.token_endpoint ?? ""),
    );
    const result = await oauth.processAuthorizationCodeResponse(as, client, response, {
      expectedNonce: expected.nonce ?? oauth.expectNoNonce,
      requireIdToken: false,
    });
    return toTokenSet(provider, result);
  });
}

/** The scopes of the first resource named, and those that belong to no resource. */
export function oneResource(scopes: string[]): string[] {
  const first = scopes.map(microsoftResourceOf).find((r) => r !== null) ?? null;
  return scopes.filter((s) => {
    const resource = microsoftResourceOf(s);
    return resource === null || resource === first;
  });
}

export async function refreshTokens(
  provider: ProviderConfig,
  secrets: ClientSecrets,
  refreshToken: string,
  scopes: string[] | null,
): Promise<TokenSet> {
  const as = await authorizationServer(provider);
  const client: oauth.Client = { client_id: secrets.clientId };
  return classify(provider, async () => {
    const additionalParameters: Record<string, string> = {};
    // Microsoft issues one resource's token per request: ask for the caller's scopes of one resource
    // (mixing resources is refused with AADSTS28000), plus the OIDC scopes that belong to none.
    if (provider.quirks.onePerResource && scopes && scopes.length > 0)
      additionalParameters.scope = joinScopes(provider, oneResource(scopes));
    const response = await oauth.refreshTokenGrantRequest(as, client, clientAuth(provider, secrets), refreshToken, {
      ...requestOptions(provider, as.token_endpoint ?? ""),
      additionalParameters,
    });
    return toTokenSet(provider, await oauth.processRefreshTokenResponse(as, client, response));
  });
}

/** RFC 7009 revocation; false when the provider has no revocation endpoint. */
export async function revokeToken(
  provider: ProviderConfig,
  secrets: ClientSecrets,
  token: string,
  hint: "refresh_token" | "access_token",
): Promise<boolean> {
  const as = await authorizationServer(provider);
  if (!as.revocation_endpoint) return false;
  const client: oauth.Client = { client_id: secrets.clientId };
  await classify(provider, async () => {
    const response = await oauth.revocationRequest(as, client, clientAuth(provider, secrets), token, {
      ...requestOptions(provider, as.revocation_endpoint ?? ""),
      additionalParameters: { token_type_hint: hint },
    });
    await oauth.processRevocationResponse(response);
  });
  return true;
}

/** The connected account's id and a label (email or name) from the userinfo endpoint, if it has one. */
export async function fetchAccount(
  provider: ProviderConfig,
  clientId: string,
  tokens: TokenSet,
): Promise<{ accountId: string | null; accountLabel: string | null }> {
  const as = await authorizationServer(provider);
  const fallback = { accountId: tokens.idTokenSubject, accountLabel: tokens.idTokenEmail ?? tokens.idTokenSubject };
  if (!as.userinfo_endpoint) return fallback;
  try {
    const client: oauth.Client = { client_id: clientId };
    const response = await oauth.userInfoRequest(as, client, tokens.accessToken, requestOptions(provider, as.userinfo_endpoint));
    const info = await oauth.processUserInfoResponse(as, client, tokens.idTokenSubject ?? oauth.skipSubjectCheck, response);
    const label = [info.email, info.name, info.preferred_username, (info as Record<string, unknown>).login].find(
      (v) => typeof v === "string",
    );
    return {
      accountId: String(info.sub ?? tokens.idTokenSubject ?? ""),
      accountLabel: (label as string | undefined) ?? fallback.accountLabel,
    };
  } catch {
    // Userinfo is a label for the person, not part of the grant: a failure here must not lose the tokens.
    return fallback;
  }
}

/** For tests: forget discovered metadata. */
export function clearDiscoveryCache() {
  discovered.clear();
}

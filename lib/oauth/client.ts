// The OAuth client side's requests, over oauth4webapi: the authorization URL, the code exchange, refresh and
// revocation, and a token answer read into a TokenSet. The quirks of non-conforming providers (catalogue
// data, ProviderQuirks) are folded into a fetch wrapper (provider-fetch.ts) and into the options oauth4webapi
// has for them, so the protocol code itself stays standard; every failure is classified (provider-error.ts);
// metadata comes from authorization-server.ts and the connected account from account.ts.
import { decodeJwt } from "jose";
import * as oauth from "oauth4webapi";
import { authorizationServer, oauthClient } from "./authorization-server";
import { classify, isObject, ProviderRequestError } from "./provider-error";
import { MAX_TOKEN_BYTES, providerFetch, requestOptions, type Salvage } from "./provider-fetch";
import { accountFrom, type ProviderConfig } from "./provider-config";
import { answeredScopes } from "./scopes";

/** The longest `expires_in` accepted: ten years, in seconds. More is a provider error, not "forever". */
export const MAX_EXPIRES_IN_SECONDS = 10 * 365 * 24 * 3600;

export interface ClientSecrets {
  clientId: string;
  clientSecret: string;
}

function clientAuth(method: "basic" | "post" | "none" | undefined, secrets: ClientSecrets): oauth.ClientAuth {
  if (method === "none") return oauth.None();
  return method === "post" ? oauth.ClientSecretPost(secrets.clientSecret) : oauth.ClientSecretBasic(secrets.clientSecret);
}

const joinScopes = (provider: ProviderConfig, scopes: string[]) => scopes.join(provider.scopeSeparator ?? " ");

/** Whether flows with this provider use PKCE: always, except where its documentation says it refuses it. */
export function usesPkce(provider: Pick<ProviderConfig, "pkce">): boolean {
  return provider.pkce !== "unsupported";
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
    ...(usesPkce(provider) ? { code_challenge: request.codeChallenge, code_challenge_method: "S256" } : {}),
  };
  if (request.scopes.length > 0) params.scope = joinScopes(provider, request.scopes);
  if (request.nonce) params.nonce = request.nonce;
  for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
  return url;
}

/** A token endpoint's answer as Latchkey keeps it. */
export interface TokenSet {
  accessToken: string;
  refreshToken: string | null;
  expiresAt: Date | null;
  /** The answer's `scope`, split with the provider's answer separator (null: the answer had none). */
  scopes: string[] | null;
  tokenType: string;
  idTokenSubject: string | null;
  idTokenEmail: string | null;
  /** The account, when the catalogue reads it from the token answer (`account.from: token`, Slack). */
  account: { accountId: string | null; accountLabel: string | null } | null;
}

/**
 * Checks what oauth4webapi leaves to the caller: token sizes (MAX_TOKEN_BYTES) and `expires_in` (a
 * non-negative number of seconds up to MAX_EXPIRES_IN_SECONDS; oauth4webapi refuses negative ones itself).
 *
 * @throws ProviderRequestError (retryable) `token_too_large` or `invalid_expires_in`
 */
function toTokenSet(provider: ProviderConfig, response: oauth.TokenEndpointResponse, now = Date.now()): TokenSet {
  const name = provider.displayName;
  for (const [field, value] of [
    ["access_token", response.access_token],
    ["refresh_token", response.refresh_token],
  ] as const) {
    const bytes = typeof value === "string" ? Buffer.byteLength(value) : 0;
    if (bytes > MAX_TOKEN_BYTES) {
      throw new ProviderRequestError(
        "retryable",
        "token_too_large",
        `${name} answered with a ${bytes}-byte ${field}; Latchkey stores tokens of at most ${MAX_TOKEN_BYTES} bytes.`,
      );
    }
  }
  const { zeroExpiresInMeansNever, assumedExpiresInSeconds } = provider.quirks;
  const expiresIn = response.expires_in === 0 && zeroExpiresInMeansNever ? undefined : (response.expires_in ?? assumedExpiresInSeconds);
  if (expiresIn !== undefined && !(expiresIn >= 0 && expiresIn <= MAX_EXPIRES_IN_SECONDS)) {
    throw new ProviderRequestError(
      "retryable",
      "invalid_expires_in",
      `${name} answered expires_in ${String(expiresIn)}, not a number of seconds between 0 and ${MAX_EXPIRES_IN_SECONDS}.`,
    );
  }
  const claims = oauth.getValidatedIdTokenClaims(response);
  return {
    accessToken: response.access_token,
    refreshToken: response.refresh_token ?? null,
    expiresAt: expiresIn === undefined ? null : new Date(now + Math.round(expiresIn * 1000)),
    scopes: answeredScopes(provider, response.scope),
    tokenType: response.token_type,
    idTokenSubject: claims?.sub ?? null,
    idTokenEmail: typeof claims?.email === "string" ? claims.email : null,
    account: provider.account?.from === "token" ? accountFrom(provider.account, response) : null,
  };
}

/** oauth4webapi's options for the token types the provider documents besides Bearer (Slack's bot and user). */
function tokenTypeOptions(provider: ProviderConfig): oauth.ProcessTokenResponseOptions {
  const types = provider.quirks.tokenTypes ?? [];
  if (types.length === 0) return {};
  // Nothing more to check about these: the token is used as a bearer token at the provider's API.
  const accept = () => {};
  return { recognizedTokenTypes: Object.fromEntries(types.map((t) => [t.toLowerCase(), accept])) as oauth.RecognizedTokenTypes };
}

/** A Microsoft tenant id: a GUID. */
const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The metadata to check a token answer's ID token against. A multi-tenant endpoint (`tenantIssuer`,
 * Microsoft's `common`) issues each ID token under its user's tenant: the expected issuer is the template
 * with the token's own `tid` claim, as Microsoft documents for multi-tenant apps and oauth4webapi's author
 * recommends (panva/oauth4webapi#131); everything else about the token is checked as usual.
 *
 * @throws ProviderRequestError (retryable) `invalid_id_token` when the ID token names no tenant
 */
async function asForIdToken(
  provider: ProviderConfig,
  as: oauth.AuthorizationServer,
  response: Response,
): Promise<oauth.AuthorizationServer> {
  const template = provider.quirks.tenantIssuer;
  if (!template || response.status !== 200) return as;
  const body: unknown = await response
    .clone()
    .json()
    .catch(() => null);
  const idToken = isObject(body) ? body.id_token : undefined;
  if (typeof idToken !== "string") return as;
  let tid: unknown;
  try {
    tid = decodeJwt(idToken).tid;
  } catch {
    return as; // not a JWT: oauth4webapi says so when it reads the answer
  }
  if (typeof tid !== "string" || !TENANT_ID.test(tid)) {
    throw new ProviderRequestError(
      "retryable",
      "invalid_id_token",
      `${provider.displayName}'s ID token has no tenant id (tid claim), so its issuer cannot be checked.`,
    );
  }
  return { ...as, issuer: template.replace("{tid}", tid) };
}

/** For a multi-tenant provider, the metadata to check an authorization response's `iss` against (its tenant's issuer). */
function asForAuthResponse(provider: ProviderConfig, as: oauth.AuthorizationServer, callbackUrl: URL): oauth.AuthorizationServer {
  const template = provider.quirks.tenantIssuer;
  const iss = callbackUrl.searchParams.get("iss");
  if (!template || !iss) return as;
  const [prefix = "", suffix = ""] = template.split("{tid}");
  const tid = iss.startsWith(prefix) && iss.endsWith(suffix) ? iss.slice(prefix.length, iss.length - suffix.length) : "";
  return TENANT_ID.test(tid) ? { ...as, issuer: iss } : as;
}

/** Checks the authorization response (state, `iss` where sent, error) and exchanges the code (with the PKCE verifier). */
export async function exchangeCode(
  provider: ProviderConfig,
  secrets: ClientSecrets,
  callbackUrl: URL,
  expected: { state: string; redirectUri: string; codeVerifier: string; nonce: string | null },
): Promise<TokenSet> {
  const as = await authorizationServer(provider);
  const client = oauthClient(secrets.clientId);
  // Throws AuthorizationResponseError for error=…, and OperationProcessingError for a state or iss mismatch.
  const params = oauth.validateAuthResponse(asForAuthResponse(provider, as, callbackUrl), client, callbackUrl, expected.state);
  return classify(provider, async () => {
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      clientAuth(provider.quirks.clientAuth, secrets),
      params,
      expected.redirectUri,
      usesPkce(provider) ? expected.codeVerifier : oauth.nopkce,
      { ...requestOptions(provider, as.token_endpoint ?? ""), additionalParameters: provider.codeExchangeParams ?? {} },
    );
    const result = await oauth.processAuthorizationCodeResponse(await asForIdToken(provider, as, response), client, response, {
      expectedNonce: expected.nonce ?? oauth.expectNoNonce,
      requireIdToken: false,
      ...tokenTypeOptions(provider),
    });
    return toTokenSet(provider, result);
  });
}

/**
 * The refresh token grant (RFC 6749 §6). `scopes`, when given, is sent as `scope` (Microsoft: the scopes of
 * the one resource wanted, lib/oauth/scopes.ts scopesForResource); otherwise the grant's scope is implied.
 *
 * @throws ProviderRequestError classified by toProviderError; when the answer was refused but carried a
 *   new refresh token, the error's `rotatedRefreshToken` holds it.
 */
export async function refreshTokens(
  provider: ProviderConfig,
  secrets: ClientSecrets,
  refreshToken: string,
  scopes: string[] | null,
): Promise<TokenSet> {
  const as = await authorizationServer(provider);
  const client = oauthClient(secrets.clientId);
  const salvage: Salvage = { refreshToken: null };
  try {
    return await classify(provider, async () => {
      const additionalParameters: Record<string, string> = scopes && scopes.length > 0 ? { scope: joinScopes(provider, scopes) } : {};
      const response = await oauth.refreshTokenGrantRequest(as, client, clientAuth(provider.quirks.clientAuth, secrets), refreshToken, {
        ...requestOptions(provider, as.token_endpoint ?? "", salvage),
        additionalParameters,
      });
      const checked = await oauth.processRefreshTokenResponse(
        await asForIdToken(provider, as, response),
        client,
        response,
        tokenTypeOptions(provider),
      );
      return toTokenSet(provider, checked);
    });
  } catch (error) {
    if (error instanceof ProviderRequestError && salvage.refreshToken !== null && salvage.refreshToken !== refreshToken) {
      throw error.withRotatedRefreshToken(salvage.refreshToken);
    }
    throw error;
  }
}

/**
 * Revokes a connection's grant at the provider, the way its `revocation` says (RFC 7009 by default; a JSON
 * body, the access token as bearer, or the token in the URL path for providers that document those). Sends
 * the token the provider wants: the refresh token when there is one (revoking it ends the whole grant),
 * else the access token; `bearer` revocation always presents the access token.
 *
 * @returns false when the provider has no revocation endpoint, or no token of the kind it takes is held
 * @throws ProviderRequestError when the provider refuses or cannot be reached (classified like token requests)
 */
export async function revokeToken(
  provider: ProviderConfig,
  secrets: ClientSecrets,
  tokens: { refreshToken: string | null; accessToken: string | null },
): Promise<boolean> {
  const as = await authorizationServer(provider);
  const endpoint = as.revocation_endpoint;
  if (!endpoint) return false;
  const revocation = provider.revocation ?? { style: "rfc7009" as const };
  const wanted =
    revocation.style === "bearer" ? "access_token" : (revocation.token ?? (tokens.refreshToken ? "refresh_token" : "access_token"));
  const token = wanted === "refresh_token" ? tokens.refreshToken : tokens.accessToken;
  if (!token) return false;
  const auth = clientAuth(revocation.clientAuth ?? provider.quirks.clientAuth, secrets);
  await classify(provider, async () => {
    if (revocation.style === "rfc7009") {
      const response = await oauth.revocationRequest(as, oauthClient(secrets.clientId), auth, token, {
        ...requestOptions(provider, endpoint),
        additionalParameters: { token_type_hint: wanted },
        headers: revocation.headers ?? {},
      });
      await oauth.processRevocationResponse(response);
      return;
    }
    const url = endpoint.replaceAll("{client_id}", encodeURIComponent(secrets.clientId)).replaceAll("{token}", encodeURIComponent(token));
    const headers = new Headers({ accept: "application/json", "user-agent": "Latchkey", ...revocation.headers });
    const credentialsInBody = revocation.clientAuth === "post" ? { client_id: secrets.clientId, client_secret: secrets.clientSecret } : {};
    const body =
      revocation.style === "json" ? JSON.stringify({ [revocation.tokenField ?? "token"]: token, ...credentialsInBody }) : undefined;
    if (body) headers.set("content-type", "application/json");
    if (revocation.style === "bearer") {
      const { header, prefix } = provider.quirks.apiToken ?? { header: "authorization", prefix: "Bearer " };
      headers.set(header, `${prefix}${token}`);
    } else if (revocation.clientAuth !== "none" && revocation.clientAuth !== "post") {
      // A JSON or path revocation authenticates the client with HTTP Basic (GitHub, Notion, Intuit; HubSpot's path needs none).
      headers.set(
        "authorization",
        `Basic ${Buffer.from(`${encodeURIComponent(secrets.clientId)}:${encodeURIComponent(secrets.clientSecret)}`).toString("base64")}`,
      );
    }
    const response = await providerFetch(provider)(url, { method: revocation.method ?? "POST", headers, body });
    if (response.status >= 200 && response.status < 300) return;
    // Not 2xx: oauth4webapi throws for it as for any endpoint's failure (an OAuth error body, or the status alone).
    await oauth.processRevocationResponse(response);
  });
  return true;
}

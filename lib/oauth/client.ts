// The OAuth client side, over oauth4webapi: the authorization server's metadata (from the provider's
// declared endpoints or by OpenID Connect discovery), client authentication, and the quirks of
// non-conforming providers (catalogue data, ProviderQuirks) folded into a fetch wrapper and into the options
// oauth4webapi has for them, so the protocol code itself stays standard. Every failure is classified: only
// an OAuth error answer saying the grant is gone is fatal; an answer Latchkey cannot use is retried later.
import { decodeJwt } from "jose";
import * as oauth from "oauth4webapi";
import { CLOCK_TOLERANCE_SECONDS } from "@/lib/clock-skew";
import type { AccountFields, ProviderConfig } from "./providers";
import { answeredScopes } from "./scopes";

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

/**
 * The largest access or refresh token Latchkey stores: 16 KiB of UTF-8. Real tokens are far smaller
 * (Google documents up to 2048 bytes; Microsoft's JWT access tokens stay within a few KiB, and within
 * the 16 KiB HTTP header size common servers accept), and a token is copied into every `store_as` secret and
 * runtime answer: a larger one is a provider error, never stored.
 */
export const MAX_TOKEN_BYTES = 16 * 1024;
/**
 * The largest provider answer read: 32 MiB, far beyond any real answer, so one carrying an oversized token
 * is still read whole and a rotated refresh token in it is not lost; anything larger is not read at all.
 */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;
/** The longest `expires_in` accepted: ten years, in seconds. More is a provider error, not "forever". */
export const MAX_EXPIRES_IN_SECONDS = 10 * 365 * 24 * 3600;

export interface ClientSecrets {
  clientId: string;
  clientSecret: string;
}

/** `fatal`: the grant is gone, the person must connect again. `retryable`: try later, the grant stands. */
export type FailureKind = "fatal" | "retryable";

/** A provider request that failed, classified for the refresher and the flow. */
export class ProviderRequestError extends Error {
  /** The provider is down or overloaded (5xx, 429, timeout, network), not an answer Latchkey cannot use. */
  readonly unavailable: boolean;
  /**
   * A new refresh token the unusable answer carried. The provider may already have retired the old one
   * (rotation), so the caller stores it even though the rest of the answer was refused.
   */
  readonly rotatedRefreshToken: string | null;
  /**
   * The provider refused because the resource asked for lacks consent (Microsoft's `invalid_grant` with
   * `consent_required` / AADSTS65001), not because the grant is gone: retryable, and the caller reports
   * that resource's scopes as missing.
   */
  readonly consentRequired: boolean;

  constructor(
    readonly kind: FailureKind,
    /** The OAuth error code (invalid_grant, …) or a short description (http_503, network, token_too_large). */
    readonly reason: string,
    message: string,
    readonly retryAfterSeconds: number | null = null,
    options: { unavailable?: boolean; rotatedRefreshToken?: string | null; consentRequired?: boolean; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "ProviderRequestError";
    this.unavailable = options.unavailable ?? false;
    this.rotatedRefreshToken = options.rotatedRefreshToken ?? null;
    this.consentRequired = options.consentRequired ?? false;
  }

  /** The same failure, carrying the refresh token its answer rotated in. */
  withRotatedRefreshToken(refreshToken: string): ProviderRequestError {
    return new ProviderRequestError(this.kind, this.reason, this.message, this.retryAfterSeconds, {
      unavailable: this.unavailable,
      rotatedRefreshToken: refreshToken,
      consentRequired: this.consentRequired,
      cause: this.cause,
    });
  }
}

/**
 * Whether an OAuth error code says the grant is gone for good: RFC 6749 §5.2's `invalid_grant`, or one of the
 * provider's documented equivalents (catalogue `grantGoneErrors`). Not among them: invalid_client /
 * unauthorized_client, which say the client app's credentials are wrong (a publisher who rotated the secret
 * at the provider first) — every user's grant is still fine — nor invalid_scope, invalid_request and the like.
 */
export function isGrantGone(provider: ProviderConfig, code: string): boolean {
  return code === "invalid_grant" || (provider.quirks.grantGoneErrors ?? []).includes(code);
}

function insecure(url: string) {
  return isLoopback(url) ? { [oauth.allowInsecureRequests]: true } : {};
}

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Reads a body up to `cap` bytes; a larger one is a provider error (retryable) and is not read further. */
async function readCapped(provider: ProviderConfig, response: Response, cap: number): Promise<Uint8Array<ArrayBuffer>> {
  const tooLarge = () =>
    new ProviderRequestError("retryable", "response_too_large", `${provider.displayName} sent an answer larger than ${cap} bytes.`);
  if (Number(response.headers.get("content-length")) > cap) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (!response.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > cap) throw tooLarge();
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

/** What an answer carried that must outlive the answer being refused: a rotated refresh token. */
interface Salvage {
  refreshToken: string | null;
}

/** Token answer members RFC 6749 §5.1 defines; a JSON `null` in one of them means it is absent (Notion's `refresh_token`, Mailchimp's `scope`). */
const TOKEN_MEMBERS = ["access_token", "token_type", "expires_in", "refresh_token", "scope", "id_token"];

/**
 * The fetch oauth4webapi uses for a provider: a timeout, a size cap, and the provider's non-conforming
 * answers rewritten into RFC 6749 shape before oauth4webapi reads them — Slack's and GitHub's HTTP-200
 * errors become 400 error answers; an error whose code is in another member (`errorField`, HubSpot's
 * `status`) gets it as `error`; in a token answer, standard members that are `null` are dropped and a
 * missing `token_type` (required by RFC 6749 §5.1, yet omitted by some) is read as Bearer, the only type
 * anyone omits. A refresh token in a 200 answer is noted in `salvage` before anything else can refuse the answer.
 */
function providerFetch(provider: ProviderConfig, salvage?: Salvage): typeof fetch {
  const { okEnvelope, errorsWith200, errorField, errorDescriptionField } = provider.quirks;
  return async (input, init) => {
    const response = await fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const bytes = await readCapped(provider, response, MAX_RESPONSE_BYTES);
    const headers = new Headers(response.headers);
    // The body below is decoded and may be rewritten: its length and encoding headers no longer apply.
    headers.delete("content-length");
    headers.delete("content-encoding");
    const answer = (body: Uint8Array<ArrayBuffer> | string, status = response.status) =>
      new Response(NULL_BODY_STATUSES.has(status) ? null : body, { status, statusText: response.statusText, headers });
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      return answer(bytes);
    }
    if (!isObject(body)) return answer(bytes);
    const asError = (status: number) => {
      const code =
        typeof body.error === "string" ? body.error : errorField && typeof body[errorField] === "string" ? body[errorField] : null;
      const describedBy = typeof body.error_description === "string" ? body.error_description : body[errorDescriptionField ?? ""];
      headers.set("content-type", "application/json");
      const error = code ?? "invalid_request";
      return answer(JSON.stringify({ error, error_description: typeof describedBy === "string" ? describedBy : error }), status);
    };
    if (response.status !== 200) {
      return errorField && typeof body.error !== "string" && typeof body[errorField] === "string"
        ? asError(response.status)
        : answer(bytes);
    }
    if ((okEnvelope && body.ok === false) || (errorsWith200 && typeof body.error === "string")) return asError(400);
    const refreshToken = body.refresh_token;
    if (salvage && typeof refreshToken === "string" && refreshToken !== "" && Buffer.byteLength(refreshToken) <= MAX_TOKEN_BYTES) {
      salvage.refreshToken = refreshToken;
    }
    if (typeof body.access_token !== "string") return answer(bytes);
    const nulls = TOKEN_MEMBERS.filter((m) => body[m] === null);
    if (nulls.length === 0 && body.token_type !== undefined) return answer(bytes);
    const normalized = Object.fromEntries(Object.entries(body).filter(([key, value]) => !(value === null && nulls.includes(key))));
    return answer(JSON.stringify({ ...normalized, token_type: normalized.token_type ?? "Bearer" }));
  };
}

function requestOptions(provider: ProviderConfig, url: string, salvage?: Salvage) {
  return { ...insecure(url), [oauth.customFetch]: providerFetch(provider, salvage), signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) };
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

function clientAuth(method: "basic" | "post" | "none" | undefined, secrets: ClientSecrets): oauth.ClientAuth {
  if (method === "none") return oauth.None();
  return method === "post" ? oauth.ClientSecretPost(secrets.clientSecret) : oauth.ClientSecretBasic(secrets.clientSecret);
}

/** The client as oauth4webapi checks ID tokens for it: with Latchkey's clock-skew tolerance (lib/clock-skew.ts) on `exp`/`nbf`. */
function oauthClient(clientId: string): oauth.Client {
  return { client_id: clientId, [oauth.clockTolerance]: CLOCK_TOLERANCE_SECONDS };
}

const joinScopes = (provider: ProviderConfig, scopes: string[]) => scopes.join(provider.scopeSeparator ?? " ");

/** Runs a provider request, sorting its failure into fatal (grant gone) or retryable (try later). */
async function classify<T>(provider: ProviderConfig, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw toProviderError(provider, error);
  }
}

/**
 * Classifies a failed provider request. Fatal only for an OAuth error answer saying the grant is gone
 * (isGrantGone); everything else — 5xx, 429, a refusal such as invalid_client or invalid_scope, an answer
 * that is not JSON, is cut off, is empty, lacks access_token, has an unusable expires_in or token, or whose
 * ID token fails a claim check — is retryable: the grant stands and the refresher backs off.
 */
export function toProviderError(provider: ProviderConfig, error: unknown): ProviderRequestError {
  if (error instanceof ProviderRequestError) return error;
  const name = provider.displayName;
  if (error instanceof oauth.ResponseBodyError) {
    const unavailable =
      error.status >= 500 || error.status === 429 || error.error === "temporarily_unavailable" || error.error === "server_error";
    if (!unavailable && consentRequired(provider, error.cause)) {
      return new ProviderRequestError(
        "retryable",
        "consent_required",
        `${name} says the resource asked for lacks consent: ${error.error}${error.error_description ? ` (${error.error_description})` : ""}.`,
        null,
        { consentRequired: true, cause: error },
      );
    }
    if (!unavailable && isGrantGone(provider, error.error)) {
      return new ProviderRequestError(
        "fatal",
        error.error,
        `${name} says the grant is gone: ${error.error}${error.error_description ? ` (${error.error_description})` : ""}.`,
        null,
        { cause: error },
      );
    }
    return new ProviderRequestError(
      "retryable",
      error.error || `http_${error.status}`,
      unavailable
        ? `${name} is unavailable (${error.status} ${error.error}).`
        : `${name} refused the request: ${error.error}${error.error_description ? ` (${error.error_description})` : ""}.`,
      retryAfter(error.response),
      { unavailable, cause: error },
    );
  }
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    // RFC 6749 §5.2: a 401 with a challenge is the client failing to authenticate (invalid_client), which
    // says nothing about the person's grant — unless the challenge names a grant-gone error.
    const code = error.cause.map((c) => c.parameters.error).find((e): e is string => typeof e === "string") ?? `http_${error.status}`;
    const kind: FailureKind = isGrantGone(provider, code) ? "fatal" : "retryable";
    return new ProviderRequestError(kind, code, `${name} refused the request (${error.status} ${code}).`, retryAfter(error.response), {
      cause: error,
    });
  }
  if (error instanceof oauth.OperationProcessingError && error.cause instanceof Response) {
    const status = error.cause.status;
    const unavailable = status >= 500 || status === 429;
    return new ProviderRequestError(
      "retryable",
      `http_${status}`,
      unavailable ? `${name} is unavailable (HTTP ${status}).` : `${name} answered HTTP ${status} without an OAuth error.`,
      retryAfter(error.cause),
      { unavailable, cause: error },
    );
  }
  if (error instanceof oauth.OperationProcessingError || error instanceof oauth.UnsupportedOperationError) {
    return new ProviderRequestError(
      "retryable",
      "invalid_response",
      `${name} answered with a response Latchkey cannot use: ${error.message}`,
      null,
      {
        cause: error,
      },
    );
  }
  // Network failures, timeouts, DNS: the provider may be back in a minute.
  const message = error instanceof Error ? error.message : String(error);
  return new ProviderRequestError("retryable", "network", `${name} could not be reached (${message}).`, null, {
    unavailable: true,
    cause: error,
  });
}

/** Whether an error answer is the provider's "this resource lacks consent" (quirks.consentRequired: Microsoft's AADSTS65001). */
function consentRequired(provider: ProviderConfig, body: unknown): boolean {
  const rule = provider.quirks.consentRequired;
  if (!rule || !isObject(body)) return false;
  const suberror = typeof body.suberror === "string" && rule.suberrors.includes(body.suberror);
  const codes = Array.isArray(body.error_codes) && body.error_codes.some((c) => typeof c === "number" && rule.errorCodes.includes(c));
  return suberror || codes;
}

function retryAfter(response: Response | undefined): number | null {
  const header = response?.headers.get("retry-after");
  const seconds = header ? Number(header) : NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : null;
}

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

/** A dotted path (`authed_user.id`) into a JSON answer. */
function pick(json: unknown, path: string): unknown {
  let value: unknown = json;
  for (const key of path.split(".")) value = isObject(value) ? value[key] : undefined;
  return value;
}

/** The account id and label a provider's JSON (profile or token answer) carries in the catalogue's fields. */
export function accountFrom(fields: AccountFields, json: unknown): { accountId: string | null; accountLabel: string | null } {
  const text = (v: unknown) => (typeof v === "string" && v !== "" ? v : typeof v === "number" && Number.isFinite(v) ? String(v) : null);
  const accountId = text(pick(json, fields.id));
  const accountLabel = fields.label.map((path) => text(pick(json, path))).find((v) => v !== null) ?? accountId;
  return { accountId, accountLabel };
}

/**
 * The connected account's id and a label: from the token answer or the profile endpoint's own fields where
 * the catalogue names them (GitHub `/user`: id `583231`, label `octocat`), else from OpenID Connect
 * (userinfo, then the ID token). A failure here never loses the grant: the account is a label.
 */
export async function fetchAccount(
  provider: ProviderConfig,
  clientId: string,
  tokens: TokenSet,
): Promise<{ accountId: string | null; accountLabel: string | null }> {
  const fallback = { accountId: tokens.idTokenSubject, accountLabel: tokens.idTokenEmail ?? tokens.idTokenSubject };
  if (tokens.account?.accountId) return tokens.account;
  try {
    const as = await authorizationServer(provider);
    if (!as.userinfo_endpoint) return fallback;
    if (provider.account?.from === "profile") {
      const { method, body, headers } = provider.account;
      const { header, prefix } = provider.quirks.apiToken ?? { header: "authorization", prefix: "Bearer " };
      const response = await providerFetch(provider)(
        as.userinfo_endpoint.replace("{access_token}", encodeURIComponent(tokens.accessToken)),
        {
          method: method ?? "GET",
          headers: {
            [header]: `${prefix}${tokens.accessToken}`,
            accept: "application/json",
            "user-agent": "Latchkey",
            ...(body === undefined ? {} : { "content-type": "application/json" }),
            ...headers,
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        },
      );
      if (response.status !== 200) return fallback;
      const account = accountFrom(provider.account, await response.json());
      return account.accountId ? account : fallback;
    }
    const client = oauthClient(clientId);
    const response = await oauth.userInfoRequest(as, client, tokens.accessToken, requestOptions(provider, as.userinfo_endpoint));
    const info = await oauth.processUserInfoResponse(as, client, tokens.idTokenSubject ?? oauth.skipSubjectCheck, response);
    const label = [info.email, info.name, info.preferred_username].find((v) => typeof v === "string");
    return {
      accountId: String(info.sub ?? tokens.idTokenSubject ?? ""),
      accountLabel: label ?? fallback.accountLabel,
    };
  } catch {
    return fallback;
  }
}

/** For tests: forget discovered metadata. */
export function clearDiscoveryCache() {
  discovered.clear();
}

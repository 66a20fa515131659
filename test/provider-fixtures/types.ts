// What a contract fixture is: one provider's documented answers as data (code exchange, refresh, the
// grant-gone error, profile, revocation), how its endpoints take client credentials and tokens, and what
// Latchkey must make of those answers (`contract`). test/provider-fixtures.ts serves any fixture on loopback.
import type { JWTPayload } from "jose";

/** One HTTP answer: a JSON body (object), raw text (string, sent as is), or nothing (null, e.g. a 204). */
export interface FixtureAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** What a token answer is built from: the tokens the server just minted and the grant it is for. */
export interface GrantContext {
  accessToken: string;
  refreshToken: string;
  /** The refresh token a refresh request spent (null on a code exchange): what a provider that does not rotate answers again. */
  spentRefreshToken: string | null;
  /** The scopes granted (code exchange) or of the grant being refreshed. */
  scopes: string[];
  /** The `scope` parameter of a refresh request, as sent. */
  requestedScope: string | null;
  clientId: string;
  /** An ID token for this grant, signed RS256 by the fixture with its `idTokenClaims` (providers with OpenID Connect). */
  idToken(claims?: JWTPayload): Promise<string>;
  /** The nonce of the authorization request (code exchange only). */
  nonce: string | null;
}

/** A provider's documented behaviour, as data. */
export interface ProviderFixture {
  /** The catalogue id it plays. */
  provider: string;
  /** The documentation the answers follow. */
  docs: string[];
  /** Token endpoint client authentication the provider accepts: Basic (RFC 6749 §2.3.1) and/or form parameters. */
  clientAuth: ("basic" | "post")[];
  /** Whether a refresh answer carries a new refresh token that retires the old one. */
  rotates: boolean;
  /**
   * Host and path of each endpoint the catalogue entry names: `{param}`s of `endpointParams` are filled
   * in; `{access_token}`, `{token}` and `{client_id}` in a path are what the request carries there.
   */
  endpoints: { authorize: string; token: string; profile?: string; revoke?: string };
  /** Per-tenant endpoint parameter values (Shopify's shop) the hosts are built with. */
  endpointParams?: Record<string, string>;
  /** The separator of the authorization request's `scope` (default a space). */
  scopeSeparator?: string;
  /** Token strings the provider issues, numbered (`xoxe.xoxb-1-…` for Slack). */
  tokens(n: number): { access: string; refresh: string };
  codeExchange(ctx: GrantContext): FixtureAnswer | Promise<FixtureAnswer>;
  /** Absent: the provider issues no refresh tokens. */
  refresh?(ctx: GrantContext): FixtureAnswer | Promise<FixtureAnswer>;
  /** The answer to a code that is unknown, spent or bound to another client, redirect URI or PKCE verifier (default: RFC 6749 `invalid_grant`). */
  invalidCode?: FixtureAnswer;
  /** The answer to a refresh token that is revoked, spent or expired. */
  grantGone?: FixtureAnswer;
  /** The profile endpoint's answer for a live access token. */
  profile?: FixtureAnswer;
  /** How the profile endpoint takes the access token (default GET, `Authorization: Bearer`; a `{access_token}` path takes it there). */
  profileRequest?: { method?: "GET" | "POST"; header?: string; prefix?: string };
  /**
   * How the revocation endpoint takes what it revokes: `form` (RFC 7009 `token`), `json` (`{tokenField: …}`),
   * `bearer` (the access token as to its API: `header`/`prefix`, default Authorization Bearer), or `path`
   * (`{token}`), and which client authentication it accepts (`none`: the token is its own credential).
   */
  revocation?: {
    method?: "POST" | "DELETE";
    takes: "form" | "json" | "bearer" | "path";
    clientAuth: ("basic" | "post")[] | "none";
    tokenField?: string;
    header?: string;
    prefix?: string;
    answer: FixtureAnswer;
  };
  /** PKCE at the authorization endpoint: `S256` required (default), or `absent` for providers that refuse it (none may be sent). */
  pkce?: "S256" | "absent";
  /** Parameters the code exchange must carry (Shopify's `expiring=1`); without them the fixture refuses it. */
  codeExchangeRequires?: Record<string, string>;
  /** GitHub: answers form-encoded unless the request's Accept asks for JSON. */
  formEncodedUnlessJson?: boolean;
  /** The claims of this provider's ID tokens (iss, sub, …; aud, iat, nbf and exp are added). */
  idTokenClaims?: JWTPayload;
  /** What Latchkey must make of these answers, checked by the contract suite (lib/oauth/provider-contract.db.test.ts). */
  contract: {
    /** The scopes the contract's setup field asks for. */
    scopes: string[];
    /** The grant stored from the code exchange, in order. */
    grant: string[];
    /** The account id and label the connection shows. */
    account: [string | null, string | null];
    /** The access token's lifetime Latchkey reads from the code exchange, in seconds (null: it never expires). */
    expiresIn: number | null;
    /** The error code of the grant-gone answer, as Latchkey reads it (the reason the connection expired with). */
    grantGoneCode?: string;
  };
}

export const json = (status: number, body: unknown): FixtureAnswer => ({ status, body });

/** RFC 6749 §5.2's answer to a code or refresh token that is not (or no longer) valid. */
export const invalidGrant = (description = "The provided authorization grant is invalid, expired or revoked."): FixtureAnswer =>
  json(400, { error: "invalid_grant", error_description: description });

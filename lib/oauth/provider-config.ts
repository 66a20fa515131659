// What Latchkey knows of an OAuth provider (ProviderConfig: endpoints or issuer, scopes, quirks of
// non-conforming providers as data) and of the client app a flow uses, and filling a per-tenant provider's
// endpoint parameters in, and reading an account id and label from the fields the catalogue names. Types
// and pure functions only: every other oauth module may import it.
import { OAuthError } from "./errors";

type Loose = Record<string, unknown>;
const obj = (v: unknown): Loose => (v && typeof v === "object" && !Array.isArray(v) ? (v as Loose) : {});

/**
 * How a provider departs from RFC 6749 / OpenID Connect, as data the client code reads (no per-provider
 * branches). Each field names the provider documentation it follows in the catalogue entry that sets it.
 */
export interface ProviderQuirks {
  /** How the client authenticates at the token endpoint (default: HTTP Basic, RFC 6749 §2.3.1). */
  clientAuth?: "basic" | "post";
  /** Slack: every response is {ok, …}; errors come as HTTP 200 with ok: false. */
  okEnvelope?: boolean;
  /** GitHub: token errors come as HTTP 200 with an `error` member. */
  errorsWith200?: boolean;
  /**
   * `token_type` values the provider documents besides Bearer (Slack: `bot`, `user`), compared
   * case-insensitively; the token is still sent as a bearer token. A token answer without any
   * `token_type` is read as Bearer for every provider.
   */
  tokenTypes?: string[];
  /**
   * OAuth error codes besides `invalid_grant` with which the provider says the grant is gone (Slack's
   * `invalid_refresh_token`, GitHub's `bad_refresh_token`). Only these expire a connection.
   */
  grantGoneErrors?: string[];
  /** The separator of `scope` in token answers, when it is not the request's (GitHub asks with spaces, answers with commas). */
  grantedScopeSeparator?: string;
  /** Documented other spellings of a scope → the spelling Latchkey compares and stores (Google's userinfo.email URL → `email`). */
  scopeAliases?: Record<string, string>;
  /** Documented scopes that include others (GitHub: `user` includes `user:email`); applied transitively. */
  scopeImplies?: Record<string, string[]>;
  /** Scope names compare case-insensitively (Microsoft answers `mail.read` for `Mail.Read`). */
  scopesCaseInsensitive?: boolean;
  /**
   * Microsoft: an access token is for one resource (Graph, or an `api://<app-id>` API), so a token request
   * names one resource's scopes and each resource's token is kept apart.
   */
  onePerResource?: boolean;
  /** The resource whose scopes may be written bare (Microsoft: `Mail.Read` is `https://graph.microsoft.com/Mail.Read`). */
  defaultResource?: string;
  /**
   * A multi-tenant endpoint's ID token issuer, `{tid}` standing for the token's own `tid` claim (Microsoft's
   * `common` endpoint: `https://login.microsoftonline.com/{tid}/v2.0`).
   */
  tenantIssuer?: string;
  /**
   * When the provider's error answer carries its code in another member than RFC 6749 §5.2's `error`
   * (HubSpot: `{"status": "BAD_REFRESH_TOKEN", "message": …}`), that member and the description's.
   */
  errorField?: string;
  errorDescriptionField?: string;
  /**
   * Microsoft: an `invalid_grant` whose answer says consent is missing for the resource asked for (the
   * `suberror` or one of the numeric `error_codes`, AADSTS65001) does not mean the grant is gone: that one
   * resource lacks consent, and a new consent adds it.
   */
  consentRequired?: { suberrors: string[]; errorCodes: number[] };
  /** Mailchimp: `expires_in: 0` means the token never expires (read as no `expires_in`). */
  zeroExpiresInMeansNever?: boolean;
  /**
   * The lifetime assumed for an access token whose answer has no `expires_in` (seconds), for providers that
   * document tokens that expire without saying when (Salesforce: the org's session timeout, 15 minutes at
   * the shortest), so it is refreshed before it stops working instead of never.
   */
  assumedExpiresInSeconds?: number;
  /** LinkedIn: its ID token carries no `nonce`, so none is sent and none expected. */
  noNonce?: boolean;
  /**
   * How the provider's own API (profile, revocation by bearer token) takes an access token, when not as
   * `Authorization: Bearer <token>` (Shopify: `X-Shopify-Access-Token: <token>`; Mailchimp: `Authorization: OAuth <token>`).
   */
  apiToken?: { header: string; prefix: string };
}

/**
 * PKCE (RFC 7636) as the provider documents it. Latchkey sends S256 PKCE unless `unsupported`: RFC 6749
 * §3.1 and §3.2 have servers ignore parameters they do not know, so `undocumented` providers get it too;
 * `unsupported` is for providers known to refuse it (not sent; `state` still binds the flow).
 */
export type PkceSupport = "required" | "supported" | "undocumented" | "unsupported";

/**
 * How a provider revokes a grant at disconnect, when `endpoints.revoke` is set. `rfc7009`: POST form
 * `token` + `token_type_hint` (RFC 7009 §2.1). `json`: the token in a JSON body (Notion, Intuit, GitHub's
 * `access_token`). `bearer`: the access token presented as to the provider's API, no body (Dropbox,
 * Slack, Intercom, Shopify, Zendesk). `path`: the token in the URL's `{token}` (HubSpot). The URL may
 * name `{client_id}` (GitHub) and `{token}`.
 */
export interface Revocation {
  style: "rfc7009" | "json" | "bearer" | "path";
  /** Default POST. */
  method?: "POST" | "DELETE";
  /**
   * Client authentication on the revocation request (default: as at the token endpoint; `none` sends no
   * client credentials; `post` puts them in the form or JSON body).
   */
  clientAuth?: "basic" | "post" | "none";
  /** The token it wants (default: the refresh token when there is one; `bearer` always takes the access token). */
  token?: "access_token" | "refresh_token";
  /** The JSON member or form field holding the token (default `token`; GitHub `access_token`). */
  tokenField?: string;
  /** Extra request headers the endpoint documents (GitHub's API version, Notion-Version). */
  headers?: Record<string, string>;
}

/**
 * A per-tenant part of a provider's endpoint hosts (`{shop}` in `https://{shop}.myshopify.com/…`,
 * `{subdomain}` in `https://{subdomain}.zendesk.com/…`). Its value is a secret the consumer's setup field
 * names (`obtain.endpoint_params: {shop: org.shopify_shop}`), read each time the endpoints are used, and
 * must match `pattern` so a value can never move a token request (with the client secret) to another host.
 */
export interface EndpointParam {
  /** What the value is, for messages ("the shop's myshopify.com subdomain"). */
  label: string;
  /** A whole-value regular expression (anchored when used). */
  pattern: string;
  example: string;
}

/**
 * Where the connected account's id and label come from, for providers without an OpenID Connect `sub`:
 * `profile` is a GET of `endpoints.userinfo` with the access token, `token` the token answer itself.
 * Fields are dotted paths into the JSON (`authed_user.id`); the label is the first of `label` present.
 */
export interface AccountFields {
  from: "profile" | "token";
  id: string;
  label: string[];
  /** Extra request headers the profile endpoint documents (GitHub's `Accept: application/vnd.github+json`). */
  headers?: Record<string, string>;
  /** The profile request's method (default GET; Dropbox's get_current_account and Linear's GraphQL are POST). */
  method?: "GET" | "POST";
  /** A JSON request body (Linear: the GraphQL query for `viewer`). */
  body?: unknown;
}

export interface ProviderConfig {
  id: string;
  displayName: string;
  icon?: string;
  source: "extension" | "catalogue" | "discovery";
  /** An OpenID Connect issuer: endpoints not given are discovered from it. */
  issuer?: string;
  /**
   * The provider's endpoints. `userinfo` is the profile endpoint that `account` reads (an OpenID Connect
   * UserInfo endpoint when `account` is absent) and may name `{access_token}` (HubSpot). Catalogue entries
   * with per-tenant hosts name `{param}`s of `endpointParams`.
   */
  endpoints?: { authorize: string; token: string; revoke?: string; userinfo?: string };
  scopeSeparator?: string;
  defaultScopes: string[];
  availableScopes?: { id: string; description: string }[];
  /** Extra authorization request parameters (Google's access_type=offline, Atlassian's audience). */
  authorizeParams?: Record<string, string>;
  /** Extra parameters of the code exchange (Shopify's `expiring=1` for an expiring offline token with a refresh token). */
  codeExchangeParams?: Record<string, string>;
  /** PKCE as documented (default `supported`); Latchkey sends it unless `unsupported`. */
  pkce?: PkceSupport;
  quirks: ProviderQuirks;
  /** The connected account's id and label, when they do not come from OpenID Connect. */
  account?: AccountFields;
  /** How `endpoints.revoke` is called (default: RFC 7009). */
  revocation?: Revocation;
  /** The `{param}`s of per-tenant endpoints, each filled from a secret the setup field names. */
  endpointParams?: Record<string, EndpointParam>;
}

/**
 * A built-in provider as data (lib/oauth/catalogue/<id>.ts): its configuration, the documentation it
 * follows, and what its documentation says about refresh tokens, which the README's catalogue table
 * shows and its contract fixture (test/provider-fixtures/<id>.ts) plays. `rotating`: each refresh answer
 * carries a new refresh token that retires the old one; `reused`: the refresh token stays valid (an answer
 * may repeat it); `app_setting`: rotation is a setting of the client app (Salesforce); `none`: no refresh
 * tokens, access tokens do not expire (Intercom, Mailchimp).
 */
export interface CatalogueEntry extends Omit<ProviderConfig, "source" | "pkce"> {
  pkce: PkceSupport;
  refreshTokens: "rotating" | "reused" | "app_setting" | "none";
  /** The provider's documentation pages this entry follows (OAuth guide, token endpoint, profile, revocation). */
  docs: string[];
}

/**
 * The OAuth client app of a flow or connection: the extension whose `ext.*` partner credentials hold its
 * id and secret (refs), and for per-tenant providers the secrets (refs, `obtain.endpoint_params`) holding
 * each endpoint parameter's value.
 */
export interface FlowClient {
  extensionId: string;
  idRef: string;
  secretRef: string;
  endpointParams?: Record<string, string>;
}

/** The `obtain.endpoint_params` of a setup field: parameter name → secret ref. */
export function endpointParamRefs(obtain: unknown): Record<string, string> {
  return Object.fromEntries(
    Object.entries(obj(obj(obtain).endpoint_params)).filter((e): e is [string, string] => typeof e[1] === "string"),
  );
}

/**
 * The provider with its per-tenant endpoint `{param}`s filled in: shop `acme` makes
 * `https://{shop}.myshopify.com/admin/oauth/access_token` `https://acme.myshopify.com/admin/oauth/access_token`.
 * A provider without `endpointParams` is returned as is.
 *
 * @param values each parameter's value as read from the secret its setup field names (null: not set)
 * @throws OAuthError `endpoint_param_missing` (no value, or the setup field names no secret for it) or
 *   `endpoint_param_invalid` (the value does not match the parameter's pattern, e.g. `evil.example/x`)
 */
export function withEndpointParams(provider: ProviderConfig, values: Record<string, string | null | undefined>): ProviderConfig {
  const params = provider.endpointParams;
  if (!params || !provider.endpoints) return provider;
  const filled: Record<string, string> = {};
  for (const [name, param] of Object.entries(params)) {
    const value = values[name]?.trim();
    if (!value) {
      throw new OAuthError(
        "endpoint_param_missing",
        `${provider.displayName} needs ${param.label} (e.g. ${param.example}) before it can be connected: set the secret this extension's setup names for "${name}".`,
      );
    }
    if (!new RegExp(`^(?:${param.pattern})$`).test(value)) {
      throw new OAuthError(
        "endpoint_param_invalid",
        `"${value}" is not ${param.label} (e.g. ${param.example}); ${provider.displayName}'s endpoints cannot be built from it.`,
      );
    }
    filled[name] = value;
  }
  const fill = (url: string | undefined) => url?.replace(/\{([a-z_]+)\}/g, (whole, name: string) => filled[name] ?? whole);
  const e = provider.endpoints;
  return {
    ...provider,
    endpoints: { authorize: fill(e.authorize) ?? "", token: fill(e.token) ?? "", revoke: fill(e.revoke), userinfo: fill(e.userinfo) },
  };
}

/** A dotted path (`authed_user.id`) into a JSON answer. */
function pick(json: unknown, path: string): unknown {
  let value: unknown = json;
  for (const key of path.split(".")) value = obj(value)[key];
  return value;
}

/** The account id and label a provider's JSON (profile or token answer) carries in the catalogue's fields. */
export function accountFrom(fields: AccountFields, json: unknown): { accountId: string | null; accountLabel: string | null } {
  const text = (v: unknown) => (typeof v === "string" && v !== "" ? v : typeof v === "number" && Number.isFinite(v) ? String(v) : null);
  const accountId = text(pick(json, fields.id));
  const accountLabel = fields.label.map((path) => text(pick(json, path))).find((v) => v !== null) ?? accountId;
  return { accountId, accountLabel };
}

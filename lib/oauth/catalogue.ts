// Built-in OAuth providers an extension can name in a setup field (`obtain: {type: oauth2, provider: zoom,
// client_id: ext.…, client_secret: ext.…}`) without shipping a provider extension. Each entry carries the
// provider's known quirks as data, so the flow code has no per-provider branches beyond reading them.
import type { ProviderConfig } from "./providers";

type CatalogueEntry = Omit<ProviderConfig, "source">;

const entries: CatalogueEntry[] = [
  {
    id: "slack",
    displayName: "Slack",
    endpoints: {
      authorize: "https://slack.com/oauth/v2/authorize",
      token: "https://slack.com/api/oauth.v2.access",
    },
    scopeSeparator: ",",
    defaultScopes: [],
    quirks: {
      // https://api.slack.com/methods/oauth.v2.access: every answer is {ok, …} and errors come as HTTP 200
      // with ok: false; token_type is "bot" (or "user" for a user token); with token rotation every refresh
      // returns a new refresh token that replaces the old one (the old one stops working).
      okEnvelope: true,
      tokenTypes: ["bot", "user"],
      grantGoneErrors: ["invalid_refresh_token", "token_revoked"],
    },
    // The workspace the app is installed in: oauth.v2.access answers team.id and team.name.
    account: { from: "token", id: "team.id", label: ["team.name"] },
  },
  {
    id: "zoom",
    displayName: "Zoom",
    endpoints: {
      authorize: "https://zoom.us/oauth/authorize",
      token: "https://zoom.us/oauth/token",
      revoke: "https://zoom.us/oauth/revoke",
      userinfo: "https://api.zoom.us/v2/users/me",
    },
    defaultScopes: [],
    quirks: { clientAuth: "basic" },
    // https://developers.zoom.us/docs/api/users/#tag/users/GET/users/{userId} with userId "me".
    account: { from: "profile", id: "id", label: ["email", "display_name"] },
  },
  {
    id: "github",
    displayName: "GitHub",
    endpoints: {
      authorize: "https://github.com/login/oauth/authorize",
      token: "https://github.com/login/oauth/access_token",
      userinfo: "https://api.github.com/user",
    },
    defaultScopes: [],
    quirks: {
      // https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps: client_id and
      // client_secret are form parameters; errors (bad_verification_code, bad_refresh_token) come with HTTP
      // 200; scopes are asked for space-separated and answered comma-separated ("repo,user:email").
      clientAuth: "post",
      errorsWith200: true,
      grantedScopeSeparator: ",",
      grantGoneErrors: ["bad_refresh_token"],
      // https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/scopes-for-oauth-apps
      scopeImplies: {
        repo: ["repo:status", "repo_deployment", "public_repo", "repo:invite", "security_events"],
        user: ["read:user", "user:email", "user:follow"],
        "admin:org": ["write:org", "manage_runners:org"],
        "write:org": ["read:org"],
        "admin:public_key": ["write:public_key"],
        "write:public_key": ["read:public_key"],
        "admin:repo_hook": ["write:repo_hook"],
        "write:repo_hook": ["read:repo_hook"],
        "admin:gpg_key": ["write:gpg_key"],
        "write:gpg_key": ["read:gpg_key"],
        "write:packages": ["read:packages"],
        "write:discussion": ["read:discussion"],
        project: ["read:project"],
      },
    },
    // GET /user: {"login": "octocat", "id": 583231, …}; the REST API asks for its media type and version.
    account: {
      from: "profile",
      id: "id",
      label: ["login"],
      headers: { accept: "application/vnd.github+json", "x-github-api-version": "2022-11-28" },
    },
  },
  {
    id: "atlassian",
    displayName: "Atlassian",
    endpoints: {
      authorize: "https://auth.atlassian.com/authorize",
      token: "https://auth.atlassian.com/oauth/token",
      userinfo: "https://api.atlassian.com/me",
    },
    // A refresh token is only issued with offline_access; Atlassian rotates it on every refresh.
    defaultScopes: ["offline_access"],
    authorizeParams: { audience: "api.atlassian.com", prompt: "consent" },
    quirks: {},
    // GET https://api.atlassian.com/me: {"account_id", "email", "name", …}.
    account: { from: "profile", id: "account_id", label: ["email", "name"] },
  },
  {
    id: "google",
    displayName: "Google",
    issuer: "https://accounts.google.com",
    endpoints: {
      authorize: "https://accounts.google.com/o/oauth2/v2/auth",
      token: "https://oauth2.googleapis.com/token",
      revoke: "https://oauth2.googleapis.com/revoke",
      userinfo: "https://openidconnect.googleapis.com/v1/userinfo",
    },
    defaultScopes: ["openid", "email"],
    // Without access_type=offline Google issues no refresh token, and without prompt=consent it issues one
    // only on the very first consent; include_granted_scopes makes "Grant additional access" incremental.
    authorizeParams: { access_type: "offline", prompt: "consent", include_granted_scopes: "true" },
    quirks: {
      // https://developers.google.com/identity/protocols/oauth2/scopes: token answers spell the OpenID
      // Connect scopes as their URLs.
      scopeAliases: {
        "https://www.googleapis.com/auth/userinfo.email": "email",
        "https://www.googleapis.com/auth/userinfo.profile": "profile",
      },
    },
  },
  {
    id: "microsoft",
    displayName: "Microsoft",
    issuer: "https://login.microsoftonline.com/common/v2.0",
    endpoints: {
      authorize: "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
      token: "https://login.microsoftonline.com/common/oauth2/v2.0/token",
      userinfo: "https://graph.microsoft.com/oidc/userinfo",
    },
    defaultScopes: ["openid", "email", "offline_access"],
    quirks: {
      // https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow: client_secret is
      // a form parameter. An access token is for one resource (Graph, or an api://<app-id> API) and a token
      // request names one resource's scopes (AADSTS28000 otherwise); Graph's scopes may be written bare and
      // are answered resource-qualified, in any case ("https://graph.microsoft.com/mail.read").
      clientAuth: "post",
      onePerResource: true,
      defaultResource: "https://graph.microsoft.com",
      scopesCaseInsensitive: true,
      // The `common` endpoint issues each ID token under its user's tenant (id-token-claims-reference: iss
      // is https://login.microsoftonline.com/{tid}/v2.0).
      tenantIssuer: "https://login.microsoftonline.com/{tid}/v2.0",
    },
  },
  {
    id: "spotify",
    displayName: "Spotify",
    endpoints: {
      authorize: "https://accounts.spotify.com/authorize",
      token: "https://accounts.spotify.com/api/token",
      userinfo: "https://api.spotify.com/v1/me",
    },
    defaultScopes: [],
    // Spotify sometimes omits refresh_token from a refresh response: the old one stays valid and is kept.
    quirks: { clientAuth: "basic" },
    // https://developer.spotify.com/documentation/web-api/reference/get-current-users-profile
    account: { from: "profile", id: "id", label: ["email", "display_name"] },
  },
];

export const catalogue: ReadonlyMap<string, ProviderConfig> = new Map(entries.map((e) => [e.id, { ...e, source: "catalogue" as const }]));

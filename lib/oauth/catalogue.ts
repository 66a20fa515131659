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
      // Slack answers errors with HTTP 200 and {ok: false, error}, and with token rotation on every refresh
      // returns a new refresh token that must replace the old one (the old one stops working).
      okEnvelope: true,
    },
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
      // GitHub's token endpoint reports errors (e.g. bad_verification_code) with HTTP 200.
      okEnvelope: false,
      errorsWith200: true,
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
    quirks: {},
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
      // An access token is for one resource (Graph, or another API): a token request names the scopes of
      // exactly one resource, so refreshes ask for the requested scopes only. The `common` tenant's
      // issuer is per-tenant, so the ID token issuer is not compared with a fixed value.
      onePerResource: true,
      multiTenantIssuer: true,
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
  },
];

export const catalogue: ReadonlyMap<string, ProviderConfig> = new Map(entries.map((e) => [e.id, { ...e, source: "catalogue" as const }]));

/**
 * Microsoft: the resource a scope belongs to ("https://graph.microsoft.com/Mail.Read" → graph; bare
 * "Mail.Read" is Graph's; OIDC scopes belong to none). A token request must not mix resources.
 */
export function microsoftResourceOf(scope: string): string | null {
  if (["openid", "email", "profile", "offline_access"].includes(scope)) return null;
  const match = scope.match(/^(https?:\/\/[^/]+|api:\/\/[^/]+)\//);
  return match ? (match[1] as string) : "https://graph.microsoft.com";
}

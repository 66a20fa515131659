// Linear OAuth2: comma-separated scopes, 24-hour access tokens with rotating refresh tokens (every app
// since 2026-04-01), and the account read through the GraphQL API.
import type { CatalogueEntry } from "../provider-config";

export const linear: CatalogueEntry = {
  id: "linear",
  displayName: "Linear",
  docs: ["https://linear.app/developers/oauth-2-0-authentication", "https://linear.app/developers/graphql"],
  endpoints: {
    authorize: "https://linear.app/oauth/authorize",
    token: "https://api.linear.app/oauth/token",
    revoke: "https://api.linear.app/oauth/revoke",
    userinfo: "https://api.linear.app/graphql",
  },
  scopeSeparator: ",",
  // `read` is always granted and the authorization request requires a scope.
  defaultScopes: ["read"],
  pkce: "supported",
  refreshTokens: "rotating",
  quirks: { clientAuth: "post" },
  // POST /oauth/revoke with the access token as bearer.
  revocation: { style: "bearer" },
  account: {
    from: "profile",
    method: "POST",
    body: { query: "{ viewer { id name email } }" },
    id: "data.viewer.id",
    label: ["data.viewer.email", "data.viewer.name"],
  },
};

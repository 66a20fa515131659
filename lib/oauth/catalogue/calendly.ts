// Calendly OAuth 2.1: HTTP Basic client authentication at the token endpoint, single-use refresh tokens,
// revocation with the client credentials as form parameters.
import type { CatalogueEntry } from "../provider-config";

export const calendly: CatalogueEntry = {
  id: "calendly",
  displayName: "Calendly",
  docs: [
    "https://developer.calendly.com/api-docs/calendly-o-auth/o-auth/post-oauth-refresh-token",
    "https://developer.calendly.com/docs/authentication/refresh-token-rotation-guide",
    "https://developer.calendly.com/api-docs/calendly-o-auth/o-auth/post-oauth-revoke",
    "https://developer.calendly.com/api-docs/users/get-current-user",
  ],
  endpoints: {
    authorize: "https://auth.calendly.com/oauth/authorize",
    token: "https://auth.calendly.com/oauth/token",
    revoke: "https://auth.calendly.com/oauth/revoke",
    userinfo: "https://api.calendly.com/users/me",
  },
  defaultScopes: [],
  pkce: "supported",
  // "A refresh token is revoked immediately after a successful POST /oauth/token call."
  refreshTokens: "rotating",
  quirks: { clientAuth: "basic" },
  revocation: { style: "rfc7009", clientAuth: "post" },
  // GET /users/me: {"resource": {"uri", "name", "email", "slug", …}}.
  account: { from: "profile", id: "resource.uri", label: ["resource.email", "resource.name"] },
};

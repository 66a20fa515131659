// LinkedIn's 3-legged OAuth with Sign In with LinkedIn (OpenID Connect): client credentials as form
// parameters; refresh tokens only for apps LinkedIn approved for them; PKCE only for native apps.
import type { CatalogueEntry } from "../provider-config";

export const linkedin: CatalogueEntry = {
  id: "linkedin",
  displayName: "LinkedIn",
  docs: [
    "https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow",
    "https://learn.microsoft.com/en-us/linkedin/shared/authentication/programmatic-refresh-tokens",
    "https://learn.microsoft.com/en-us/linkedin/consumer/integrations/self-serve/sign-in-with-linkedin-v2",
  ],
  issuer: "https://www.linkedin.com/oauth",
  endpoints: {
    authorize: "https://www.linkedin.com/oauth/v2/authorization",
    token: "https://www.linkedin.com/oauth/v2/accessToken",
    revoke: "https://www.linkedin.com/oauth/v2/revoke",
    userinfo: "https://api.linkedin.com/v2/userinfo",
  },
  defaultScopes: [],
  pkce: "unsupported",
  // A programmatic refresh answers the same refresh token (its lifetime is not extended).
  refreshTokens: "reused",
  quirks: {
    clientAuth: "post",
    // Scopes are asked for space-separated and answered comma-separated ("email,openid,profile").
    grantedScopeSeparator: ",",
    noNonce: true,
  },
  revocation: { style: "rfc7009", clientAuth: "post" },
};

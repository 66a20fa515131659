// Xero OAuth 2.0 with OpenID Connect: offline_access for a refresh token, which is single-use.
import type { CatalogueEntry } from "../provider-config";

export const xero: CatalogueEntry = {
  id: "xero",
  displayName: "Xero",
  docs: [
    "https://developer.xero.com/documentation/guides/oauth2/auth-flow",
    "https://developer.xero.com/documentation/guides/oauth2/pkce-flow",
    "https://developer.xero.com/documentation/guides/oauth2/token-types",
  ],
  issuer: "https://identity.xero.com",
  endpoints: {
    authorize: "https://login.xero.com/identity/connect/authorize",
    token: "https://identity.xero.com/connect/token",
    revoke: "https://identity.xero.com/connect/revocation",
    userinfo: "https://identity.xero.com/connect/userinfo",
  },
  defaultScopes: ["offline_access", "openid", "email"],
  pkce: "supported",
  refreshTokens: "rotating",
  quirks: { clientAuth: "basic" },
  revocation: { style: "rfc7009" },
};

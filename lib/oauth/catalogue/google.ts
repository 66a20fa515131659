// Google's OAuth 2.0 for web server apps with OpenID Connect: refresh tokens only with access_type=offline.
import type { CatalogueEntry } from "../provider-config";

export const google: CatalogueEntry = {
  id: "google",
  displayName: "Google",
  docs: [
    "https://developers.google.com/identity/protocols/oauth2/web-server",
    "https://developers.google.com/identity/openid-connect/openid-connect",
    "https://developers.google.com/identity/protocols/oauth2/scopes",
  ],
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
  pkce: "supported",
  refreshTokens: "reused",
  quirks: {
    // Token answers spell the OpenID Connect scopes as their URLs.
    scopeAliases: {
      "https://www.googleapis.com/auth/userinfo.email": "email",
      "https://www.googleapis.com/auth/userinfo.profile": "profile",
    },
  },
  // POST https://oauth2.googleapis.com/revoke with token=…: revoking the refresh token revokes the grant.
  revocation: { style: "rfc7009", clientAuth: "none" },
};

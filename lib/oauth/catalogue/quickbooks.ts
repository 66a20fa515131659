// QuickBooks Online (Intuit OAuth 2.0): HTTP Basic client authentication; a refresh answer may carry a new
// refresh token that replaces the old one; revocation takes a JSON body.
import type { CatalogueEntry } from "../provider-config";

export const quickbooks: CatalogueEntry = {
  id: "quickbooks",
  displayName: "QuickBooks",
  docs: [
    "https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/oauth-2.0",
    "https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/faq",
    "https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/openid-connect",
  ],
  // The issuer of Intuit's ID tokens (with the openid scope).
  issuer: "https://oauth.platform.intuit.com/op/v1",
  endpoints: {
    authorize: "https://appcenter.intuit.com/connect/oauth2",
    token: "https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer",
    revoke: "https://developer.api.intuit.com/v2/oauth2/tokens/revoke",
    userinfo: "https://accounts.platform.intuit.com/v1/openid_connect/userinfo",
  },
  defaultScopes: [],
  pkce: "undocumented",
  // "Always use the latest refresh token": a refresh answer's refresh token supersedes the previous one.
  refreshTokens: "rotating",
  quirks: { clientAuth: "basic" },
  // POST /v2/oauth2/tokens/revoke, Basic client auth, {"token": …}.
  revocation: { style: "json" },
  // The userinfo answer (with the openid, email scopes): {"sub", "email", "givenName", …}.
  account: { from: "profile", id: "sub", label: ["email"] },
};

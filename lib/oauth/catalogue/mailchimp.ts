// Mailchimp OAuth 2: access tokens that never expire (expires_in 0), no refresh tokens, and the account
// (with its data center) from the metadata endpoint, which takes the token as `Authorization: OAuth …`.
import type { CatalogueEntry } from "../provider-config";

export const mailchimp: CatalogueEntry = {
  id: "mailchimp",
  displayName: "Mailchimp",
  docs: ["https://mailchimp.com/developer/marketing/guides/access-user-data-oauth-2/"],
  endpoints: {
    authorize: "https://login.mailchimp.com/oauth2/authorize",
    token: "https://login.mailchimp.com/oauth2/token",
    userinfo: "https://login.mailchimp.com/oauth2/metadata",
  },
  defaultScopes: [],
  pkce: "undocumented",
  refreshTokens: "none",
  quirks: {
    clientAuth: "post",
    // {"access_token": …, "expires_in": 0, "scope": null}
    zeroExpiresInMeansNever: true,
    apiToken: { header: "authorization", prefix: "OAuth " },
  },
  // {"dc": "us1", "accountname", "user_id", "login": {"email", "login_id", …}, "api_endpoint"}.
  account: { from: "profile", id: "user_id", label: ["accountname", "login.email"] },
};

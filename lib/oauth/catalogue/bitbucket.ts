// Bitbucket Cloud OAuth 2.0: HTTP Basic client authentication, two-hour access tokens; scopes are the
// consumer's settings, answered as `scopes`. No revocation endpoint: the person revokes in Bitbucket.
import type { CatalogueEntry } from "../provider-config";

export const bitbucket: CatalogueEntry = {
  id: "bitbucket",
  displayName: "Bitbucket",
  docs: [
    "https://developer.atlassian.com/cloud/bitbucket/oauth-2/",
    "https://developer.atlassian.com/cloud/bitbucket/rest/api-group-users/#api-user-get",
  ],
  endpoints: {
    authorize: "https://bitbucket.org/site/oauth2/authorize",
    token: "https://bitbucket.org/site/oauth2/access_token",
    userinfo: "https://api.bitbucket.org/2.0/user",
  },
  defaultScopes: [],
  pkce: "undocumented",
  refreshTokens: "reused",
  quirks: { clientAuth: "basic" },
  // GET /2.0/user: {"uuid": "{…}", "account_id", "display_name", "nickname", …}.
  account: { from: "profile", id: "uuid", label: ["display_name", "nickname"] },
};

// Salesforce's OAuth 2.0 web server flow through the fixed login host. Per-org hosts (My Domain) and
// sandboxes (test.salesforce.com) are a provider extension's endpoints; the token answer's instance_url
// (the org's API host) is not kept: an extension reads it from the userinfo endpoint with its token.
import type { CatalogueEntry } from "../provider-config";

export const salesforce: CatalogueEntry = {
  id: "salesforce",
  displayName: "Salesforce",
  docs: [
    "https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm",
    "https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_refresh_token_flow.htm",
    "https://help.salesforce.com/s/articleView?id=sf.remoteaccess_revoke_token.htm",
    "https://help.salesforce.com/s/articleView?id=sf.remoteaccess_using_userinfo_endpoint.htm",
  ],
  endpoints: {
    authorize: "https://login.salesforce.com/services/oauth2/authorize",
    token: "https://login.salesforce.com/services/oauth2/token",
    revoke: "https://login.salesforce.com/services/oauth2/revoke",
    userinfo: "https://login.salesforce.com/services/oauth2/userinfo",
  },
  // A refresh token is issued only with the refresh_token (alias offline_access) scope.
  defaultScopes: ["refresh_token"],
  pkce: "supported",
  // Refresh token rotation is a setting of the connected app; off, the same refresh token keeps working.
  refreshTokens: "app_setting",
  quirks: {
    clientAuth: "post",
    // Token answers have no expires_in: the access token lives as long as the org's session timeout,
    // 15 minutes at the shortest, so Latchkey assumes that and refreshes in time.
    assumedExpiresInSeconds: 900,
  },
  // POST /services/oauth2/revoke with token=…; revoking a refresh token revokes its access tokens.
  revocation: { style: "rfc7009", clientAuth: "none" },
  // {"sub": "https://login.salesforce.com/id/<org>/<user>", "user_id", "organization_id", "preferred_username", "email", …}
  account: { from: "profile", id: "user_id", label: ["preferred_username", "email", "name"] },
};

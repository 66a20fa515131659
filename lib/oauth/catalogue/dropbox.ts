// Dropbox OAuth with offline access: short-lived access tokens, a long-lived refresh token that does not
// change, and revocation by presenting the access token.
import type { CatalogueEntry } from "../provider-config";

export const dropbox: CatalogueEntry = {
  id: "dropbox",
  displayName: "Dropbox",
  docs: [
    "https://developers.dropbox.com/oauth-guide",
    "https://www.dropbox.com/developers/documentation/http/documentation#oauth2-token",
    "https://www.dropbox.com/developers/documentation/http/documentation#auth-token-revoke",
    "https://www.dropbox.com/developers/documentation/http/documentation#users-get_current_account",
  ],
  endpoints: {
    authorize: "https://www.dropbox.com/oauth2/authorize",
    token: "https://api.dropboxapi.com/oauth2/token",
    revoke: "https://api.dropboxapi.com/2/auth/token/revoke",
    userinfo: "https://api.dropboxapi.com/2/users/get_current_account",
  },
  defaultScopes: [],
  // Without token_access_type=offline Dropbox issues no refresh token.
  authorizeParams: { token_access_type: "offline" },
  pkce: "supported",
  refreshTokens: "reused",
  quirks: { clientAuth: "basic" },
  // POST /2/auth/token/revoke with the access token: it disables that token's refresh token too.
  revocation: { style: "bearer" },
  // POST /2/users/get_current_account with no body: {"account_id": "dbid:…", "name": {"display_name"}, "email"}.
  account: { from: "profile", method: "POST", id: "account_id", label: ["email", "name.display_name"] },
};

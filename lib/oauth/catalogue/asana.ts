// Asana OAuth: client credentials as form parameters, a refresh token that does not change, and the
// user in the token answer's `data`.
import type { CatalogueEntry } from "../provider-config";

export const asana: CatalogueEntry = {
  id: "asana",
  displayName: "Asana",
  docs: ["https://developers.asana.com/docs/oauth", "https://developers.asana.com/docs/oauth-scopes"],
  endpoints: {
    authorize: "https://app.asana.com/-/oauth_authorize",
    token: "https://app.asana.com/-/oauth_token",
    revoke: "https://app.asana.com/-/oauth_revoke",
    userinfo: "https://app.asana.com/api/1.0/users/me",
  },
  defaultScopes: [],
  pkce: "supported",
  refreshTokens: "reused",
  quirks: { clientAuth: "post" },
  revocation: { style: "rfc7009" },
  // {"access_token", …, "data": {"id", "gid", "name", "email"}}.
  account: { from: "token", id: "data.gid", label: ["data.email", "data.name"] },
};

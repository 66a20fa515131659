// Box OAuth 2.0: client credentials as form parameters, single-use refresh tokens, RFC 7009-style revocation.
import type { CatalogueEntry } from "../provider-config";

export const box: CatalogueEntry = {
  id: "box",
  displayName: "Box",
  docs: [
    "https://developer.box.com/guides/authentication/oauth2/",
    "https://developer.box.com/reference/post-oauth2-token/",
    "https://developer.box.com/reference/post-oauth2-revoke/",
    "https://developer.box.com/reference/get-users-me/",
  ],
  endpoints: {
    authorize: "https://account.box.com/api/oauth2/authorize",
    token: "https://api.box.com/oauth2/token",
    revoke: "https://api.box.com/oauth2/revoke",
    userinfo: "https://api.box.com/2.0/users/me",
  },
  defaultScopes: [],
  pkce: "undocumented",
  // "A refresh token can only be used once": each refresh answers a new one.
  refreshTokens: "rotating",
  quirks: { clientAuth: "post" },
  revocation: { style: "rfc7009" },
  // GET /2.0/users/me: {"type": "user", "id", "name", "login"}.
  account: { from: "profile", id: "id", label: ["login", "name"] },
};

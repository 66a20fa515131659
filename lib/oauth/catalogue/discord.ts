// Discord OAuth2: HTTP Basic client authentication, rotating refresh tokens, RFC 7009 revocation.
import type { CatalogueEntry } from "../provider-config";

export const discord: CatalogueEntry = {
  id: "discord",
  displayName: "Discord",
  docs: ["https://discord.com/developers/docs/topics/oauth2", "https://discord.com/developers/docs/resources/user#get-current-user"],
  endpoints: {
    authorize: "https://discord.com/oauth2/authorize",
    token: "https://discord.com/api/oauth2/token",
    revoke: "https://discord.com/api/oauth2/token/revoke",
    userinfo: "https://discord.com/api/users/@me",
  },
  defaultScopes: ["identify"],
  pkce: "undocumented",
  refreshTokens: "rotating",
  quirks: { clientAuth: "basic" },
  revocation: { style: "rfc7009" },
  // GET /users/@me: {"id", "username", "global_name", …}.
  account: { from: "profile", id: "id", label: ["username", "global_name"] },
};

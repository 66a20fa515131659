// GitLab.com OAuth 2.0 (Doorkeeper): rotating refresh tokens, RFC 7009 revocation. A self-managed GitLab
// is another host: a provider extension's endpoints.
import type { CatalogueEntry } from "../provider-config";

export const gitlab: CatalogueEntry = {
  id: "gitlab",
  displayName: "GitLab",
  docs: ["https://docs.gitlab.com/api/oauth2/", "https://docs.gitlab.com/api/users/#get-the-current-user"],
  endpoints: {
    authorize: "https://gitlab.com/oauth/authorize",
    token: "https://gitlab.com/oauth/token",
    revoke: "https://gitlab.com/oauth/revoke",
    userinfo: "https://gitlab.com/api/v4/user",
  },
  defaultScopes: [],
  pkce: "supported",
  refreshTokens: "rotating",
  quirks: { clientAuth: "post" },
  revocation: { style: "rfc7009" },
  // GET /api/v4/user: {"id", "username", "name", "email", …}.
  account: { from: "profile", id: "id", label: ["username", "email"] },
};

// Atlassian (Jira, Confluence) OAuth 2.0 (3LO): rotating refresh tokens, issued only with offline_access.
import type { CatalogueEntry } from "../provider-config";

export const atlassian: CatalogueEntry = {
  id: "atlassian",
  displayName: "Atlassian",
  docs: [
    "https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/",
    "https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/#how-do-i-get-a-new-access-token--if-my-access-token-expires-or-is-revoked-",
  ],
  endpoints: {
    authorize: "https://auth.atlassian.com/authorize",
    token: "https://auth.atlassian.com/oauth/token",
    userinfo: "https://api.atlassian.com/me",
  },
  defaultScopes: ["offline_access"],
  authorizeParams: { audience: "api.atlassian.com", prompt: "consent" },
  pkce: "undocumented",
  // An expired or already rotated refresh token: 403 {"error": "invalid_grant", "error_description": "Unknown or invalid refresh token."}.
  refreshTokens: "rotating",
  // The token request carries client_id and client_secret in its body (the 3LO guide's examples).
  quirks: { clientAuth: "post" },
  // GET https://api.atlassian.com/me: {"account_id", "email", "name", …}.
  account: { from: "profile", id: "account_id", label: ["email", "name"] },
};

// Slack's OAuth v2 with token rotation on: every answer is the {ok, …} envelope of Slack's Web API.
import type { CatalogueEntry } from "../provider-config";

export const slack: CatalogueEntry = {
  id: "slack",
  displayName: "Slack",
  docs: [
    "https://api.slack.com/authentication/oauth-v2",
    "https://api.slack.com/methods/oauth.v2.access",
    "https://api.slack.com/authentication/rotation",
    "https://api.slack.com/methods/auth.revoke",
  ],
  endpoints: {
    authorize: "https://slack.com/oauth/v2/authorize",
    token: "https://slack.com/api/oauth.v2.access",
    revoke: "https://slack.com/api/auth.revoke",
  },
  scopeSeparator: ",",
  defaultScopes: [],
  pkce: "undocumented",
  // With token rotation every refresh returns a new refresh token that replaces the old one.
  refreshTokens: "rotating",
  quirks: {
    // Errors come as HTTP 200 with ok: false; token_type is "bot" (or "user" for a user token).
    okEnvelope: true,
    tokenTypes: ["bot", "user"],
    grantGoneErrors: ["invalid_refresh_token", "token_revoked"],
  },
  // auth.revoke takes the token itself as its credential: {"ok": true, "revoked": true}.
  revocation: { style: "bearer" },
  // The workspace the app is installed in: oauth.v2.access answers team.id and team.name.
  account: { from: "token", id: "team.id", label: ["team.name"] },
};

// Notion's public connections: HTTP Basic client authentication, no scopes (capabilities are the
// connection's settings), rotating refresh tokens, and the workspace in the token answer.
import type { CatalogueEntry } from "../provider-config";

export const notion: CatalogueEntry = {
  id: "notion",
  displayName: "Notion",
  docs: [
    "https://developers.notion.com/docs/authorization",
    "https://developers.notion.com/reference/create-a-token",
    "https://developers.notion.com/reference/refresh-a-token",
    "https://developers.notion.com/reference/revoke-token",
  ],
  endpoints: {
    authorize: "https://api.notion.com/v1/oauth/authorize",
    token: "https://api.notion.com/v1/oauth/token",
    revoke: "https://api.notion.com/v1/oauth/revoke",
  },
  defaultScopes: [],
  authorizeParams: { owner: "user" },
  pkce: "undocumented",
  // "Refreshes an access token, generating a new access token and new refresh token."
  refreshTokens: "rotating",
  // The token answer's refresh_token may be null (read as absent).
  quirks: { clientAuth: "basic" },
  revocation: { style: "json", headers: { "notion-version": "2022-06-28" } },
  // {"workspace_id", "workspace_name", "bot_id", "owner": {…}}: the connection is to a workspace.
  account: { from: "token", id: "workspace_id", label: ["workspace_name"] },
};

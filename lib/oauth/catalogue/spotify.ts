// Spotify's authorization code flow: HTTP Basic client authentication; a refresh answer may or may not
// carry a new refresh token, and the old one stays valid when it does not.
import type { CatalogueEntry } from "../provider-config";

export const spotify: CatalogueEntry = {
  id: "spotify",
  displayName: "Spotify",
  docs: [
    "https://developer.spotify.com/documentation/web-api/tutorials/code-flow",
    "https://developer.spotify.com/documentation/web-api/tutorials/refreshing-tokens",
    "https://developer.spotify.com/documentation/web-api/reference/get-current-users-profile",
  ],
  endpoints: {
    authorize: "https://accounts.spotify.com/authorize",
    token: "https://accounts.spotify.com/api/token",
    userinfo: "https://api.spotify.com/v1/me",
  },
  defaultScopes: [],
  pkce: "supported",
  refreshTokens: "reused",
  quirks: { clientAuth: "basic" },
  account: { from: "profile", id: "id", label: ["email", "display_name"] },
};

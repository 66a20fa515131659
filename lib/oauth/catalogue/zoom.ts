// Zoom's OAuth for user-authorized apps: HTTP Basic client authentication, rotating refresh tokens.
import type { CatalogueEntry } from "../provider-config";

export const zoom: CatalogueEntry = {
  id: "zoom",
  displayName: "Zoom",
  docs: ["https://developers.zoom.us/docs/integrations/oauth/", "https://developers.zoom.us/docs/api/users/#tag/users/GET/users/{userId}"],
  endpoints: {
    authorize: "https://zoom.us/oauth/authorize",
    token: "https://zoom.us/oauth/token",
    revoke: "https://zoom.us/oauth/revoke",
    userinfo: "https://api.zoom.us/v2/users/me",
  },
  defaultScopes: [],
  pkce: "supported",
  refreshTokens: "rotating",
  quirks: { clientAuth: "basic" },
  // GET /v2/users/me (userId "me").
  account: { from: "profile", id: "id", label: ["email", "display_name"] },
};

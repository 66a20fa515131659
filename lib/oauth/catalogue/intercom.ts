// Intercom OAuth: permissions are the app's settings (no scope parameter), access tokens do not expire and
// there are no refresh tokens. US-hosted workspaces; EU and AU regions are a provider extension's endpoints.
import type { CatalogueEntry } from "../provider-config";

export const intercom: CatalogueEntry = {
  id: "intercom",
  displayName: "Intercom",
  docs: [
    "https://developers.intercom.com/docs/build-an-integration/learn-more/authentication/setting-up-oauth",
    "https://developers.intercom.com/docs/references/rest-api/api.intercom.io/admins/identifyadmin",
  ],
  endpoints: {
    authorize: "https://app.intercom.com/oauth",
    token: "https://api.intercom.io/auth/eagle/token",
    revoke: "https://api.intercom.io/auth/uninstall",
    userinfo: "https://api.intercom.io/me",
  },
  defaultScopes: [],
  pkce: "undocumented",
  refreshTokens: "none",
  quirks: { clientAuth: "post" },
  // POST /auth/uninstall with the access token: the app is uninstalled from the workspace.
  revocation: { style: "bearer" },
  // GET /me: {"type": "admin", "id", "email", "name", "app": {…}}.
  account: { from: "profile", id: "id", label: ["email", "name"] },
};

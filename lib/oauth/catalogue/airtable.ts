// Airtable OAuth: PKCE required, HTTP Basic client authentication, single-use refresh tokens. No
// revocation endpoint: the person removes the integration in Airtable.
import type { CatalogueEntry } from "../provider-config";

export const airtable: CatalogueEntry = {
  id: "airtable",
  displayName: "Airtable",
  docs: [
    "https://airtable.com/developers/web/api/oauth-reference",
    "https://airtable.com/developers/web/api/scopes",
    "https://airtable.com/developers/web/api/get-user-id-scopes",
  ],
  endpoints: {
    authorize: "https://airtable.com/oauth2/v1/authorize",
    token: "https://airtable.com/oauth2/v1/token",
    userinfo: "https://api.airtable.com/v0/meta/whoami",
  },
  defaultScopes: [],
  pkce: "required",
  refreshTokens: "rotating",
  quirks: { clientAuth: "basic" },
  // GET /v0/meta/whoami: {"id": "usr…", "email", "scopes"}.
  account: { from: "profile", id: "id", label: ["email"] },
};

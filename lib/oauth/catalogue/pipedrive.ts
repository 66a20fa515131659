// Pipedrive OAuth: HTTP Basic client authentication, scopes set on the app and answered comma-separated,
// RFC 7009 revocation; the company's API host is the token answer's api_domain.
import type { CatalogueEntry } from "../provider-config";

export const pipedrive: CatalogueEntry = {
  id: "pipedrive",
  displayName: "Pipedrive",
  docs: [
    "https://pipedrive.readme.io/docs/marketplace-oauth-authorization",
    "https://pipedrive.readme.io/docs/marketplace-oauth-api",
    "https://developers.pipedrive.com/docs/api/v1/Users#getCurrentUser",
  ],
  endpoints: {
    authorize: "https://oauth.pipedrive.com/oauth/authorize",
    token: "https://oauth.pipedrive.com/oauth/token",
    revoke: "https://oauth.pipedrive.com/oauth/revoke",
    userinfo: "https://api.pipedrive.com/v1/users/me",
  },
  scopeSeparator: ",",
  defaultScopes: [],
  pkce: "unsupported",
  refreshTokens: "reused",
  quirks: { clientAuth: "basic" },
  revocation: { style: "rfc7009" },
  // GET /v1/users/me: {"success": true, "data": {"id", "name", "email", "company_domain", …}}.
  account: { from: "profile", id: "data.id", label: ["data.email", "data.name"] },
};

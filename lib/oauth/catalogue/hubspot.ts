// HubSpot's OAuth (v1 token API): client credentials as form parameters, refresh tokens that do not
// change, errors with their code in `status`, and the token's portal read from the access-token endpoint.
import type { CatalogueEntry } from "../provider-config";

export const hubspot: CatalogueEntry = {
  id: "hubspot",
  displayName: "HubSpot",
  docs: [
    "https://developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/guide",
    "https://developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/refresh-oauth-token",
    "https://developers.hubspot.com/docs/api/oauth/tokens#endpoint?spec=DELETE-/oauth/v1/refresh-tokens/{token}",
  ],
  endpoints: {
    authorize: "https://app.hubspot.com/oauth/authorize",
    token: "https://api.hubapi.com/oauth/v1/token",
    userinfo: "https://api.hubapi.com/oauth/v1/access-tokens/{access_token}",
    revoke: "https://api.hubapi.com/oauth/v1/refresh-tokens/{token}",
  },
  defaultScopes: [],
  pkce: "supported",
  refreshTokens: "reused",
  quirks: {
    clientAuth: "post",
    // 400 {"status": "BAD_REFRESH_TOKEN", "message": "missing or unknown refresh token", "correlationId": …}
    errorField: "status",
    errorDescriptionField: "message",
    grantGoneErrors: ["BAD_REFRESH_TOKEN"],
  },
  // DELETE /oauth/v1/refresh-tokens/{token}: 204; the token in the path is its own credential.
  revocation: { style: "path", method: "DELETE", token: "refresh_token", clientAuth: "none" },
  // GET /oauth/v1/access-tokens/{token}: {"hub_id": 62515, "hub_domain": "demo.hubapi.com", "user": …}; the portal is the account.
  account: { from: "profile", id: "hub_id", label: ["hub_domain", "user"] },
};

// Zendesk OAuth, per account host ({subdomain}.zendesk.com). An OAuth client lives in one Zendesk account
// (global clients need Zendesk's approval), so the subdomain is usually a partner credential beside the
// client id: `obtain.endpoint_params: {subdomain: ext.zendesk_subdomain}` (or `org.…` for a global client).
import type { CatalogueEntry } from "../provider-config";

export const zendesk: CatalogueEntry = {
  id: "zendesk",
  displayName: "Zendesk",
  docs: [
    "https://developer.zendesk.com/documentation/api-basics/authentication/using-oauth-to-authenticate-zendesk-api-requests-in-a-web-app/",
    "https://developer.zendesk.com/documentation/api-basics/authentication/refresh-token/",
    "https://developer.zendesk.com/api-reference/ticketing/oauth/grant_type_tokens/",
    "https://developer.zendesk.com/documentation/api-basics/authentication/revoking-an-oauth-access-token/",
  ],
  endpointParams: { subdomain: { label: "the Zendesk account's subdomain", pattern: "[a-z0-9][a-z0-9-]{0,62}", example: "acme" } },
  endpoints: {
    authorize: "https://{subdomain}.zendesk.com/oauth/authorizations/new",
    token: "https://{subdomain}.zendesk.com/oauth/tokens",
    revoke: "https://{subdomain}.zendesk.com/api/v2/oauth/tokens/current.json",
    userinfo: "https://{subdomain}.zendesk.com/api/v2/users/me.json",
  },
  defaultScopes: ["read"],
  pkce: "supported",
  // "A successful request will also return a refresh token and delete the previous access and refresh tokens."
  refreshTokens: "rotating",
  quirks: { clientAuth: "post" },
  // DELETE /api/v2/oauth/tokens/current.json with the token itself.
  revocation: { style: "bearer", method: "DELETE" },
  account: { from: "profile", id: "user.id", label: ["user.email", "user.name"] },
};

// Shopify's authorization code grant, per shop ({shop}.myshopify.com), asking for an expiring offline
// token (expiring=1: an hour's access token and a refresh token that rotates). The shop is the store that
// connects: `obtain.endpoint_params: {shop: org.shopify_shop}`.
import type { CatalogueEntry } from "../provider-config";

export const shopify: CatalogueEntry = {
  id: "shopify",
  displayName: "Shopify",
  docs: [
    "https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant",
    "https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/offline-access-tokens",
    "https://shopify.dev/docs/api/admin-rest/latest/resources/shop",
    "https://shopify.dev/docs/apps/build/authentication-authorization/app-installation/uninstall-app-api-request",
  ],
  endpointParams: {
    shop: { label: "the shop's myshopify.com subdomain", pattern: "[a-z0-9][a-z0-9-]{0,59}", example: "acme-store" },
  },
  endpoints: {
    authorize: "https://{shop}.myshopify.com/admin/oauth/authorize",
    token: "https://{shop}.myshopify.com/admin/oauth/access_token",
    revoke: "https://{shop}.myshopify.com/admin/api_permissions/current.json",
    userinfo: "https://{shop}.myshopify.com/admin/api/2025-07/shop.json",
  },
  scopeSeparator: ",",
  defaultScopes: [],
  codeExchangeParams: { expiring: "1" },
  pkce: "undocumented",
  refreshTokens: "rotating",
  quirks: {
    clientAuth: "post",
    // The Admin API takes the token in its own header.
    apiToken: { header: "x-shopify-access-token", prefix: "" },
  },
  // DELETE /admin/api_permissions/current.json with the access token: the app is uninstalled from the shop.
  revocation: { style: "bearer", method: "DELETE" },
  account: { from: "profile", id: "shop.id", label: ["shop.myshopify_domain", "shop.name"] },
};

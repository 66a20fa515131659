// Shopify, per shop (latchkey-demo.myshopify.com here), https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant
// with an expiring offline token (expiring=1): an hour's access token, a refresh token that rotates; the
// Admin API takes the token as X-Shopify-Access-Token; DELETE /admin/api_permissions/current.json uninstalls.
import { json, type GrantContext, type ProviderFixture } from "./types";

export const shopify: ProviderFixture = {
  provider: "shopify",
  docs: [
    "https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant",
    "https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/offline-access-tokens",
    "https://shopify.dev/docs/api/admin-rest/latest/resources/shop",
  ],
  clientAuth: ["post"],
  rotates: true,
  endpointParams: { shop: "latchkey-demo" },
  endpoints: {
    authorize: "{shop}.myshopify.com/admin/oauth/authorize",
    token: "{shop}.myshopify.com/admin/oauth/access_token",
    profile: "{shop}.myshopify.com/admin/api/2025-07/shop.json",
    revoke: "{shop}.myshopify.com/admin/api_permissions/current.json",
  },
  scopeSeparator: ",",
  codeExchangeRequires: { expiring: "1" },
  tokens: (n) => ({ access: `shpat_f3d4c2b1a0e9d8c7b6a5f4e3d2c1b0a${n}`, refresh: `shprt_0a1b2c3d4e5f60718293a4b5c6d7e8f${n}` }),
  codeExchange: (ctx) => json(200, answer(ctx)),
  refresh: (ctx) => json(200, answer(ctx)),
  grantGone: json(400, { error: "invalid_grant", error_description: "The refresh token is invalid or has expired." }),
  profile: json(200, {
    shop: {
      id: 690933842,
      name: "Super Toys",
      email: "super@supertoys.com",
      myshopify_domain: "latchkey-demo.myshopify.com",
      plan_name: "basic",
    },
  }),
  profileRequest: { header: "x-shopify-access-token", prefix: "" },
  revocation: {
    method: "DELETE",
    takes: "bearer",
    header: "x-shopify-access-token",
    prefix: "",
    clientAuth: "none",
    answer: json(200, {}),
  },
  contract: {
    scopes: ["read_products", "write_orders"],
    grant: ["read_products", "write_orders"],
    account: ["690933842", "latchkey-demo.myshopify.com"],
    expiresIn: 3600,
    grantGoneCode: "invalid_grant",
  },
};

function answer(ctx: GrantContext) {
  return {
    access_token: ctx.accessToken,
    scope: ctx.scopes.join(","),
    expires_in: 3600,
    refresh_token: ctx.refreshToken,
    refresh_token_expires_in: 7776000,
  };
}

// Pipedrive, https://pipedrive.readme.io/docs/marketplace-oauth-authorization and …/marketplace-oauth-api:
// scopes are the app's settings, answered comma-separated; the refresh token stays the same; RFC 7009
// revocation with HTTP Basic; GET /v1/users/me.
import { json, type GrantContext, type ProviderFixture } from "./types";

export const pipedrive: ProviderFixture = {
  provider: "pipedrive",
  docs: ["https://pipedrive.readme.io/docs/marketplace-oauth-authorization", "https://pipedrive.readme.io/docs/marketplace-oauth-api"],
  clientAuth: ["basic"],
  rotates: false,
  pkce: "absent",
  endpoints: {
    authorize: "oauth.pipedrive.com/oauth/authorize",
    token: "oauth.pipedrive.com/oauth/token",
    profile: "api.pipedrive.com/v1/users/me",
    revoke: "oauth.pipedrive.com/oauth/revoke",
  },
  scopeSeparator: ",",
  tokens: (n) => ({
    access: `v1:A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0${n}`,
    refresh: `12345:678910:a1b2c3d4e5f60718293a4b5c6d7e8f90${n}`,
  }),
  codeExchange: (ctx) => json(200, answer(ctx, ctx.refreshToken)),
  refresh: (ctx) => json(200, answer(ctx, ctx.spentRefreshToken ?? ctx.refreshToken)),
  grantGone: json(400, { error: "invalid_grant", error_description: "Invalid grant: refresh token is invalid" }),
  profile: json(200, {
    success: true,
    data: { id: 123, name: "Pat Doe", email: "pat@acme.example", company_id: 456, company_domain: "acme" },
  }),
  revocation: { takes: "form", clientAuth: ["basic"], answer: json(200, null) },
  contract: {
    scopes: [],
    grant: ["base", "deals:read"],
    account: ["123", "pat@acme.example"],
    expiresIn: 3599,
    grantGoneCode: "invalid_grant",
  },
};

function answer(ctx: GrantContext, refreshToken: string) {
  return {
    access_token: ctx.accessToken,
    token_type: "Bearer",
    refresh_token: refreshToken,
    scope: "base,deals:read",
    expires_in: 3599,
    api_domain: "https://acme.pipedrive.com",
  };
}

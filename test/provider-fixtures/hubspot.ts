// HubSpot, https://developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/guide:
// the refresh token does not change; errors carry their code in `status`; the token's portal comes from
// GET /oauth/v1/access-tokens/{token}; DELETE /oauth/v1/refresh-tokens/{token} revokes.
import { json, type GrantContext, type ProviderFixture } from "./types";

export const hubspot: ProviderFixture = {
  provider: "hubspot",
  docs: [
    "https://developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/guide",
    "https://developers.hubspot.com/docs/api-reference/legacy/authentication/oauth-tokens/v1/refresh-oauth-token",
  ],
  clientAuth: ["post"],
  rotates: false,
  endpoints: {
    authorize: "app.hubspot.com/oauth/authorize",
    token: "api.hubapi.com/oauth/v1/token",
    profile: "api.hubapi.com/oauth/v1/access-tokens/{access_token}",
    revoke: "api.hubapi.com/oauth/v1/refresh-tokens/{token}",
  },
  tokens: (n) => ({
    access: `CJSP5qf1KhICAQEYs-gDIIGOBii1hQIyGQAf3xBKmlwHjX7OIpuIFEavB2-qYAGQsF4${n}`,
    refresh: `6f18f21e-a743-4ddf-b4a5-a4e3f3c4d5${n}`,
  }),
  codeExchange: (ctx) => json(200, answer(ctx, ctx.refreshToken)),
  refresh: (ctx) => json(200, answer(ctx, ctx.spentRefreshToken ?? ctx.refreshToken)),
  invalidCode: json(400, {
    status: "BAD_AUTH_CODE",
    message: "missing or unknown auth code",
    correlationId: "a1c7a7e4-6c0b-4f0e-9a44-4b3c1e1f2a01",
  }),
  grantGone: json(400, {
    status: "BAD_REFRESH_TOKEN",
    message: "missing or unknown refresh token",
    correlationId: "d0b8f3a2-5c3e-4a1b-8f77-2a6b9c1d0e42",
    requestId: "8b1d6b7e-7f1e-4d3c-9a5b-3c2d1e0f9a87",
  }),
  profile: json(200, {
    user: "test@hubspot.example",
    hub_domain: "demo.hubapi.com",
    scopes: ["oauth", "crm.objects.contacts.read"],
    hub_id: 62515,
    app_id: 456,
    expires_in: 1754,
    user_id: 123,
    token_type: "access",
  }),
  revocation: { method: "DELETE", takes: "path", clientAuth: "none", answer: json(204, null) },
  contract: {
    scopes: ["crm.objects.contacts.read", "oauth"],
    grant: ["crm.objects.contacts.read", "oauth"],
    account: ["62515", "demo.hubapi.com"],
    expiresIn: 1800,
    grantGoneCode: "BAD_REFRESH_TOKEN",
  },
};

function answer(ctx: GrantContext, refreshToken: string) {
  return { token_type: "bearer", refresh_token: refreshToken, access_token: ctx.accessToken, expires_in: 1800 };
}

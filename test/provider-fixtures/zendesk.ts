// Zendesk, per account host (acme.zendesk.com here), https://developer.zendesk.com/api-reference/ticketing/oauth/grant_type_tokens/:
// a refresh "will also return a refresh token and delete the previous access and refresh tokens";
// DELETE /api/v2/oauth/tokens/current.json with the token revokes it; GET /api/v2/users/me.json.
import { json, type GrantContext, type ProviderFixture } from "./types";

export const zendesk: ProviderFixture = {
  provider: "zendesk",
  docs: [
    "https://developer.zendesk.com/api-reference/ticketing/oauth/grant_type_tokens/",
    "https://developer.zendesk.com/documentation/api-basics/authentication/refresh-token/",
    "https://developer.zendesk.com/documentation/api-basics/authentication/revoking-an-oauth-access-token/",
  ],
  clientAuth: ["post"],
  rotates: true,
  endpointParams: { subdomain: "acme" },
  endpoints: {
    authorize: "{subdomain}.zendesk.com/oauth/authorizations/new",
    token: "{subdomain}.zendesk.com/oauth/tokens",
    profile: "{subdomain}.zendesk.com/api/v2/users/me.json",
    revoke: "{subdomain}.zendesk.com/api/v2/oauth/tokens/current.json",
  },
  tokens: (n) => ({ access: `gErypPlm4dOVgGRvA1ZzMH5MQ3nLo8bo${n}`, refresh: `31048ba4d7c601302f3173f243da835f${n}` }),
  codeExchange: (ctx) => json(200, answer(ctx)),
  refresh: (ctx) => json(200, answer(ctx)),
  grantGone: json(400, { error: "invalid_grant", error_description: "The provided authorization grant is invalid, expired, or revoked." }),
  profile: json(200, { user: { id: 35436, name: "Johnny Agent", email: "johnny@example.com", role: "agent" } }),
  revocation: { method: "DELETE", takes: "bearer", clientAuth: "none", answer: json(204, null) },
  contract: {
    scopes: ["read", "write"],
    grant: ["read", "write"],
    account: ["35436", "johnny@example.com"],
    expiresIn: 1800,
    grantGoneCode: "invalid_grant",
  },
};

function answer(ctx: GrantContext) {
  return {
    access_token: ctx.accessToken,
    token_type: "bearer",
    scope: ctx.scopes.join(" "),
    expires_in: 1800,
    refresh_token: ctx.refreshToken,
    refresh_token_expires_in: 2592000,
  };
}

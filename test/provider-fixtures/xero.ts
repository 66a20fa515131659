// Xero, https://developer.xero.com/documentation/guides/oauth2/auth-flow: OpenID Connect (issuer
// https://identity.xero.com), offline_access for a refresh token, single-use refresh tokens, RFC 7009
// revocation at /connect/revocation.
import { json, type GrantContext, type ProviderFixture } from "./types";

const SUB = "a3a4dbafh3495a808ed7a7b964388f53";

export const xero: ProviderFixture = {
  provider: "xero",
  docs: [
    "https://developer.xero.com/documentation/guides/oauth2/auth-flow",
    "https://developer.xero.com/documentation/guides/oauth2/token-types",
  ],
  clientAuth: ["basic"],
  rotates: true,
  endpoints: {
    authorize: "login.xero.com/identity/connect/authorize",
    token: "identity.xero.com/connect/token",
    profile: "identity.xero.com/connect/userinfo",
    revoke: "identity.xero.com/connect/revocation",
  },
  tokens: (n) => ({
    access: `eyJhbGciOiJSUzI1NiIsImtpZCI6IjFDQUY4RTY2NzcyRDZEQzAyOEQ2NzI2RkQwMjYxNTgxNTcwRUZDMTkiLCJ0eXAiOiJKV1Qi.x${n}`,
    refresh: `f1e87e3e2c8f7a0b3d5e9c1a2b4d6f8e0a1c3e5b7d9f1a3c5e7b9d1f3a5c7e${n}`,
  }),
  codeExchange: async (ctx) => json(200, { id_token: await ctx.idToken(ctx.nonce ? { nonce: ctx.nonce } : {}), ...answer(ctx) }),
  refresh: (ctx) => json(200, answer(ctx)),
  grantGone: json(400, { error: "invalid_grant" }),
  profile: json(200, {
    sub: SUB,
    xero_userid: "1945a0a6-3fd0-4c2a-9a6b-1f5e4a3b2c1d",
    email: "john.smith@xero.example",
    given_name: "John",
    family_name: "Smith",
  }),
  revocation: { takes: "form", clientAuth: ["basic"], answer: json(200, null) },
  idTokenClaims: { iss: "https://identity.xero.com", sub: SUB, email: "john.smith@xero.example", auth_time: 1700000000 },
  contract: {
    scopes: ["accounting.transactions"],
    grant: ["offline_access", "openid", "email", "accounting.transactions"],
    account: [SUB, "john.smith@xero.example"],
    expiresIn: 1800,
    grantGoneCode: "invalid_grant",
  },
};

function answer(ctx: GrantContext) {
  return {
    access_token: ctx.accessToken,
    expires_in: 1800,
    token_type: "Bearer",
    refresh_token: ctx.refreshToken,
    scope: ctx.scopes.join(" "),
  };
}

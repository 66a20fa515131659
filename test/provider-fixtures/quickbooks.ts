// QuickBooks Online (Intuit), https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/oauth-2.0:
// HTTP Basic client authentication, an ID token with openid, a refresh token that changes ("always use the
// latest"), revocation with {"token": …} as JSON; the OpenID Connect userinfo names the user.
import { json, type GrantContext, type ProviderFixture } from "./types";

const SUB = "1182d6ec-2a1f-4f09-b33b-b4a1b4a5c3d1";

export const quickbooks: ProviderFixture = {
  provider: "quickbooks",
  docs: [
    "https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/oauth-2.0",
    "https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/openid-connect",
  ],
  clientAuth: ["basic"],
  rotates: true,
  endpoints: {
    authorize: "appcenter.intuit.com/connect/oauth2",
    token: "oauth.platform.intuit.com/oauth2/v1/tokens/bearer",
    profile: "accounts.platform.intuit.com/v1/openid_connect/userinfo",
    revoke: "developer.api.intuit.com/v2/oauth2/tokens/revoke",
  },
  tokens: (n) => ({
    access: `eyJlbmMiOiJBMTI4Q0JDLUhTMjU2IiwiYWxnIjoiZGlyIn0..qbo${n}`,
    refresh: `AB11645231847HGVavU3KxYMqS9y9MZ3dxJDJiiLv7nzQ1Iqe${n}`,
  }),
  codeExchange: async (ctx) => json(200, { ...answer(ctx), id_token: await ctx.idToken(ctx.nonce ? { nonce: ctx.nonce } : {}) }),
  refresh: (ctx) => json(200, answer(ctx)),
  grantGone: json(400, { error: "invalid_grant" }),
  profile: json(200, { sub: SUB, email: "owner@craigs-design.example", emailVerified: true, givenName: "Craig", familyName: "Designer" }),
  revocation: { takes: "json", clientAuth: ["basic"], answer: json(200, {}) },
  idTokenClaims: { iss: "https://oauth.platform.intuit.com/op/v1", sub: SUB, realmid: "9130350012345678", auth_time: 1700000000 },
  contract: {
    scopes: ["com.intuit.quickbooks.accounting", "openid", "email"],
    grant: ["com.intuit.quickbooks.accounting", "openid", "email"],
    account: [SUB, "owner@craigs-design.example"],
    expiresIn: 3600,
    grantGoneCode: "invalid_grant",
  },
};

function answer(ctx: GrantContext) {
  return {
    token_type: "bearer",
    expires_in: 3600,
    refresh_token: ctx.refreshToken,
    x_refresh_token_expires_in: 8726400,
    access_token: ctx.accessToken,
  };
}

// LinkedIn, https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow and
// …/programmatic-refresh-tokens, Sign In with LinkedIn (OpenID Connect): no PKCE for web apps, scopes
// answered comma-separated, an ID token without a nonce, the same refresh token on refresh.
import { json, type GrantContext, type ProviderFixture } from "./types";

export const linkedin: ProviderFixture = {
  provider: "linkedin",
  docs: [
    "https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow",
    "https://learn.microsoft.com/en-us/linkedin/shared/authentication/programmatic-refresh-tokens",
    "https://learn.microsoft.com/en-us/linkedin/consumer/integrations/self-serve/sign-in-with-linkedin-v2",
  ],
  clientAuth: ["post"],
  rotates: false,
  pkce: "absent",
  endpoints: {
    authorize: "www.linkedin.com/oauth/v2/authorization",
    token: "www.linkedin.com/oauth/v2/accessToken",
    profile: "api.linkedin.com/v2/userinfo",
    revoke: "www.linkedin.com/oauth/v2/revoke",
  },
  tokens: (n) => ({ access: `AQUvlL_DYEzvT2wz1QJiEPeLioeA${n}`, refresh: `AQWAft_WjYZKwuWXLC5hQlghgTam-tuT8CvFej9-XxGyqeER_7jTr8Hmj${n}` }),
  codeExchange: async (ctx) => json(200, { ...answer(ctx, ctx.refreshToken), id_token: await ctx.idToken() }),
  refresh: (ctx) => json(200, answer(ctx, ctx.spentRefreshToken ?? ctx.refreshToken)),
  grantGone: json(400, {
    error: "invalid_grant",
    error_description: "The provided authorization grant or refresh token is invalid, expired or revoked",
  }),
  profile: json(200, {
    sub: "782bbtaQ",
    name: "John Doe",
    given_name: "John",
    family_name: "Doe",
    locale: "en-US",
    email: "doe@email.com",
    email_verified: true,
  }),
  revocation: { takes: "form", clientAuth: ["post"], answer: json(200, null) },
  idTokenClaims: {
    iss: "https://www.linkedin.com/oauth",
    sub: "782bbtaQ",
    name: "John Doe",
    email: "doe@email.com",
    email_verified: "true",
  },
  contract: {
    scopes: ["openid", "profile", "email"],
    grant: ["email", "openid", "profile"],
    account: ["782bbtaQ", "doe@email.com"],
    expiresIn: 5184000,
    grantGoneCode: "invalid_grant",
  },
};

function answer(ctx: GrantContext, refreshToken: string) {
  return {
    access_token: ctx.accessToken,
    expires_in: 5184000,
    refresh_token: refreshToken,
    refresh_token_expires_in: 525600,
    scope: [...ctx.scopes].sort().join(","),
    token_type: "Bearer",
  };
}

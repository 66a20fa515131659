// Google, https://developers.google.com/identity/protocols/oauth2/web-server and …/openid-connect: an ID
// token with the nonce, the OpenID Connect scopes answered as their URLs, refresh answers without a
// refresh token (it stays valid), revocation by POST /revoke?token=….
import { json, type ProviderFixture } from "./types";

const EMAIL_URL = "https://www.googleapis.com/auth/userinfo.email";
const answered = (scopes: string[]) => scopes.map((s) => (s === "email" ? EMAIL_URL : s)).join(" ");

export const google: ProviderFixture = {
  provider: "google",
  docs: [
    "https://developers.google.com/identity/protocols/oauth2/web-server",
    "https://developers.google.com/identity/openid-connect/openid-connect",
  ],
  clientAuth: ["post", "basic"],
  rotates: false,
  endpoints: {
    authorize: "accounts.google.com/o/oauth2/v2/auth",
    token: "oauth2.googleapis.com/token",
    profile: "openidconnect.googleapis.com/v1/userinfo",
    revoke: "oauth2.googleapis.com/revoke",
  },
  tokens: (n) => ({ access: `ya29.a0AfH6SMBx${n}`, refresh: `1//04dK3nJ9-${n}` }),
  codeExchange: async (ctx) =>
    json(200, {
      access_token: ctx.accessToken,
      expires_in: 3599,
      refresh_token: ctx.refreshToken,
      scope: answered(ctx.scopes),
      token_type: "Bearer",
      id_token: await ctx.idToken(ctx.nonce ? { nonce: ctx.nonce } : {}),
    }),
  refresh: (ctx) => json(200, { access_token: ctx.accessToken, expires_in: 3599, scope: answered(ctx.scopes), token_type: "Bearer" }),
  grantGone: json(400, { error: "invalid_grant", error_description: "Token has been expired or revoked." }),
  profile: json(200, { sub: "110169484474386276334", email: "jane.doe@gmail.example", email_verified: true, name: "Jane Doe" }),
  revocation: { takes: "form", clientAuth: "none", answer: json(200, {}) },
  idTokenClaims: {
    iss: "https://accounts.google.com",
    azp: "client-google",
    sub: "110169484474386276334",
    email: "jane.doe@gmail.example",
    email_verified: true,
  },
  contract: {
    scopes: ["https://www.googleapis.com/auth/calendar.readonly"],
    grant: ["openid", "email", "https://www.googleapis.com/auth/calendar.readonly"],
    account: ["110169484474386276334", "jane.doe@gmail.example"],
    expiresIn: 3599,
    grantGoneCode: "invalid_grant",
  },
};

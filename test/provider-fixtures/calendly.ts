// Calendly, https://developer.calendly.com/api-docs/calendly-o-auth/o-auth/post-oauth-refresh-token (HTTP
// Basic), …/refresh-token-rotation-guide (single-use refresh tokens), …/post-oauth-revoke (client_id,
// client_secret and token as form parameters); GET /users/me.
import { json, type GrantContext, type ProviderFixture } from "./types";

const USER = "https://api.calendly.com/users/EBHAAFHDCAEQTSEZ";

export const calendly: ProviderFixture = {
  provider: "calendly",
  docs: [
    "https://developer.calendly.com/api-docs/calendly-o-auth/o-auth/post-oauth-refresh-token",
    "https://developer.calendly.com/docs/authentication/refresh-token-rotation-guide",
    "https://developer.calendly.com/api-docs/calendly-o-auth/o-auth/post-oauth-revoke",
  ],
  clientAuth: ["basic"],
  rotates: true,
  endpoints: {
    authorize: "auth.calendly.com/oauth/authorize",
    token: "auth.calendly.com/oauth/token",
    profile: "api.calendly.com/users/me",
    revoke: "auth.calendly.com/oauth/revoke",
  },
  tokens: (n) => ({
    access: `eyJraWQiOiIxY2UxZTEzNjE3ZGNmNzY2YjNjZWJjY2Y4ZGM1YmFmYThhNjVlNjg0MDIzZjdjMzJiZTgzNDliMjM4MDEzNWI0${n}`,
    refresh: `b77a76ffce83d3bc20531ddfa76704e584f0ee963f6041b8bcc6c80e0b5e4a${n}`,
  }),
  codeExchange: (ctx) => json(200, answer(ctx)),
  refresh: (ctx) => json(200, answer(ctx)),
  grantGone: json(400, {
    error: "invalid_grant",
    error_description:
      "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.",
  }),
  profile: json(200, {
    resource: { uri: USER, name: "John Doe", slug: "acmesales", email: "test@example.com", timezone: "America/New_York" },
  }),
  revocation: { takes: "form", clientAuth: ["post"], answer: json(200, null) },
  contract: {
    scopes: ["users:read"],
    grant: ["users:read"],
    account: [USER, "test@example.com"],
    expiresIn: 7200,
    grantGoneCode: "invalid_grant",
  },
};

function answer(ctx: GrantContext) {
  return {
    token_type: "Bearer",
    access_token: ctx.accessToken,
    refresh_token: ctx.refreshToken,
    scope: ctx.scopes.join(" "),
    created_at: 1548689183,
    expires_in: 7200,
    owner: USER,
    organization: "https://api.calendly.com/organizations/EBHAAFHDCAEQTSEZ",
  };
}

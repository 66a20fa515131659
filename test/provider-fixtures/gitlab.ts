// GitLab, https://docs.gitlab.com/api/oauth2/: a new refresh token on every refresh (the old one revoked),
// RFC 7009 revocation at /oauth/revoke with the client credentials as form parameters; GET /api/v4/user.
import { json, type GrantContext, type ProviderFixture } from "./types";

export const gitlab: ProviderFixture = {
  provider: "gitlab",
  docs: ["https://docs.gitlab.com/api/oauth2/", "https://docs.gitlab.com/api/users/#get-the-current-user"],
  clientAuth: ["post", "basic"],
  rotates: true,
  endpoints: {
    authorize: "gitlab.com/oauth/authorize",
    token: "gitlab.com/oauth/token",
    profile: "gitlab.com/api/v4/user",
    revoke: "gitlab.com/oauth/revoke",
  },
  tokens: (n) => ({
    access: `de6780bc506a0446309bd9362820ba8aed28aa506c71eedbe1c5c4f9dd350e5${n}`,
    refresh: `8257e65c97202ed1726cf9571600918f3bffb2544b26e00a61df9897668c33a${n}`,
  }),
  codeExchange: (ctx) => json(200, answer(ctx)),
  refresh: (ctx) => json(200, answer(ctx)),
  grantGone: json(400, {
    error: "invalid_grant",
    error_description:
      "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.",
  }),
  profile: json(200, { id: 1, username: "john_smith", name: "John Smith", email: "john@example.com", state: "active" }),
  revocation: { takes: "form", clientAuth: ["post", "basic"], answer: json(200, {}) },
  contract: {
    scopes: ["read_user", "api"],
    grant: ["read_user", "api"],
    account: ["1", "john_smith"],
    expiresIn: 7200,
    grantGoneCode: "invalid_grant",
  },
};

function answer(ctx: GrantContext) {
  return {
    access_token: ctx.accessToken,
    token_type: "Bearer",
    expires_in: 7200,
    refresh_token: ctx.refreshToken,
    scope: ctx.scopes.join(" "),
    created_at: 1607635748,
  };
}

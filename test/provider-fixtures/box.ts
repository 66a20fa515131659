// Box, https://developer.box.com/reference/post-oauth2-token/ (single-use refresh tokens),
// …/post-oauth2-revoke/ (client_id, client_secret and token as form parameters), …/get-users-me/.
import { json, type GrantContext, type ProviderFixture } from "./types";

export const box: ProviderFixture = {
  provider: "box",
  docs: ["https://developer.box.com/reference/post-oauth2-token/", "https://developer.box.com/reference/post-oauth2-revoke/"],
  clientAuth: ["post"],
  rotates: true,
  endpoints: {
    authorize: "account.box.com/api/oauth2/authorize",
    token: "api.box.com/oauth2/token",
    profile: "api.box.com/2.0/users/me",
    revoke: "api.box.com/oauth2/revoke",
  },
  tokens: (n) => ({
    access: `c3FIOG9vSGV4VHo4QzAyg5T1JvNnJoZ3ExaVNyQWw6WjRsanRKZG5lQk9qUE1BVQ${n}`,
    refresh: `c3FIOG9vSGV4VHo4QzAyg5T1JvNnJoZ3ExaVNyQWw6WjRsanRKZG5lQk9qUE1BVQr${n}`,
  }),
  codeExchange: (ctx) => json(200, answer(ctx)),
  refresh: (ctx) => json(200, answer(ctx)),
  grantGone: json(400, { error: "invalid_grant", error_description: "Refresh token has expired" }),
  profile: json(200, { type: "user", id: "11446498", name: "Aaron Levie", login: "ceo@example.com", status: "active" }),
  revocation: { takes: "form", clientAuth: ["post"], answer: json(200, null) },
  contract: {
    scopes: ["root_readonly"],
    grant: ["root_readonly"],
    account: ["11446498", "ceo@example.com"],
    expiresIn: 3600,
    grantGoneCode: "invalid_grant",
  },
};

function answer(ctx: GrantContext) {
  return {
    access_token: ctx.accessToken,
    expires_in: 3600,
    issued_token_type: "urn:ietf:params:oauth:token-type:access_token",
    refresh_token: ctx.refreshToken,
    restricted_to: [],
    token_type: "bearer",
  };
}

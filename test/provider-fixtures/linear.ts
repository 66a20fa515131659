// Linear, https://linear.app/developers/oauth-2-0-authentication: scopes asked for comma-separated and
// answered space-separated, 24-hour access tokens with rotating refresh tokens, revocation with the
// access token as bearer; the account is the GraphQL API's `viewer`.
import { json, type GrantContext, type ProviderFixture } from "./types";

const VIEWER = "2f8b9d3e-6a1c-4f7e-8b2d-5c9e0a1b3d4f";

export const linear: ProviderFixture = {
  provider: "linear",
  docs: ["https://linear.app/developers/oauth-2-0-authentication", "https://linear.app/developers/graphql"],
  clientAuth: ["post"],
  rotates: true,
  endpoints: {
    authorize: "linear.app/oauth/authorize",
    token: "api.linear.app/oauth/token",
    profile: "api.linear.app/graphql",
    revoke: "api.linear.app/oauth/revoke",
  },
  scopeSeparator: ",",
  tokens: (n) => ({
    access: `lin_oauth_00a21d8b0c4e2375114e49c067dfb81eb0d2076f48354714cd5df984d87b${n}`,
    refresh: `lin_refresh_9a5190f637d8b1ad0ca92ab3ec4c0d03${n}`,
  }),
  codeExchange: (ctx) => json(200, answer(ctx)),
  refresh: (ctx) => json(200, answer(ctx)),
  grantGone: json(400, { error: "invalid_grant", error_description: "Token has been expired or revoked." }),
  profile: json(200, { data: { viewer: { id: VIEWER, name: "Jane Doe", email: "jane@linear.example" } } }),
  profileRequest: { method: "POST" },
  revocation: { takes: "bearer", clientAuth: "none", answer: json(200, {}) },
  contract: {
    scopes: ["read", "write"],
    grant: ["read", "write"],
    account: [VIEWER, "jane@linear.example"],
    expiresIn: 86399,
    grantGoneCode: "invalid_grant",
  },
};

function answer(ctx: GrantContext) {
  return {
    access_token: ctx.accessToken,
    token_type: "Bearer",
    expires_in: 86399,
    scope: ctx.scopes.join(" "),
    refresh_token: ctx.refreshToken,
  };
}

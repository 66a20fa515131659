// Bitbucket Cloud, https://developer.atlassian.com/cloud/bitbucket/oauth-2/: HTTP Basic client
// authentication; the answer lists `scopes` (not `scope`); a refresh answers the same refresh token.
import { json, type GrantContext, type ProviderFixture } from "./types";

const UUID = "{d301aafa-d676-4ee0-88be-962be7417567}";

export const bitbucket: ProviderFixture = {
  provider: "bitbucket",
  docs: [
    "https://developer.atlassian.com/cloud/bitbucket/oauth-2/",
    "https://developer.atlassian.com/cloud/bitbucket/rest/api-group-users/#api-user-get",
  ],
  clientAuth: ["basic"],
  rotates: false,
  endpoints: {
    authorize: "bitbucket.org/site/oauth2/authorize",
    token: "bitbucket.org/site/oauth2/access_token",
    profile: "api.bitbucket.org/2.0/user",
  },
  tokens: (n) => ({ access: `nYx9ZHVpOf6B0D4xHNSQb9T-eRjqy6TuLTZrOiKxZ3ZR8y6kXw${n}`, refresh: `Xm8vh7KpKyMLq7R2Tq${n}` }),
  codeExchange: (ctx) => json(200, answer(ctx, ctx.refreshToken)),
  refresh: (ctx) => json(200, answer(ctx, ctx.spentRefreshToken ?? ctx.refreshToken)),
  grantGone: json(400, { error_description: "Invalid refresh_token", error: "invalid_grant" }),
  profile: json(200, {
    uuid: UUID,
    account_id: "557058:c0b4e8f8-0c7e-4d5e-8f2a-1b3c5d7e9f01",
    display_name: "Sean Conaty",
    nickname: "sconaty",
    type: "user",
  }),
  contract: {
    scopes: ["account", "repository"],
    grant: ["account", "repository"],
    account: [UUID, "Sean Conaty"],
    expiresIn: 7200,
    grantGoneCode: "invalid_grant",
  },
};

function answer(ctx: GrantContext, refreshToken: string) {
  return {
    access_token: ctx.accessToken,
    scopes: ctx.scopes.join(" "),
    expires_in: 7200,
    refresh_token: refreshToken,
    token_type: "bearer",
    state: "authorization_code",
  };
}

// GitHub, https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps and
// …/refreshing-user-access-tokens: comma-separated scopes, errors with HTTP 200, expiring user tokens;
// https://docs.github.com/en/rest/apps/oauth-applications#delete-an-app-authorization.
import { json, type GrantContext, type ProviderFixture } from "./types";

export const github: ProviderFixture = {
  provider: "github",
  docs: [
    "https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps",
    "https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens",
    "https://docs.github.com/en/rest/apps/oauth-applications#delete-an-app-authorization",
  ],
  clientAuth: ["post"],
  rotates: true,
  endpoints: {
    authorize: "github.com/login/oauth/authorize",
    token: "github.com/login/oauth/access_token",
    profile: "api.github.com/user",
    revoke: "api.github.com/applications/{client_id}/grant",
  },
  tokens: (n) => ({ access: `ghu_16C7e42F292c6912E7710c838347Ae178B4a${n}`, refresh: `ghr_1B4a2e77838347a7E420ce178F2E7c6912E1${n}` }),
  codeExchange: (ctx) => json(200, githubAnswer(ctx)),
  refresh: (ctx) => json(200, githubAnswer(ctx)),
  invalidCode: json(200, {
    error: "bad_verification_code",
    error_description: "The code passed is incorrect or expired.",
    error_uri:
      "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code",
  }),
  grantGone: json(200, {
    error: "bad_refresh_token",
    error_description: "The refresh token passed is incorrect or expired.",
    error_uri: "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors",
  }),
  profile: json(200, { login: "octocat", id: 583231, node_id: "MDQ6VXNlcjU4MzIzMQ==", type: "User", site_admin: false }),
  revocation: { method: "DELETE", takes: "json", tokenField: "access_token", clientAuth: ["basic"], answer: json(204, null) },
  formEncodedUnlessJson: true,
  contract: {
    scopes: ["repo", "user:email"],
    grant: ["repo", "user:email"],
    account: ["583231", "octocat"],
    expiresIn: 28800,
    grantGoneCode: "bad_refresh_token",
  },
};

function githubAnswer(ctx: GrantContext) {
  return {
    access_token: ctx.accessToken,
    expires_in: 28800,
    refresh_token: ctx.refreshToken,
    refresh_token_expires_in: 15811200,
    scope: ctx.scopes.join(","),
    token_type: "bearer",
  };
}

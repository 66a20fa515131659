// Atlassian OAuth 2.0 (3LO), https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/: rotating
// refresh tokens; an unknown or rotated-away refresh token is a 403 invalid_grant.
import { json, type GrantContext, type ProviderFixture } from "./types";

export const atlassian: ProviderFixture = {
  provider: "atlassian",
  docs: ["https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/"],
  clientAuth: ["post"],
  rotates: true,
  endpoints: { authorize: "auth.atlassian.com/authorize", token: "auth.atlassian.com/oauth/token", profile: "api.atlassian.com/me" },
  tokens: (n) => ({ access: `eyJraWQiOiJhdXRoLmF0bGFzc2lhbi5jb20.${n}`, refresh: `v1.MRjDqbaTh6hAbYQN-${n}` }),
  codeExchange: (ctx) => json(200, answer(ctx)),
  refresh: (ctx) => json(200, answer(ctx)),
  grantGone: json(403, { error: "invalid_grant", error_description: "Unknown or invalid refresh token." }),
  profile: json(200, {
    account_type: "atlassian",
    account_id: "5b10a2844c20165700ede21g",
    email: "mia@example.com",
    name: "Mia Krystof",
    account_status: "active",
  }),
  contract: {
    scopes: ["read:jira-work", "read:me"],
    grant: ["offline_access", "read:jira-work", "read:me"],
    account: ["5b10a2844c20165700ede21g", "mia@example.com"],
    expiresIn: 3600,
    grantGoneCode: "invalid_grant",
  },
};

function answer(ctx: GrantContext) {
  return {
    access_token: ctx.accessToken,
    expires_in: 3600,
    token_type: "Bearer",
    refresh_token: ctx.refreshToken,
    scope: ctx.scopes.join(" "),
  };
}

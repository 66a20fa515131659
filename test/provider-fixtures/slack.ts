// Slack, https://api.slack.com/methods/oauth.v2.access with token rotation on; https://api.slack.com/methods/auth.revoke.
import { json, type GrantContext, type ProviderFixture } from "./types";

export const slack: ProviderFixture = {
  provider: "slack",
  docs: [
    "https://api.slack.com/methods/oauth.v2.access",
    "https://api.slack.com/authentication/rotation",
    "https://api.slack.com/methods/auth.revoke",
  ],
  clientAuth: ["basic", "post"],
  rotates: true,
  endpoints: { authorize: "slack.com/oauth/v2/authorize", token: "slack.com/api/oauth.v2.access", revoke: "slack.com/api/auth.revoke" },
  scopeSeparator: ",",
  tokens: (n) => ({ access: `xoxe.xoxb-1-${n}`, refresh: `xoxe-1-${n}` }),
  codeExchange: (ctx) => json(200, slackAnswer(ctx)),
  refresh: (ctx) => json(200, slackAnswer(ctx)),
  invalidCode: json(200, { ok: false, error: "invalid_code" }),
  grantGone: json(200, { ok: false, error: "invalid_refresh_token" }),
  revocation: { takes: "bearer", clientAuth: "none", answer: json(200, { ok: true, revoked: true }) },
  contract: {
    scopes: ["chat:write", "channels:read"],
    grant: ["chat:write", "channels:read"],
    account: ["T9TK3CUKW", "Slack Softball Team"],
    expiresIn: 43200,
    grantGoneCode: "invalid_refresh_token",
  },
};

function slackAnswer(ctx: GrantContext) {
  return {
    ok: true,
    app_id: "A0KRD7HC3",
    authed_user: { id: "U1234" },
    scope: ctx.scopes.join(","),
    token_type: "bot",
    access_token: ctx.accessToken,
    bot_user_id: "U0KRQLJ9H",
    team: { id: "T9TK3CUKW", name: "Slack Softball Team" },
    enterprise: null,
    is_enterprise_install: false,
    expires_in: 43200,
    refresh_token: ctx.refreshToken,
  };
}

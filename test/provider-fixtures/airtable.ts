// Airtable, https://airtable.com/developers/web/api/oauth-reference: PKCE required, HTTP Basic client
// authentication, single-use refresh tokens; GET /v0/meta/whoami.
import { json, type GrantContext, type ProviderFixture } from "./types";

export const airtable: ProviderFixture = {
  provider: "airtable",
  docs: ["https://airtable.com/developers/web/api/oauth-reference", "https://airtable.com/developers/web/api/get-user-id-scopes"],
  clientAuth: ["basic"],
  rotates: true,
  endpoints: {
    authorize: "airtable.com/oauth2/v1/authorize",
    token: "airtable.com/oauth2/v1/token",
    profile: "api.airtable.com/v0/meta/whoami",
  },
  tokens: (n) => ({
    access: `oaa8KgK5dqJjJ0lY4.v1.eyJ1c2VySWQiOiJ1c3JMMlBO${n}`,
    refresh: `oaa8KgK5dqJjJ0lY4.v1.refresh.eyJ1c2VySWQi${n}`,
  }),
  codeExchange: (ctx) => json(200, answer(ctx)),
  refresh: (ctx) => json(200, answer(ctx)),
  grantGone: json(400, { error: "invalid_grant", error_description: "The refresh token has expired or has been used already." }),
  profile: json(200, { id: "usrL2PNC5o3H4lBEi", email: "foo@bar.com", scopes: ["data.records:read", "schema.bases:read"] }),
  contract: {
    scopes: ["data.records:read", "schema.bases:read"],
    grant: ["data.records:read", "schema.bases:read"],
    account: ["usrL2PNC5o3H4lBEi", "foo@bar.com"],
    expiresIn: 3600,
    grantGoneCode: "invalid_grant",
  },
};

function answer(ctx: GrantContext) {
  return {
    access_token: ctx.accessToken,
    refresh_token: ctx.refreshToken,
    token_type: "Bearer",
    scope: ctx.scopes.join(" "),
    expires_in: 3600,
    refresh_expires_in: 5184000,
  };
}

// Salesforce, https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm and
// …refresh_token_flow: no expires_in, the refresh token kept (rotation off, the connected app's default),
// the identity in userinfo; revocation by POST /services/oauth2/revoke with token=….
import { json, type GrantContext, type ProviderFixture } from "./types";

const ORG = "00Dxx0000001gPLEAY";
const USER = "005xx000001Sv6AAAS";

export const salesforce: ProviderFixture = {
  provider: "salesforce",
  docs: [
    "https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm",
    "https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_refresh_token_flow.htm",
    "https://help.salesforce.com/s/articleView?id=sf.remoteaccess_revoke_token.htm",
  ],
  clientAuth: ["post"],
  rotates: false,
  endpoints: {
    authorize: "login.salesforce.com/services/oauth2/authorize",
    token: "login.salesforce.com/services/oauth2/token",
    profile: "login.salesforce.com/services/oauth2/userinfo",
    revoke: "login.salesforce.com/services/oauth2/revoke",
  },
  tokens: (n) => ({ access: `${ORG}!AR8AQP0jITN80ESEsj5EbaZTFG0R${n}`, refresh: `5Aep861TSESvWeug_xvFHRBTTbf_YrTWgEyjBJ${n}` }),
  codeExchange: (ctx) => json(200, { ...answer(ctx), refresh_token: ctx.refreshToken }),
  refresh: (ctx) => json(200, answer(ctx)),
  grantGone: json(400, { error: "invalid_grant", error_description: "expired access/refresh token" }),
  profile: json(200, {
    sub: `https://login.salesforce.com/id/${ORG}/${USER}`,
    user_id: USER,
    organization_id: ORG,
    preferred_username: "admin@acme.example",
    nickname: "admin",
    name: "Avery Admin",
    email: "admin@acme.example",
  }),
  revocation: { takes: "form", clientAuth: "none", answer: json(200, null) },
  contract: {
    scopes: ["api"],
    grant: ["refresh_token", "api"],
    account: [USER, "admin@acme.example"],
    expiresIn: 900,
    grantGoneCode: "invalid_grant",
  },
};

function answer(ctx: GrantContext) {
  return {
    access_token: ctx.accessToken,
    signature: "uOJy3nZC2UjRPAHoeW0bq5yYpPrQAyUZ5Ey5sH8NtJs=",
    scope: ctx.scopes.join(" "),
    instance_url: "https://acme.my.salesforce.com",
    id: `https://login.salesforce.com/id/${ORG}/${USER}`,
    token_type: "Bearer",
    issued_at: "1278448832702",
  };
}

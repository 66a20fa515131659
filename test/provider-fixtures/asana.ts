// Asana, https://developers.asana.com/docs/oauth: the user in the token answer's `data`, refresh answers
// without a refresh token (it stays valid), RFC 7009-style revocation at /-/oauth_revoke.
import { json, type GrantContext, type ProviderFixture } from "./types";

const data = { id: 4673218951, gid: "4673218951", name: "Greg Sanchez", email: "gsanchez@example.com" };

export const asana: ProviderFixture = {
  provider: "asana",
  docs: ["https://developers.asana.com/docs/oauth"],
  clientAuth: ["post"],
  rotates: false,
  endpoints: { authorize: "app.asana.com/-/oauth_authorize", token: "app.asana.com/-/oauth_token", revoke: "app.asana.com/-/oauth_revoke" },
  tokens: (n) => ({ access: `2/1204/1208:f6ds7fdsa69ags7ag9sd5a${n}`, refresh: `2/1204/1208:hjkl325hjkl4325hj4kl32fjds${n}` }),
  codeExchange: (ctx) => json(200, { ...answer(ctx), refresh_token: ctx.refreshToken }),
  refresh: (ctx) => json(200, answer(ctx)),
  grantGone: json(400, { error: "invalid_grant", error_description: "The refresh token is invalid or has been revoked." }),
  revocation: { takes: "form", clientAuth: ["post"], answer: json(200, null) },
  contract: {
    scopes: ["users:read", "tasks:read"],
    grant: ["users:read", "tasks:read"],
    account: ["4673218951", "gsanchez@example.com"],
    expiresIn: 3600,
    grantGoneCode: "invalid_grant",
  },
};

function answer(ctx: GrantContext) {
  return { access_token: ctx.accessToken, expires_in: 3600, token_type: "bearer", data };
}

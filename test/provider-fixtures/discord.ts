// Discord, https://discord.com/developers/docs/topics/oauth2: HTTP Basic client authentication, a new
// refresh token on every refresh, RFC 7009 revocation at /oauth2/token/revoke; GET /users/@me.
import { json, type GrantContext, type ProviderFixture } from "./types";

export const discord: ProviderFixture = {
  provider: "discord",
  docs: ["https://discord.com/developers/docs/topics/oauth2", "https://discord.com/developers/docs/resources/user#get-current-user"],
  clientAuth: ["basic", "post"],
  rotates: true,
  endpoints: {
    authorize: "discord.com/oauth2/authorize",
    token: "discord.com/api/oauth2/token",
    profile: "discord.com/api/users/@me",
    revoke: "discord.com/api/oauth2/token/revoke",
  },
  tokens: (n) => ({ access: `6qrZcUqja7812RVdnEKjpzOL4CvHBF${n}`, refresh: `D43f5y0ahjqew82jZ4NViEr2YafMKh${n}` }),
  codeExchange: (ctx) => json(200, answer(ctx)),
  refresh: (ctx) => json(200, answer(ctx)),
  grantGone: json(400, { error: "invalid_grant" }),
  profile: json(200, {
    id: "80351110224678912",
    username: "nelly",
    discriminator: "0",
    global_name: "Nelly",
    email: "nelly@discord.example",
    verified: true,
  }),
  revocation: { takes: "form", clientAuth: ["basic", "post"], answer: json(200, {}) },
  contract: {
    scopes: ["identify", "email"],
    grant: ["identify", "email"],
    account: ["80351110224678912", "nelly"],
    expiresIn: 604800,
    grantGoneCode: "invalid_grant",
  },
};

function answer(ctx: GrantContext) {
  return {
    access_token: ctx.accessToken,
    token_type: "Bearer",
    expires_in: 604800,
    refresh_token: ctx.refreshToken,
    scope: ctx.scopes.join(" "),
  };
}

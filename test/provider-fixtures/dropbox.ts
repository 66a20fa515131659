// Dropbox, https://developers.dropbox.com/oauth-guide and the HTTP API's oauth2/token, auth/token/revoke and
// users/get_current_account: offline access; a refresh answers no new refresh token.
import { json, type ProviderFixture } from "./types";

const ACCOUNT = "dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc";

export const dropbox: ProviderFixture = {
  provider: "dropbox",
  docs: ["https://developers.dropbox.com/oauth-guide", "https://www.dropbox.com/developers/documentation/http/documentation"],
  clientAuth: ["basic", "post"],
  rotates: false,
  endpoints: {
    authorize: "www.dropbox.com/oauth2/authorize",
    token: "api.dropboxapi.com/oauth2/token",
    profile: "api.dropboxapi.com/2/users/get_current_account",
    revoke: "api.dropboxapi.com/2/auth/token/revoke",
  },
  tokens: (n) => ({
    access: `sl.u.AbX9y6Fe3AuH5o66-gmJpR032jwAwQPIVVzWXZNkdzcYT02akC2de219dZi6gxYPVnYPrpvIS${n}`,
    refresh: `nBiM85CZALsAAAAAAAAAAQXHBoNpNutK4ngsXHsqW4i${n}`,
  }),
  codeExchange: (ctx) =>
    json(200, {
      access_token: ctx.accessToken,
      expires_in: 14400,
      token_type: "bearer",
      scope: ctx.scopes.join(" "),
      refresh_token: ctx.refreshToken,
      account_id: ACCOUNT,
      uid: "12345",
    }),
  refresh: (ctx) => json(200, { access_token: ctx.accessToken, token_type: "bearer", expires_in: 14400 }),
  grantGone: json(400, { error: "invalid_grant", error_description: "refresh token is invalid or revoked" }),
  profile: json(200, {
    account_id: ACCOUNT,
    name: { given_name: "Franz", surname: "Ferdinand", familiar_name: "Franz", display_name: "Franz Ferdinand (Personal)" },
    email: "franz@dropbox.example",
    email_verified: true,
    disabled: false,
  }),
  profileRequest: { method: "POST" },
  revocation: { takes: "bearer", clientAuth: "none", answer: json(200, null) },
  contract: {
    scopes: ["account_info.read", "files.metadata.read"],
    grant: ["account_info.read", "files.metadata.read"],
    account: [ACCOUNT, "franz@dropbox.example"],
    expiresIn: 14400,
    grantGoneCode: "invalid_grant",
  },
};

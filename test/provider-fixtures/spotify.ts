// Spotify, https://developer.spotify.com/documentation/web-api/tutorials/code-flow and …/refreshing-tokens:
// "a new refresh token might be returned too"; this one keeps the old refresh token valid.
import { json, type ProviderFixture } from "./types";

export const spotify: ProviderFixture = {
  provider: "spotify",
  docs: [
    "https://developer.spotify.com/documentation/web-api/tutorials/code-flow",
    "https://developer.spotify.com/documentation/web-api/tutorials/refreshing-tokens",
    "https://developer.spotify.com/documentation/web-api/reference/get-current-users-profile",
  ],
  clientAuth: ["basic"],
  rotates: false,
  endpoints: { authorize: "accounts.spotify.com/authorize", token: "accounts.spotify.com/api/token", profile: "api.spotify.com/v1/me" },
  tokens: (n) => ({ access: `NgCXRKc9ZaXiTTPA${n}`, refresh: `NgAagAHfVxDkSvCUm_SHo${n}` }),
  codeExchange: (ctx) =>
    json(200, {
      access_token: ctx.accessToken,
      token_type: "Bearer",
      scope: ctx.scopes.join(" "),
      expires_in: 3600,
      refresh_token: ctx.refreshToken,
    }),
  refresh: (ctx) => json(200, { access_token: ctx.accessToken, token_type: "Bearer", scope: ctx.scopes.join(" "), expires_in: 3600 }),
  grantGone: json(400, { error: "invalid_grant", error_description: "Invalid refresh token" }),
  profile: json(200, {
    country: "SE",
    display_name: "JM Wizzler",
    email: "email@example.com",
    external_urls: { spotify: "https://open.spotify.com/user/wizzler" },
    href: "https://api.spotify.com/v1/users/wizzler",
    id: "wizzler",
    product: "premium",
    type: "user",
    uri: "spotify:user:wizzler",
  }),
  contract: {
    scopes: ["user-read-private", "user-read-email"],
    grant: ["user-read-private", "user-read-email"],
    account: ["wizzler", "email@example.com"],
    expiresIn: 3600,
    grantGoneCode: "invalid_grant",
  },
};

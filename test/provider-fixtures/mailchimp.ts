// Mailchimp, https://mailchimp.com/developer/marketing/guides/access-user-data-oauth-2/: a token that never
// expires (expires_in 0, scope null), no refresh token; the metadata endpoint takes `Authorization: OAuth …`.
import { json, type ProviderFixture } from "./types";

export const mailchimp: ProviderFixture = {
  provider: "mailchimp",
  docs: ["https://mailchimp.com/developer/marketing/guides/access-user-data-oauth-2/"],
  clientAuth: ["post"],
  rotates: false,
  endpoints: {
    authorize: "login.mailchimp.com/oauth2/authorize",
    token: "login.mailchimp.com/oauth2/token",
    profile: "login.mailchimp.com/oauth2/metadata",
  },
  tokens: (n) => ({ access: `5c6ccc561059aa386da9d112215bae5${n}`, refresh: "" }),
  codeExchange: (ctx) => json(200, { access_token: ctx.accessToken, expires_in: 0, scope: null }),
  profile: json(200, {
    dc: "us1",
    role: "owner",
    accountname: "Freddie's Jokes",
    user_id: 31234567,
    login: { email: "freddie@example.com", avatar: null, login_id: 31234567, login_name: "freddie", login_email: "freddie@example.com" },
    login_url: "https://login.mailchimp.com",
    api_endpoint: "https://us1.api.mailchimp.com",
  }),
  profileRequest: { header: "authorization", prefix: "OAuth " },
  contract: { scopes: [], grant: [], account: ["31234567", "Freddie's Jokes"], expiresIn: null },
};

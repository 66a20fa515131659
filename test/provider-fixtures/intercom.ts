// Intercom, https://developers.intercom.com/docs/build-an-integration/learn-more/authentication/setting-up-oauth:
// no scope parameter, a token that never expires (`token` and `access_token`), no refresh token;
// POST /auth/uninstall with the token revokes it; GET /me.
import { json, type ProviderFixture } from "./types";

export const intercom: ProviderFixture = {
  provider: "intercom",
  docs: [
    "https://developers.intercom.com/docs/build-an-integration/learn-more/authentication/setting-up-oauth",
    "https://developers.intercom.com/docs/references/rest-api/api.intercom.io/admins/identifyadmin",
  ],
  clientAuth: ["post"],
  rotates: false,
  endpoints: {
    authorize: "app.intercom.com/oauth",
    token: "api.intercom.io/auth/eagle/token",
    profile: "api.intercom.io/me",
    revoke: "api.intercom.io/auth/uninstall",
  },
  tokens: (n) => ({ access: `dG9rOmNkYTBmNjhmXzFkOTlfNDAzYV9hYWE3XzU2ZDJiYjI4OGQyZjoxOjA${n}`, refresh: "" }),
  codeExchange: (ctx) => json(200, { token_type: "Bearer", token: ctx.accessToken, access_token: ctx.accessToken }),
  profile: json(200, {
    type: "admin",
    id: "991267407",
    email: "admin@intercom.example",
    name: "Ciaran Lee",
    app: { type: "app", id_code: "this_is_an_id", name: "MyApp" },
  }),
  revocation: { takes: "bearer", clientAuth: "none", answer: json(200, {}) },
  contract: { scopes: [], grant: [], account: ["991267407", "admin@intercom.example"], expiresIn: null },
};

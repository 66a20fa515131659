// DocuSign, https://developers.docusign.com/platform/auth/reference/obtain-access-token/ (HTTP Basic,
// eight-hour access tokens, a new refresh token with each refresh) and …/user-info/.
import { json, type GrantContext, type ProviderFixture } from "./types";

const SUB = "4799e5e9-1559-4915-9862-cf4713bbcacc";

export const docusign: ProviderFixture = {
  provider: "docusign",
  docs: [
    "https://developers.docusign.com/platform/auth/reference/obtain-access-token/",
    "https://developers.docusign.com/platform/auth/reference/user-info/",
  ],
  clientAuth: ["basic"],
  rotates: true,
  endpoints: {
    authorize: "account.docusign.com/oauth/auth",
    token: "account.docusign.com/oauth/token",
    profile: "account.docusign.com/oauth/userinfo",
  },
  tokens: (n) => ({
    access: `eyJ0eXAiOiJNVCIsImFsZyI6IlJTMjU2Iiwia2lkIjoiNjgxODVmZjEtNGU1MS00Y2U5LWFmMWMtNjg5ODEyMjAzMzE3In0.ds${n}`,
    refresh: `eyJ0eXAiOiJNVCIsImFsZyI6IlJTMjU2In0.rt${n}`,
  }),
  codeExchange: (ctx) => json(200, answer(ctx)),
  refresh: (ctx) => json(200, answer(ctx)),
  grantGone: json(400, { error: "invalid_grant" }),
  profile: json(200, {
    sub: SUB,
    name: "Susan Smart",
    given_name: "Susan",
    family_name: "Smart",
    email: "susan.smart@example.com",
    accounts: [
      {
        account_id: "18b4799a-b53a-4475-ae3e-9f7f4e1f7f1a",
        is_default: true,
        account_name: "Susan Smart",
        base_uri: "https://demo.docusign.net",
      },
    ],
  }),
  contract: {
    scopes: ["signature", "extended"],
    grant: ["signature", "extended"],
    account: [SUB, "susan.smart@example.com"],
    expiresIn: 28800,
    grantGoneCode: "invalid_grant",
  },
};

function answer(ctx: GrantContext) {
  return { access_token: ctx.accessToken, token_type: "Bearer", refresh_token: ctx.refreshToken, expires_in: 28800 };
}

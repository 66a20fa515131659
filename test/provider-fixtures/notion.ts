// Notion, https://developers.notion.com/reference/create-a-token, …/refresh-a-token, …/revoke-token: HTTP
// Basic client authentication, no scopes, the workspace in the answer, a new refresh token on every refresh.
import { json, type GrantContext, type ProviderFixture } from "./types";

const WORKSPACE = "6c2e9a44-2d36-4b1c-9a9f-0c1b2a3d4e5f";

export const notion: ProviderFixture = {
  provider: "notion",
  docs: [
    "https://developers.notion.com/reference/create-a-token",
    "https://developers.notion.com/reference/refresh-a-token",
    "https://developers.notion.com/reference/revoke-token",
  ],
  clientAuth: ["basic"],
  rotates: true,
  endpoints: {
    authorize: "api.notion.com/v1/oauth/authorize",
    token: "api.notion.com/v1/oauth/token",
    revoke: "api.notion.com/v1/oauth/revoke",
  },
  tokens: (n) => ({ access: `ntn_43891023829abcdefghijkl${n}`, refresh: `nrt_8c1f2e3d4b5a6978${n}` }),
  codeExchange: (ctx) => json(200, answer(ctx)),
  refresh: (ctx) => json(200, answer(ctx)),
  grantGone: json(400, { error: "invalid_grant", error_description: "Token has been expired or revoked." }),
  revocation: { takes: "json", clientAuth: ["basic"], answer: json(200, {}) },
  contract: { scopes: [], grant: [], account: [WORKSPACE, "Acme Docs"], expiresIn: null, grantGoneCode: "invalid_grant" },
};

function answer(ctx: GrantContext) {
  return {
    access_token: ctx.accessToken,
    token_type: "bearer",
    refresh_token: ctx.refreshToken,
    bot_id: "b3414d65-1224-5ty7-6ffr-cc9d82f2e6b5",
    workspace_name: "Acme Docs",
    workspace_icon: null,
    workspace_id: WORKSPACE,
    owner: {
      type: "user",
      user: {
        object: "user",
        id: "a8f2b0c1-3d4e-5f60-7182-93a4b5c6d7e8",
        name: "Ada",
        type: "person",
        person: { email: "ada@acme.example" },
      },
    },
    duplicated_template_id: null,
    request_id: "1f8a9b2c-3d4e-5f60-7182-93a4b5c6d7e8",
  };
}

// Zoom, https://developers.zoom.us/docs/integrations/oauth/ (revocation: POST /oauth/revoke, Basic) and GET /v2/users/me.
import { json, type GrantContext, type ProviderFixture } from "./types";

export const zoom: ProviderFixture = {
  provider: "zoom",
  docs: ["https://developers.zoom.us/docs/integrations/oauth/", "https://developers.zoom.us/docs/api/users/#tag/users/GET/users/{userId}"],
  clientAuth: ["basic"],
  rotates: true,
  endpoints: {
    authorize: "zoom.us/oauth/authorize",
    token: "zoom.us/oauth/token",
    profile: "api.zoom.us/v2/users/me",
    revoke: "zoom.us/oauth/revoke",
  },
  tokens: (n) => ({ access: `eyJzdiI6IjAwMDAwMSIsImFsZyI6IkhTNTEyIn0.${n}`, refresh: `eyJzdiI6IjAwMDAwMSIsImFsZyI6IkhTNTEyIn0.r${n}` }),
  codeExchange: (ctx) => json(200, zoomAnswer(ctx)),
  refresh: (ctx) => json(200, zoomAnswer(ctx)),
  grantGone: json(400, { reason: "Invalid Token!", error: "invalid_grant" }),
  profile: json(200, {
    id: "KDcuGIm1QgePTO8WbOqwIQ",
    first_name: "Jill",
    last_name: "Chill",
    display_name: "Jill Chill",
    email: "jchill@example.com",
    type: 1,
    account_id: "q6gBJVO5TzexKYTb_I2rpg",
    status: "active",
  }),
  revocation: { takes: "form", clientAuth: ["basic"], answer: json(200, { status: "success" }) },
  contract: {
    scopes: ["user:read"],
    grant: ["user:read"],
    account: ["KDcuGIm1QgePTO8WbOqwIQ", "jchill@example.com"],
    expiresIn: 3599,
    grantGoneCode: "invalid_grant",
  },
};

function zoomAnswer(ctx: GrantContext) {
  return {
    access_token: ctx.accessToken,
    token_type: "bearer",
    refresh_token: ctx.refreshToken,
    expires_in: 3599,
    scope: ctx.scopes.join(" "),
  };
}

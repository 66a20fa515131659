// Microsoft identity platform v2, https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow,
// through the multi-tenant `common` endpoint: the ID token's issuer is its tenant's, with `tid`; a token
// request names one resource's scopes (AADSTS28000 otherwise) and is answered with them resource-qualified.
import { json, type ProviderFixture } from "./types";

/** A tenant of Microsoft Entra ID, and the app id of an API registered in it. */
export const MICROSOFT_TENANT = "9122040d-6c67-4c5b-b112-36a304b66dad";
export const MICROSOFT_API = "api://2d4d11a2-f814-46a7-890a-274a72a7309e";

export const microsoft: ProviderFixture = {
  provider: "microsoft",
  docs: [
    "https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow",
    "https://learn.microsoft.com/en-us/entra/identity-platform/id-token-claims-reference",
  ],
  clientAuth: ["post", "basic"],
  rotates: true,
  endpoints: {
    authorize: "login.microsoftonline.com/common/oauth2/v2.0/authorize",
    token: "login.microsoftonline.com/common/oauth2/v2.0/token",
    profile: "graph.microsoft.com/oidc/userinfo",
  },
  tokens: (n) => ({ access: `eyJ0eXAiOiJKV1QiLCJub25jZSI6Im${n}`, refresh: `0.AXwAOdPzU2lKTUaBp-${n}` }),
  codeExchange: async (ctx) => {
    // Consent covered every resource asked for; the code's token is for the first one.
    const resource = microsoftResourceScopes(ctx.scopes, "first");
    if ("error" in resource) return json(400, resource.error);
    return json(200, {
      token_type: "Bearer",
      scope: [...resource.scopes, "openid", "profile", "email"].join(" "),
      expires_in: 3599,
      ext_expires_in: 3599,
      access_token: ctx.accessToken,
      refresh_token: ctx.refreshToken,
      id_token: await ctx.idToken(ctx.nonce ? { nonce: ctx.nonce } : {}),
    });
  },
  refresh: async (ctx) => {
    const resource = microsoftResourceScopes(ctx.requestedScope?.split(" ") ?? ctx.scopes, "refuse");
    if ("error" in resource) return json(400, resource.error);
    return json(200, {
      token_type: "Bearer",
      scope: resource.scopes.join(" "),
      expires_in: 3599,
      ext_expires_in: 3599,
      access_token: ctx.accessToken,
      refresh_token: ctx.refreshToken,
    });
  },
  grantGone: json(400, {
    error: "invalid_grant",
    error_description:
      "AADSTS70008: The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
    error_codes: [70008],
    timestamp: "2026-11-30 10:00:00Z",
    trace_id: "0000aaaa-11bb-cccc-dd22-eeeeee333333",
    correlation_id: "aaaa0000-bb11-2222-33cc-444444dddddd",
  }),
  profile: json(200, { sub: "OLu859SGc2Sr9ZsqbkG-QbeLgJlb41KcdiPoLYNpSFA", name: "Megan Bowen", email: "MeganB@contoso.example" }),
  idTokenClaims: {
    ver: "2.0",
    iss: `https://login.microsoftonline.com/${MICROSOFT_TENANT}/v2.0`,
    sub: "OLu859SGc2Sr9ZsqbkG-QbeLgJlb41KcdiPoLYNpSFA",
    tid: MICROSOFT_TENANT,
    oid: "00000000-0000-0000-66f3-3332eca7ea81",
    preferred_username: "MeganB@contoso.example",
    email: "MeganB@contoso.example",
  },
  contract: {
    scopes: ["Mail.Read"],
    grant: ["Mail.Read", "openid", "profile", "email", "offline_access"],
    account: ["OLu859SGc2Sr9ZsqbkG-QbeLgJlb41KcdiPoLYNpSFA", "MeganB@contoso.example"],
    expiresIn: 3599,
    grantGoneCode: "invalid_grant",
  },
};

const OIDC = new Set(["openid", "profile", "email", "offline_access"]);

/**
 * Microsoft's reading of a scope list: one resource's scopes, resource-qualified and lowercased; with
 * several resources, the first one's (a code exchange) or AADSTS28000 (a token request).
 */
function microsoftResourceScopes(scopes: string[], mixed: "first" | "refuse"): { scopes: string[]; resource: string } | { error: unknown } {
  const qualified = scopes
    .filter((s) => !OIDC.has(s))
    .map((s) => (/^[a-z]+:\/\//i.test(s) ? s : `https://graph.microsoft.com/${s}`).toLowerCase());
  const resources = [...new Set(qualified.map((s) => s.slice(0, s.indexOf("/", s.indexOf("//") + 2))))];
  if (resources.length > 1 && mixed === "refuse") {
    return {
      error: {
        error: "invalid_scope",
        error_description:
          "AADSTS28000: Provided value for the input parameter scope is not valid because it contains more than one resource.",
        error_codes: [28000],
      },
    };
  }
  const resource = resources[0] ?? "https://graph.microsoft.com";
  return { scopes: qualified.filter((s) => s.startsWith(`${resource}/`)), resource };
}

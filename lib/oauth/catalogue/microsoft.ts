// Microsoft identity platform (v2 endpoints) through the multi-tenant `common` authority: one access token
// per resource, ID tokens issued under each user's own tenant.
import type { CatalogueEntry } from "../provider-config";

export const microsoft: CatalogueEntry = {
  id: "microsoft",
  displayName: "Microsoft",
  docs: [
    "https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow",
    "https://learn.microsoft.com/en-us/entra/identity-platform/id-token-claims-reference",
    "https://learn.microsoft.com/en-us/entra/identity-platform/reference-error-codes",
  ],
  issuer: "https://login.microsoftonline.com/common/v2.0",
  endpoints: {
    authorize: "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
    token: "https://login.microsoftonline.com/common/oauth2/v2.0/token",
    userinfo: "https://graph.microsoft.com/oidc/userinfo",
  },
  defaultScopes: ["openid", "email", "offline_access"],
  pkce: "supported",
  // "Refresh tokens replace themselves with a fresh token upon every use."
  refreshTokens: "rotating",
  quirks: {
    // client_secret is a form parameter. An access token is for one resource (Graph, or an api://<app-id>
    // API) and a token request names one resource's scopes (AADSTS28000 otherwise); Graph's scopes may be
    // written bare and are answered resource-qualified, in any case ("https://graph.microsoft.com/mail.read").
    clientAuth: "post",
    onePerResource: true,
    defaultResource: "https://graph.microsoft.com",
    scopesCaseInsensitive: true,
    // The `common` endpoint issues each ID token under its user's tenant (iss is https://login.microsoftonline.com/{tid}/v2.0).
    tenantIssuer: "https://login.microsoftonline.com/{tid}/v2.0",
    // AADSTS65001 (suberror consent_required) comes as invalid_grant when a refresh asks for a resource the
    // user or admin has not consented to: that resource is missing from the grant, the grant is not gone.
    consentRequired: { suberrors: ["consent_required"], errorCodes: [65001] },
  },
};

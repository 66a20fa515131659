// DocuSign eSignature authorization code grant (production account server; the developer environment,
// account-d.docusign.com, is a provider extension's endpoints). No revocation endpoint.
import type { CatalogueEntry } from "../provider-config";

export const docusign: CatalogueEntry = {
  id: "docusign",
  displayName: "DocuSign",
  docs: [
    "https://developers.docusign.com/platform/auth/authcode/authcode-get-token/",
    "https://developers.docusign.com/platform/auth/reference/obtain-access-token/",
    "https://developers.docusign.com/platform/auth/reference/user-info/",
  ],
  endpoints: {
    authorize: "https://account.docusign.com/oauth/auth",
    token: "https://account.docusign.com/oauth/token",
    userinfo: "https://account.docusign.com/oauth/userinfo",
  },
  defaultScopes: ["signature"],
  pkce: "supported",
  // Each refresh answers a new refresh token, to be stored in place of the old one.
  refreshTokens: "rotating",
  quirks: { clientAuth: "basic" },
  // GET /oauth/userinfo: {"sub", "name", "email", "accounts": [{"account_id", "base_uri", …}]}.
  account: { from: "profile", id: "sub", label: ["email", "name"] },
};

// GitHub OAuth and GitHub App user tokens: errors with HTTP 200, scopes answered comma-separated, expiring
// user tokens whose refresh tokens rotate, and the grant revoked through the REST API.
import type { CatalogueEntry } from "../provider-config";

export const github: CatalogueEntry = {
  id: "github",
  displayName: "GitHub",
  docs: [
    "https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps",
    "https://docs.github.com/en/apps/creating-github-apps/authenticating-with-a-github-app/refreshing-user-access-tokens",
    "https://docs.github.com/en/apps/oauth-apps/building-oauth-apps/scopes-for-oauth-apps",
    "https://docs.github.com/en/rest/apps/oauth-applications#delete-an-app-authorization",
  ],
  endpoints: {
    authorize: "https://github.com/login/oauth/authorize",
    token: "https://github.com/login/oauth/access_token",
    userinfo: "https://api.github.com/user",
    revoke: "https://api.github.com/applications/{client_id}/grant",
  },
  defaultScopes: [],
  pkce: "supported",
  refreshTokens: "rotating",
  quirks: {
    // client_id and client_secret are form parameters; errors (bad_verification_code, bad_refresh_token) come
    // with HTTP 200; scopes are asked for space-separated and answered comma-separated ("repo,user:email").
    clientAuth: "post",
    errorsWith200: true,
    grantedScopeSeparator: ",",
    grantGoneErrors: ["bad_refresh_token"],
    scopeImplies: {
      repo: ["repo:status", "repo_deployment", "public_repo", "repo:invite", "security_events"],
      user: ["read:user", "user:email", "user:follow"],
      "admin:org": ["write:org", "manage_runners:org"],
      "write:org": ["read:org"],
      "admin:public_key": ["write:public_key"],
      "write:public_key": ["read:public_key"],
      "admin:repo_hook": ["write:repo_hook"],
      "write:repo_hook": ["read:repo_hook"],
      "admin:gpg_key": ["write:gpg_key"],
      "write:gpg_key": ["read:gpg_key"],
      "write:packages": ["read:packages"],
      "write:discussion": ["read:discussion"],
      project: ["read:project"],
    },
  },
  // DELETE /applications/{client_id}/grant, Basic client_id:client_secret, {"access_token": …}: 204, and every token of the grant is gone.
  revocation: {
    style: "json",
    method: "DELETE",
    token: "access_token",
    tokenField: "access_token",
    headers: { accept: "application/vnd.github+json", "x-github-api-version": "2022-11-28" },
  },
  // GET /user: {"login": "octocat", "id": 583231, …}; the REST API asks for its media type and version.
  account: {
    from: "profile",
    id: "id",
    label: ["login"],
    headers: { accept: "application/vnd.github+json", "x-github-api-version": "2022-11-28" },
  },
};

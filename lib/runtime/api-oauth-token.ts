// The runtime API's OAuth token endpoint: an extension asks for the access token of a provider (and
// scopes) it declared, for its installation's owner; a missing connection answers where to connect.
import { textProblemMessage } from "@/lib/core/text";
import { RuntimeCallers } from "./api-caller";
import type { RuntimeDeps } from "./deps";
import { RuntimeError } from "./errors";
import { oauthTokenBody } from "./schemas";
import { connectUrl } from "@/lib/extensions/installation-urls";
import { iso, json, readJsonBody } from "./api-request";

/** POST /api/v1/oauth/token of runtimeApi, guarded by `callers`. */
export function oauthTokenHandler(deps: RuntimeDeps, callers: RuntimeCallers) {
  return callers.guarded(async (request) => {
    const caller = await callers.authenticate(request, "oauth:token");
    const body = oauthTokenBody.safeParse(await readJsonBody(request));
    if (!body.success) {
      throw new RuntimeError(
        "invalid_request",
        body.error.issues.some((issue) => issue.path[0] === "provider" || issue.path.length === 0)
          ? 'Send `{ "provider": "<provider id>", "scopes": ["…"] }`.'
          : "`scopes` must be an array of scope strings.",
      );
    }
    const provider = body.data.provider;
    const scopes = body.data.scopes ?? [];
    const unstorable = textProblemMessage("provider", provider) ?? textProblemMessage("scopes", scopes.join(" "));
    if (unstorable) throw new RuntimeError("invalid_request", unstorable);
    const requirement = caller.installation.oauth;
    if (!requirement || requirement.provider !== provider) {
      throw new RuntimeError("oauth_provider_not_declared", `This extension does not declare requires.oauth_provider "${provider}".`);
    }
    const undeclared = scopes.filter((s) => !requirement.scopes.includes(s));
    if (undeclared.length > 0) {
      throw new RuntimeError("oauth_scope_not_declared", `Scopes not declared in requires.oauth_provider: ${undeclared.join(", ")}.`, {
        scopes: undeclared,
      });
    }
    const wanted = scopes.length > 0 ? scopes : requirement.scopes;
    const { installationId, extensionId, orgId } = caller.installation;
    const userId = caller.identity.userId;
    const result = await deps.oauth.getAccessToken({
      owner: userId ? { kind: "user", id: userId, orgId } : { kind: "org", id: orgId, orgId },
      extensionId,
      installationId,
      provider,
      scopes: wanted,
    });
    if (!result.ok && result.reason === "provider_unavailable") {
      throw new RuntimeError(
        "oauth_provider_unavailable",
        `The ${provider} access token has expired and ${provider} is not answering refreshes right now; retry later.`,
        { retry_after_seconds: result.retryAfterSeconds },
      );
    }
    if (!result.ok && result.reason === "connection_missing" && requirement.onMissing === "ignore") {
      // on_missing: ignore — OAuth is optional for this extension: no prompt, just "there is none".
      throw new RuntimeError("oauth_not_connected", `No ${provider} connection exists for this user (optional for this extension).`);
    }
    if (!result.ok) {
      throw new RuntimeError(
        "needs_reauthorization",
        result.reason === "connection_missing"
          ? `No ${provider} connection exists yet; the user must connect it.`
          : result.reason === "connection_expired"
            ? `The ${provider} connection has expired; the user must reconnect it.`
            : `The ${provider} connection lacks scopes this call needs; the user must grant them.`,
        {
          reason: result.reason,
          connect_url: connectUrl(deps.baseUrl, installationId, provider, result.missingScopes),
          missing_scopes: result.missingScopes,
        },
      );
    }
    return json({ access_token: result.accessToken, expires_at: iso(result.expiresAt), scope: result.scope });
  });
}

// The dispatch gate: an installation is ready for a caller when every required secret it declared is
// set for that caller's context and every OAuth connection it requires exists. The platform calls
// checkReadiness before dispatching (so an extension is never called with a required secret unset), and
// GET /api/v1/readiness serves the same answer to the extension.
import type { SecretScope } from "@/lib/db/schema";
import type { Vault } from "@/lib/vault/vault";
import type { InstallationContext } from "./context";
import type { OAuthBroker } from "./oauth-broker";
import { connectUrl, settingsUrl } from "@/lib/extensions/installation-urls";

export type MissingReason = "secret_not_set" | "partner_credential_missing" | "user_context_required" | "connection_missing";

export interface MissingItem {
  /** `scope.name` for a secret, `oauth:<provider>` for a connection. */
  ref: string;
  reason: MissingReason;
  settings_url: string;
  /** For connections: the scopes still to grant. */
  scopes?: string[];
}

export interface Readiness {
  ready: boolean;
  missing: MissingItem[];
}

export interface ReadinessDeps {
  vault: Vault;
  oauth: OAuthBroker;
  baseUrl: string;
}

export async function checkReadiness(deps: ReadinessDeps, installation: InstallationContext, userId: string | null): Promise<Readiness> {
  const url = settingsUrl(deps.baseUrl, installation.installationId);
  const required = installation.declared.filter((d) => d.required);
  const owners: Partial<Record<SecretScope, string>> = {
    ext: installation.extensionId,
    org: installation.orgId,
    ...(userId ? { user: userId } : {}),
  };
  const scopesNeeded = new Set(required.map((d) => d.scope));
  const setNames = new Map<SecretScope, Set<string>>();
  await Promise.all(
    [...scopesNeeded].map(async (scope) => {
      const owner = owners[scope];
      if (!owner) return;
      const statuses = await deps.vault.list(installation.extensionId, scope, owner);
      setNames.set(scope, new Set(statuses.filter((s) => s.isSet).map((s) => s.name)));
    }),
  );
  const missing: MissingItem[] = [];
  for (const secret of required) {
    if (!owners[secret.scope]) {
      missing.push({ ref: secret.ref, reason: "user_context_required", settings_url: url });
    } else if (!setNames.get(secret.scope)?.has(secret.name)) {
      missing.push({
        ref: secret.ref,
        reason: secret.scope === "ext" ? "partner_credential_missing" : "secret_not_set",
        settings_url: url,
      });
    }
  }
  const oauth = installation.oauth;
  if (oauth && oauth.onMissing !== "ignore") {
    const status = await deps.oauth.connectionStatus({
      owner: userId
        ? { kind: "user", id: userId, orgId: installation.orgId }
        : { kind: "org", id: installation.orgId, orgId: installation.orgId },
      extensionId: installation.extensionId,
      installationId: installation.installationId,
      provider: oauth.provider,
      scopes: oauth.scopes,
    });
    if (!status.connected || status.missingScopes.length > 0) {
      // The readiness check points to Connect (on_missing: prompt_connect), asking only for what is missing.
      missing.push({
        ref: `oauth:${oauth.provider}`,
        reason: "connection_missing",
        settings_url: connectUrl(deps.baseUrl, installation.installationId, oauth.provider, status.missingScopes),
        scopes: status.missingScopes,
      });
    }
  }
  return { ready: missing.length === 0, missing };
}

// The runtime's OAuth broker over stored connections: finds the connection an installation's extension
// may use for a provider (the caller's own, or the organization's for a setup field that stores it at
// org level), checks its status and scopes (as the provider means them, lib/oauth/scopes.ts), and returns
// a current access token, refreshing it on demand (single-flight) when it is close to expiry. On a
// provider that issues one token per resource (Microsoft) the token returned is the asked resource's,
// never another's. Never returns a refresh token.
import { and, eq } from "drizzle-orm";
import { oauthConnectionUses, oauthConnections, oauthResourceTokens, type OAuthConnectionRow } from "@/lib/db/schema";
import type { OAuthBroker, OAuthTokenRequest, OAuthTokenResult } from "@/lib/runtime/oauth-broker";
import { RuntimeError } from "@/lib/runtime/errors";
import { connectionKey, type OAuthDeps } from "./connections";
import { OAuthError } from "./errors";
import type { ProviderConfig } from "./provider-config";
import { loadFlowInstallation, resolveFlowTarget } from "./providers";
import type { Refresher } from "./refresh";
import { needsRefresh, ON_DEMAND_MIN_VALIDITY_MS, type RefreshOutcome } from "./refresh-policy";
import { missingScopes, MixedResourcesError, requestedResource, tokenResourceOf } from "./scopes";
import { openResourceToken, openToken } from "./token-seal";

type Loose = Record<string, unknown>;
const obj = (v: unknown): Loose => (v && typeof v === "object" && !Array.isArray(v) ? (v as Loose) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The setup field (obtain: oauth2) that connects this provider, if the manifest has one. */
function oauthFieldFor(manifest: unknown, provider: string): string {
  const field = arr(obj(manifest).setup)
    .flatMap((step) => arr(obj(obj(step).secrets).fields))
    .map(obj)
    .find((f) => obj(f.obtain).type === "oauth2" && obj(f.obtain).provider === provider);
  return typeof field?.key === "string" ? field.key : "";
}

export class ConnectionBroker implements OAuthBroker {
  readonly #recordedUses = new Set<string>();

  constructor(
    private readonly deps: OAuthDeps,
    private readonly refresher: Refresher,
  ) {}

  async #find(request: OAuthTokenRequest): Promise<{ row: OAuthConnectionRow; provider: ProviderConfig } | null | "no_owner"> {
    const installation = await loadFlowInstallation(this.deps.db, request.installationId, [request.owner.orgId]);
    if (!installation) return null;
    let target;
    try {
      target = await resolveFlowTarget(
        this.deps.db,
        installation,
        request.provider,
        oauthFieldFor(installation.manifest, request.provider),
      );
    } catch (error) {
      if (error instanceof OAuthError) return null;
      throw error;
    }
    const ownerId = target.ownerKind === "org" ? installation.orgId : request.owner.kind === "user" ? request.owner.id : null;
    if (!ownerId) return "no_owner";
    const [row] = await this.deps.db
      .select()
      .from(oauthConnections)
      .where(
        connectionKey({
          ownerKind: target.ownerKind,
          ownerId,
          providerId: target.provider.id,
          clientExtensionId: target.client.extensionId,
        }),
      );
    return row ? { row, provider: target.provider } : null;
  }

  async connectionStatus(request: OAuthTokenRequest): Promise<{ connected: boolean; missingScopes: string[] }> {
    const found = await this.#find(request);
    if (!found || found === "no_owner" || found.row.status !== "active") return { connected: false, missingScopes: request.scopes };
    return { connected: true, missingScopes: missingScopes(found.provider, found.row.scopes, request.scopes) };
  }

  /**
   * A current access token for the request's scopes.
   *
   * @throws RuntimeError `invalid_request` when the scopes are for two resources of a provider that
   *   issues one token per resource (Microsoft): no single token can carry them
   */
  async getAccessToken(request: OAuthTokenRequest): Promise<OAuthTokenResult> {
    const found = await this.#find(request);
    if (!found || found === "no_owner") return { ok: false, reason: "connection_missing", missingScopes: request.scopes };
    const { provider } = found;
    let row = found.row;
    if (row.status !== "active") return { ok: false, reason: "connection_expired", missingScopes: request.scopes };
    const missing = missingScopes(provider, row.scopes, request.scopes);
    if (missing.length > 0) return { ok: false, reason: "scopes_missing", missingScopes: missing };
    let resource: string | null;
    try {
      resource = requestedResource(provider, request.scopes);
    } catch (error) {
      if (error instanceof MixedResourcesError) throw new RuntimeError("invalid_request", error.message, { resources: error.resources });
      throw error;
    }
    await this.#recordUse(row.id, request.installationId);
    // A connection stored before token_resource existed holds its first resource's token.
    const own = row.tokenResource ?? tokenResourceOf(provider, null, row.scopes);
    if (resource !== null && own !== null && resource !== own) {
      return this.#resourceToken(request, row, resource, provider);
    }

    if (needsRefresh(row, ON_DEMAND_MIN_VALIDITY_MS) && row.refreshToken) {
      const outcome = await this.refresher.refresh(row.id, { minValidityMs: ON_DEMAND_MIN_VALIDITY_MS });
      if (outcome.kind === "expired") return { ok: false, reason: "connection_expired", missingScopes: request.scopes };
      if (outcome.kind === "retry_later") {
        // The provider is failing: the current token still works if it has not expired yet.
        const stillValid = outcome.row.expiresAt && outcome.row.expiresAt.getTime() > Date.now();
        if (!stillValid) {
          const retryAfterSeconds = Math.max(1, Math.ceil((outcome.nextAttemptAt.getTime() - Date.now()) / 1000));
          return { ok: false, reason: "provider_unavailable", missingScopes: [], retryAfterSeconds };
        }
      }
      if (outcome.row) row = outcome.row;
      if (row.status !== "active") return { ok: false, reason: "connection_expired", missingScopes: request.scopes };
    }
    const accessToken = await openToken(this.deps.vault.dataKeys, row, "access_token", row.accessToken);
    if (!accessToken) return { ok: false, reason: "connection_expired", missingScopes: request.scopes };
    // Handing out a token is a credential read by the extension: audited like a secret read (batched).
    this.deps.vault.reads.record({
      secretId: null,
      event: {
        actor: { kind: "extension", id: request.extensionId },
        source: { kind: "api" },
        action: "oauth.token_read",
        target: `oauth:${row.providerId}`,
        extensionId: request.extensionId,
        orgId: request.owner.orgId,
        details: { connection: row.id, installation: request.installationId, scopes: request.scopes },
      },
    });
    return { ok: true, accessToken, expiresAt: row.expiresAt, scope: row.scopes.join(" ") };
  }

  /**
   * The token of `resource`, another resource than the connection's own token's: the stored one while it
   * has time left, else one refreshed for that resource. Never another resource's token: when none can be
   * had, the answer says why (expired grant, provider unavailable, or scopes_missing when that resource
   * lacks consent).
   */
  async #resourceToken(
    request: OAuthTokenRequest,
    row: OAuthConnectionRow,
    resource: string,
    provider: ProviderConfig,
  ): Promise<OAuthTokenResult> {
    const stored = () =>
      this.deps.db
        .select()
        .from(oauthResourceTokens)
        .where(and(eq(oauthResourceTokens.connectionId, row.id), eq(oauthResourceTokens.resource, resource)))
        .then(([found]) => found ?? null);
    let token = await stored();
    if (!token || needsRefresh(token, ON_DEMAND_MIN_VALIDITY_MS)) {
      const outcome: RefreshOutcome = await this.refresher.refresh(row.id, { minValidityMs: ON_DEMAND_MIN_VALIDITY_MS, resource });
      if (outcome.kind === "expired" || outcome.kind === "not_refreshable") {
        return { ok: false, reason: "connection_expired", missingScopes: request.scopes };
      }
      if (outcome.kind === "scopes_missing") {
        // That resource lacks consent (the rest of the grant stands): the person grants it by connecting again.
        return { ok: false, reason: "scopes_missing", missingScopes: missingScopes(provider, outcome.row.scopes, request.scopes) };
      }
      token = await stored();
      const stillValid = token?.expiresAt ? token.expiresAt.getTime() > Date.now() : token !== null;
      if (outcome.kind === "retry_later" && !stillValid) {
        const retryAfterSeconds = Math.max(1, Math.ceil((outcome.nextAttemptAt.getTime() - Date.now()) / 1000));
        return { ok: false, reason: "provider_unavailable", missingScopes: [], retryAfterSeconds };
      }
      if (!token) return { ok: false, reason: "connection_expired", missingScopes: request.scopes };
    }
    const accessToken = await openResourceToken(this.deps.vault.dataKeys, row, token);
    this.deps.vault.reads.record({
      secretId: null,
      event: {
        actor: { kind: "extension", id: request.extensionId },
        source: { kind: "api" },
        action: "oauth.token_read",
        target: `oauth:${row.providerId}`,
        extensionId: request.extensionId,
        orgId: request.owner.orgId,
        details: { connection: row.id, installation: request.installationId, scopes: request.scopes, resource },
      },
    });
    return { ok: true, accessToken, expiresAt: token.expiresAt, scope: token.scopes.join(" ") };
  }

  /** Remembers that this installation uses the connection ("which extensions use it"), once per process. */
  async #recordUse(connectionId: string, installationId: string) {
    const key = `${connectionId}:${installationId}`;
    if (this.#recordedUses.has(key)) return;
    await this.deps.db.insert(oauthConnectionUses).values({ connectionId, installationId, storeAs: "" }).onConflictDoNothing();
    this.#recordedUses.add(key);
  }
}

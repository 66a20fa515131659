// Connections: storing a grant's tokens (sealed), the installations that use a connection, what the
// panel lists, and Disconnect (revoke at the provider, delete the tokens at once). Every change is audited
// in its transaction; state changes a person must hear about become notifications in the same transaction.
import { isUuid } from "@/lib/db/ids";
import { and, eq, inArray, or, sql } from "drizzle-orm";
import type { Logger } from "pino";
import { appendAuditEvents, type AuditActor, type AuditSource } from "@/lib/audit/events";
import type { UserActor } from "@/lib/auth/actor";
import { SecretValue } from "@/lib/crypto";
import type { Db, DbOrTx } from "@/lib/db/client";
import {
  extensions,
  installations,
  notifications,
  oauthConnectionUses,
  oauthConnections,
  oauthResourceTokens,
  type NotificationKind,
  type OAuthConnectionRow,
} from "@/lib/db/schema";
import { logger as defaultLogger } from "@/lib/logger";
import { parseSecretRef } from "@/lib/manifest/declarations";
import type { Vault } from "@/lib/vault/vault";
import { revokeToken, type ClientSecrets } from "./client";
import { OAuthError } from "./errors";
import { withEndpointParams, type FlowClient, type ProviderConfig } from "./provider-config";
import { openToken } from "./token-seal";

export interface OAuthDeps {
  db: Db;
  vault: Vault;
  baseUrl: string;
  logger?: Logger;
  /** Flows one person may have started and not finished (LATCHKEY_OAUTH_MAX_PENDING_FLOWS; default 10). */
  maxPendingFlows?: number;
}

export const connectionsPath = "/panel/connections";

/** The WHERE clause of the one connection per (owner, provider, client app). */
export function connectionKey(k: { ownerKind: "user" | "org"; ownerId: string; providerId: string; clientExtensionId: string }) {
  return and(
    eq(oauthConnections.ownerKind, k.ownerKind),
    eq(oauthConnections.ownerId, k.ownerId),
    eq(oauthConnections.providerId, k.providerId),
    eq(oauthConnections.clientExtensionId, k.clientExtensionId),
  );
}

/** Reads the OAuth client's id and secret from the client extension's partner credentials (audited reads). */
export async function clientSecrets(
  deps: OAuthDeps,
  client: { extensionId: string; idRef: string; secretRef: string },
  providerName: string,
  source: AuditSource,
): Promise<ClientSecrets> {
  const ctx = { actor: { kind: "system" as const, id: "oauth" }, source };
  const read = async (ref: string) => {
    const parsed = parseSecretRef(ref);
    if (!parsed || parsed.scope !== "ext") return null;
    const value = await deps.vault.read(ctx, {
      extensionId: client.extensionId,
      scope: "ext",
      ownerId: client.extensionId,
      name: parsed.name,
    });
    return value?.reveal() ?? null;
  };
  const [clientId, clientSecret] = await Promise.all([read(client.idRef), read(client.secretRef)]);
  if (!clientId || !clientSecret) {
    throw new OAuthError(
      "client_not_configured",
      `The ${providerName} OAuth app is not configured yet: its publisher has not set ${[!clientId && (client.idRef || "a client id"), !clientSecret && (client.secretRef || "a client secret")].filter(Boolean).join(" and ")}.`,
    );
  }
  return { clientId, clientSecret };
}

/**
 * The provider as this client app reaches it: per-tenant endpoint `{param}`s filled from the secrets the
 * setup field names (`obtain.endpoint_params`, read as the system, audited like any read) for the
 * connection's organization and, for `user.*` refs, its person. Any other provider is returned as is.
 *
 * @throws OAuthError `endpoint_param_missing` / `endpoint_param_invalid` (lib/oauth/providers.ts withEndpointParams)
 */
export async function concreteProvider(
  deps: OAuthDeps,
  provider: ProviderConfig,
  client: FlowClient,
  owner: { orgId: string; userId: string | null },
  source: AuditSource,
): Promise<ProviderConfig> {
  if (!provider.endpointParams) return provider;
  const ctx = { actor: { kind: "system" as const, id: "oauth" }, source, orgId: owner.orgId };
  const values: Record<string, string | null> = {};
  for (const name of Object.keys(provider.endpointParams)) {
    const parsed = parseSecretRef(client.endpointParams?.[name] ?? "");
    const ownerId = parsed?.scope === "ext" ? client.extensionId : parsed?.scope === "org" ? owner.orgId : owner.userId;
    const value =
      parsed && ownerId
        ? await deps.vault.read(ctx, { extensionId: client.extensionId, scope: parsed.scope, ownerId, name: parsed.name })
        : null;
    values[name] = value?.reveal() ?? null;
  }
  return withEndpointParams(provider, values);
}

export async function notify(
  tx: DbOrTx,
  n: { userId: string | null; kind: NotificationKind; subjectId: string; message: string; link: string },
): Promise<void> {
  if (!n.userId) return;
  await tx.insert(notifications).values({ userId: n.userId, kind: n.kind, subjectId: n.subjectId, message: n.message, link: n.link });
}

/** Writes the access token to the installation's `store_as` secret (the setup field asked for it there). */
export async function writeStoreAs(
  deps: OAuthDeps,
  use: { installationId: string; storeAs: string },
  owner: { orgId: string; userId: string | null },
  accessToken: string,
  ctx: { actor: AuditActor; source: AuditSource },
): Promise<void> {
  const ref = parseSecretRef(use.storeAs);
  if (!ref || ref.scope === "ext") return;
  const [inst] = await deps.db
    .select({ extensionId: installations.extensionId, orgId: installations.orgId })
    .from(installations)
    .where(eq(installations.id, use.installationId));
  if (!inst) return;
  const ownerId = ref.scope === "org" ? inst.orgId : owner.userId;
  if (!ownerId) return;
  await deps.vault.set(
    { ...ctx, orgId: inst.orgId },
    { extensionId: inst.extensionId, scope: ref.scope, ownerId, name: ref.name },
    SecretValue.from(accessToken),
  );
}

export interface ConnectionView {
  id: string;
  providerId: string;
  providerName: string;
  ownerKind: "user" | "org";
  ownerLabel: string;
  accountLabel: string | null;
  scopes: string[];
  status: "active" | "expired" | "revoked";
  expiresAt: Date | null;
  lastRefreshedAt: Date | null;
  refreshFailures: number;
  lastError: string | null;
  createdAt: Date;
  usedBy: { installationId: string; extensionName: string }[];
  /** Whether this person may disconnect or reconnect it (their own, or an org they administer). */
  canManage: boolean;
  /** An installation to reconnect through (the one that connected it first). */
  reconnectInstallationId: string | null;
}

/** The tenant condition of connections a person may see: their own, and their organizations'. */
function visibleTo(actor: UserActor) {
  const orgIds = actor.orgs.map((o) => o.id);
  const mine = and(eq(oauthConnections.ownerKind, "user"), eq(oauthConnections.ownerId, actor.userId));
  const orgs = orgIds.length > 0 ? and(eq(oauthConnections.ownerKind, "org"), inArray(oauthConnections.ownerId, orgIds)) : sql`false`;
  return or(mine, orgs);
}

/** Connections the person can see: their own, and their organizations'. */
export async function listConnections(db: DbOrTx, actor: UserActor): Promise<ConnectionView[]> {
  const orgIds = actor.orgs.map((o) => o.id);
  const rows = await db
    .select()
    .from(oauthConnections)
    .where(visibleTo(actor))
    .orderBy(oauthConnections.providerName, oauthConnections.createdAt);
  const ids = rows.map((r) => r.id);
  const uses =
    ids.length === 0
      ? []
      : await db
          .selectDistinct({
            connectionId: oauthConnectionUses.connectionId,
            installationId: oauthConnectionUses.installationId,
            extensionName: extensions.name,
            orgId: installations.orgId,
            createdAt: oauthConnectionUses.createdAt,
          })
          .from(oauthConnectionUses)
          .innerJoin(installations, eq(installations.id, oauthConnectionUses.installationId))
          .innerJoin(extensions, eq(extensions.id, installations.extensionId))
          .where(inArray(oauthConnectionUses.connectionId, ids))
          .orderBy(oauthConnectionUses.createdAt);
  return rows.map((r) => {
    const org = actor.orgs.find((o) => o.id === r.ownerId);
    // Only installations in the person's own organizations are named (a personal connection may also be used elsewhere).
    const usedBy = uses.filter((u) => u.connectionId === r.id && orgIds.includes(u.orgId));
    const seen = new Set<string>();
    return {
      id: r.id,
      providerId: r.providerId,
      providerName: r.providerName,
      ownerKind: r.ownerKind,
      ownerLabel: r.ownerKind === "user" ? "You" : (org?.name ?? "Organization"),
      accountLabel: r.accountLabel,
      scopes: r.scopes,
      status: r.status,
      expiresAt: r.expiresAt,
      lastRefreshedAt: r.lastRefreshedAt,
      refreshFailures: r.refreshFailures,
      lastError: r.lastError,
      createdAt: r.createdAt,
      usedBy: usedBy
        .filter((u) => (seen.has(u.installationId) ? false : (seen.add(u.installationId), true)))
        .map((u) => ({ installationId: u.installationId, extensionName: u.extensionName })),
      canManage: r.ownerKind === "user" ? r.ownerId === actor.userId : org?.role === "owner" || org?.role === "admin",
      reconnectInstallationId: usedBy[0]?.installationId ?? null,
    };
  });
}

/** A connection the person may manage, or a not_found/forbidden error (never another tenant's row). */
async function manageableConnection(db: DbOrTx, actor: UserActor, connectionId: string): Promise<OAuthConnectionRow> {
  const uuid = isUuid(connectionId);
  const [row] = uuid
    ? await db
        .select()
        .from(oauthConnections)
        .where(and(eq(oauthConnections.id, connectionId), visibleTo(actor)))
    : [];
  if (!row) throw new OAuthError("not_found", "No such connection.");
  const org = actor.orgs.find((o) => o.id === row.ownerId);
  if (row.ownerKind === "org" && org?.role !== "owner" && org?.role !== "admin") {
    throw new OAuthError("forbidden", `Only owners and admins of ${org?.name ?? "the organization"} can manage its connections.`);
  }
  return row;
}

export interface DisconnectResult {
  providerRevoked: boolean;
  /** Why revocation at the provider did not happen (no endpoint, or it failed); the tokens are deleted regardless. */
  revocationNote: string | null;
}

/**
 * Disconnect: revokes the grant at the provider (RFC 7009, refresh token first so the whole grant goes),
 * then deletes the tokens and every `store_as` copy at once, whatever the provider answered.
 */
export async function disconnect(
  deps: OAuthDeps,
  actor: UserActor,
  connectionId: string,
  source: AuditSource,
  resolve: (row: OAuthConnectionRow) => Promise<{ provider: ProviderConfig; secrets: () => Promise<ClientSecrets> } | null>,
): Promise<DisconnectResult> {
  const log = deps.logger ?? defaultLogger;
  const row = await manageableConnection(deps.db, actor, connectionId);
  let providerRevoked = false;
  let revocationNote: string | null = null;
  const [refreshToken, accessToken] = await Promise.all([
    openToken(deps.vault.dataKeys, row, "refresh_token", row.refreshToken),
    openToken(deps.vault.dataKeys, row, "access_token", row.accessToken),
  ]);
  if (refreshToken || accessToken) {
    try {
      const found = await resolve(row);
      if (!found) {
        revocationNote = "The provider is no longer installed; the tokens were deleted here only.";
      } else {
        providerRevoked = await revokeToken(found.provider, await found.secrets(), { refreshToken, accessToken });
        if (!providerRevoked) revocationNote = `${row.providerName} has no revocation endpoint; the tokens were deleted here.`;
      }
    } catch (error) {
      revocationNote = `${row.providerName} did not confirm the revocation (${error instanceof Error ? error.message : String(error)}); the tokens were deleted here anyway.`;
      log.warn({ connection: row.id, provider: row.providerId, err: revocationNote }, "oauth revocation failed");
    }
  }
  const uses = await deps.db
    .select({ installationId: oauthConnectionUses.installationId, storeAs: oauthConnectionUses.storeAs })
    .from(oauthConnectionUses)
    .where(eq(oauthConnectionUses.connectionId, row.id));
  await deps.db.transaction(async (tx) => {
    await tx
      .update(oauthConnections)
      .set({
        status: "revoked",
        accessToken: null,
        refreshToken: null,
        expiresAt: null,
        tokenVersion: row.tokenVersion + 1,
        nextAttemptAt: null,
        refreshFailures: 0,
        updatedAt: new Date(),
      })
      .where(eq(oauthConnections.id, row.id));
    await tx.delete(oauthResourceTokens).where(eq(oauthResourceTokens.connectionId, row.id));
    await appendAuditEvents(tx, [
      {
        actor: { kind: "user", id: actor.userId },
        source,
        action: "oauth.revoke",
        target: `oauth:${row.providerId}`,
        extensionId: row.clientExtensionId,
        orgId: row.orgId,
        details: { connection: row.id, provider_revoked: providerRevoked, ...(revocationNote ? { note: revocationNote } : {}) },
      },
    ]);
  });
  // The store_as copies are the same access token: delete them too.
  for (const use of uses.filter((u) => u.storeAs)) {
    const ref = parseSecretRef(use.storeAs);
    const [inst] = await deps.db
      .select({ extensionId: installations.extensionId, orgId: installations.orgId })
      .from(installations)
      .where(eq(installations.id, use.installationId));
    if (!ref || ref.scope === "ext" || !inst) continue;
    const ownerId = ref.scope === "org" ? inst.orgId : row.ownerKind === "user" ? row.ownerId : null;
    if (!ownerId) continue;
    await deps.vault.delete(
      { actor: { kind: "user", id: actor.userId }, source, orgId: inst.orgId },
      { extensionId: inst.extensionId, scope: ref.scope, ownerId, name: ref.name },
    );
  }
  return { providerRevoked, revocationNote };
}

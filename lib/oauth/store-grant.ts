// Storing a new grant (the callback of a connect flow): the connection is created, or its tokens replaced
// on a reconnect or a grant of additional scopes, with the installation that uses it and an audit event,
// in one transaction.
import { eq } from "drizzle-orm";
import { appendAuditEvents, type AuditActor, type AuditSource } from "@/lib/audit/events";
import type { DbOrTx } from "@/lib/db/client";
import { oauthConnectionUses, oauthConnections, oauthResourceTokens, type OAuthConnectionRow } from "@/lib/db/schema";
import type { TokenSet } from "./client";
import { connectionKey, connectionsPath, notify, type OAuthDeps } from "./connections";
import type { ProviderConfig } from "./provider-config";
import { grantFromAnswer, tokenResourceOf } from "./scopes";
import { sealTokens, type SealedTokens } from "./token-seal";

export interface StoreGrant {
  ownerKind: "user" | "org";
  ownerId: string;
  orgId: string;
  provider: ProviderConfig;
  clientExtensionId: string;
  tokens: TokenSet;
  /** The scopes asked for, used when the provider's token response does not list what it granted. */
  requestedScopes: string[];
  account: { accountId: string | null; accountLabel: string | null };
  installationId: string;
  storeAs: string | null;
  actor: AuditActor & { kind: "user" };
  source: AuditSource;
}

/**
 * Stores a new grant for (owner, provider, client app): creates the connection or replaces the tokens of
 * the existing one (reconnect, additional scopes; other resources' tokens of the old grant are dropped),
 * records which installation uses it, and audits. The grant's scopes are the answer's as the provider
 * means them (lib/oauth/scopes.ts grantFromAnswer).
 */
export async function storeGrant(deps: OAuthDeps, grant: StoreGrant): Promise<OAuthConnectionRow> {
  const dek = await deps.vault.dataKeys.forWrite();
  const now = new Date();
  const scopes = grantFromAnswer(grant.provider, grant.tokens.scopes, grant.requestedScopes);
  const tokenResource = tokenResourceOf(grant.provider, grant.tokens.scopes, grant.requestedScopes);
  return deps.db.transaction(async (tx) => {
    const key = connectionKey({ ...grant, providerId: grant.provider.id });
    const [existing] = await tx.select().from(oauthConnections).where(key).for("update");
    const id = existing?.id ?? crypto.randomUUID();
    const version = (existing?.tokenVersion ?? 0) + 1;
    const sealed = sealTokens(dek, { id, ownerKind: grant.ownerKind, ownerId: grant.ownerId }, version, {
      accessToken: grant.tokens.accessToken,
      refreshToken: grant.tokens.refreshToken,
    });
    const values = grantColumns(grant, sealed, { scopes, tokenResource, version, now });
    const row = await upsertConnection(tx, grant, id, existing !== undefined, values);
    await tx
      .insert(oauthConnectionUses)
      .values({ connectionId: id, installationId: grant.installationId, storeAs: grant.storeAs ?? "" })
      .onConflictDoNothing();
    await recordGrant(tx, grant, id, scopes, existing);
    return row;
  });
}

/** A connection's columns for a new grant: active, its sealed tokens at `version`, failures cleared. */
function grantColumns(
  grant: StoreGrant,
  sealed: SealedTokens,
  at: { scopes: string[]; tokenResource: string | null; version: number; now: Date },
) {
  return {
    providerName: grant.provider.displayName,
    accountId: grant.account.accountId,
    accountLabel: grant.account.accountLabel,
    scopes: at.scopes,
    status: "active" as const,
    dekId: sealed.dekId,
    accessToken: sealed.accessToken,
    refreshToken: sealed.refreshToken,
    expiresAt: grant.tokens.expiresAt,
    issuedAt: at.now,
    tokenResource: at.tokenResource,
    tokenVersion: at.version,
    lastRefreshedAt: null,
    refreshFailures: 0,
    nextAttemptAt: null,
    lastError: null,
    connectedBy: grant.actor.id,
    updatedAt: at.now,
  };
}

/** Replaces the existing connection's columns (dropping other resources' tokens of the old grant), or inserts it. */
async function upsertConnection(
  tx: DbOrTx,
  grant: StoreGrant,
  id: string,
  exists: boolean,
  values: ReturnType<typeof grantColumns>,
): Promise<OAuthConnectionRow> {
  let row: OAuthConnectionRow | undefined;
  if (exists) {
    [row] = await tx.update(oauthConnections).set(values).where(eq(oauthConnections.id, id)).returning();
    await tx.delete(oauthResourceTokens).where(eq(oauthResourceTokens.connectionId, id));
  } else {
    [row] = await tx
      .insert(oauthConnections)
      .values({
        id,
        ownerKind: grant.ownerKind,
        ownerId: grant.ownerId,
        orgId: grant.orgId,
        providerId: grant.provider.id,
        clientExtensionId: grant.clientExtensionId,
        ...values,
      })
      .returning();
  }
  if (!row) throw new Error("connection upsert returned nothing");
  return row;
}

/** Audits the grant (connect, additional scopes or reconnect) and tells a person whose connection was broken that it works again. */
async function recordGrant(tx: DbOrTx, grant: StoreGrant, id: string, scopes: string[], existing: OAuthConnectionRow | undefined) {
  const action = !existing ? "oauth.connect" : existing.status === "active" ? "oauth.grant_additional" : "oauth.reconnect";
  await appendAuditEvents(tx, [
    {
      actor: grant.actor,
      source: grant.source,
      action,
      target: `oauth:${grant.provider.id}`,
      extensionId: grant.clientExtensionId,
      orgId: grant.orgId,
      details: {
        connection: id,
        owner_kind: grant.ownerKind,
        account: grant.account.accountLabel,
        scopes,
        refresh_token: grant.tokens.refreshToken !== null,
        expires_at: grant.tokens.expiresAt?.toISOString() ?? null,
      },
    },
  ]);
  if (existing && existing.status !== "active") {
    await notify(tx, {
      userId: grant.actor.id,
      kind: "connection_restored",
      subjectId: id,
      message: `Your ${grant.provider.displayName} connection works again.`,
      link: connectionsPath,
    });
  }
}

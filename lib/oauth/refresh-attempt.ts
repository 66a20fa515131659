// What one refresh attempt of a leased connection writes when the provider answered with tokens: the
// connection's new tokens (or another resource's token), compare-and-set on token_version, with its audit
// event, in one short transaction that also hands the lease back; then the setup fields' `store_as` copies.
import { and, eq, sql } from "drizzle-orm";
import { appendAuditEvents, type AuditEventInput, type AuditSource } from "@/lib/audit/events";
import { oauthConnectionUses, oauthConnections, oauthResourceTokens, type OAuthConnectionRow } from "@/lib/db/schema";
import type { TokenSet } from "./client";
import { connectionsPath, notify, writeStoreAs, type OAuthDeps } from "./connections";
import type { ProviderConfig } from "./provider-config";
import { releaseLease } from "./refresh-lease";
import { DEGRADED_AFTER, type RefreshOutcome } from "./refresh-policy";
import { grantAfterRefresh, scopesForResource } from "./scopes";
import { sealResourceToken, sealTokens } from "./token-seal";

/** The outcome of a refresh whose answer was stored. */
export type Refreshed = Extract<RefreshOutcome, { kind: "refreshed" }>;

/** One attempt at refreshing a connection whose lease it holds: what its writes need. */
export interface RefreshAttempt {
  deps: OAuthDeps;
  source: AuditSource;
  /** The connection as it was when the lease was taken (its token_version is the compare-and-set's). */
  row: OAuthConnectionRow;
  /** This attempt's lease holder id: the lease is released only by the attempt that took it. */
  holder: string;
  /** The refresher's clock. */
  now: () => Date;
}

/** The audit event of a refresher's write about the attempt's connection. */
export function refresherEvent(
  attempt: RefreshAttempt,
  action: string,
  details: Record<string, unknown>,
  outcome?: "failure",
): AuditEventInput {
  const { row } = attempt;
  return {
    actor: { kind: "system", id: "oauth-refresher" },
    source: attempt.source,
    action,
    target: `oauth:${row.providerId}`,
    extensionId: row.clientExtensionId,
    orgId: row.orgId,
    ...(outcome ? { outcome } : {}),
    details: { connection: row.id, ...details },
  };
}

/** The attempt's connection is still at the version it was leased at. */
export function unchanged(row: OAuthConnectionRow) {
  return and(eq(oauthConnections.id, row.id), eq(oauthConnections.tokenVersion, row.tokenVersion));
}

/**
 * Columns of a connection after a successful refresh: the newly sealed tokens at `version`, the grant
 * merged with what the answer covers (a refresh answer describes its token, never replaces the grant),
 * failures and backoff cleared, and the lease handed back.
 */
function refreshedColumns(
  sealed: { dekId: string; accessToken: Buffer; refreshToken: Buffer | null },
  scopes: string[],
  version: number,
  now: Date,
  holder: string,
) {
  return {
    dekId: sealed.dekId,
    accessToken: sealed.accessToken,
    refreshToken: sealed.refreshToken,
    scopes,
    tokenVersion: version,
    lastRefreshedAt: now,
    refreshFailures: 0,
    nextAttemptAt: null,
    lastError: null,
    updatedAt: now,
    ...releaseLease(holder),
  };
}

/**
 * Stores the connection's own new tokens (no new refresh token in the answer: the old one stays valid and
 * is kept), tells a person whose connection had been degraded that it works again. Null when another
 * refresh wrote the connection first (only possible after this attempt's lease expired): its write stands.
 */
export async function storeRefreshed(
  attempt: RefreshAttempt,
  dek: { id: string; key: Buffer },
  provider: ProviderConfig,
  tokens: TokenSet,
  refreshToken: string,
): Promise<Refreshed | null> {
  const { row, holder } = attempt;
  const now = attempt.now();
  const version = row.tokenVersion + 1;
  const sealed = sealTokens(dek, row, version, { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken ?? refreshToken });
  return attempt.deps.db.transaction(async (tx): Promise<Refreshed | null> => {
    const [updated] = await tx
      .update(oauthConnections)
      .set({
        ...refreshedColumns(sealed, grantAfterRefresh(provider, row.scopes, tokens.scopes), version, now, holder),
        expiresAt: tokens.expiresAt,
        issuedAt: now,
      })
      .where(unchanged(row))
      .returning();
    if (!updated) return null;
    const expires = tokens.expiresAt?.toISOString() ?? null;
    await appendAuditEvents(tx, [refresherEvent(attempt, "oauth.refresh", { rotated: tokens.refreshToken !== null, expires_at: expires })]);
    if (row.refreshFailures >= DEGRADED_AFTER) {
      await notify(tx, {
        userId: row.connectedBy,
        kind: "connection_restored",
        subjectId: row.id,
        message: `Your ${row.providerName} connection is refreshing normally again.`,
        link: connectionsPath,
      });
    }
    return { kind: "refreshed", row: updated };
  });
}

/**
 * Stores a refresh answer for another resource than the connection's own token's: the token in
 * oauth_resource_tokens, and on the connection (compare-and-set on its version, releasing the lease) the
 * rotated refresh token, the merged grant and the refresh's bookkeeping; the connection's own access
 * token is re-sealed unchanged at the new version. Null when another refresh wrote the connection first.
 */
export async function storeResourceToken(
  attempt: RefreshAttempt,
  dek: { id: string; key: Buffer },
  provider: ProviderConfig,
  resource: string,
  tokens: TokenSet,
  current: { refreshToken: string; accessToken: string },
): Promise<Refreshed | null> {
  const { row, holder } = attempt;
  const now = attempt.now();
  const version = row.tokenVersion + 1;
  const sealed = sealTokens(dek, row, version, {
    accessToken: current.accessToken,
    refreshToken: tokens.refreshToken ?? current.refreshToken,
  });
  return attempt.deps.db.transaction(async (tx): Promise<Refreshed | null> => {
    const [updated] = await tx
      .update(oauthConnections)
      .set(refreshedColumns(sealed, grantAfterRefresh(provider, row.scopes, tokens.scopes), version, now, holder))
      .where(unchanged(row))
      .returning();
    if (!updated) return null;
    const [previous] = await tx
      .select({ tokenVersion: oauthResourceTokens.tokenVersion })
      .from(oauthResourceTokens)
      .where(and(eq(oauthResourceTokens.connectionId, row.id), eq(oauthResourceTokens.resource, resource)));
    const resourceVersion = (previous?.tokenVersion ?? 0) + 1;
    const values = {
      dekId: dek.id,
      accessToken: sealResourceToken(dek, row, resource, resourceVersion, tokens.accessToken),
      scopes: tokens.scopes ?? scopesForResource(provider, row.scopes, resource),
      expiresAt: tokens.expiresAt,
      issuedAt: now,
      tokenVersion: resourceVersion,
      updatedAt: now,
    };
    await tx
      .insert(oauthResourceTokens)
      .values({ connectionId: row.id, resource, ...values })
      .onConflictDoUpdate({ target: [oauthResourceTokens.connectionId, oauthResourceTokens.resource], set: values });
    const expires = tokens.expiresAt?.toISOString() ?? null;
    await appendAuditEvents(tx, [
      refresherEvent(attempt, "oauth.refresh", { resource, rotated: tokens.refreshToken !== null, expires_at: expires }),
    ]);
    return { kind: "refreshed", row: updated };
  });
}

/** Keeps every setup field's `store_as` copy of the access token current. */
export async function updateStoreAs(deps: OAuthDeps, source: AuditSource, row: OAuthConnectionRow, accessToken: string) {
  const uses = await deps.db
    .select({ installationId: oauthConnectionUses.installationId, storeAs: oauthConnectionUses.storeAs })
    .from(oauthConnectionUses)
    .where(and(eq(oauthConnectionUses.connectionId, row.id), sql`${oauthConnectionUses.storeAs} <> ''`));
  for (const use of uses) {
    await writeStoreAs(deps, use, { orgId: row.orgId, userId: row.ownerKind === "user" ? row.ownerId : null }, accessToken, {
      actor: { kind: "system", id: "oauth-refresher" },
      source,
    });
  }
}

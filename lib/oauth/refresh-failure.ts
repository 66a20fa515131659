// What a refresh attempt writes when the provider refused or failed: only a grant that is gone expires the
// connection; anything else backs off and keeps the grant; a resource without consent drops out of the
// grant. Also the two cases where the attempt's answer lost the race to another refresh and is not stored.
import { and, eq } from "drizzle-orm";
import { appendAuditEvents } from "@/lib/audit/events";
import type { DbOrTx } from "@/lib/db/client";
import { oauthConnections, oauthResourceTokens } from "@/lib/db/schema";
import { logger as defaultLogger } from "@/lib/logger";
import type { ProviderRequestError } from "./provider-error";
import { connectionsPath, notify } from "./connections";
import type { ProviderConfig } from "./provider-config";
import { refresherEvent, unchanged, type RefreshAttempt } from "./refresh-attempt";
import { releaseLease } from "./refresh-lease";
import { backoffMs, DEGRADED_AFTER, outcomeOf, type RefreshOutcome } from "./refresh-policy";
import { resourceOf } from "./scopes";
import type { SealedTokens } from "./token-seal";

/**
 * Records that `resource` lacks consent (a resource-specific refresh answered Microsoft's AADSTS65001): the
 * grant no longer counts that resource's scopes, its stored token is dropped, and the lease is released;
 * the connection stays active with its tokens and other resources untouched (compare-and-set on the
 * version: null when another refresh wrote first).
 */
export async function recordMissingConsent(
  attempt: RefreshAttempt,
  provider: ProviderConfig,
  resource: string,
  error: ProviderRequestError,
): Promise<RefreshOutcome | null> {
  const { row, holder } = attempt;
  const now = attempt.now();
  const removed = row.scopes.filter((s) => resourceOf(provider, s) === resource);
  return attempt.deps.db.transaction(async (tx): Promise<RefreshOutcome | null> => {
    const [updated] = await tx
      .update(oauthConnections)
      .set({ scopes: row.scopes.filter((s) => !removed.includes(s)), updatedAt: now, ...releaseLease(holder) })
      .where(unchanged(row))
      .returning();
    if (!updated) return null;
    await tx
      .delete(oauthResourceTokens)
      .where(and(eq(oauthResourceTokens.connectionId, row.id), eq(oauthResourceTokens.resource, resource)));
    await appendAuditEvents(tx, [
      refresherEvent(attempt, "oauth.refresh", { resource, reason: error.reason, scopes_removed: removed }, "failure"),
    ]);
    return { kind: "scopes_missing", row: updated, resource, missingScopes: removed };
  });
}

/**
 * Records a refused or failed refresh (compare-and-set on the version, releasing the lease): only a grant
 * that is gone (`error.kind` fatal) expires the connection; anything else backs off and keeps the grant,
 * with `salvaged` tokens stored when the refusal rotated the refresh token in. Null when another refresh
 * wrote the connection first (nothing recorded).
 */
export async function recordFailure(
  attempt: RefreshAttempt,
  error: ProviderRequestError,
  salvaged: SealedTokens | null = null,
): Promise<RefreshOutcome | null> {
  return attempt.deps.db.transaction((tx): Promise<RefreshOutcome | null> =>
    error.kind === "fatal" ? expire(tx, attempt, error) : backOff(tx, attempt, error, salvaged),
  );
}

/** The grant is gone: the connection expires, its tokens are dropped, and its person is told to reconnect. */
async function expire(tx: DbOrTx, attempt: RefreshAttempt, error: ProviderRequestError): Promise<RefreshOutcome | null> {
  const { row, holder } = attempt;
  const [updated] = await tx
    .update(oauthConnections)
    .set({
      status: "expired",
      accessToken: null,
      refreshToken: null,
      tokenVersion: row.tokenVersion + 1,
      lastError: error.message,
      nextAttemptAt: null,
      updatedAt: attempt.now(),
      ...releaseLease(holder),
    })
    .where(unchanged(row))
    .returning();
  if (!updated) return null;
  await tx.delete(oauthResourceTokens).where(eq(oauthResourceTokens.connectionId, row.id));
  await appendAuditEvents(tx, [refresherEvent(attempt, "oauth.expire", { reason: error.reason }, "failure")]);
  await notify(tx, {
    userId: row.connectedBy,
    kind: "connection_expired",
    subjectId: row.id,
    message: `Your ${row.providerName} connection expired (${error.reason}). Reconnect it so your extensions keep working.`,
    link: connectionsPath,
  });
  return { kind: "expired", row: updated, reason: error.reason };
}

/** A retryable failure: the connection backs off (its person hears once it has failed DEGRADED_AFTER times). */
async function backOff(
  tx: DbOrTx,
  attempt: RefreshAttempt,
  error: ProviderRequestError,
  salvaged: SealedTokens | null,
): Promise<RefreshOutcome | null> {
  const { row, holder } = attempt;
  const now = attempt.now();
  const failures = row.refreshFailures + 1;
  const nextAttemptAt = new Date(now.getTime() + backoffMs(failures, error.retryAfterSeconds));
  const keep = salvaged
    ? { dekId: salvaged.dekId, accessToken: salvaged.accessToken, refreshToken: salvaged.refreshToken, tokenVersion: row.tokenVersion + 1 }
    : {};
  const [updated] = await tx
    .update(oauthConnections)
    .set({ refreshFailures: failures, nextAttemptAt, lastError: error.message, updatedAt: now, ...keep, ...releaseLease(holder) })
    .where(unchanged(row))
    .returning();
  if (!updated) return null;
  if (salvaged) {
    const details = { reason: error.reason, rotated: true, kept_refresh_token: true };
    await appendAuditEvents(tx, [refresherEvent(attempt, "oauth.refresh", details, "failure")]);
  }
  if (failures === DEGRADED_AFTER) {
    await notify(tx, {
      userId: row.connectedBy,
      kind: "connection_degraded",
      subjectId: row.id,
      message: `${row.providerName} has failed to refresh your connection ${failures} times (${error.reason}); Latchkey keeps retrying.`,
      link: connectionsPath,
    });
  }
  (attempt.deps.logger ?? defaultLogger).warn(
    { connection: row.id, provider: row.providerId, reason: error.reason, failures, nextAttemptAt },
    "oauth refresh failed; will retry",
  );
  return { kind: "retry_later", row: updated, reason: error.message, nextAttemptAt };
}

/**
 * A failure that arrived after another refresh wrote the connection (it took over once our lease had
 * expired, and its write stands): the failure says nothing about the tokens that refresh stored.
 */
export async function failureNotRecorded(attempt: RefreshAttempt, error: ProviderRequestError): Promise<RefreshOutcome> {
  const { row, holder } = attempt;
  const [current] = await attempt.deps.db.select().from(oauthConnections).where(eq(oauthConnections.id, row.id));
  (attempt.deps.logger ?? defaultLogger).warn(
    {
      connection: row.id,
      provider: row.providerId,
      holder,
      reason: error.reason,
      version: row.tokenVersion,
      current_version: current?.tokenVersion,
    },
    "oauth refresh failure not recorded: another refresh wrote the connection first",
  );
  return outcomeOf(current ?? null);
}

/**
 * The compare-and-set lost: another refresh wrote first, which can only happen after this attempt's lease
 * expired (a process paused longer than the lease) and another process took over. The winner's write
 * stands and this answer's tokens are not stored. If the answer carried a rotated refresh token and the
 * winner's write expired the connection, the provider may have invalidated the old refresh token in
 * favour of this one (the winner's invalid_grant would then be our doing): that token is lost, the
 * person must reconnect, and it is logged as an error and audited — never silently.
 */
export async function discardLostAnswer(attempt: RefreshAttempt, rotated: boolean): Promise<RefreshOutcome> {
  const { row, holder } = attempt;
  const log = attempt.deps.logger ?? defaultLogger;
  const [current] = await attempt.deps.db.select().from(oauthConnections).where(eq(oauthConnections.id, row.id));
  const grantLost = rotated && current?.status !== "active";
  const context = {
    connection: row.id,
    provider: row.providerId,
    holder,
    version: row.tokenVersion,
    current_version: current?.tokenVersion ?? null,
    current_status: current?.status ?? null,
    rotated,
  };
  if (grantLost) {
    log.error(
      context,
      "oauth refresh answer discarded after the connection was expired by another refresh; its rotated refresh token is lost",
    );
  } else {
    log.warn(context, "oauth refresh answer discarded: another refresh wrote the connection first (this one's lease had expired)");
  }
  await appendAuditEvents(attempt.deps.db, [
    refresherEvent(attempt, "oauth.refresh", { discarded: "lost_race", rotated, grant_lost: grantLost }, "failure"),
  ]);
  return outcomeOf(current ?? null);
}

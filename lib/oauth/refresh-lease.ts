// The refresh lease on a connection row (refresh_lease_holder / refresh_lease_until): at most one process
// calls a provider's token endpoint for a connection at a time. Taken by one conditional UPDATE, handed
// back by the write that records the answer (or at once when an attempt ends without one).
import { and, asc, eq, isNotNull, isNull, lte, or, sql } from "drizzle-orm";
import { CLOCK_TOLERANCE_SECONDS } from "@/lib/clock-skew";
import type { DbOrTx } from "@/lib/db/client";
import { oauthConnections, type OAuthConnectionRow } from "@/lib/db/schema";

/**
 * How long a refresh lease lasts, by the holder's clock: longer than an attempt can take (discovery and the
 * token request, 10-second timeout each), so a live holder never loses it. Another process takes over
 * CLOCK_TOLERANCE_SECONDS after it ends (its clock may run ahead of the holder's), so a holder that died
 * blocks refreshes of its connection for at most 90 s; on-demand callers are answered meanwhile.
 */
export const REFRESH_LEASE_MS = 30_000;
/** How often a caller waiting for another process's refresh looks at the row again. */
export const LEASE_POLL_MS = 100;

/** A lease someone holds that has not expired yet, allowing for the holder's clock being behind ours. */
export function leaseLive(row: Pick<OAuthConnectionRow, "refreshLeaseUntil">, now: Date): boolean {
  return row.refreshLeaseUntil !== null && row.refreshLeaseUntil > leaseExpiredBefore(now);
}
const leaseExpiredBefore = (now: Date) => new Date(now.getTime() - CLOCK_TOLERANCE_SECONDS * 1000);

/** Columns that hand the lease back, only if `holder` still holds it (another may have taken it over). */
export function releaseLease(holder: string) {
  const mine = sql`${oauthConnections.refreshLeaseHolder} = ${holder}`;
  return {
    refreshLeaseHolder: sql`case when ${mine} then null else ${oauthConnections.refreshLeaseHolder} end`,
    refreshLeaseUntil: sql`case when ${mine} then null else ${oauthConnections.refreshLeaseUntil} end`,
  };
}

/**
 * Takes the lease with one conditional UPDATE (no transaction): only if free or expired and the row is as
 * read (same token version, active, refreshable, not backing off). Null when it was not taken.
 */
export async function acquireLease(db: DbOrTx, row: OAuthConnectionRow, holder: string, now: Date): Promise<OAuthConnectionRow | null> {
  const [leased] = await db
    .update(oauthConnections)
    .set({ refreshLeaseHolder: holder, refreshLeaseUntil: new Date(now.getTime() + REFRESH_LEASE_MS) })
    .where(
      and(
        eq(oauthConnections.id, row.id),
        eq(oauthConnections.tokenVersion, row.tokenVersion),
        eq(oauthConnections.status, "active"),
        isNotNull(oauthConnections.refreshToken),
        or(isNull(oauthConnections.refreshLeaseUntil), lte(oauthConnections.refreshLeaseUntil, leaseExpiredBefore(now))),
        or(isNull(oauthConnections.nextAttemptAt), lte(oauthConnections.nextAttemptAt, now)),
      ),
    )
    .returning();
  return leased ?? null;
}

/** Hands the lease back if `holder` still holds it, writing nothing else (an attempt that recorded nothing). */
export async function handBackLease(db: DbOrTx, connectionId: string, holder: string): Promise<void> {
  await db
    .update(oauthConnections)
    .set(releaseLease(holder))
    .where(and(eq(oauthConnections.id, connectionId), eq(oauthConnections.refreshLeaseHolder, holder)));
}

/** Ids of active connections expiring before `before`, not backing off and not leased by another process. */
export async function dueConnections(db: DbOrTx, before: Date, now: Date, limit: number): Promise<string[]> {
  const rows = await db
    .select({ id: oauthConnections.id })
    .from(oauthConnections)
    .where(
      and(
        eq(oauthConnections.status, "active"),
        isNotNull(oauthConnections.refreshToken),
        lte(oauthConnections.expiresAt, before),
        or(isNull(oauthConnections.nextAttemptAt), lte(oauthConnections.nextAttemptAt, now)),
        // Leased by another process: theirs to refresh.
        or(isNull(oauthConnections.refreshLeaseUntil), lte(oauthConnections.refreshLeaseUntil, leaseExpiredBefore(now))),
      ),
    )
    .orderBy(asc(oauthConnections.expiresAt))
    .limit(limit);
  return rows.map((r) => r.id);
}
